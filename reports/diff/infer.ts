/**
 * Infer the environment a log implies. Facts read straight off the log are certain (each
 * selftest's plug-in says which: gup_longterm's hugetlb sizes, liburing from its plan; cow's
 * swap, THP, gup_test …, and the version from its wording); the rest is found by asking the
 * model: starting from the most ordinary machine with those facts, each unknown dimension the
 * plug-in names (kernel era, filesystems, gup_test, hugetlb pools, liburing, user, io_uring
 * sysctl …) is varied in turn and a value is kept only when its prediction reproduces strictly
 * more of the log. A dimension whose alternatives all fit equally well is reported as a guess.
 */
import type { Environment } from '../../cases/env.js';
import type { Prediction } from '../../cases/predict.js';
import { selftestPlugin } from '../../cases/selftests/index.js';
import type { ParsedRun } from '../parse/types.js';
import { MEMO, MEMO_LIMIT, runSignature, tracedPrediction } from './infer-cache.js';
import { givenFacts } from './infer-facts.js';
import { bestDescent, evaluator, type Chosen } from './infer-search.js';
import { perfectScore, scorePrediction } from './score.js';
import type { InferredEnvironment } from './types.js';

export interface InferOptions {
  /** A complete environment: nothing is inferred, facts are reported as given. */
  env?: Environment;
  /** Applied to every candidate: pins the fields the user gave as flags. */
  pin?: (e: Environment) => Environment;
}

export interface Inference {
  env: Environment;
  prediction: Prediction;
  inferred: InferredEnvironment;
  score: number;
}

export function inferEnvironment(
  run: ParsedRun,
  opts: InferOptions = {},
): Inference | { error: string } {
  if (opts.env || opts.pin) return searchEnvironment(run, opts);
  const key = runSignature(run);
  const hit = MEMO.get(key);
  if (hit) return hit;
  const r = searchEnvironment(run, opts);
  if (!('error' in r)) {
    if (MEMO.size >= MEMO_LIMIT) MEMO.delete(MEMO.keys().next().value as string);
    MEMO.set(key, r);
  }
  return r;
}

/** The environment with the run's own selftest: the log says which test each run is. */
function ofTest(e: Environment, run: ParsedRun): Environment {
  return e.selftest.name === run.test ? e : { ...e, selftest: { ...e.selftest, name: run.test } };
}

function searchEnvironment(run: ParsedRun, opts: InferOptions): Inference | { error: string } {
  if (opts.env) {
    const env = ofTest(opts.env, run);
    const p = tracedPrediction(env);
    if ('error' in p) return p;
    return {
      env,
      prediction: p,
      inferred: givenFacts(env, 'given by --env'),
      score: scorePrediction(run, p),
    };
  }
  const plugin = selftestPlugin(run.test);
  const plan = plugin.inference.plan(run, plugin.identify(run));
  if ('error' in plan) return plan;
  const given = opts.pin;
  const pin = given ? (e: Environment): Environment => ofTest(given(e), run) : undefined;
  let startPrediction: Prediction | undefined;
  if (plan.trustPerfectStart && !pin && !plan.firstStart) {
    // The log said enough to build its machine: predict that machine once, with its trace (the
    // explanations need it), and keep it when it reproduces the whole log.
    const traced = tracedPrediction(plan.start);
    if ('error' in traced) return traced;
    const score = scorePrediction(run, traced);
    if (score >= perfectScore(run)) {
      return {
        env: plan.start,
        prediction: traced,
        inferred: plugin.inference.describe(run, plan, plan.start, new Map()),
        score,
      };
    }
    startPrediction = traced;
  }
  const search = evaluator(run, pin, plan.dims, plugin.ids, plan.kernelOptions);
  // A search from that machine need not predict it a second time.
  if (startPrediction) search.seed(plan.start, startPrediction);
  const evaluate = search.evaluate;
  const first = evaluate(plan.start);
  /* c8 ignore next */
  if (!first) return { error: 'the starting environment cannot be predicted' };
  let current = first;
  if (plan.firstStart) current = evaluate(plan.firstStart) ?? current;
  let chosen: Chosen = new Map();
  const perfect = perfectScore(run);
  if (plan.trustPerfectStart && !pin && current.score < perfect) {
    // The log said the machine, the era it ran is the likeliest unknown left (a 6.12 tree on a
    // 6.18 kernel): each other kernel once (the search's own starts, evaluated and cached
    // anyway) before descending through every dimension.
    for (const k of plan.kernelOptions(plan.start.selftest.tree).slice(1)) {
      const c = evaluate(k.apply(plan.start));
      if (c && c.score >= perfect) {
        current = c;
        break;
      }
    }
  }
  // A plug-in that reads its machine off the log stops at a start that reproduces it whole.
  if (!(plan.trustPerfectStart && !pin && current.score >= perfect)) {
    const best = bestDescent(current, plan.dims, search);
    current = best.current;
    chosen = best.chosen;
  }
  // What the log says in words the score does not compare (a pinned fact stays pinned).
  const settled = plugin.inference.settle?.(run, current.env) ?? current.env;
  const e = pin && settled !== current.env ? pin(settled) : settled;
  const inferred = plugin.inference.describe(run, plan, e, chosen);
  // The chosen environment again, with its kernel trace for the explanations.
  const traced = tracedPrediction(e);
  /* c8 ignore next */
  if ('error' in traced) return traced;
  const score = e === current.env ? current.score : scorePrediction(run, traced);
  return { env: e, prediction: traced, inferred, score };
}
