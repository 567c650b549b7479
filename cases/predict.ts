/**
 * The whole predict flow in one call: the program's run (records per sub-test) and the bytes
 * the chosen runner would put in the log.
 */
import type { Environment } from './env.js';
// What searches cache trace-less predictions by (its own module: what it may leave out takes a study).
export { predictionKey } from './prediction-key.js';
import { runSelftest, type RunOptions, type SelftestRun } from './run.js';
import { applyRunner, type ProgramOutput } from './runners/index.js';

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
  // A stopped run's output is not the program's: no runner would see it (only its records count).
  if (run.stopped) return new PredictionOf(env, run, run.stdout, run.exitCode);
  const wrapped = applyRunner(env, run.build, new Output(run.stdout, run.exitCode));
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
