/**
 * Recording triaged logs: log rows, their runs and every result are written in ONE
 * transaction. A process killed at any instant therefore leaves either all of it or nothing
 * (SQLite rolls an uncommitted WAL tail back; PostgreSQL aborts the transaction of a dropped
 * connection). Dedup is by the log's hash under a unique key: `ON CONFLICT DO NOTHING` makes a
 * second recorder of the same log — on this machine or another — wait for the first and then
 * find its runs, instead of inserting them twice. Rows go in multi-row INSERTs (a few
 * statements per batch, not one per result: a round trip each on a server), logs in hash
 * order so that concurrent recorders take their row locks in one order and cannot deadlock.
 */
import { envKey, logHash } from './env-key.js';
import { rawValue, type SqlDriver, type SqlValue } from './driver.js';
import type { Store } from './open.js';
import type { RecordInput, RecordOutcome } from './types.js';

/** Rows per INSERT: well under both engines' bound-parameter limits (SQLite 32766, PostgreSQL 65535). */
const ROWS_PER_INSERT = 1000;

function placeholders(rows: number, columns: number): string {
  const one = `(${Array(columns).fill('?').join(', ')})`;
  return Array(rows).fill(one).join(', ');
}

/** `rows` in chunks, one INSERT (with `suffix`, e.g. RETURNING) per chunk; returned rows concatenated. */
async function insertRows<T>(sql: SqlDriver, head: string, columns: number, rows: SqlValue[][], suffix = ''): Promise<T[]> {
  const out: T[] = [];
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    const chunk = rows.slice(start, start + ROWS_PER_INSERT);
    const text = `${head} VALUES ${placeholders(chunk.length, columns)}${suffix}`;
    if (suffix.includes('RETURNING')) out.push(...(await sql.all<T>(text, chunk.flat())));
    else await sql.run(text, chunk.flat());
  }
  return out;
}

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

  const runRows: SqlValue[][] = [];
  for (const h of ordered) {
    if (!inserted.has(h)) continue;
    const { meta, report } = firstOf.get(h)!;
    for (const run of report.runs) {
      const env = meta.env ?? run.env;
      const arch = meta.arch ?? meta.env?.arch ?? (run.inferred.arch.certainty === 'guess' ? null : run.inferred.arch.value);
      runRows.push([
        h,
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
      ]);
    }
  }
  const created = await insertRows<{ id: number; log_hash: string; run_index: number }>(
    sql,
    'INSERT INTO runs (log_hash, run_index, kernel, arch, machine, date, env_json, env_source, selftest, triage, summary, result_count, env_key)',
    13,
    runRows,
    ' RETURNING id, log_hash, run_index',
  );
  // RETURNING order is not promised by either engine: key the ids by (log, run index).
  const idOf = new Map(created.map((r) => [`${r.log_hash}\u0000${r.run_index}`, Number(r.id)]));

  const resultRows: SqlValue[][] = [];
  const runIdsOf = new Map<string, number[]>();
  for (const h of ordered) {
    if (!inserted.has(h)) continue;
    const ids: number[] = [];
    for (const run of firstOf.get(h)!.report.runs) {
      const runId = idOf.get(`${h}\u0000${run.index}`);
      if (runId === undefined) throw new Error(`run ${run.index} of ${h} was inserted but not returned`);
      ids.push(runId);
      run.subtests.forEach((c, ordinal) => {
        resultRows.push([runId, ordinal, c.id, c.number, c.name, c.observed, c.class, c.explanation, c.observedReason, c.predicted, JSON.stringify(c.commits)]);
      });
    }
    runIdsOf.set(h, ids);
  }
  await insertRows(sql, 'INSERT INTO results (run_id, ordinal, stable_id, number, name, verdict, class, explanation, reason, predicted, commits)', 11, resultRows);

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
