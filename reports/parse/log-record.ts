/**
 * What a log yields besides the line-by-line routing: the runs, in order, handed out as they
 * finish (or collected, for callers that want the whole ParsedLog), and the log-level lists —
 * other programs, stray crash/infrastructure markers, unknown lines outside runs, parse issues.
 *
 * A run is either strong (something names its selftest) or weak (kselftest TAP or a trailer,
 * nothing more). Weak runs are reported only when the whole log has no strong run, so they are
 * held until the first strong run (then dropped: they were another program's) or the end —
 * except a weak run with a `not ok` result line: no program the log names claims it, so it is
 * reported, not dropped (a failing result is never silently lost).
 */
import { CappedList, MAX_KEPT_LINES, MAX_LOG_ISSUES } from './limits.js';
import type {
  CrashMarker,
  InfraFailure,
  LineRef,
  OtherProgram,
  ParseIssue,
  ParseStats,
  ParsedLog,
  ParsedRun,
  TransportFacts,
} from './types.js';

/**
 * A `not ok` result line. Not a runner's counters or bail-out: a runner of several tests
 * counts its other tests' failures after a selftest's run, and those are theirs.
 */
function showsFailure(run: ParsedRun): boolean {
  for (const s of run.subtests) if (s.resultText !== null && s.resultText.startsWith('not ')) return true;
  return false;
}

/** Receives each finished run, in log order. The parser keeps nothing of a run it handed out. */
export type RunSink = (run: ParsedRun) => void;

export class LogRecord {
  private readonly collected: ParsedRun[] = [];
  private strong = 0;
  private readonly weak: ParsedRun[] = [];
  readonly errors = new CappedList<ParseIssue>(MAX_LOG_ISSUES);
  readonly unknownLines = new CappedList<LineRef>(MAX_KEPT_LINES);
  readonly crashes = new CappedList<CrashMarker>(MAX_LOG_ISSUES);
  readonly infra = new CappedList<InfraFailure>(MAX_LOG_ISSUES);
  readonly otherPrograms = new CappedList<OtherProgram>(MAX_KEPT_LINES);

  constructor(private readonly sink: RunSink | null) {}

  addRun(run: ParsedRun, strength: 'strong' | 'weak'): void {
    if (strength === 'weak') {
      if (this.strong === 0) this.weak.push(run);
      else if (showsFailure(run)) this.emitWeak(run);
      return;
    }
    for (const w of this.weak) if (showsFailure(w)) this.emitWeak(w);
    this.weak.length = 0;
    this.emit(run);
  }

  private emitWeak(r: ParsedRun): void {
    r.issues.push({
      line: r.startLine,
      code: 'weak-run',
      message: `no line names ${r.test}; kept because it shows a failure no program of the log claims`,
    });
    this.emit(r);
  }

  private emit(run: ParsedRun): void {
    run.index = this.strong++;
    if (this.sink) this.sink(run);
    else this.collected.push(run);
  }

  /** Nothing was recorded yet: no run, no log-level line or issue (replay.ts checks a body by it). */
  untouched(): boolean {
    return (
      this.strong === 0 &&
      this.weak.length === 0 &&
      this.collected.length === 0 &&
      [this.errors, this.unknownLines, this.crashes, this.infra, this.otherPrograms].every((l) => l.length === 0 && l.dropped === 0)
    );
  }

  issue(line: number | null, code: ParseIssue['code'], message: string): void {
    this.errors.push({ line, code, message });
  }

  finish(transport: TransportFacts, stats: Omit<ParseStats, 'runs'>): ParsedLog {
    if (this.strong === 0) {
      for (const r of this.weak) {
        r.issues.push({
          line: r.startLine,
          code: 'weak-run',
          message: `no line names ${r.test}; kept because nothing else in the log does`,
        });
        this.emit(r);
      }
      this.weak.length = 0;
    }
    const line = stats.lines;
    const dropped = (n: number, what: string): void => {
      if (n > 0) this.issue(line, 'dropped-lines', `${n} ${what} not kept`);
    };
    dropped(this.unknownLines.dropped, 'unknown lines');
    dropped(this.otherPrograms.dropped, 'other-program spans');
    dropped(this.crashes.dropped, 'crash markers outside runs');
    dropped(this.infra.dropped, 'infrastructure markers outside runs');
    const errors = this.errors.items;
    if (this.errors.dropped > 0) {
      errors.push({ line: null, code: 'dropped-lines', message: `${this.errors.dropped} more issues not kept` });
    }
    return {
      runs: this.collected,
      errors,
      unknownLines: this.unknownLines.items,
      droppedUnknownLines: this.unknownLines.dropped,
      crashes: this.crashes.items,
      infrastructure: this.infra.items,
      otherPrograms: this.otherPrograms.items,
      transport,
      stats: { ...stats, runs: this.strong },
    };
  }
}
