/**
 * The whole predict flow in one call: the program's run (records per sub-test) and the bytes
 * the chosen runner would put in the log.
 */
import { parsePatch, sortedBehaviours, type PatchSpec } from '../kernel-model/behaviours.js';
import { isRelease, parseRelease } from '../kernel-model/release.js';
import type { Environment } from './env.js';
import { liburingSetsErrno } from './libc/liburing.js';
import { runSelftest, type RunOptions, type SelftestRun } from './run.js';
import { applyRunner, type ProgramOutput } from './runners/index.js';
import { selftestBuild } from './versions.js';

export interface Prediction {
  env: Environment;
  run: SelftestRun;
  /** What ends up in the log (the runner's output when one wraps the program). */
  stdout: string;
  exitCode: number;
}

export function predict(env: Environment, opts: RunOptions = {}): Prediction | { error: string } {
  const run = runSelftest(env, opts);
  if ('error' in run) return run;
  const wrapped = applyRunner(env, run.build, new Output(run.stdout, run.exitCode));
  return new PredictionOf(env, run, wrapped.stdout, wrapped.exitCode);
}

/*
 * Classes, not object literals, for what a prediction returns: V8 pretenures literal sites
 * whose objects outlive scavenges (see kernel-model emptyArray()), and a pretenured dead
 * prediction would keep its whole young run (records, stdout) alive until the next full GC.
 */
class Output implements ProgramOutput {
  constructor(
    readonly stdout: string,
    readonly exitCode: number,
  ) {}
}

class PredictionOf implements Prediction {
  constructor(
    public env: Environment,
    public run: SelftestRun,
    public stdout: string,
    public exitCode: number,
  ) {}
}

/**
 * Everything a prediction depends on, and nothing else: the kernel's behaviours rather than
 * its release text (6.18 and 6.18.44 run the same model), the selftest version and eras rather
 * than the tree, whether liburing writes errno rather than its version. Environments with the
 * same key print the same bytes; searches cache predictions by it.
 */
export function predictionKey(env: Environment): string | undefined {
  const r = parseRelease(env.kernel.release);
  const b = selftestBuild(env.selftest.tree);
  if (!isRelease(r) || 'error' in b) return undefined;
  const patches = env.kernel.patches.map((p) => parsePatch(p)).filter((p): p is PatchSpec => !('error' in p));
  return JSON.stringify([
    sortedBehaviours(r, patches),
    b.version.id,
    b.era,
    b.runners,
    env.kernel.config,
    env.arch,
    env.pageSizeKiB,
    env.hugetlb,
    env.fs,
    env.user,
    env.sysctl,
    env.selftest.liburing === null ? null : liburingSetsErrno({ version: env.selftest.liburing, arch: env.arch }),
    env.runner,
  ]);
}

