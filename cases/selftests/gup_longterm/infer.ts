/**
 * gup_longterm's inference: the facts its structure says (hugetlb sizes, liburing, hence the
 * architecture), a starting machine from them and the tree its wording names, and the unknowns
 * a search varies (./infer-dimensions.ts); then the inferred facts, worded.
 */
import { environmentFromJson, fsText, type Environment } from '../../env.js';
import { liburingSetsErrno } from '../../libc/liburing.js';
import type { InferredEnvironment, InferredFact } from '../../../reports/diff/types.js';
import type { Chosen } from '../../../reports/diff/infer-search.js';
import type { ParsedRun } from '../../../reports/parse/types.js';
import type { InferencePlan, SelftestInference } from '../plugin.js';
import { dimensions, kernelOptions } from './infer-dimensions.js';
import { debugfsFact, settleDebugfs } from './infer-debugfs.js';
import { structuralFacts } from './infer-structure.js';

function plan(run: ParsedRun, guess: InferencePlan['guess']): InferencePlan | { error: string } {
  const { sizes, liburing } = structuralFacts(run);
  const arch = sizes.value.includes(32768) || sizes.value.includes(64) ? 'arm64' : 'x86_64';
  const tree = guess.trees[0];
  const start = environmentFromJson({
    kernel: { release: tree === 'prototype' ? '6.4' : tree },
    arch,
    hugetlb: sizes.value.map((sizeKiB) => ({ sizeKiB, free: 0 })),
    selftest: { tree, liburing: liburing.value ? '2.5' : null },
  });
  /* c8 ignore next */
  if (!start.ok) return { error: start.error };
  return {
    guess,
    start: start.env,
    // The prototype ran on the mm-unstable kernel of May 2023: descend from there.
    ...(tree === 'prototype'
      ? { firstStart: kernelOptions('prototype')[0]!.apply(start.env) }
      : {}),
    dims: dimensions(sizes.value, liburing.value, guess.trees),
    kernelOptions,
    trustPerfectStart: false,
    read: { hugetlbSizesKiB: sizes, liburing },
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

export function kernelEraFact(
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

function describe(
  run: ParsedRun,
  p: InferencePlan,
  e: Environment,
  chosen: Chosen,
): InferredEnvironment {
  const sizes = p.read.hugetlbSizesKiB as InferredFact<number[]>;
  const liburing = p.read.liburing as InferredFact<boolean>;
  const selftest = p.guess;
  const arch = sizes.value.includes(32768) || sizes.value.includes(64) ? 'arm64' : 'x86_64';
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
      value:
        e.selftest.liburing !== null &&
        liburingSetsErrno({ version: e.selftest.liburing, arch: e.arch }),
      certainty: cert('liburing'),
      because: why('liburing', 'whether io_uring_register_buffers() writes errno (liburing < 2.2)'),
    };
    inferred.ioUringDisabled = {
      value: e.sysctl.io_uring_disabled,
      certainty: cert('ioUringDisabled'),
      because: why('ioUringDisabled', 'kernel.io_uring_disabled'),
    };
  }
  const debugfs = debugfsFact(run, e);
  if (debugfs) inferred.debugfs = debugfs;
  return inferred;
}

export const GUP_LONGTERM_INFERENCE: SelftestInference = { plan, describe, settle: settleDebugfs };
