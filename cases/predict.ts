/**
 * The whole predict flow in one call: the program's run (records per sub-test) and the bytes
 * the chosen runner would put in the log.
 */
import type { Environment } from './env.js';
import { runSelftest, type SelftestRun } from './run.js';
import { applyRunner } from './runners/index.js';

export interface Prediction {
  env: Environment;
  run: SelftestRun;
  /** What ends up in the log (the runner's output when one wraps the program). */
  stdout: string;
  exitCode: number;
}

export function predict(env: Environment): Prediction | { error: string } {
  const run = runSelftest(env);
  if ('error' in run) return run;
  const wrapped = applyRunner(env, run.build, { stdout: run.stdout, exitCode: run.exitCode });
  return { env, run, stdout: wrapped.stdout, exitCode: wrapped.exitCode };
}
