/**
 * A run straight from `gupsim diff` as the exports read it: the same StoredRun and
 * StoredResult shapes `gupsim record` stores (reports/store/run-rows.ts storedShape), so a log
 * exported without a store gives the same objects and ids as after `record` and `report`.
 */
import type { RunDiff } from '../diff/types.js';
import { storedShape } from '../store/run-rows.js';
import type { RunMeta } from '../store/types.js';
import type { ReportRun } from './model.js';

export interface DiffRunContext {
  /** logHash of the whole log (reports/store/env-key.ts), as `record` would store it. */
  hash: string;
  source: string;
  meta: RunMeta;
  /** The log's text, for the suite's log excerpt (as `report --format kcidb` gives it). */
  rawLog?: string;
}

export function reportRunOfDiff(diff: RunDiff, ctx: DiffRunContext): ReportRun {
  // No recording time: a date the user did not give stays unknown (KCIDB: field omitted).
  const { run, results } = storedShape(ctx.hash, ctx.source, ctx.meta, diff, '');
  const id = diff.index + 1;
  return {
    run: { ...run, id },
    results: results.map((r) => ({ ...r, runId: id })),
    unstored: true,
    ...(ctx.rawLog !== undefined ? { rawLog: ctx.rawLog } : {}),
  };
}
