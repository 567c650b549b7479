/**
 * Reading the store back into the shapes of types.ts. Runs are ordered by (date, id): the
 * date says when the kernel ran, the id breaks ties in recording order.
 */
import type { Environment } from '../../cases/env.js';
import type { SubtestVerdict, TriageClass } from '../diff/types.js';
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
  selftest: string;
  triage: string;
  summary: string;
  result_count: number;
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

function toRun(r: RunRow): StoredRun {
  return {
    id: r.id,
    logHash: r.log_hash,
    runIndex: r.run_index,
    source: r.source,
    kernel: r.kernel,
    arch: r.arch,
    machine: r.machine,
    date: r.date,
    env: JSON.parse(r.env_json) as Environment,
    envSource: r.env_source,
    envKey: r.env_key,
    selftest: r.selftest,
    triage: r.triage as TriageClass,
    summary: r.summary,
    resultCount: r.result_count,
  };
}

function toResult(r: ResultRow): StoredResult {
  return {
    runId: r.run_id,
    ordinal: r.ordinal,
    id: r.stable_id,
    number: r.number,
    name: r.name,
    verdict: r.verdict as SubtestVerdict | null,
    predicted: r.predicted as SubtestVerdict | null,
    class: r.class as TriageClass,
    explanation: r.explanation,
    reason: r.reason,
    commits: JSON.parse(r.commits) as string[],
  };
}

function where(filter: RunFilter, alias: string): { sql: string; params: (string | number)[] } {
  const parts: string[] = [];
  const params: (string | number)[] = [];
  if (filter.machine !== undefined) {
    parts.push(`${alias}.machine = ?`);
    params.push(filter.machine);
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
  u.env_source, u.env_key, u.selftest, u.triage, u.summary, u.result_count`;

export function listRuns(store: Store, filter: RunFilter = {}): StoredRun[] {
  const w = where(filter, 'u');
  const rows = store.db
    .prepare(`SELECT ${RUN_COLUMNS} FROM runs u JOIN logs l ON l.hash = u.log_hash ${w.sql} ORDER BY u.date, u.id`)
    .all(...w.params) as RunRow[];
  return rows.map(toRun);
}

export function getRun(store: Store, id: number): StoredRun | undefined {
  const row = store.db
    .prepare(`SELECT ${RUN_COLUMNS} FROM runs u JOIN logs l ON l.hash = u.log_hash WHERE u.id = ?`)
    .get(id) as RunRow | undefined;
  return row && toRun(row);
}

export function resultsOf(store: Store, runId: number): StoredResult[] {
  const rows = store.db.prepare('SELECT * FROM results WHERE run_id = ? ORDER BY ordinal').all(runId) as ResultRow[];
  return rows.map(toResult);
}

/** Results of many runs at once, grouped by run id. */
export function resultsOfRuns(store: Store, filter: RunFilter = {}): Map<number, StoredResult[]> {
  const w = where(filter, 'u');
  const out = new Map<number, StoredResult[]>();
  const stmt = store.db.prepare(
    `SELECT r.* FROM results r JOIN runs u ON u.id = r.run_id ${w.sql} ORDER BY u.date, u.id, r.ordinal`,
  );
  for (const row of stmt.iterate(...w.params) as IterableIterator<ResultRow>) {
    const list = out.get(row.run_id) ?? [];
    list.push(toResult(row));
    out.set(row.run_id, list);
  }
  return out;
}

/** The (run, stable id, verdict, class) rows history works from; results without an id are skipped. */
export function verdictRows(store: Store, filter: RunFilter = {}, stableId?: string): VerdictRow[] {
  const w = where(filter, 'u');
  let sql = w.sql;
  const params = [...w.params];
  const idClause = 'r.stable_id IS NOT NULL' + (stableId === undefined ? '' : ' AND r.stable_id = ?');
  if (stableId !== undefined) params.push(stableId);
  sql = sql ? `${sql} AND ${idClause}` : `WHERE ${idClause}`;
  const stmt = store.db
    .prepare(`SELECT r.run_id, r.stable_id, r.verdict, r.class FROM results r JOIN runs u ON u.id = r.run_id ${sql}
      ORDER BY u.date, u.id, r.ordinal`)
    .raw(true);
  const out: VerdictRow[] = [];
  for (const row of stmt.iterate(...params) as IterableIterator<[number, string, string | null, string]>) {
    out.push({ runId: row[0], id: row[1], verdict: row[2] as SubtestVerdict | null, class: row[3] as TriageClass });
  }
  return out;
}

export function rawLog(store: Store, hash: string): string | undefined {
  const row = store.db.prepare('SELECT raw FROM logs WHERE hash = ?').get(hash) as { raw: string } | undefined;
  return row?.raw;
}

export interface IntegrityReport {
  /** `PRAGMA integrity_check` lines; ['ok'] when the file is sound. */
  sqlite: string[];
  /** Runs whose stored results are fewer or more than the run says it has. */
  incompleteRuns: number[];
  /** Logs whose run rows are fewer than recorded in the log row. */
  incompleteLogs: string[];
}

/** Prove the store holds whole runs only (what a killed recorder must never break). */
export function checkIntegrity(store: Store): IntegrityReport {
  const sqlite = (store.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  const incompleteRuns = (
    store.db
      .prepare(`SELECT u.id FROM runs u LEFT JOIN (SELECT run_id, COUNT(*) n FROM results GROUP BY run_id) c
        ON c.run_id = u.id WHERE COALESCE(c.n, 0) != u.result_count`)
      .all() as { id: number }[]
  ).map((r) => r.id);
  const incompleteLogs = (
    store.db
      .prepare(`SELECT l.hash FROM logs l LEFT JOIN (SELECT log_hash, COUNT(*) n FROM runs GROUP BY log_hash) c
        ON c.log_hash = l.hash WHERE COALESCE(c.n, 0) != l.run_count`)
      .all() as { hash: string }[]
  ).map((r) => r.hash);
  return { sqlite, incompleteRuns, incompleteLogs };
}

export function countRuns(store: Store): number {
  return (store.db.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n;
}
