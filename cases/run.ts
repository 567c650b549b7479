/**
 * The predict flow: an Environment → a booted simulated kernel → the selftest program of the
 * requested tree running as a simulated process → its stdout bytes, exit code, and one record
 * per sub-test (stable id, verdict, diagnostics, kernel trace).
 */
import { Kernel } from '../kernel-model/kernel.js';
import type { TraceEvent } from '../kernel-model/trace.js';
import type { Environment } from './env.js';
import { Kselftest } from './kselftest/kselftest.js';
import { Liburing } from './libc/liburing.js';
import { Process, ProcessExit } from './libc/process.js';
import { kernelSpecFor } from './machine.js';
import type { SelftestContext } from './selftests/common.js';
// One sub-test's record is a class (cases/subtest-recorder.ts), not a literal V8 would pretenure.
import { SubtestRecorder, type SubtestRecord } from './subtest-recorder.js';
export type { SubtestRecord };
import { selftestBuild, type SelftestBuild } from './versions.js';


export interface SelftestRun {
  build: SelftestBuild;
  plan: number | null;
  /** The program's stdout bytes as they reach the log. */
  stdout: string;
  exitCode: number;
  /** Fatal signal, when the process was killed. */
  signal: string | null;
  subtests: SubtestRecord[];
  /** Kernel/libc events before the first sub-test (detection, gup_test open, hugetlb setup). */
  setupTrace: TraceEvent[];
}

export interface RunOptions {
  /** Record the kernel trace per sub-test (default true); off, `trace` arrays stay empty. */
  trace?: boolean;
}

/** A SelftestRun (a class, not a literal: see cases/predict.ts). */
class Run implements SelftestRun {
  constructor(
    public build: SelftestBuild,
    public plan: number | null,
    public stdout: string,
    public exitCode: number,
    public signal: string | null,
    public subtests: SubtestRecord[],
    public setupTrace: TraceEvent[],
  ) {}
}

/** What a version's program runs with (a class, not a literal: see kernel-model emptyArray()). */
class Context implements SelftestContext {
  constructor(
    readonly proc: Process,
    readonly ksft: Kselftest,
    readonly liburing: Liburing | undefined,
    readonly hooks: SubtestRecorder,
  ) {}
}

export function runSelftest(env: Environment, opts: RunOptions = {}): SelftestRun | { error: string } {
  const build = selftestBuild(env.selftest.tree);
  if ('error' in build) return build;
  const kernel = new Kernel(kernelSpecFor(env));
  kernel.tracing = opts.trace ?? true;
  const proc = new Process(kernel);
  const ksft = new Kselftest(proc, build.era);
  const liburing =
    env.selftest.liburing === null ? undefined : new Liburing(proc, { version: env.selftest.liburing, arch: env.arch });

  const recorder = new SubtestRecorder(kernel, ksft);

  let end: ProcessExit;
  try {
    end = build.version.program(new Context(proc, ksft, liburing, recorder));
  } catch (e) {
    if (!(e instanceof ProcessExit)) throw e;
    end = e;
  }
  recorder.end();
  const exitCode = end.code;
  const signal = end.signal ?? null;
  return new Run(
    build,
    ksft.plannedTests(),
    signal ? proc.stdout.written() : proc.stdout.all(),
    exitCode,
    signal,
    recorder.subtests,
    kernel.trace.events.slice(0, recorder.setupEnd ?? kernel.trace.events.length),
  );
}
