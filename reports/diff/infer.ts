/**
 * Infer the environment a log implies. Facts read straight off the log (hugetlb sizes from the
 * [INFO] lines, liburing from the plan, the selftest version from its wording) are certain;
 * the rest is found by asking the model: starting from the most ordinary machine, each unknown
 * dimension (kernel era, filesystems, gup_test, hugetlb pools, liburing, user, io_uring
 * sysctl) is varied in turn and a value is kept only when its prediction reproduces strictly
 * more of the log. A dimension whose alternatives all fit equally well is reported as a guess.
 */
import { environmentFromJson, fsText, type Environment } from '../../cases/env.js';
import { predict, type Prediction } from '../../cases/predict.js';
import { liburingSetsErrno } from '../../cases/libc/liburing.js';
import type { ParsedRun } from '../parse/types.js';
import { identifySelftest } from './identify.js';
import { MEMO, MEMO_LIMIT, runSignature } from './infer-cache.js';
import { dimensions, kernelOptions } from './infer-dimensions.js';
import { givenFacts, kernelEraFact } from './infer-facts.js';
import { structuralFacts } from './infer-structure.js';
import { bestDescent, evaluator } from './infer-search.js';
import { scorePrediction } from './score.js';
import type { InferredEnvironment, InferredFact } from './types.js';

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

function searchEnvironment(run: ParsedRun, opts: InferOptions): Inference | { error: string } {
  if (opts.env) {
    const p = predict(opts.env);
    if ('error' in p) return p;
    return {
      env: opts.env,
      prediction: p,
      inferred: givenFacts(opts.env, 'given by --env'),
      score: scorePrediction(run, p),
    };
  }
  const selftest = identifySelftest(run);
  const { sizes, liburing } = structuralFacts(run);
  const arch = sizes.value.includes(32768) || sizes.value.includes(64) ? 'arm64' : 'x86_64';
  const start = environmentFromJson({
    kernel: { release: selftest.trees[0] === 'prototype' ? '6.4' : selftest.trees[0] },
    arch,
    hugetlb: sizes.value.map((sizeKiB) => ({ sizeKiB, free: 0 })),
    selftest: { tree: selftest.trees[0], liburing: liburing.value ? '2.5' : null },
  });
  /* c8 ignore next */
  if (!start.ok) return { error: start.error };

  const dims = dimensions(sizes.value, liburing.value, selftest.trees);
  const search = evaluator(run, opts.pin, dims);
  const evaluate = search.evaluate;
  const first = evaluate(start.env);
  /* c8 ignore next */
  if (!first) return { error: 'the starting environment cannot be predicted' };
  let current = first;
  if (selftest.trees[0] === 'prototype') {
    current = evaluate(kernelOptions('prototype')[0]!.apply(start.env)) ?? current;
  }
  const best = bestDescent(current, dims, search);
  current = best.current;
  const chosen = best.chosen;

  const e = current.env;
  const cert = (dim: string): InferredFact<unknown>['certainty'] =>
    chosen.get(dim)?.ambiguous ? 'guess' : 'likely';
  const why = (dim: string, what: string): string =>
    chosen.get(dim)?.ambiguous
      ? `${what}: nothing in the log decides it (default kept)`
      : `${what}: the only value whose prediction reproduces the log`;
  const inferred: InferredEnvironment = {
    selftest:
      selftest.trees.length > 1
        ? { value: e.selftest.tree, certainty: cert('selftest'), because: selftest.fact.because }
        : selftest.fact,
    hugetlbSizesKiB: sizes,
    liburing,
    gupTest: {
      value: e.kernel.config.GUP_TEST,
      certainty: cert('gupTest'),
      because: why('gupTest', '/sys/kernel/debug/gup_test'),
    },
    kernelEra: kernelEraFact(e, chosen.get('kernel')),
    tmpFs: {
      value: fsText(e.fs.tmp),
      certainty: cert('tmpFs'),
      because: why('tmpFs', 'filesystem of /tmp'),
    },
    cwdFs: {
      value: fsText(e.fs.cwd),
      certainty: cert('cwdFs'),
      because: why('cwdFs', 'filesystem of the test directory'),
    },
    arch: {
      value: e.arch,
      certainty: arch === 'arm64' ? 'likely' : 'guess',
      because:
        arch === 'arm64'
          ? '32 MiB/64 KiB hugetlb sizes (arm64, 4K pages)'
          : 'x86_64 unless the hugetlb sizes say otherwise',
    },
    hugetlbFree: {
      value: Object.fromEntries(e.hugetlb.map((h) => [h.sizeKiB, h.free])),
      certainty: e.hugetlb.some((h) => chosen.get(`hugetlbFree${h.sizeKiB}`)?.ambiguous)
        ? 'guess'
        : 'likely',
      because: 'free huge pages per size (shared rows need 1, private rows 2)',
    },
    root: { value: e.user.root, certainty: cert('root'), because: why('root', 'running as root') },
  };
  if (liburing.value) {
    inferred.liburingSetsErrno = {
      value: e.selftest.liburing !== null && liburingSetsErrno({ version: e.selftest.liburing, arch: e.arch }),
      certainty: cert('liburing'),
      because: why('liburing', 'whether io_uring_register_buffers() writes errno (liburing < 2.2)'),
    };
    inferred.ioUringDisabled = {
      value: e.sysctl.io_uring_disabled,
      certainty: cert('ioUringDisabled'),
      because: why('ioUringDisabled', 'kernel.io_uring_disabled'),
    };
  }
  // The chosen environment again, with its kernel trace for the explanations.
  const traced = predict(e);
  /* c8 ignore next */
  if ('error' in traced) return traced;
  return { env: e, prediction: traced, inferred, score: current.score };
}
