/**
 * The rows of triaged runs: one `runs` row per run, one `results` row per compared sub-test,
 * in multi-row INSERTs (a few statements per batch, not one per result: a round trip each on
 * a server). Shared by the whole-log recorder (record.ts) and the streaming one
 * (record-stream.ts), so a run is stored the same way whichever path wrote it.
 */
import type { RunDiff } from '../diff/types.js';
import type { SqlDriver, SqlValue } from './driver.js';
import { envKey } from './env-key.js';
import type { RunMeta } from './types.js';

/** Rows per INSERT: well under both engines' bound-parameter limits (SQLite 32766, PostgreSQL 65535). */
export const ROWS_PER_INSERT = 1000;

function placeholders(rows: number, columns: number): string {
  const one = `(${Array(columns).fill('?').join(', ')})`;
  return Array(rows).fill(one).join(', ');
}

/**
 * Rows per statement for `n` rows: full ROWS_PER_INSERT blocks, then the rest as powers of two.
 * The statement text depends only on the row count, and the drivers keep prepared statements
 * by text, so a recorder inserting batches of every size (a streamed log: whatever runs one
 * chunk completed) prepares at most a dozen shapes per table instead of a thousand.
 */
function chunkSizes(n: number): number[] {
  const out: number[] = [];
  let left = n;
  while (left >= ROWS_PER_INSERT) {
    out.push(ROWS_PER_INSERT);
    left -= ROWS_PER_INSERT;
  }
  for (let p = 1 << 30; p >= 1; p >>>= 1) if (left & p) out.push(p);
  return out;
}

/** `rows` in chunks, one INSERT (with `suffix`, e.g. RETURNING) per chunk; returned rows concatenated. */
export async function insertRows<T>(sql: SqlDriver, head: string, columns: number, rows: SqlValue[][], suffix = ''): Promise<T[]> {
  const out: T[] = [];
  let start = 0;
  for (const size of chunkSizes(rows.length)) {
    const chunk = rows.slice(start, start + size);
    start += size;
    const text = `${head} VALUES ${placeholders(chunk.length, columns)}${suffix}`;
    if (suffix.includes('RETURNING')) out.push(...(await sql.all<T>(text, chunk.flat())));
    else await sql.run(text, chunk.flat());
  }
  return out;
}

/** Runs of one log to store: the log's hash, what the user said about it, its triaged runs. */
export interface RunBatch {
  hash: string;
  meta: RunMeta;
  runs: readonly RunDiff[];
}

/** Insert the runs and results of `batches`; returns each log's new run ids in run order. */
export async function insertRuns(sql: SqlDriver, batches: readonly RunBatch[], now: string): Promise<Map<string, number[]>> {
  const runRows: SqlValue[][] = [];
  for (const { hash, meta, runs } of batches) {
    for (const run of runs) {
      const env = meta.env ?? run.env;
      const arch = meta.arch ?? meta.env?.arch ?? (run.inferred.arch.certainty === 'guess' ? null : run.inferred.arch.value);
      runRows.push([
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
  for (const { hash, runs } of batches) {
    const ids: number[] = [];
    for (const run of runs) {
      const runId = idOf.get(`${hash}\u0000${run.index}`);
      if (runId === undefined) throw new Error(`run ${run.index} of ${hash} was inserted but not returned`);
      ids.push(runId);
      run.subtests.forEach((c, ordinal) => {
        resultRows.push([runId, ordinal, c.id, c.number, c.name, c.observed, c.class, c.explanation, c.observedReason, c.predicted, JSON.stringify(c.commits)]);
      });
    }
    runIdsOf.set(hash, ids);
  }
  await insertRows(sql, 'INSERT INTO results (run_id, ordinal, stable_id, number, name, verdict, class, explanation, reason, predicted, commits)', 11, resultRows);
  return runIdsOf;
}
