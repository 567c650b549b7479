/**
 * Recording a triaged log: the log row, its runs and every result are written in ONE
 * transaction. A process killed at any instant therefore leaves either the whole log or
 * nothing (SQLite rolls an uncommitted WAL tail back; PostgreSQL aborts the transaction of a
 * dropped connection). Dedup is by the log's hash under a unique key: `ON CONFLICT DO NOTHING`
 * makes a second recorder of the same log — on this machine or another — wait for the first
 * and then find its runs, instead of inserting them twice.
 */
import { envKey, logHash } from './env-key.js';
import type { SqlDriver, SqlValue } from './driver.js';
import type { Store } from './open.js';
import type { RecordInput, RecordOutcome } from './types.js';

/** Result rows per INSERT: few statements per run, far below both engines' parameter limits. */
const RESULT_ROWS_PER_INSERT = 100;
const RESULT_COLUMNS = '(run_id, ordinal, stable_id, number, name, verdict, class, explanation, reason, predicted, commits)';

function insertResultsSql(rows: number): string {
  const one = `(${Array(11).fill('?').join(', ')})`;
  return `INSERT INTO results ${RESULT_COLUMNS} VALUES ${Array(rows).fill(one).join(', ')}`;
}

/** PostgreSQL keeps the raw log as bytea (its text cannot hold NUL); SQLite as text. */
export function rawValue(sql: SqlDriver, text: string): SqlValue {
  return sql.dialect === 'postgresql' ? Buffer.from(text, 'utf8') : text;
}

async function write(sql: SqlDriver, input: RecordInput, now: string): Promise<RecordOutcome> {
  const hash = logHash(input.text);
  const { meta, report } = input;
  const inserted = await sql.all<{ hash: string }>(
    'INSERT INTO logs (hash, source, raw, recorded_at, run_count) VALUES (?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING RETURNING hash',
    [hash, input.source, rawValue(sql, input.text), now, report.runs.length],
  );
  if (inserted.length === 0) {
    const runs = await sql.all<{ id: number }>('SELECT id FROM runs WHERE log_hash = ? ORDER BY run_index', [hash]);
    return { hash, duplicate: true, runIds: runs.map((r) => Number(r.id)) };
  }
  const runIds: number[] = [];
  for (const run of report.runs) {
    const env = meta.env ?? run.env;
    const arch = meta.arch ?? meta.env?.arch ?? (run.inferred.arch.certainty === 'guess' ? null : run.inferred.arch.value);
    const [row] = await sql.all<{ id: number }>(
      `INSERT INTO runs (log_hash, run_index, kernel, arch, machine, date, env_json, env_source,
        selftest, triage, summary, result_count, env_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [
        hash,
        run.index,
        meta.kernel ?? meta.env?.kernel.release ?? null,
        arch,
        meta.machine ?? null,
        meta.date ?? now,
        JSON.stringify(env),
        meta.env ? 'given' : 'inferred',
        run.selftest,
        run.triage,
        run.summary,
        run.subtests.length,
        envKey(env),
      ],
    );
    const runId = Number(row?.id);
    runIds.push(runId);
    for (let start = 0; start < run.subtests.length; start += RESULT_ROWS_PER_INSERT) {
      const chunk = run.subtests.slice(start, start + RESULT_ROWS_PER_INSERT);
      const params: SqlValue[] = [];
      chunk.forEach((c, i) => {
        params.push(runId, start + i, c.id, c.number, c.name, c.observed, c.class, c.explanation, c.observedReason, c.predicted, JSON.stringify(c.commits));
      });
      await sql.run(insertResultsSql(chunk.length), params);
    }
  }
  return { hash, duplicate: false, runIds };
}

/** Store one triaged log; a log already stored (same text) is a no-op. */
export async function recordLog(store: Store, input: RecordInput): Promise<RecordOutcome> {
  const now = new Date().toISOString();
  return store.sql.transaction(() => write(store.sql, input, now));
}

/** Store many logs in one transaction (bulk import; all or nothing). */
export async function recordLogs(store: Store, inputs: readonly RecordInput[]): Promise<RecordOutcome[]> {
  const now = new Date().toISOString();
  return store.sql.transaction(async () => {
    const out: RecordOutcome[] = [];
    for (const i of inputs) out.push(await write(store.sql, i, now));
    return out;
  });
}
