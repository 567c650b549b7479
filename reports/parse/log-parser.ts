/**
 * The line-by-line driver: physical line → transport-stripped → leveled → glue-split →
 * classified → routed to the current gup_longterm run, to another program's segment, or to
 * the log's unknown lines.
 *
 * Why not tap-parser's Parser for this: kselftest nests by `# ` prefixes, which a TAP14 parser
 * reads as top-level comments (the whole gup_longterm run is one comment block under a runner);
 * its `Bail out!` handling stops the parser for good, so the `# Totals:` line kselftest prints
 * *after* the bail-out would be lost, and so would any later run in the same log; it counts
 * `ok N # SKIP` as a pass. So runs are isolated here by level, the way kunit_parser.py isolates
 * a KTAP stream by its prefix, and tap-parser is used line-by-line where it fits
 * (classify.ts, result-line.ts) and as a side view (tap-view.ts).
 *
 * Routing rules (D = the current run's level, L = the line's level):
 *  - the program's TAP lines (version, plan, results, Bail out!) are at L = D;
 *  - its diagnostics (`# [INFO]`, `# [RUN]`, `# Totals`, any `# ...`) at L = D + 1;
 *  - wrapper lines: run_vmtests' banner and `[PASS]` at L = D, its `ok N gup_longterm` at D - 1;
 *    runner.sh's header at D and verdict at D - 1;
 *  - everything else (kernel messages, console noise) is an unknown line: kept, and it never
 *    closes a run or changes a result (the KTAP rule).
 */
import { classify, programName, type Token } from './classify.js';
import { splitGlued, type Fragment } from './glue.js';
import { MAX_LINE_CHARS } from './lines.js';
import { crashKind, infraKind, infraProgram } from './markers.js';
import { WRAPPER_VERDICT_NAME } from './patterns.js';
import type { ResultLine } from './result-line.js';
import { MAX_KEPT_LINES, RunBuilder, type WrapperSource } from './run-builder.js';
import { countLevels, emptyTransportFacts, stripTransport } from './transport.js';
import type {
  CrashMarker,
  InfraFailure,
  LineRef,
  OtherProgram,
  ParseIssue,
  ParsedLog,
  ParsedRun,
} from './types.js';

/** Runs kept per log (each ~60 sub-tests); more means a generated log, and memory must stay bounded. */
const MAX_RUNS = 2_000;
const MAX_LOG_ISSUES = 1_000;

interface Foreign {
  name: string;
  level: number;
  startLine: number;
  endLine: number;
}

const NO_WRAPPER: WrapperSource = {
  kind: null,
  banner: null,
  underKselftestRunner: false,
  timeoutSetTo: null,
};

export class LogParser {
  private readonly facts = emptyTransportFacts();
  private readonly work = { n: 0 };
  private lineNo = 0;
  private chars = 0;
  private fragments = 0;
  private run: RunBuilder | null = null;
  private foreign: Foreign | null = null;
  private readonly runs: ParsedRun[] = [];
  private readonly weakRuns: ParsedRun[] = [];
  private droppedRuns = 0;
  private readonly errors: ParseIssue[] = [];
  private readonly unknownLines: LineRef[] = [];
  private droppedUnknown = 0;
  private readonly crashes: CrashMarker[] = [];
  private readonly infra: InfraFailure[] = [];
  private readonly otherPrograms: OtherProgram[] = [];
  private pendingTimeout: { seconds: number; level: number } | null = null;
  /** Level at which runner.sh printed `selftests: mm: run_vmtests.sh`. */
  private runnerContainerLevel: number | null = null;
  private done: ParsedLog | null = null;

  /** Feed one physical line (without its `\n`). Never throws on any string. */
  push(raw: string): void {
    if (this.done) return;
    this.lineNo++;
    this.chars += raw.length + 1;
    this.work.n++;
    let line = raw;
    if (line.length > MAX_LINE_CHARS) {
      this.logIssue(
        'overlong-line',
        `line of ${line.length}+ chars; only the first ${MAX_LINE_CHARS} parsed`,
      );
      line = line.slice(0, MAX_LINE_CHARS);
    }
    // A lone CR inside a line (serial consoles, progress output) separates logical lines.
    const pieces = line.includes('\r') && !/^[^\r]*\r+$/.test(line) ? line.split(/\r+/) : [line];
    for (const piece of pieces) {
      const text = stripTransport(piece, this.facts, this.work);
      const frags = splitGlued(countLevels(text, this.work), this.work);
      for (const f of frags) this.handle(f);
    }
  }

  /** Close the last run and return the result. Further push() calls are ignored. */
  finish(): ParsedLog {
    if (this.done) return this.done;
    this.closeRun();
    this.endForeign();
    let runs = this.runs;
    if (runs.length === 0 && this.weakRuns.length > 0) {
      runs = this.weakRuns;
      for (const r of runs) {
        r.issues.push({
          line: r.startLine,
          code: 'weak-run',
          message: 'no line names gup_longterm; kept because nothing else in the log does',
        });
      }
    }
    runs.forEach((r, i) => (r.index = i));
    if (this.droppedRuns > 0) this.logIssue('dropped-lines', `${this.droppedRuns} runs not kept`);
    if (this.droppedUnknown > 0) {
      this.logIssue('dropped-lines', `${this.droppedUnknown} unknown lines not kept`);
    }
    this.done = {
      runs,
      errors: this.errors,
      unknownLines: this.unknownLines,
      droppedUnknownLines: this.droppedUnknown,
      crashes: this.crashes,
      infrastructure: this.infra,
      otherPrograms: this.otherPrograms,
      transport: this.facts,
      stats: {
        lines: this.lineNo,
        fragments: this.fragments,
        work: this.work.n,
        chars: this.chars,
      },
    };
    return this.done;
  }

  // ---- routing -------------------------------------------------------------------------------

  private handle(f: Fragment): void {
    this.fragments++;
    this.work.n++;
    const ref: LineRef = { line: this.lineNo, text: f.body };
    if (f.kernel) {
      this.handleText(f, ref, true);
      return;
    }
    if (f.glued) this.run?.issue('glued-line', this.lineNo, 'output glued without a newline');
    const tok = classify(f.body);
    if (this.foreign && this.inForeign(f, tok, ref)) return;
    const run = this.run;
    run?.touch(this.lineNo);

    switch (tok.kind) {
      case 'empty':
      case 'wrapper-noise':
        return;
      case 'runner-timeout':
        this.pendingTimeout = { seconds: tok.seconds, level: f.level };
        return;
      case 'banner':
      case 'runner-header':
        this.onHeader(tok, f.level, ref);
        return;
      case 'prompt':
        if (run && run.hasProgramContent()) this.closeRun();
        if (!this.run) this.openRun(Math.max(0, f.level - 1), NO_WRAPPER);
        this.name(this.run, tok.program, 'prompt');
        this.run?.addRunDiagnostic(ref);
        return;
      case 'version':
      case 'plan':
      case 'bailout':
        this.onTapLine(tok, f.level, ref);
        return;
      case 'result':
        this.onResult(tok.result, f, ref);
        return;
      case 'run':
      case 'hugetlb-info':
      case 'hugetlb-limit':
      case 'totals':
      case 'planned-mismatch':
      case 'skipped-notice':
        this.onProgramDiagnostic(tok, f.level, ref);
        return;
      case 'vm-status':
        if (run && f.level <= run.depth) run.setStatus(tok.status, this.lineNo);
        else this.handleText(f, ref, false);
        return;
      case 'text':
        this.handleText(f, ref, false);
        return;
    }
  }

  /** Lines while another program's output is being skipped. True when consumed. */
  private inForeign(f: Fragment, tok: Token, ref: LineRef): boolean {
    const fr = this.foreign;
    if (!fr) return false;
    if (tok.kind === 'banner' || tok.kind === 'runner-header') {
      this.endForeign();
      return false;
    }
    if (f.level >= fr.level) {
      fr.endLine = this.lineNo;
      this.scanMarkers(f.body, ref, false);
      return true;
    }
    if (tok.kind === 'result' && f.level === fr.level - 1) {
      fr.endLine = this.lineNo; // the wrapper's verdict on that program
      this.endForeign();
      return true;
    }
    if (tok.kind === 'version' || tok.kind === 'plan' || tok.kind === 'result') {
      this.endForeign();
      return false;
    }
    this.handleText(f, ref, false);
    return true;
  }

  private onHeader(
    tok: Extract<Token, { kind: 'banner' | 'runner-header' }>,
    level: number,
    ref: LineRef,
  ): void {
    this.closeRun();
    this.endForeign();
    const timeout =
      this.pendingTimeout && this.pendingTimeout.level === level
        ? this.pendingTimeout.seconds
        : null;
    this.pendingTimeout = null;
    if (tok.kind === 'runner-header' && tok.program === 'run_vmtests.sh') {
      // A container, not another program: gup_longterm runs inside it one level deeper.
      this.runnerContainerLevel = level;
      return;
    }
    if (!tok.gup) {
      const name = tok.kind === 'banner' ? ref.text.replace(/^running /, '') : tok.program;
      this.foreign = { name, level, startLine: this.lineNo, endLine: this.lineNo };
      return;
    }
    const wrapper: WrapperSource =
      tok.kind === 'banner'
        ? {
            kind: 'run_vmtests',
            banner: ref,
            underKselftestRunner: this.runnerContainerLevel === level || level >= 2,
            timeoutSetTo: null,
          }
        : {
            kind: 'kselftest-runner',
            banner: ref,
            underKselftestRunner: true,
            timeoutSetTo: timeout,
          };
    this.openRun(level, wrapper);
    this.name(this.run, tok.program, 'wrapper');
  }

  /**
   * A TAP line at `level` against the open run: deeper output inside a run that has a body is
   * nested output, not ours, and is kept as a diagnostic ('kept'); a shallower line (an outer
   * stream) or one meeting a run with nothing yet (the outer run_vmtests header before its
   * first banner) closes the run and starts a new context (null).
   */
  private alignToLevel(level: number, ref: LineRef): RunBuilder | null | 'kept' {
    const run = this.run;
    if (!run || level === run.depth) return run;
    if (level > run.depth && run.hasBody()) {
      run.addDiagnostic(ref);
      return 'kept';
    }
    this.closeRun();
    return null;
  }

  private onTapLine(
    tok: Extract<Token, { kind: 'version' | 'plan' | 'bailout' }>,
    level: number,
    ref: LineRef,
  ): void {
    const aligned = this.alignToLevel(level, ref);
    if (aligned === 'kept') return;
    let run = aligned;
    if (run) {
      const restart =
        (tok.kind === 'version' &&
          (run.hasTapVersion() || run.plan !== null || run.subtests.length > 0)) ||
        (tok.kind === 'plan' && run.plan !== null && run.subtests.length > 0);
      if (restart) {
        this.closeRun();
        run = null;
      }
    }
    run ??= this.openRun(level, NO_WRAPPER);
    if (tok.kind === 'version') run.setVersion(tok.version, this.lineNo);
    else if (tok.kind === 'plan') run.setPlan(tok.count, this.lineNo);
    else run.setBailout(ref);
  }

  private onResult(r: ResultLine, f: Fragment, ref: LineRef): void {
    let run = this.run;
    const level = f.level;
    const wrapperName = WRAPPER_VERDICT_NAME.exec(r.description);
    if (wrapperName && (!run || level <= run.depth)) {
      if (!run) {
        run = this.openRun(level + 1, NO_WRAPPER);
        this.name(run, wrapperName[1] ?? 'gup_longterm', 'wrapper');
      } else if (run.program === null) {
        this.name(run, wrapperName[1] ?? 'gup_longterm', 'wrapper');
      }
      run.setVerdict({
        ok: r.ok,
        number: r.number,
        name: r.description,
        directive: rawDirective(f.body),
        line: this.lineNo,
        text: f.body,
      });
      this.closeRun();
      return;
    }
    const aligned = this.alignToLevel(level, ref);
    if (aligned === 'kept') return;
    run = aligned;
    if (run && run.finished) {
      this.closeRun();
      run = null;
    }
    run ??= this.openRun(level, NO_WRAPPER);
    run.addResult(r, f.body, this.lineNo);
  }

  private onProgramDiagnostic(
    tok: Extract<
      Token,
      {
        kind:
          | 'run'
          | 'hugetlb-info'
          | 'hugetlb-limit'
          | 'totals'
          | 'planned-mismatch'
          | 'skipped-notice';
      }
    >,
    level: number,
    ref: LineRef,
  ): void {
    // Whose diagnostic: the program's own `# ` makes it one level deeper than its TAP lines.
    // A line whose wrapper `# ` were lost (prefix-stripping CI) is accepted at the run's level.
    const depth = Math.max(0, level - 1);
    let run = this.run;
    if (run && depth !== run.depth && level !== run.depth) {
      if (run.hasBody() && !run.finished) {
        // A live run: deeper look-alikes are nested text, shallower ones console noise.
        if (depth > run.depth) run.addDiagnostic(ref);
        else run.addUnknown(ref);
        return;
      }
      // An empty or finished run: this line starts the next one at its own level.
      this.closeRun();
      run = null;
    }
    if (run) {
      const newRun =
        (tok.kind === 'hugetlb-info' && (run.hasResultsOrRunLines() || run.finished)) ||
        (tok.kind === 'run' && run.finished);
      if (newRun) {
        this.closeRun();
        run = null;
      }
    }
    run ??= this.openRun(depth, NO_WRAPPER);
    switch (tok.kind) {
      case 'run':
        run.addRunLine(tok.name, this.lineNo);
        return;
      case 'hugetlb-info':
        run.addHugetlbSize(tok.sizeKiB, tok.wording, ref);
        return;
      case 'hugetlb-limit':
        run.addRunDiagnostic(ref);
        return;
      case 'totals':
        run.setTotals(tok.counts, ref);
        return;
      case 'planned-mismatch':
        run.setPlannedMismatch(tok.planned, tok.run, ref);
        return;
      case 'skipped-notice':
        run.setSkippedNotice(tok.count, ref);
        return;
    }
  }

  /** Free text: a diagnostic of the run when deeper than its TAP lines, else an unknown line. */
  private handleText(f: Fragment, ref: LineRef, kernel: boolean): void {
    const ik = kernel ? null : infraKind(f.body);
    if (ik !== null && !this.run) {
      const prog = infraProgram(f.body);
      if (prog !== null) {
        this.openRun(f.level, NO_WRAPPER);
        this.name(this.run, prog, 'wrapper');
      }
    }
    this.scanMarkers(f.body, ref, kernel);
    const run = this.run;
    if (run) {
      if (!kernel && f.level > run.depth) {
        run.addDiagnostic(ref);
        if (/^PIN_LONGTERM_TEST_START failed \(EINVAL\)n$/.test(f.body))
          run.eras.note('v6.16+', ref);
      } else run.addUnknown(ref);
      return;
    }
    if (this.unknownLines.length < MAX_KEPT_LINES) this.unknownLines.push(ref);
    else this.droppedUnknown++;
  }

  private scanMarkers(text: string, ref: LineRef, kernel: boolean): void {
    const ck = crashKind(text);
    const ik = kernel ? null : infraKind(text);
    const run = this.run;
    if (ck !== null) {
      if (run) run.addCrash(ck, ref);
      else if (this.crashes.length < MAX_LOG_ISSUES) {
        this.crashes.push({ kind: ck, line: ref.line, text, duringSubtest: null });
      }
    }
    if (ik !== null) {
      if (run) run.addInfra(ik, ref);
      else if (this.infra.length < MAX_LOG_ISSUES)
        this.infra.push({ kind: ik, line: ref.line, text });
    }
  }

  // ---- run lifecycle ---------------------------------------------------------------------

  private openRun(depth: number, wrapper: WrapperSource): RunBuilder {
    this.closeRun();
    this.run = new RunBuilder(depth, this.lineNo, wrapper);
    return this.run;
  }

  private name(run: RunBuilder | null, program: string, evidence: 'wrapper' | 'prompt'): void {
    if (!run) return;
    run.program = programName(program);
    run.evidence = evidence;
  }

  private closeRun(): void {
    const run = this.run;
    if (!run) return;
    this.run = null;
    const strength = run.strength();
    if (strength === 'empty') return;
    if (strength === 'foreign') {
      this.otherPrograms.push({
        name: '(unidentified [RUN] lines)',
        startLine: run.startLine,
        endLine: run.endLine,
      });
      return;
    }
    const target = strength === 'strong' ? this.runs : this.weakRuns;
    if (target.length >= MAX_RUNS) {
      this.droppedRuns++;
      return;
    }
    target.push(run.finalize(target.length));
  }

  private endForeign(): void {
    const fr = this.foreign;
    if (!fr) return;
    this.foreign = null;
    if (this.otherPrograms.length < MAX_RUNS) {
      this.otherPrograms.push({ name: fr.name, startLine: fr.startLine, endLine: fr.endLine });
    }
  }

  private logIssue(code: ParseIssue['code'], message: string): void {
    if (this.errors.length < MAX_LOG_ISSUES) this.errors.push({ line: this.lineNo, code, message });
  }
}

/** The directive exactly as printed (`exit=1`, `TIMEOUT 45 seconds`), for wrapper verdicts. */
function rawDirective(body: string): string | null {
  const i = body.search(/\s#\s/);
  return i < 0 ? null : body.slice(i + 3).trim();
}
