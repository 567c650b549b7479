/**
 * The facts of a given environment (--env), worded: the same for every selftest (a search's
 * facts are its plug-in's: cases/selftests/<test>/infer.ts).
 */
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
