/**
 * The rows of triaged runs: one `runs` row per run, one `results` row per compared sub-test,
 * in multi-row INSERTs (a few statements per batch, not one per result: a round trip each on
 * a server). Shared by the whole-log recorder (record.ts) and the streaming one
 * (record-stream.ts), so a run is stored the same way whichever path wrote it.
 */
import type { RunDiff } from '../diff/types.js';
import type { SqlDriver, SqlValue } from './driver.js';
import { envKey } from './env-key.js';
import type { RunMeta, StoredResult, StoredRun } from './types.js';

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
export async function insertRows<T>(
  sql: SqlDriver,
  head: string,
  columns: number,
  rows: SqlValue[][],
  suffix = '',
): Promise<T[]> {
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

/**
 * What one triaged run becomes in the store, before it has a row id: the single mapping from a
 * RunDiff to the stored shapes, shared by the recorders and by `gupsim diff --kcidb`, which
 * exports runs it never stores (so both give the same KCIDB objects for the same log).
 */
export function storedShape(
  hash: string,
  source: string,
  meta: RunMeta,
  run: RunDiff,
  now: string,
): { run: Omit<StoredRun, 'id'>; results: Omit<StoredResult, 'runId'>[] } {
  const env = meta.env ?? run.env;
  const arch =
    meta.arch ??
    meta.env?.arch ??
    (run.inferred.arch.certainty === 'guess' ? null : run.inferred.arch.value);
  return {
    run: {
      logHash: hash,
      runIndex: run.index,
      source,
      kernel: meta.kernel ?? meta.env?.kernel.release ?? null,
      arch,
      machine: meta.machine ?? null,
      date: meta.date ?? now,
      env,
      envSource: meta.env ? 'given' : 'inferred',
      envKey: envKey(env),
      test: run.test,
      selftest: run.selftest,
      triage: run.triage,
      summary: run.summary,
      resultCount: run.subtests.length,
      rest: run.rest,
      ...(run.knownNotes ? { knownNotes: run.knownNotes } : {}),
    },
    results: run.subtests.map((c, ordinal) => ({
      ordinal,
      id: c.id,
      number: c.number,
      name: c.name,
      verdict: c.observed,
      predicted: c.predicted,
      class: c.class,
      explanation: c.explanation,
      reason: c.observedReason,
      commits: c.commits,
      ...(c.known ? { known: c.known } : {}),
    })),
  };
}

/** Insert the runs and results of `batches`; returns each log's new run ids in run order. */
export async function insertRuns(
  sql: SqlDriver,
  batches: readonly RunBatch[],
  now: string,
): Promise<Map<string, number[]>> {
  const runRows: SqlValue[][] = [];
  // Each run's shape, in the order both loops below walk the batches.
  const shapes: ReturnType<typeof storedShape>[] = [];
  for (const { hash, meta, runs } of batches) {
    for (const run of runs) {
      const shape = storedShape(hash, '', meta, run, now);
      shapes.push(shape);
      const r = shape.run;
      runRows.push([
        hash,
        r.runIndex,
        r.kernel,
        r.arch,
        r.machine,
        r.date,
        JSON.stringify(r.env),
        r.envSource,
        r.selftest,
        r.triage,
        r.summary,
        r.resultCount,
        r.envKey,
        r.rest?.triage ?? null,
        r.rest?.summary ?? null,
        r.test,
      ]);
    }
  }
  const created = await insertRows<{ id: number; log_hash: string; run_index: number }>(
    sql,
    'INSERT INTO runs (log_hash, run_index, kernel, arch, machine, date, env_json, env_source, selftest, triage, summary, result_count, env_key, rest_triage, rest_summary, test)',
    16,
    runRows,
    ' RETURNING id, log_hash, run_index',
  );
  // RETURNING order is not promised by either engine: key the ids by (log, run index).
  const idOf = new Map(created.map((r) => [`${r.log_hash}\u0000${r.run_index}`, Number(r.id)]));

  const resultRows: SqlValue[][] = [];
  const runIdsOf = new Map<string, number[]>();
  let next = 0;
  for (const { hash, runs } of batches) {
    const ids: number[] = [];
    for (const run of runs) {
      const runId = idOf.get(`${hash}\u0000${run.index}`);
      if (runId === undefined)
        throw new Error(`run ${run.index} of ${hash} was inserted but not returned`);
      ids.push(runId);
      for (const c of shapes[next++]?.results ?? []) {
        resultRows.push([
          runId,
          c.ordinal,
          c.id,
          c.number,
          c.name,
          c.verdict,
          c.class,
          c.explanation,
          c.reason,
          c.predicted,
          JSON.stringify(c.commits),
        ]);
      }
    }
    runIdsOf.set(hash, ids);
  }
  await insertRows(
    sql,
    'INSERT INTO results (run_id, ordinal, stable_id, number, name, verdict, class, explanation, reason, predicted, commits)',
    11,
    resultRows,
  );
  return runIdsOf;
}
