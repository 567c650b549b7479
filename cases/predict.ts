/**
 * The whole predict flow in one call: the program's run (records per sub-test) and the bytes
 * the chosen runner would put in the log.
 */
import type { Environment } from './env.js';
// What searches cache trace-less predictions by (its own module: what it may leave out takes a study).
export { predictionKey } from './prediction-key.js';
import { runSelftest, type RunOptions, type SelftestRun } from './run.js';
import { selftestBuild, type SelftestBuild, type SelftestName } from './versions.js';
import { applyRunner, type ProgramOutput, type RunnerPrograms } from './runners/index.js';

export interface Prediction {
  env: Environment;
  run: SelftestRun;
  /** What ends up in the log (the runner's output when one wraps the program). */
  stdout: string;
  exitCode: number;
}

/**
 * The environment a program of a run_vmtests.sh invocation sees. Before 7.2 the script first
 * raises the default huge page pool to 256 MiB free (its "set proper nr_hugepages" block, as
 * root) and writes the old nr_hugepages back after the userfaultfd category: the gup_test
 * category (gup_longterm) runs with the raised pool, cow — after the restore — with the
 * environment's own.
 */
function envAsRun(env: Environment, name: SelftestName, build: SelftestBuild): Environment {
  const dflt = env.hugetlb[0];
  if (
    name !== 'gup_longterm' ||
    (env.runner !== 'run_vmtests' && env.runner !== 'kselftest+run_vmtests') ||
    !build.runners.runVmtests.hugepageSetup ||
    !env.user.root ||
    !dflt
  )
    return env;
  const need = Math.floor((256 * 1024) / dflt.sizeKiB);
  if (dflt.free >= need) return env;
  const lack = need - dflt.free;
  const got = Math.min(lack, dflt.allocatable ?? lack);
  const raised = { ...dflt, free: dflt.free + got };
  if (dflt.allocatable !== undefined) raised.allocatable = dflt.allocatable - got;
  return { ...env, hugetlb: [raised, ...env.hugetlb.slice(1)] };
}

export function predict(env: Environment, opts: RunOptions = {}): Prediction | { error: string } {
  const build = selftestBuild(env.selftest.tree, env.selftest.name);
  if ('error' in build) return build;
  const run = runSelftest(envAsRun(env, env.selftest.name, build), opts);
  if ('error' in run) return run;
  // A stopped run's output is not the program's: no runner would see it (only its records count).
  if (run.stopped) return new PredictionOf(env, run, run.stdout, run.exitCode);
  const programs: RunnerPrograms = {};
  programs[env.selftest.name] = new Output(run.stdout, run.exitCode);
  for (const name of env.selftest.with ?? []) {
    // Another program of the same invocation: a process of its own, its records not kept.
    const otherEnv: Environment = { ...env, selftest: { ...env.selftest, name, with: undefined } };
    const otherBuild = selftestBuild(env.selftest.tree, name);
    if ('error' in otherBuild) return otherBuild;
    const other = runSelftest(envAsRun(otherEnv, name, otherBuild), { trace: false });
    if ('error' in other) return other;
    programs[name] = new Output(other.stdout, other.exitCode);
  }
  const wrapped = applyRunner(env, run.build, programs);
  return new PredictionOf(env, run, wrapped.stdout, wrapped.exitCode);
}

/*
 * Classes, not object literals, for what a prediction returns: V8 pretenures literal sites
 * whose objects outlive scavenges (see kernel-model/empty-array.ts), and a pretenured dead
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
