/**
 * The inference's two caches: whole inferences by what a run says (CI sends the same run every
 * day), and trace-less predictions by predictionKey() (one search asks for the same machine
 * many times, and CI logs share machines).
 */
import type { Environment } from '../../cases/env.js';
import { predict, predictionKey, type Prediction } from '../../cases/predict.js';
import type { ParsedRun } from '../parse/types.js';
import type { Inference } from './infer.js';

/**
 * Inference is a search over predictions; CI feeds the same runs again and again (one log per
 * machine per day), so results are memoised by what the run says — not by line numbers or
 * interleaved console noise. Only unpinned inferences are cached.
 */
export const MEMO = new Map<string, Inference>();
export const MEMO_LIMIT = 256;

export function runSignature(run: ParsedRun): string {
  return JSON.stringify([
    run.program,
    run.hugetlbSizesKiB,
    run.hugetlbWording,
    run.plan?.count ?? null,
    run.totals
      ? [
          run.totals.pass,
          run.totals.fail,
          run.totals.xfail,
          run.totals.xpass,
          run.totals.skip,
          run.totals.error,
        ]
      : null,
    run.plannedMismatch ? [run.plannedMismatch.planned, run.plannedMismatch.run] : null,
    run.skippedNotice?.count ?? null,
    run.bailout?.text ?? null,
    run.eras.map((e) => e.era),
    run.subtests.map((s) => [
      s.id,
      s.verdict,
      s.description,
      s.directive?.text ?? null,
      s.diagnostics.map((d) => d.text),
    ]),
  ]);
}

/**
 * Predictions without traces, by predictionKey(): the search asks for the same machine many
 * times (every starting kernel walks through most of the same environments, and CI logs share
 * machines), and a trace is only needed for the one environment finally chosen.
 */
const PREDICTIONS = new Map<string, Prediction>();
// A prediction holds its stdout and records (~10–20 KB): a few thousand keep memory modest
// while covering the searches of several distinct machines.
const PREDICTIONS_LIMIT = 3_000;

export function searchPrediction(e: Environment): Prediction | { error: string } {
  const key = predictionKey(e);
  const hit = key === undefined ? undefined : PREDICTIONS.get(key);
  if (hit) return hit.env === e ? hit : { ...hit, env: e };
  const p = predict(e, { trace: false });
  if (!('error' in p) && key !== undefined) {
    if (PREDICTIONS.size >= PREDICTIONS_LIMIT) PREDICTIONS.delete(PREDICTIONS.keys().next().value as string);
    PREDICTIONS.set(key, p);
  }
  return p;
}
