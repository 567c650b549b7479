/**
 * The inference's search: coordinate descent over the dimensions (infer-dimensions.ts) from
 * several starting kernels, each candidate scored by how much of the log its prediction
 * reproduces (score.ts). What it returns is exactly what a full descent from every starting
 * kernel returns; the work it leaves out is work that provably cannot change the answer:
 * - starts after one that reproduces the log perfectly (a later start can only tie, and ties
 *   go to the earlier start);
 * - starts whose kernel has an earlier start's behaviours (same kernelKey(): the kernel counts
 *   only through its behaviours), whose descent would walk the same scores;
 * - the prediction key and the score of an environment the search already met;
 * - the prediction of a candidate whose predictionKey() an earlier one had: the key leaves out
 *   what a prediction provably never reads (cases/prediction-key.ts), so they print alike;
 * - for an excerpt whose score reads only its sub-tests' records (score.ts recordsOnly()), the
 *   rest of each prediction after those records (infer-cache.ts EarlyStop).
 */
import type { Environment } from '../../cases/env.js';
import type { Prediction } from '../../cases/predict.js';
import { kernelKey } from '../../cases/prediction-key.js';
import type { SubtestIds } from '../../cases/selftests/plugin.js';
import type { ParsedRun } from '../parse/types.js';
import { earlyStop, searchView, seedSearchView } from './infer-cache.js';
import { searchCoordinates, type Dimension, type DimensionOption } from './infer-dimensions.js';
import { perfectScore, recordsOnly, scoreView, scoringTarget, type ScoringView } from './score.js';

export interface Candidate {
  env: Environment;
  score: number;
}

/** Per dimension: the value kept, and which values fit the log as well as it. */
export type Chosen = Map<
  string,
  { label: string; ambiguous: boolean; fitting: string[]; rejected: string[] }
>;

export type Evaluate = (e: Environment) => Candidate | undefined;

/** One search's scorer and what its descents need to know of the log and the pin. */
export interface Search {
  evaluate: Evaluate;
  /** The score of a prediction that reproduces the whole log. */
  perfect: number;
  /** Predictions stop before any io_uring sub-test (an excerpt of GUP sub-tests). */
  beforeIoUring: boolean;
  /** A pin may rewrite any field, so the work left out for unpinned searches is not. */
  pinned: boolean;
  /** The kernels a search starts from, and the kernel dimension's options (the test's plug-in's). */
  kernelOptions: (tree: string) => DimensionOption[];
  /** Lets the search reuse a traced prediction of `e` already made (infer-cache.ts seedSearchView()). */
  seed: (e: Environment, p: Prediction) => void;
}

/**
 * Scores environments for one search over `dims`. Unpinned, the search only ever changes the
 * fields those dimensions vary (everything else is the starting machine's), so those fields
 * alone (searchCoordinates()) name an environment and its score; a pin may rewrite anything,
 * so pinned searches skip that memo.
 */
export function evaluator(
  run: ParsedRun,
  pin: ((e: Environment) => Environment) | undefined,
  dims: readonly Dimension[],
  scheme: SubtestIds,
  kernelOptions: (tree: string) => DimensionOption[],
): Search {
  const target = scoringTarget(run);
  // An excerpt's score reads only the records of its sub-tests: predictions stop once they have them.
  const stop = earlyStop(recordsOnly(target), scheme);
  const scores = new Map<ScoringView, number>();
  const seen = new Map<string, Candidate | undefined>();
  const evaluate = (env: Environment): Candidate | undefined => {
    const v = searchView(env, stop);
    if ('error' in v) return undefined;
    let score = scores.get(v);
    if (score === undefined) {
      score = scoreView(target, v);
      scores.set(v, score);
    }
    return { env, score };
  };
  const search = (f: Evaluate): Search => ({
    evaluate: f,
    perfect: perfectScore(run),
    beforeIoUring: stop?.beforeIoUring === true,
    pinned: pin !== undefined,
    kernelOptions,
    seed: (e, p) => {
      if (!pin) seedSearchView(e, p, stop);
    },
  });
  if (pin) return search((e) => evaluate(pin(e)));
  return search((e) => {
    const key = searchCoordinates(e, dims);
    if (seen.has(key)) {
      const hit = seen.get(key);
      return hit && { env: e, score: hit.score };
    }
    const r = evaluate(e);
    seen.set(key, r);
    return r;
  });
}

/**
 * Descend from `from`: each pass varies every dimension in turn, keeping a value only when it
 * reproduces strictly more of the log (or as much, and is more ordinary than the value kept).
 */
function descend(
  from: Candidate,
  dims: readonly Dimension[],
  evaluate: Evaluate,
  perfect: number,
  kernelOptions: (tree: string) => DimensionOption[],
): { current: Candidate; chosen: Chosen } {
  let current = from;
  const chosen: Chosen = new Map();
  for (let pass = 0; pass < 3; pass++) {
    let improved = false;
    for (const dim of dims) {
      const options =
        dim.name === 'kernel' ? kernelOptions(current.env.selftest.tree) : dim.options;
      // Strictly better wins; among equals, the more ordinary value (earlier in the
      // option list) wins, so a value chosen earlier to explain a verdict that a later
      // dimension explains better is undone (e.g. io_uring_disabled=2 vs a tiny memlock).
      const prev = chosen.get(dim.name);
      const currentIndex =
        dim.name === 'kernel'
          ? -1
          : Math.max(
              0,
              options.findIndex((o) => o.label === prev?.label),
            );
      let best: Candidate = current;
      let bestLabel: string | undefined;
      const labelled: { label: string; score: number }[] = [];
      options.forEach((o, i) => {
        const r = evaluate(o.apply(current.env));
        if (!r) return;
        labelled.push({ label: o.label, score: r.score });
        const better = r.score > best.score;
        const asGoodAndMoreOrdinary =
          bestLabel === undefined && r.score === current.score && i < currentIndex;
        if (better || asGoodAndMoreOrdinary) {
          best = r;
          bestLabel = o.label;
        }
      });
      if (bestLabel !== undefined) {
        current = best;
        improved = true;
      }
      const top = Math.max(...labelled.map((l) => l.score), current.score);
      chosen.set(dim.name, {
        label: bestLabel ?? prev?.label ?? options[0]?.label ?? '',
        ambiguous: labelled.filter((l) => l.score === top).length > 1,
        fitting: labelled.filter((l) => l.score === top).map((l) => l.label),
        rejected: labelled.filter((l) => l.score !== top).map((l) => l.label),
      });
    }
    // A full pass labels every dimension (fits, rejects, ambiguous); once the prediction
    // reproduces the whole log, later passes cannot find anything better.
    if (!improved || current.score >= perfect) break;
  }
  return { current, chosen };
}

/**
 * Coordinate descent from several starting kernels: a verdict that one dimension explains
 * only partly (e.g. "gup_test not available" vs an EINVAL skip) must not trap the search in
 * the first dimension tried. The best end point wins; ties go to the earliest start (the
 * selftest's own tree, the most ordinary machine).
 */
export function bestDescent(
  start: Candidate,
  dims: readonly Dimension[],
  search: Search,
): { current: Candidate; chosen: Chosen } {
  const { evaluate, perfect, pinned, kernelOptions } = search;
  // When predictions stop before io_uring (evaluator()), kernels that differ only in io_uring
  // behaviours predict alike for this search: see kernelKey().
  const beforeIoUring = search.beforeIoUring;
  let best = descend(start, dims, evaluate, perfect, kernelOptions);
  const tried = new Set([kernelKey(start.env, beforeIoUring)]);
  for (const k of kernelOptions(start.env.selftest.tree).slice(1)) {
    // Once a start reproduces the log perfectly, later starts can only tie it.
    if (best.current.score >= perfect) break;
    const from = evaluate(k.apply(start.env));
    if (!from) continue;
    // A start whose kernel has the behaviours of one already tried walks the same scores to
    // the same end: it cannot do strictly better. Unpinned only, where the search changes
    // nothing but the dimensions' fields. (Not predictionKey(): that drops what the start's
    // own environment never reads, which a descent from it may well come to read.)
    const key = kernelKey(from.env, beforeIoUring);
    if (!pinned && key !== undefined) {
      if (tried.has(key)) continue;
      tried.add(key);
    }
    const r = descend(from, dims, evaluate, perfect, kernelOptions);
    if (r.current.score > best.current.score) best = r;
  }
  return best;
}
