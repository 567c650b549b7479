/**
 * Infer the environment a log implies. Facts read straight off the log (hugetlb sizes from the
 * [INFO] lines, liburing from the plan, the selftest version from its wording) are certain;
 * the rest is found by asking the model: starting from the most ordinary machine, each unknown
 * dimension (kernel era, filesystems, gup_test, hugetlb pools, liburing, user, io_uring
 * sysctl) is varied in turn and a value is kept only when its prediction reproduces strictly
 * more of the log. A dimension whose alternatives all fit equally well is reported as a guess.
 */
import { environmentFromJson, fsFromText, fsSpec, fsText, type Environment } from '../../cases/env.js';
import { predict, predictionKey, type Prediction } from '../../cases/predict.js';
import { liburingSetsErrno } from '../../cases/libc/liburing.js';
import type { ParsedRun } from '../parse/types.js';
import { identifySelftest } from './identify.js';
import { perfectScore, scorePrediction } from './score.js';
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

interface Dimension {
  name: string;
  options: { label: string; apply: (e: Environment) => Environment }[];
}

const X86_SIZES = [2048, 1048576];
const ARM64_SIZES = [2048, 32768, 64, 1048576];

/** Sizes and liburing from the structure of the run. */
function structuralFacts(run: ParsedRun): {
  sizes: InferredFact<number[]>;
  liburing: InferredFact<boolean>;
} {
  const iouringSeen = run.subtests.some((s) => s.id?.startsWith('iouring/'));
  const idSizes = [
    ...new Set(
      run.subtests
        .map((s) => /memfd-hugetlb-(\d+)kB$/.exec(s.id ?? '')?.[1])
        .filter((x): x is string => !!x)
        .map(Number),
    ),
  ];
  let sizes: InferredFact<number[]>;
  if (run.hugetlbSizesKiB.length) {
    sizes = {
      value: run.hugetlbSizesKiB,
      certainty: 'certain',
      because: '[INFO] detected hugetlb … lines',
    };
  } else if (idSizes.length) {
    sizes = { value: idSizes, certainty: 'likely', because: 'hugetlb sizes named in [RUN] lines' };
  } else if (run.plan) {
    const h10 = run.plan.count / 10 - 3;
    const h8 = run.plan.count / 8 - 3;
    const h = iouringSeen || Number.isInteger(h10) ? h10 : h8;
    const guess = h === 4 ? ARM64_SIZES : X86_SIZES.slice(0, Math.max(0, h));
    sizes = {
      value: Number.isInteger(h) && h >= 0 ? guess : X86_SIZES,
      certainty: 'guess',
      because: `plan ${run.plan.count} with no [INFO] lines`,
    };
  } else {
    sizes = {
      value: X86_SIZES,
      certainty: 'guess',
      because: 'nothing in the log names them (x86_64 default)',
    };
  }
  let liburing: InferredFact<boolean>;
  const h = sizes.value.length;
  if (iouringSeen) liburing = { value: true, certainty: 'certain', because: 'io_uring sub-tests present' };
  else if (run.plan && run.plan.count === 10 * (3 + h))
    liburing = {
      value: true,
      certainty: 'certain',
      because: `plan ${run.plan.count} = 10 cases × ${3 + h}`,
    };
  else if (run.plan && run.plan.count === 8 * (3 + h))
    liburing = {
      value: false,
      certainty: 'certain',
      because: `plan ${run.plan.count} = 8 cases × ${3 + h}: built without liburing`,
    };
  else
    liburing = {
      value: true,
      certainty: 'guess',
      because: 'no plan and no io_uring sub-tests in the excerpt',
    };
  return { sizes, liburing };
}

function kernelOptions(tree: string): Dimension['options'] {
  const k =
    (release: string, patches: string[] = []) =>
    (e: Environment): Environment => ({
      ...e,
      kernel: { ...e.kernel, release, patches },
    });
  const base: [string, readonly string[]] =
    tree === 'prototype'
      ? ['6.4', ['+54cbbbf3faf6', '+8ac268436e6d', '+a6e79df92e4a']]
      : [tree, []];
  const eras: [string, readonly string[]][] = [
    base,
    ['7.2', []],
    ['6.18', []],
    ['6.12', []],
    ['6.4', []],
    ['6.1', []],
    ['5.13', []],
    ['5.10', []],
  ];
  const seen = new Set<string>();
  return eras
    .filter(([r, p]) => {
      const key = `${r}${p.join('')}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map(([r, p]) => ({ label: p.length ? `${r} ${p.join(' ')}` : r, apply: k(r, [...p]) }));
}

const FS_CHOICES = ['tmpfs', 'ext4', 'overlayfs', '9p', '9p:tmpfs', 'nfs3', 'nfs'];

function dimensions(sizes: number[], liburing: boolean, trees: string[]): Dimension[] {
  const dims: Dimension[] = [];
  if (trees.length > 1) {
    dims.push({
      name: 'selftest',
      options: trees.map((tree) => ({
        label: tree,
        apply: (e) => ({ ...e, selftest: { ...e.selftest, tree } }),
      })),
    });
  }
  dims.push({
    name: 'gupTest',
    options: [true, false].map((v) => ({
      label: String(v),
      apply: (e) => ({
        ...e,
        kernel: { ...e.kernel, config: { ...e.kernel.config, GUP_TEST: v } },
      }),
    })),
  });
  for (const where of ['tmp', 'cwd'] as const) {
    const order =
      where === 'tmp' ? FS_CHOICES : ['ext4', ...FS_CHOICES.filter((f) => f !== 'ext4')];
    dims.push({
      name: `${where}Fs`,
      options: order.map((f) => ({
        label: f,
        apply: (e) => ({ ...e, fs: { ...e.fs, [where]: fsSpec(fsFromText(f), where, 'tmpfs') } }),
      })),
    });
  }
  sizes.forEach((size, i) => {
    dims.push({
      name: `hugetlbFree${size}`,
      options: [0, 2, 1].map((free) => ({
        label: String(free),
        apply: (e) => ({ ...e, hugetlb: e.hugetlb.map((h, j) => (j === i ? { ...h, free } : h)) }),
      })),
    });
  });
  if (liburing) {
    dims.push({
      name: 'liburing',
      options: ['2.5', '2.1'].map((v) => ({
        label: v,
        apply: (e) => ({ ...e, selftest: { ...e.selftest, liburing: v } }),
      })),
    });
  }
  // The user: root, or unprivileged under an RLIMIT_MEMLOCK that only then matters (systemd's
  // 8 MiB, the old 64 KiB default, a limit too small for one ring, none). One dimension, so
  // that "not root" and "this small a limit" can be found together.
  const memlocks: (number | 'unlimited')[] = liburing ? [8192, 64, 8, 'unlimited'] : [8192];
  dims.push({
    name: 'root',
    options: [
      { label: 'true', apply: (e: Environment) => ({ ...e, user: { ...e.user, root: true, memlockKiB: 8192 } }) },
      ...memlocks.map((m) => ({
        label: m === 8192 ? 'false' : `false (memlock ${m} KiB)`,
        apply: (e: Environment) => ({ ...e, user: { ...e.user, root: false, memlockKiB: m } }),
      })),
    ],
  });
  if (liburing) {
    dims.push({
      name: 'ioUringDisabled',
      options: [0, 2, 1].map((v) => ({
        label: String(v),
        apply: (e) => ({ ...e, sysctl: { ...e.sysctl, io_uring_disabled: v } }),
      })),
    });
  }
  // Last: a different kernel era is the explanation of last resort.
  dims.push({ name: 'kernel', options: [] }); // filled per tree in search()
  return dims;
}

function givenFacts(env: Environment, because: string): InferredEnvironment {
  const fact = <T>(value: T): InferredFact<T> => ({ value, certainty: 'certain', because });
  return {
    selftest: fact(env.selftest.tree),
    hugetlbSizesKiB: fact(env.hugetlb.map((h) => h.sizeKiB)),
    liburing: fact(env.selftest.liburing !== null),
    gupTest: fact(env.kernel.config.GUP_TEST),
    kernelEra: fact(env.kernel.release),
    tmpFs: fact(fsText(env.fs.tmp)),
    cwdFs: fact(fsText(env.fs.cwd)),
    arch: fact(env.arch),
  };
}

/** Kernel eras the candidate releases stand for (what a verdict can tell apart). */
const ERA_OF: Record<string, string> = {
  '5.10': '5.10',
  '5.13': '5.11–5.13',
  '6.1': '5.14–6.1',
  '6.4': '6.2–6.4',
};

function eraLabel(label: string): string {
  if (label.includes('+')) return `${label.split(' ')[0]} with the v6.5 GUP commits`;
  return ERA_OF[label] ?? `≥ 6.5 (${label})`;
}

function kernelEraFact(
  e: Environment,
  c: { fitting: string[]; rejected: string[] } | undefined,
): InferredFact<string> {
  const value = [e.kernel.release, ...e.kernel.patches].join(' ');
  if (!c || c.rejected.length === 0) {
    return {
      value,
      certainty: 'guess',
      because: 'no verdict in the log depends on the kernel era (defaulted to the selftest tree)',
    };
  }
  const fits = [...new Set(c.fitting.map(eraLabel))].join(', ');
  const not = [...new Set(c.rejected.map(eraLabel))].join(', ');
  return {
    value,
    certainty: 'likely',
    because: `verdicts fit kernels ${fits}; not ${not}`,
  };
}

/**
 * Inference is a search over predictions; CI feeds the same runs again and again (one log per
 * machine per day), so results are memoised by what the run says — not by line numbers or
 * interleaved console noise. Only unpinned inferences are cached.
 */
const MEMO = new Map<string, Inference>();
const MEMO_LIMIT = 256;

function runSignature(run: ParsedRun): string {
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
const PREDICTIONS_LIMIT = 20_000;

function searchPrediction(e: Environment): Prediction | { error: string } {
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
  const pin = opts.pin ?? ((e: Environment) => e);
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
  const evaluate = (
    e: Environment,
  ): { env: Environment; p: Prediction; score: number } | undefined => {
    const pinned = pin(e);
    const p = searchPrediction(pinned);
    if ('error' in p) return undefined;
    return { env: pinned, p, score: scorePrediction(run, p) };
  };
  type Candidate = { env: Environment; p: Prediction; score: number };
  const first = evaluate(start.env);
  /* c8 ignore next */
  if (!first) return { error: 'the starting environment cannot be predicted' };
  let current: Candidate = first;
  if (selftest.trees[0] === 'prototype') {
    current = evaluate(kernelOptions('prototype')[0]!.apply(start.env)) ?? current;
  }
  // Coordinate descent from several starting kernels: a verdict that one dimension explains
  // only partly (e.g. "gup_test not available" vs an EINVAL skip) must not trap the search in
  // the first dimension tried. The best end point wins; ties go to the earliest start (the
  // selftest's own tree, the most ordinary machine).
  type Chosen = Map<
    string,
    { label: string; ambiguous: boolean; fitting: string[]; rejected: string[] }
  >;
  const descend = (from: Candidate): { current: Candidate; chosen: Chosen } => {
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
        const prevLabel = chosen.get(dim.name)?.label;
        const currentIndex = dim.name === 'kernel' ? -1 : Math.max(0, options.findIndex((o) => o.label === prevLabel));
        let best: Candidate = current;
        let bestLabel: string | undefined;
        const scores: number[] = [];
        const labelled: { label: string; score: number }[] = [];
        options.forEach((o, i) => {
          const r = evaluate(o.apply(current.env));
          if (!r) return;
          scores.push(r.score);
          labelled.push({ label: o.label, score: r.score });
          const better = r.score > best.score;
          const asGoodAndMoreOrdinary = bestLabel === undefined && r.score === current.score && i < currentIndex;
          if (better || asGoodAndMoreOrdinary) {
            best = r;
            bestLabel = o.label;
          }
        });
        if (bestLabel !== undefined) {
          current = best;
          improved = true;
        }
        const top = Math.max(...scores, current.score);
        const prev = chosen.get(dim.name);
        chosen.set(dim.name, {
          label: bestLabel ?? prev?.label ?? options[0]?.label ?? '',
          ambiguous: scores.filter((s) => s === top).length > 1,
          fitting: labelled.filter((l) => l.score === top).map((l) => l.label),
          rejected: labelled.filter((l) => l.score !== top).map((l) => l.label),
        });
      }
      // A full pass labels every dimension (fits, rejects, ambiguous); once the prediction
      // reproduces the whole log, later passes cannot find anything better.
      if (!improved || current.score >= perfect) break;
    }

    return { current, chosen };
  };
  const perfect = perfectScore(run);
  let best = descend(current);
  // Other starting kernels can only tie a perfect reproduction, and ties go to the first.
  const starts = best.current.score >= perfect ? [] : kernelOptions(current.env.selftest.tree).slice(1);
  for (const k of starts) {
    const from = evaluate(k.apply(current.env));
    if (!from) continue;
    const r = descend(from);
    if (r.current.score > best.current.score) best = r;
  }
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
