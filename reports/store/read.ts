/**
 * Reading the store back into the shapes of types.ts. Runs are ordered by (date, id): the
 * date says when the kernel ran, the id breaks ties in recording order.
 */
import type { Environment } from '../../cases/env.js';
import { isSelftestName, type SelftestName } from '../../cases/selftests/names.js';
import type { SubtestVerdict, TriageClass } from '../diff/types.js';
import { rawText } from './driver.js';
import { StoreError } from './errors.js';
import type { Store } from './open.js';
import type { RunFilter, StoredResult, StoredRun, VerdictRow } from './types.js';

interface RunRow {
  id: number;
  log_hash: string;
  run_index: number;
  source: string;
  kernel: string | null;
  arch: string | null;
  machine: string | null;
  date: string;
  env_json: string;
  env_source: 'given' | 'inferred';
  env_key: string;
  test: string;
  selftest: string;
  triage: string;
  summary: string;
  result_count: number;
  rest_triage: string | null;
  rest_summary: string | null;
}

interface ResultRow {
  run_id: number;
  ordinal: number;
  stable_id: string | null;
  number: number | null;
  name: string | null;
  verdict: string | null;
  predicted: string | null;
  class: string;
  explanation: string;
  reason: string | null;
  commits: string;
}

/**
 * JSON written by gupsim, read back. A damaged page can hand back bytes that are no longer
 * JSON without SQLite noticing; that is the database's state, not a gupsim bug.
 */
function stored<T>(store: Store, what: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new StoreError(
      `${store.location}: ${what} is not the JSON gupsim wrote (a damaged database? check it with \`sqlite3 FILE 'PRAGMA integrity_check'\`)`,
    );
  }
}

/** A stored test name: one gupsim knows (a newer gupsim's test is refused, not guessed). */
function testOf(store: Store, id: number, test: string): SelftestName {
  if (isSelftestName(test)) return test;
  throw new StoreError(`${store.location}: run ${id} is of selftest "${test}", which this gupsim does not know (a newer gupsim recorded it)`);
}

function toRun(store: Store, r: RunRow): StoredRun {
  return {
    id: Number(r.id),
    logHash: r.log_hash,
    runIndex: r.run_index,
    source: r.source,
    kernel: r.kernel,
    arch: r.arch,
    machine: r.machine,
    date: r.date,
    env: stored<Environment>(store, `run ${r.id}: the stored environment`, r.env_json),
    envSource: r.env_source,
    envKey: r.env_key,
    test: testOf(store, r.id, r.test),
    selftest: r.selftest,
    triage: r.triage as TriageClass,
    summary: r.summary,
    resultCount: r.result_count,
    rest:
      r.rest_triage === null
        ? null
        : { triage: r.rest_triage as TriageClass, summary: r.rest_summary ?? r.summary },
  };
}

function toResult(store: Store, r: ResultRow): StoredResult {
  return {
    runId: Number(r.run_id),
    ordinal: r.ordinal,
    id: r.stable_id,
    number: r.number,
    name: r.name,
    verdict: r.verdict as SubtestVerdict | null,
    predicted: r.predicted as SubtestVerdict | null,
    class: r.class as TriageClass,
    explanation: r.explanation,
    reason: r.reason,
    commits: stored<string[]>(
      store,
      `run ${r.run_id} result ${r.ordinal}: the cited commits`,
      r.commits,
    ),
  };
}

function where(filter: RunFilter, alias: string): { sql: string; params: (string | number)[] } {
  const parts: string[] = [];
  const params: (string | number)[] = [];
  if (filter.machine !== undefined) {
    parts.push(`${alias}.machine = ?`);
    params.push(filter.machine);
  }
  if (filter.test !== undefined) {
    parts.push(`${alias}.test = ?`);
    params.push(filter.test);
  }
  if (filter.since !== undefined) {
    parts.push(`${alias}.date >= ?`);
    params.push(filter.since);
  }
  if (filter.ids !== undefined) {
    // Ids are integers we produced; inlining them avoids SQLite's bound-parameter limit.
    parts.push(`${alias}.id IN (${filter.ids.map((i) => Math.trunc(i)).join(',') || 'NULL'})`);
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

const RUN_COLUMNS = `u.id, u.log_hash, u.run_index, l.source, u.kernel, u.arch, u.machine, u.date, u.env_json,
  u.env_source, u.env_key, u.test, u.selftest, u.triage, u.summary, u.result_count, u.rest_triage, u.rest_summary`;

export async function listRuns(store: Store, filter: RunFilter = {}): Promise<StoredRun[]> {
  const w = where(filter, 'u');
  const rows = await store.sql.all<RunRow>(
    `SELECT ${RUN_COLUMNS} FROM runs u JOIN logs l ON l.hash = u.log_hash ${w.sql} ORDER BY u.date, u.id`,
    w.params,
  );
  return rows.map((r) => toRun(store, r));
}

export async function getRun(store: Store, id: number): Promise<StoredRun | undefined> {
  const [row] = await store.sql.all<RunRow>(
    `SELECT ${RUN_COLUMNS} FROM runs u JOIN logs l ON l.hash = u.log_hash WHERE u.id = ?`,
    [id],
  );
  return row && toRun(store, row);
}

export async function resultsOf(store: Store, runId: number): Promise<StoredResult[]> {
  const rows = await store.sql.all<ResultRow>(
    'SELECT * FROM results WHERE run_id = ? ORDER BY ordinal',
    [runId],
  );
  return rows.map((r) => toResult(store, r));
}

/** Results of many runs at once, grouped by run id. */
export async function resultsOfRuns(
  store: Store,
  filter: RunFilter = {},
): Promise<Map<number, StoredResult[]>> {
  const w = where(filter, 'u');
  const out = new Map<number, StoredResult[]>();
  const rows = await store.sql.all<ResultRow>(
    `SELECT r.* FROM results r JOIN runs u ON u.id = r.run_id ${w.sql} ORDER BY u.date, u.id, r.ordinal`,
    w.params,
  );
  for (const row of rows) {
    const result = toResult(store, row);
    const list = out.get(result.runId) ?? [];
    list.push(result);
    out.set(result.runId, list);
  }
  return out;
}

/** The (run, test, stable id, verdict, class) rows history works from; results without an id are skipped. */
export async function verdictRows(
  store: Store,
  filter: RunFilter = {},
  stableId?: string,
): Promise<VerdictRow[]> {
  const w = where(filter, 'u');
  const params = [...w.params];
  const idClause =
    'r.stable_id IS NOT NULL' + (stableId === undefined ? '' : ' AND r.stable_id = ?');
  if (stableId !== undefined) params.push(stableId);
  const sql = w.sql ? `${w.sql} AND ${idClause}` : `WHERE ${idClause}`;
  const rows = await store.sql.arrays<[number, string, string | null, string, string | null, string]>(
    `SELECT r.run_id, r.stable_id, r.verdict, r.class, r.name, u.test FROM results r JOIN runs u ON u.id = r.run_id ${sql} ORDER BY u.date, u.id, r.ordinal`,
    params,
  );
  return rows.map((row) => ({
    runId: Number(row[0]),
    test: testOf(store, Number(row[0]), row[5]),
    id: row[1],
    verdict: row[2] as SubtestVerdict | null,
    class: row[3] as TriageClass,
    name: row[4],
  }));
}

/** The recorded log text: logs.raw, then its chunks in order (a streamed log has only chunks). */
export async function rawLog(store: Store, hash: string): Promise<string | undefined> {
  const [row] = await store.sql.all<{ raw: string | Uint8Array }>(
    'SELECT raw FROM logs WHERE hash = ?',
    [hash],
  );
  if (row === undefined) return undefined;
  const chunks = await store.sql.arrays<[string | Uint8Array]>(
    'SELECT raw FROM log_chunks WHERE log_hash = ? ORDER BY seq',
    [hash],
  );
  return rawText(row.raw) + chunks.map((c) => rawText(c[0])).join('');
}

/** One stored run of a log, as `gupsim record` lists it. */
export interface RunLine {
  id: number;
  runIndex: number;
  test: SelftestName;
  triage: TriageClass;
  summary: string;
}

/**
 * The runs of a log in run order, `pageSize` rows per query, so a log of thousands of runs is
 * listed without holding them all.
 */
export async function* runLinesOf(
  store: Store,
  hash: string,
  pageSize = 1000,
): AsyncGenerator<RunLine> {
  let after = -1;
  for (;;) {
    const rows = await store.sql.arrays<[number, number, string, string, string]>(
      `SELECT id, run_index, triage, summary, test FROM runs WHERE log_hash = ? AND run_index > ? ORDER BY run_index LIMIT ${Math.trunc(pageSize)}`,
      [hash, after],
    );
    for (const r of rows)
      yield {
        id: Number(r[0]),
        runIndex: Number(r[1]),
        test: testOf(store, Number(r[0]), r[4]),
        triage: r[2] as TriageClass,
        summary: r[3],
      };
    if (rows.length < pageSize) return;
    after = Number(rows[rows.length - 1]![1]);
  }
}

export async function countRuns(store: Store): Promise<number> {
  const [row] = await store.sql.all<{ n: number }>('SELECT COUNT(*) AS n FROM runs');
  return Number(row?.n ?? 0);
}

/**
 * The runs of a log with their results, in run order, `pageSize` runs per query: what a reader
 * applying a known-issues file to a freshly recorded log needs, without holding the log's runs.
 */
export async function* storedRunsOf(
  store: Store,
  hash: string,
  pageSize = 500,
): AsyncGenerator<{ run: StoredRun; results: StoredResult[] }> {
  let after = -1;
  for (;;) {
    const rows = await store.sql.all<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM runs u JOIN logs l ON l.hash = u.log_hash WHERE u.log_hash = ? AND u.run_index > ? ORDER BY u.run_index LIMIT ${Math.trunc(pageSize)}`,
      [hash, after],
    );
    const runs = rows.map((r) => toRun(store, r));
    const results = await resultsOfRuns(store, { ids: runs.map((r) => r.id) });
    for (const run of runs) yield { run, results: results.get(run.id) ?? [] };
    if (rows.length < pageSize) return;
    after = runs[runs.length - 1]!.runIndex;
  }
}
