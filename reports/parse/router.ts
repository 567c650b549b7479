/**
 * Whose line is it: each fragment (a logical line with its `# ` level) goes to the current
 * selftest run, to another program's skipped span, to a container (containers.ts), or to
 * the log's unknown lines.
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
import { Containers, wrapperVerdict } from './containers.js';
import type { Fragment } from './glue.js';
import type { LogRecord } from './log-record.js';
import { crashKind, infraKind, infraProgram } from './markers.js';
import type { ResultLine } from './result-line.js';
import { RunBuilder, type WrapperSource } from './run-builder.js';
import { wrapperVerdictProgram } from './selftests.js';
import { isStray } from './strays.js';
import type { LineRef } from './types.js';

export const NO_WRAPPER: WrapperSource = {
  kind: null,
  banner: null,
  underKselftestRunner: false,
  timeoutSetTo: null,
};

type ProgramDiagnostic = Extract<
  Token,
  { kind: 'run' | 'info' | 'totals' | 'planned-mismatch' | 'skipped-notice' }
>;

/** Levels whose last TAP plan is remembered (a runner's `1..N` says which verdict is its last). */
const PLAN_LEVELS = 16;

export class Router {
  lineNo = 0;
  fragments = 0;
  run: RunBuilder | null = null;
  readonly containers: Containers;
  /** The last `1..N` read at each `# ` level. */
  private readonly plans: number[] = [];

  constructor(
    readonly record: LogRecord,
    private readonly work: { n: number },
  ) {
    this.containers = new Containers(this);
  }

  handle(f: Fragment): void {
    this.fragments++;
    this.work.n++;
    // The LineRef is made only where a line is kept: [RUN] and result lines (most of a log)
    // are recorded from their tokens.
    if (f.kernel) {
      this.containers.trailer(null, null);
      this.handleText(f, this.ref(f), true);
      return;
    }
    if (f.glued) this.run?.issue('glued-line', this.lineNo, 'output glued without a newline');
    const tok = classify(f.body);
    if (this.containers.trailer(f, tok)) return;
    if (this.containers.consumes(f, tok)) return;
    const run = this.run;
    run?.touch(this.lineNo);

    switch (tok.kind) {
      case 'empty':
      case 'wrapper-noise':
        return;
      case 'runner-timeout':
        this.containers.noteTimeout(tok.seconds, f.level);
        return;
      case 'vm-summary':
        this.containers.onSummary(tok, f.level, this.ref(f));
        return;
      case 'banner':
      case 'runner-header':
        this.containers.onHeader(tok, f.level, this.ref(f));
        return;
      case 'prompt':
        if (run && run.hasProgramContent()) this.closeRun();
        if (!this.run) this.openRun(Math.max(0, f.level - 1), NO_WRAPPER);
        this.name(this.run, tok.program, 'prompt');
        this.run?.addRunDiagnostic(this.ref(f));
        return;
      case 'version':
      case 'plan':
      case 'bailout':
        this.onTapLine(tok, f);
        return;
      case 'result':
        this.onResult(tok.result, f);
        return;
      case 'program-line':
        this.onProgramLine(tok.owner, f);
        return;
      case 'run':
      case 'info':
      case 'totals':
      case 'planned-mismatch':
      case 'skipped-notice':
        this.onProgramDiagnostic(tok, f);
        return;
      case 'vm-status':
        if (run && f.level <= run.depth) run.setStatus(tok.status, this.lineNo);
        else this.handleText(f, this.ref(f), false);
        return;
      case 'text':
        this.handleText(f, this.ref(f), false);
        return;
    }
  }

  /**
   * A TAP line at `level` against the open run: deeper output inside a run that has a body is
   * nested output, not ours, and is kept as a diagnostic ('kept'); a shallower line (an outer
   * stream) or one meeting a run with nothing yet (the outer run_vmtests header before its
   * first banner) closes the run and starts a new context (null).
   */
  private alignToLevel(f: Fragment): RunBuilder | null | 'kept' {
    const run = this.run;
    const level = f.level;
    if (!run || level === run.depth) return run;
    if (level > run.depth && run.hasBody()) {
      run.addDiagnostic(this.ref(f));
      return 'kept';
    }
    this.closeRun();
    return null;
  }

  private onTapLine(tok: Extract<Token, { kind: 'version' | 'plan' | 'bailout' }>, f: Fragment): void {
    const level = f.level;
    const aligned = this.alignToLevel(f);
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
    else if (tok.kind === 'plan') {
      run.setPlan(tok.count, this.lineNo);
      if (level < PLAN_LEVELS) this.plans[level] = tok.count;
    } else run.setBailout(this.ref(f), tok.text);
  }

  private onResult(r: ResultLine, f: Fragment): void {
    let run = this.run;
    const level = f.level;
    // Only a description ending in a selftest's program name can be a wrapper's verdict on it.
    const d = r.description;
    const wrapperName = wrapperVerdictProgram(d);
    if (wrapperName !== null && (!run || level <= run.depth)) {
      if (!run) {
        run = this.openRun(level + 1, NO_WRAPPER);
        this.name(run, wrapperName, 'wrapper');
      } else if (run.program === null) {
        this.name(run, wrapperName, 'wrapper');
      }
      run.setVerdict(wrapperVerdict(r, f, this.lineNo));
      // The kselftest runner (not run_vmtests.sh) may print its own counters after its last
      // verdict (7.x); the run waits for them when they count its verdict alone, else it is out
      // at once.
      const runner = d.startsWith('selftests:') && this.isOnlyOfPlan(level, r.number);
      if (runner) this.containers.expectTrailer(level + 1);
      this.closeRun();
      if (runner) this.containers.expectTrailer(null);
      return;
    }
    if (this.containers.onVerdict(r, f)) return;
    if (run && isStray(run, r, level)) {
      run.addStray(r, f.body, this.lineNo);
      return;
    }
    const aligned = this.alignToLevel(f);
    if (aligned === 'kept') return;
    run = aligned;
    if (run && run.finished) {
      this.closeRun();
      run = null;
    }
    run ??= this.openRun(level, NO_WRAPPER);
    run.addResult(r, r.text, this.lineNo);
  }

  /**
   * Whether result `n` at `level` is the only one its stream planned (`1..1` read there): a
   * runner run for this one test, whose closing counters then count this verdict alone.
   */
  isOnlyOfPlan(level: number, n: number): boolean {
    return n === 1 && level < PLAN_LEVELS && this.plans[level] === 1;
  }

  private onProgramDiagnostic(tok: ProgramDiagnostic, f: Fragment): void {
    const level = f.level;
    // Whose diagnostic: the program's own `# ` makes it one level deeper than its TAP lines.
    // A line whose wrapper `# ` were lost (prefix-stripping CI) is accepted at the run's level.
    const depth = Math.max(0, level - 1);
    let run = this.run;
    if (run && depth !== run.depth && level !== run.depth) {
      if (run.hasBody() && !run.finished) {
        // A live run: deeper look-alikes are nested text, shallower ones console noise.
        if (depth > run.depth) run.addDiagnostic(this.ref(f));
        else run.addUnknown(this.ref(f));
        return;
      }
      // An empty or finished run: this line starts the next one at its own level.
      this.closeRun();
      run = null;
    }
    if (run) {
      // A detection line (not a note) after results: the next run's set-up.
      const newRun =
        (tok.kind === 'info' && tok.fact.kind !== 'note' && (run.hasResultsOrRunLines() || run.finished)) ||
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
      case 'info':
        run.addInfo(tok.fact, this.ref(f));
        return;
      case 'totals':
        run.setTotals(tok.counts, this.ref(f));
        return;
      case 'planned-mismatch':
        run.setPlannedMismatch(tok.planned, tok.run, this.ref(f));
        return;
      case 'skipped-notice':
        run.setSkippedNotice(tok.count, this.ref(f));
        return;
    }
  }

  /**
   * A line a selftest prints at its own level that names it (cow 6.12's `open(<path>)` exit):
   * the open run's when at its level, else the start of a run of its own.
   */
  private onProgramLine(owner: number, f: Fragment): void {
    let run = this.run;
    if (run && f.level !== run.depth) {
      this.handleText(f, this.ref(f), false);
      return;
    }
    run ??= this.openRun(f.level, NO_WRAPPER);
    run.addProgramLine(owner, this.ref(f));
  }

  /** The kept form of a fragment. */
  ref(f: Fragment): LineRef {
    return { line: this.lineNo, text: f.body };
  }

  /** Free text: a diagnostic of the run when deeper than its TAP lines, else an unknown line. */
  handleText(f: Fragment, ref: LineRef, kernel: boolean): void {
    const ik = kernel ? null : infraKind(f.body);
    if (ik !== null && !this.run) {
      const prog = infraProgram(f.body);
      if (prog !== null) {
        this.openRun(f.level, NO_WRAPPER);
        this.name(this.run, prog, 'wrapper');
      }
    }
    this.scanMarkers(f.body, ref, ik);
    const run = this.run;
    if (run) {
      if (!kernel && f.level > run.depth) {
        run.addDiagnostic(ref);
        run.eras.noteDiagnostic(f.body, ref);
      } else run.addUnknown(ref);
      return;
    }
    this.record.unknownLines.push(ref);
  }

  /** Crash and infrastructure markers in free text (`ik`: infraKind of it, already known). */
  scanMarkers(text: string, ref: LineRef, ik: ReturnType<typeof infraKind>): void {
    const ck = crashKind(text);
    const run = this.run;
    if (ck !== null) {
      if (run) run.addCrash(ck, ref);
      else this.record.crashes.push({ kind: ck, line: ref.line, text, duringSubtest: null });
    }
    if (ik !== null) {
      if (run) run.addInfra(ik, ref);
      else this.record.infra.push({ kind: ik, line: ref.line, text });
    }
  }

  // ---- run lifecycle ---------------------------------------------------------------------

  openRun(depth: number, wrapper: WrapperSource): RunBuilder {
    this.closeRun();
    // Only a banner opens a run inside run_vmtests' stream: any other run is outside it.
    if (wrapper.kind !== 'run_vmtests') this.containers.endStream();
    this.run = new RunBuilder(depth, this.lineNo, wrapper);
    return this.run;
  }

  name(run: RunBuilder | null, program: string, evidence: 'wrapper' | 'prompt'): void {
    if (!run) return;
    run.program = programName(program);
    run.evidence = evidence;
  }

  closeRun(): void {
    const run = this.run;
    if (!run) return;
    this.run = null;
    const strength = run.strength();
    if (strength === 'empty') return;
    if (strength === 'foreign') {
      this.record.otherPrograms.push({
        name: '(unidentified [RUN] lines)',
        startLine: run.startLine,
        endLine: run.endLine,
      });
      return;
    }
    this.containers.addRun(run.finalize(0), strength);
  }

  /** End of input: close what is open. */
  finish(): void {
    this.closeRun();
    this.containers.finish();
  }
}
