/**
 * The inference's two caches: whole inferences by what a run says (CI sends the same run every
 * day), and what scoring needs of trace-less predictions by predictionKey() (one search asks for the same machine
 * many times, and CI logs share machines).
 */
import type { Environment } from '../../cases/env.js';
import { predict, predictionKey, type Prediction } from '../../cases/predict.js';
import type { SubtestIds } from '../../cases/selftests/plugin.js';
import type { ParsedRun } from '../parse/types.js';
import type { Inference } from './infer.js';
import { scoringView, type ScoringView } from './score.js';

/**
 * Inference is a search over predictions; CI feeds the same runs again and again (one log per
 * machine per day), so results are memoised by what the run says — not by line numbers or
 * interleaved console noise. Only unpinned inferences are cached.
 */
export const MEMO = new Map<string, Inference>();
export const MEMO_LIMIT = 256;

export function runSignature(run: ParsedRun): string {
  return JSON.stringify([
    run.test,
    run.program,
    run.facts,
    run.programLines.map((l) => l.text),
    run.bailouts.map((b) => b.text),
    run.wrapper.container?.name ?? null,
    // What gup_test's programs said (debugfs: cases/selftests/gup_longterm/infer-debugfs.ts).
    run.wrapper.stream?.siblings.map((s) => s.message) ?? null,
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
 * What scoring needs of trace-less predictions, by predictionKey(): the search asks for the
 * same machine many times (every starting kernel walks through most of the same environments,
 * and CI logs share machines). Only the view is kept: the search never reads a candidate's
 * records (the chosen environment is predicted again with its trace), and keeping whole
 * predictions made the cache most of what the garbage collector had to walk.
 */
const VIEWS = new Map<string, ScoringView>();
// A view holds its stdout and one small entry per sub-test (a few KB): a few thousand keep
// memory modest while covering the searches of several distinct machines.
const VIEWS_LIMIT = 3_000;

/** Trace-less predictions the searches ran (cache misses), for the bench's where-the-time-goes. */
let predictions = 0;
export const searchPredictions = (): number => predictions;

/**
 * What views are cached by: predictionKey(), which leaves out what a prediction provably does
 * not read. test/infer-search.test.ts swaps in a key of every field (one view per distinct
 * environment) to check that leaving those out changes no answer.
 */
let viewKey: (e: Environment, stop: EarlyStop | undefined) => string | undefined = stoppableKey;

export function keyViewsBy(key: ((e: Environment) => string | undefined) | undefined): void {
  viewKey = key ? (e, stop) => withStop(key(e), stop) : stoppableKey;
  VIEWS.clear();
}

/**
 * Predictions for a search that reads nothing but some sub-tests' records (score.ts
 * recordsOnly()) stop once they have them (cases/run.ts RunOptions.until). Such a view is
 * not the whole run's, so it is cached under its stop set too: only a search with the same
 * stop set (and so the same reading) ever meets it.
 */
export interface EarlyStop {
  until: ReadonlySet<string>;
  /** The stop set as a key prefix. */
  name: string;
  /**
   * Every sub-test of the stop set runs before the program first reaches io_uring (its
   * plug-in says: gup_longterm's io_uring cases run after every GUP case), so the records read
   * were all made before any io_uring setting was read: see predictionKey()'s `beforeIoUring`.
   */
  beforeIoUring: boolean;
}

let stopsEarly = true;

/** test/infer-search.test.ts turns early stops off, to compare with searches of whole runs. */
export function stopEarly(on: boolean): void {
  stopsEarly = on;
  VIEWS.clear();
}

export function earlyStop(
  until: ReadonlySet<string> | undefined,
  scheme: SubtestIds,
): EarlyStop | undefined {
  if (!stopsEarly || until === undefined) return undefined;
  const ids = [...until].sort();
  return { until, name: ids.join(','), beforeIoUring: scheme.precedeIoUring(ids) };
}

const withStop = (key: string | undefined, stop: EarlyStop | undefined): string | undefined =>
  key === undefined || stop === undefined ? key : `${stop.name}\u0001${key}`;

function stoppableKey(e: Environment, stop: EarlyStop | undefined): string | undefined {
  return withStop(predictionKey(e, stop?.beforeIoUring === true), stop);
}

export function searchView(e: Environment, stop?: EarlyStop): ScoringView | { error: string } {
  const key = viewKey(e, stop);
  const hit = key === undefined ? undefined : VIEWS.get(key);
  if (hit) return hit;
  predictions++;
  const p = predict(e, stop ? { trace: false, until: stop.until } : { trace: false });
  if ('error' in p) return p;
  const v = scoringView(p);
  if (key !== undefined) {
    if (VIEWS.size >= VIEWS_LIMIT) VIEWS.delete(VIEWS.keys().next().value as string);
    VIEWS.set(key, v);
  }
  return v;
}

/**
 * Forget every inference and every view: a measurement of first inferences must not find the
 * answers left by whatever ran before it in the same process (bench/infer.ts after the ingest).
 */
/**
 * Keeps the view of a prediction made with its trace (a search's start, predicted traced for
 * the explanations) under the key a trace-less prediction of `e` would have: the trace changes
 * nothing a view holds (stdout, verdicts, results, diagnostics). Only for whole predictions:
 * a search whose predictions stop early keys and cuts its views by the stop.
 */
export function seedSearchView(e: Environment, p: Prediction, stop: EarlyStop | undefined): void {
  if (stop !== undefined) return;
  const key = viewKey(e, undefined);
  if (key === undefined || VIEWS.has(key)) return;
  if (VIEWS.size >= VIEWS_LIMIT) VIEWS.delete(VIEWS.keys().next().value as string);
  VIEWS.set(key, scoringView(p));
}

export function clearInferenceCaches(): void {
  MEMO.clear();
  VIEWS.clear();
  TRACED.clear();
}

/**
 * Predictions with their kernel trace, by the whole environment (JSON): what an inference
 * ends with (its chosen machine, predicted for the explanations) and what `--env` gives every
 * run of a log. Runs of one machine — a CI log's many runs, a console log cut into fragments
 * by crashes (cow's reconstructed 6.5 log: 23 runs, one machine) — then share one traced
 * prediction instead of one each; a cow prediction with its trace costs several milliseconds.
 * Nothing that reads a prediction writes to it (inferences memoised in MEMO share theirs too).
 * Keyed by every field, not by predictionKey(): that key leaves the trace out.
 */
const TRACED = new Map<string, Prediction | { error: string }>();
// A traced cow prediction holds a trace per sub-test (a few MB): a handful is enough for the
// machines of one log.
const TRACED_LIMIT = 16;

export function tracedPrediction(e: Environment): Prediction | { error: string } {
  const key = JSON.stringify(e);
  const hit = TRACED.get(key);
  if (hit) return hit;
  const p = predict(e);
  if (TRACED.size >= TRACED_LIMIT) TRACED.delete(TRACED.keys().next().value as string);
  TRACED.set(key, p);
  return p;
}
