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
import { STOP_RUN, SubtestRecorder, type SubtestRecord } from './subtest-recorder.js';
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
  /**
   * The program was ended by RunOptions.until before its end: its records are the whole run's
   * first records, and nothing else (stdout, exit code, signal) is what the program would give.
   */
  stopped: boolean;
}

export interface RunOptions {
  /** Record the kernel trace per sub-test (default true); off, `trace` arrays stay empty. */
  trace?: boolean;
  /**
   * End the program as soon as every sub-test with one of these ids has its record (at the
   * next sub-test's start): for a reader of those records alone (the inference scoring an
   * excerpt), the rest of the run is work for nothing. The run is marked `stopped`.
   */
  until?: ReadonlySet<string>;
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
    public stopped: boolean,
  ) {}
}

/** What a version's program runs with (a class, not a literal: see kernel-model/empty-array.ts). */
class Context implements SelftestContext {
  constructor(
    readonly proc: Process,
    readonly ksft: Kselftest,
    readonly liburing: Liburing | undefined,
    readonly hooks: SubtestRecorder,
  ) {}
}

export function runSelftest(env: Environment, opts: RunOptions = {}): SelftestRun | { error: string } {
  const build = selftestBuild(env.selftest.tree, env.selftest.name);
  if ('error' in build) return build;
  const kernel = new Kernel(kernelSpecFor(env));
  kernel.tracing = opts.trace ?? true;
  const proc = new Process(kernel);
  const ksft = new Kselftest(proc, build.era);
  const liburing =
    env.selftest.liburing === null ? undefined : new Liburing(proc, { version: env.selftest.liburing, arch: env.arch });

  const recorder = new SubtestRecorder(kernel, ksft, opts.until);

  let end: ProcessExit;
  let stopped = false;
  try {
    end = build.version.program(new Context(proc, ksft, liburing, recorder));
  } catch (e) {
    if (e === STOP_RUN) {
      // Not an exit of the program: a code no exit() gives, so nothing reads it as one.
      stopped = true;
      end = new ProcessExit(-1);
    } else {
      if (!(e instanceof ProcessExit)) throw e;
      end = e;
    }
  }
  recorder.end();
  const exitCode = end.code;
  const signal = end.signal ?? null;
  const run = new Run(
    build,
    ksft.plannedTests(),
    signal ? proc.stdout.written() : proc.stdout.all(),
    exitCode,
    signal,
    recorder.subtests,
    kernel.trace.events.slice(0, recorder.setupEnd ?? kernel.trace.events.length),
    stopped,
  );
  // Nothing returned points into the kernel: its bulk memory can serve the next run's.
  kernel.retire();
  return run;
}
