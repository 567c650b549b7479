/**
 * Recording triaged logs: log rows, their runs and every result are written in ONE
 * transaction (logs streamed by `gupsim record` go through record-stream.ts, with the same
 * guarantees). A process killed at any instant therefore leaves either all of it or nothing
 * (SQLite rolls an uncommitted WAL tail back; PostgreSQL aborts the transaction of a dropped
 * connection). Dedup is by the log's hash under a unique key: `ON CONFLICT DO NOTHING` makes a
 * second recorder of the same log — on this machine or another — wait for the first and then
 * find its runs, instead of inserting them twice. Rows go in multi-row INSERTs (run-rows.ts),
 * logs in hash order so that concurrent recorders take their row locks in one order and cannot deadlock.
 */
import { logHash } from './env-key.js';
import { rawValue, type SqlDriver } from './driver.js';
import { insertRows, insertRuns, ROWS_PER_INSERT } from './run-rows.js';
import type { Store } from './open.js';
import type { RecordInput, RecordOutcome } from './types.js';

/** Run ids of logs already stored, by hash, in run order. */
async function storedRunIds(sql: SqlDriver, hashes: string[]): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>(hashes.map((h) => [h, []]));
  for (let start = 0; start < hashes.length; start += ROWS_PER_INSERT) {
    const chunk = hashes.slice(start, start + ROWS_PER_INSERT);
    const rows = await sql.all<{ log_hash: string; id: number }>(
      `SELECT log_hash, id FROM runs WHERE log_hash IN (${chunk.map(() => '?').join(', ')}) ORDER BY log_hash, run_index`,
      chunk,
    );
    for (const r of rows) out.get(r.log_hash)?.push(Number(r.id));
  }
  return out;
}

async function write(sql: SqlDriver, inputs: readonly RecordInput[], now: string): Promise<RecordOutcome[]> {
  const hashes = inputs.map((i) => logHash(i.text));
  // The first input with a hash is the one written; later ones in the batch are duplicates of it.
  const firstOf = new Map<string, RecordInput>();
  inputs.forEach((input, i) => {
    const h = hashes[i] ?? '';
    if (!firstOf.has(h)) firstOf.set(h, input);
  });
  const ordered = [...firstOf.keys()].sort();
  const inserted = new Set(
    (
      await insertRows<{ hash: string }>(
        sql,
        'INSERT INTO logs (hash, source, raw, recorded_at, run_count)',
        5,
        ordered.map((h) => {
          const input = firstOf.get(h)!;
          return [h, input.source, rawValue(sql, input.text), now, input.report.runs.length];
        }),
        ' ON CONFLICT (hash) DO NOTHING RETURNING hash',
      )
    ).map((r) => r.hash),
  );

  const runIdsOf = await insertRuns(
    sql,
    ordered.filter((h) => inserted.has(h)).map((h) => ({ hash: h, meta: firstOf.get(h)!.meta, runs: firstOf.get(h)!.report.runs })),
    now,
  );

  const already = await storedRunIds(sql, ordered.filter((h) => !inserted.has(h)));
  const written = new Set<string>();
  return hashes.map((hash) => {
    const fresh = inserted.has(hash) && !written.has(hash);
    if (fresh) written.add(hash);
    return { hash, duplicate: !fresh, runIds: runIdsOf.get(hash) ?? already.get(hash) ?? [] };
  });
}

/** Store one triaged log; a log already stored (same text, CRLF read as LF) is a no-op. */
export async function recordLog(store: Store, input: RecordInput): Promise<RecordOutcome> {
  const [out] = await recordLogs(store, [input]);
  return out!;
}

/** Store many logs in one transaction (bulk import; all or nothing). */
export async function recordLogs(store: Store, inputs: readonly RecordInput[]): Promise<RecordOutcome[]> {
  const now = new Date().toISOString();
  return store.sql.transaction(() => write(store.sql, inputs, now));
}
