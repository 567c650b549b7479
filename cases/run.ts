/**
 * The predict flow: an Environment → a booted simulated kernel → the selftest program of the
 * requested tree running as a simulated process → its stdout bytes, exit code, and one record
 * per sub-test (stable id, verdict, diagnostics, kernel trace).
 */
import { Kernel } from '../kernel-model/kernel.js';
import type { TraceEvent } from '../kernel-model/trace.js';
import type { Environment } from './env.js';
import { subtestId, type Backing, type TestCase } from './ids.js';
import { Kselftest, type EmittedResult, type Verdict } from './kselftest/kselftest.js';
import { Liburing } from './libc/liburing.js';
import { Process, ProcessExit } from './libc/process.js';
import { kernelSpecFor } from './machine.js';
import type { SubtestHooks } from './selftests/common.js';
import { selftestBuild, type SelftestBuild } from './versions.js';

export interface SubtestRecord {
  /** Stable id (cases/ids.ts). */
  id: string;
  /** The `[RUN]` name in this version's wording. */
  name: string;
  /** TAP number of its result line, or null when it printed none. */
  number: number | null;
  /** `missing` when the sub-test ran but printed no result line (C0–C2 unknown-fs bug). */
  verdict: Verdict | 'missing';
  /** The result line's description (after `ok N ` / `not ok N ` / `ok N # SKIP `). */
  result: string | null;
  /** `# ` diagnostics printed by the sub-test, without the `# ` and the newline. */
  diagnostics: string[];
  /** The last errno the kernel returned during the sub-test (what decided it, usually). */
  errno: string | null;
  /** What the simulated kernel (and libc/liburing) did, in order. */
  trace: TraceEvent[];
}

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

/** A SubtestRecord with its fields in the interface's order (JSON output relies on it). */
class Record implements SubtestRecord {
  id: string;
  name: string;
  number: number | null;
  verdict: Verdict | 'missing';
  result: string | null;
  diagnostics: string[];
  errno: string | null;
  trace: TraceEvent[];

  constructor(
    id: string,
    name: string,
    r: EmittedResult | undefined,
    diagnostics: string[],
    errno: string | null,
    trace: TraceEvent[],
  ) {
    this.id = id;
    this.name = name;
    this.number = r ? r.number : null;
    this.verdict = r ? r.verdict : 'missing';
    this.result = r ? r.description : null;
    this.diagnostics = diagnostics;
    this.errno = errno;
    this.trace = trace;
  }
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

  // Array.of() and a class, not literals: see kernel-model Trace.events.
  const subtests: SubtestRecord[] = Array.of();
  // The open sub-test, as plain locals (one record object per sub-test, nothing else).
  let open = false;
  let openId = '';
  let openName = '';
  let openMark = 0;
  let openEmitted = 0;
  let openMsgs = 0;
  let setupEnd: number | undefined;
  const messages: string[] = Array.of();
  ksft.onMessage = (m) => messages.push(m);

  const close = (): void => {
    if (!open) return;
    const r = ksft.emitted.length > openEmitted ? ksft.emitted[openEmitted] : undefined;
    const trace = kernel.trace.since(openMark);
    let errno: string | null = null;
    for (let i = trace.length - 1; i >= 0; i--) {
      const e = trace[i]!.errno;
      if (e !== undefined) {
        errno = e;
        break;
      }
    }
    const diagnostics: string[] = Array.of();
    for (let i = openMsgs; i < messages.length; i++) {
      const m = messages[i]!;
      if (m.startsWith('[RUN] ')) continue;
      diagnostics.push(m.endsWith('\n') ? m.slice(0, -1) : m);
    }
    subtests.push(new Record(openId, openName, r, diagnostics, errno, trace));
    open = false;
  };

  const hooks: SubtestHooks = {
    begin(c: TestCase, b: Backing, name: string) {
      close();
      if (setupEnd === undefined) setupEnd = kernel.trace.mark();
      open = true;
      openId = subtestId(c, b);
      openName = name;
      openMark = kernel.trace.mark();
      openEmitted = ksft.emitted.length;
      openMsgs = messages.length;
    },
    end() {
      close();
    },
  };

  let exitCode = 0;
  let signal: string | null = null;
  try {
    build.version.program({ proc, ksft, liburing, hooks });
  } catch (e) {
    if (!(e instanceof ProcessExit)) throw e;
    exitCode = e.code;
    signal = e.signal ?? null;
    close();
  }
  return {
    build,
    plan: ksft.plannedTests(),
    stdout: signal ? proc.stdout.written() : proc.stdout.all(),
    exitCode,
    signal,
    subtests,
    setupTrace: kernel.trace.events.slice(0, setupEnd ?? kernel.trace.events.length),
  };
}
