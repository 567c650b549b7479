/**
 * The predict flow: an Environment → a booted simulated kernel → the selftest program of the
 * requested tree running as a simulated process → its stdout bytes, exit code, and one record
 * per sub-test (stable id, verdict, diagnostics, kernel trace).
 */
import { Kernel } from '../kernel-model/kernel.js';
import type { TraceEvent } from '../kernel-model/trace.js';
import type { Environment } from './env.js';
import { subtestId, type Backing, type TestCase } from './ids.js';
import { Kselftest, type Verdict } from './kselftest/kselftest.js';
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

export function runSelftest(env: Environment, opts: RunOptions = {}): SelftestRun | { error: string } {
  const build = selftestBuild(env.selftest.tree);
  if ('error' in build) return build;
  const kernel = new Kernel(kernelSpecFor(env));
  kernel.tracing = opts.trace ?? true;
  const proc = new Process(kernel);
  const ksft = new Kselftest(proc, build.era);
  const liburing =
    env.selftest.liburing === null ? undefined : new Liburing(proc, { version: env.selftest.liburing, arch: env.arch });

  const subtests: SubtestRecord[] = [];
  let open: { id: string; name: string; mark: number; emitted: number; msgs: number } | undefined;
  let setupEnd: number | undefined;
  const messages: string[] = [];
  ksft.onMessage = (m) => messages.push(m);

  const close = (): void => {
    if (!open) return;
    const results = ksft.emitted.slice(open.emitted);
    const r = results[0];
    const trace = kernel.trace.since(open.mark);
    const lastErr = [...trace].reverse().find((e) => e.errno !== undefined);
    subtests.push({
      id: open.id,
      name: open.name,
      number: r ? r.number : null,
      verdict: r ? r.verdict : 'missing',
      result: r ? r.description : null,
      diagnostics: messages
        .slice(open.msgs)
        .filter((m) => !m.startsWith('[RUN] '))
        .map((m) => (m.endsWith('\n') ? m.slice(0, -1) : m)),
      errno: lastErr?.errno ?? null,
      trace,
    });
    open = undefined;
  };

  const hooks: SubtestHooks = {
    begin(c: TestCase, b: Backing, name: string) {
      close();
      if (setupEnd === undefined) setupEnd = kernel.trace.mark();
      open = { id: subtestId(c, b), name, mark: kernel.trace.mark(), emitted: ksft.emitted.length, msgs: messages.length };
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
