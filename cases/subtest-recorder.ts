/**
 * Harness instrumentation of a selftest run: the hooks that bracket each run_with_*() turn
 * what it printed and what the kernel traced meanwhile into one SubtestRecord.
 *
 * Classes and emptyArray(), not literals, for everything that lives as long as the run: V8
 * pretenures allocation sites whose objects outlive scavenges (see kernel-model emptyArray()),
 * and the recorder points at every record of the run.
 */
import type { Kernel } from '../kernel-model/kernel.js';
import { emptyArray } from '../kernel-model/empty-array.js';
import type { TraceEvent } from '../kernel-model/trace.js';
import type { Kselftest, Verdict } from './kselftest/kselftest.js';
import type { SubtestHooks } from './selftests/common.js';

/**
 * Thrown from begin() once every sub-test of a run's stop set (RunOptions.until) is recorded:
 * it unwinds the program from the start of the next sub-test to runSelftest(), which marks the
 * run stopped. One instance: it carries nothing, and a throw per stopped run needs no stack.
 */
export class StopRun {}

const NO_EVENTS = Object.freeze(emptyArray<TraceEvent>()) as TraceEvent[];
const NO_DIAGNOSTICS = Object.freeze(emptyArray<string>()) as string[];
export const STOP_RUN = new StopRun();

export class SubtestRecorder implements SubtestHooks {
  readonly subtests: SubtestRecord[] = emptyArray();
  /** Trace mark where the first sub-test began (what came before is setup). */
  setupEnd: number | undefined = undefined;
  // The open sub-test, as plain fields (one record object per sub-test, nothing else).
  private open = false;
  private openId = '';
  private openName = '';
  private openMark = 0;
  /** Index in ksft.messages of the open sub-test's first diagnostic. */
  private openMsgs = 0;

  /** How many ids of the stop set have no record yet (ids are unique within a run). */
  private pending: number;

  constructor(
    private readonly kernel: Kernel,
    private readonly ksft: Kselftest,
    /** The stop set (RunOptions.until); undefined: the program runs to its end. */
    private readonly until: ReadonlySet<string> | undefined,
  ) {
    this.pending = until === undefined ? -1 : until.size;
  }

  begin(id: string, name: string): void {
    this.end();
    // Every id of the stop set has its record: what the program would do from here on adds
    // only records of other ids (runTestCases() runs each case and backing once, and the
    // hugetlb sizes are distinct), so nothing recorded so far can change.
    if (this.pending === 0) throw STOP_RUN;
    const mark = this.kernel.trace.mark();
    if (this.setupEnd === undefined) this.setupEnd = mark;
    this.open = true;
    this.openId = id;
    this.openName = name;
    this.openMark = mark;
    this.ksft.watchResults();
    // begin() comes right after the `[RUN]` announcement: what follows is the diagnostics.
    this.openMsgs = this.ksft.messages.length;
  }

  /** Close the open sub-test (if any) into its record. */
  end(): void {
    if (!this.open) return;
    const ksft = this.ksft;
    // Most records have no trace (all, with tracing off) and no diagnostic: they share one
    // frozen empty array each, where a copy per record was two of its five objects. Nothing
    // writes a record's arrays (a push would throw, not corrupt another record).
    const trace =
      this.kernel.trace.mark() === this.openMark
        ? NO_EVENTS
        : this.kernel.trace.since(this.openMark);
    let errno: string | null = null;
    for (let i = trace.length - 1; i >= 0; i--) {
      const e = trace[i]!.errno;
      if (e !== undefined) {
        errno = e;
        break;
      }
    }
    // slice(), a builtin copy: no allocation site to pretenure (see kernel-model emptyArray()).
    const messages = this.ksft.messages;
    const diagnostics =
      messages.length === this.openMsgs ? NO_DIAGNOSTICS : messages.slice(this.openMsgs);
    for (let i = 0; i < diagnostics.length; i++) {
      const m = diagnostics[i]!;
      if (m.endsWith('\n')) diagnostics[i] = m.slice(0, -1);
    }
    const seen = ksft.resultSeen;
    this.subtests.push(
      new SubtestRecord(
        this.openId,
        this.openName,
        seen ? ksft.resultNumber : null,
        seen ? ksft.resultVerdict : 'missing',
        seen ? ksft.resultText : null,
        diagnostics,
        errno,
        trace,
      ),
    );
    this.open = false;
    if (this.until !== undefined && this.until.has(this.openId)) this.pending--;
  }
}

/** What one sub-test did, as `gupsim run --json` prints it (in this field order). */
export class SubtestRecord {
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
  /** The last errno the kernel returned during the sub-test (what decided it, usually); read
   *  from the trace, so null in a run predicted without one. */
  errno: string | null;
  /** What the simulated kernel (and libc/liburing) did, in order. */
  trace: TraceEvent[];

  constructor(
    id: string,
    name: string,
    number: number | null,
    verdict: Verdict | 'missing',
    result: string | null,
    diagnostics: string[],
    errno: string | null,
    trace: TraceEvent[],
  ) {
    this.id = id;
    this.name = name;
    this.number = number;
    this.verdict = verdict;
    this.result = result;
    this.diagnostics = diagnostics;
    this.errno = errno;
    this.trace = trace;
  }
}
