/** How the inferred facts are worded: given ones, and the kernel era a search settled on. */
import { fsText, type Environment } from '../../cases/env.js';
import type { InferredEnvironment, InferredFact } from './types.js';

export function givenFacts(env: Environment, because: string): InferredEnvironment {
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
