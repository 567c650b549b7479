/**
 * The state of one gup_longterm run while its lines arrive, and the ParsedRun it becomes.
 *
 * The LogParser decides *which* run a line belongs to (by nesting level); the builder only
 * records. Every list is capped so a pathological log keeps memory bounded.
 */
import { subtestIdFromRunName } from '../../cases/ids.js';
import { EraCollector } from './eras.js';
import { PROTOTYPE_RESULT, SHOULD_HAVE } from './patterns.js';
import { idFromPosition, planFits } from './positions.js';
import type { ResultLine } from './result-line.js';
import type {
  CrashKind,
  CrashMarker,
  InfraFailure,
  InfraKind,
  LineRef,
  ObservedSubtest,
  ParseIssue,
  ParseIssueCode,
  ParsedRun,
  RunEvidence,
  Totals,
  WrapperInfo,
  WrapperKind,
  WrapperVerdict,
} from './types.js';
import { emptyCounts, worstVerdict } from './verdict.js';

/** Lines kept per run (diagnostics + unknown + interleaved); the rest are only counted. */
export const MAX_KEPT_LINES = 10_000;
/** Sub-tests kept per run (gup_longterm's largest plan is 130). */
export const MAX_SUBTESTS = 10_000;
/** Issues kept per run. */
const MAX_ISSUES = 1_000;

interface PendingRun {
  name: string;
  line: number;
  diagnostics: LineRef[];
  interleaved: LineRef[];
}

/** How a finished run is classified before it is returned. */
export type RunStrength = 'strong' | 'weak' | 'foreign' | 'empty';

export interface WrapperSource {
  kind: 'run_vmtests' | 'kselftest-runner' | null;
  banner: LineRef | null;
  underKselftestRunner: boolean;
  timeoutSetTo: number | null;
}

export class RunBuilder {
  program: string | null = null;
  evidence: RunEvidence | null = null;
  endLine: number;
  finished = false;

  private tapVersion: ParsedRun['tapVersion'] = null;
  plan: ParsedRun['plan'] = null;
  private readonly sizes: number[] = [];
  private wording: ParsedRun['hugetlbWording'] = null;
  readonly subtests: ObservedSubtest[] = [];
  private droppedSubtests = 0;
  private bailout: LineRef | null = null;
  private totals: Totals | null = null;
  private plannedMismatch: ParsedRun['plannedMismatch'] = null;
  private skippedNotice: ParsedRun['skippedNotice'] = null;
  private status: WrapperInfo['status'] = null;
  private verdict: WrapperVerdict | null = null;
  private exitCode: number | null = null;
  private timedOut: WrapperInfo['timedOut'] = null;
  private readonly crashes: CrashMarker[] = [];
  private readonly infra: InfraFailure[] = [];
  private readonly diagnostics: LineRef[] = [];
  private readonly unknownLines: LineRef[] = [];
  private readonly issues: ParseIssue[] = [];
  private kept = 0;
  private dropped = 0;
  private pending: PendingRun | null = null;
  /** Diagnostics since the last result when no [RUN] line is open (excerpts, prototype). */
  private loose: LineRef[] = [];
  private lastNumber: number | null = null;
  private runNames = 0;
  private mappedRunNames = 0;
  private resultTextEvidence = false;
  readonly eras = new EraCollector();

  constructor(
    readonly depth: number,
    readonly startLine: number,
    readonly wrapper: WrapperSource,
  ) {
    this.endLine = startLine;
  }

  // ---- queries used by the LogParser to decide where a line belongs ----------------------

  /** Anything the program itself printed (not only wrapper lines). */
  hasProgramContent(): boolean {
    return (
      this.tapVersion !== null ||
      this.plan !== null ||
      this.sizes.length > 0 ||
      this.subtests.length > 0 ||
      this.pending !== null ||
      this.totals !== null ||
      this.bailout !== null ||
      this.plannedMismatch !== null
    );
  }

  /** Program content beyond a TAP version line (which an outer wrapper stream also has). */
  hasBody(): boolean {
    return (
      this.hasProgramContent() &&
      !(
        this.tapVersion !== null &&
        this.plan === null &&
        this.sizes.length === 0 &&
        this.subtests.length === 0 &&
        this.pending === null &&
        !this.finished
      )
    );
  }

  hasResultsOrRunLines(): boolean {
    return this.subtests.length > 0 || this.pending !== null || this.runNames > 0;
  }

  hasTapVersion(): boolean {
    return this.tapVersion !== null;
  }

  /** Ordinal the next sub-test will get, when one is running. */
  runningOrdinal(): number | null {
    return this.pending ? this.subtests.length + this.droppedSubtests + 1 : null;
  }

  // ---- recording ---------------------------------------------------------------------------

  touch(line: number): void {
    if (line > this.endLine) this.endLine = line;
  }

  issue(code: ParseIssueCode, line: number | null, message: string): void {
    if (this.issues.length < MAX_ISSUES) this.issues.push({ line, code, message });
  }

  private keep(list: LineRef[], ref: LineRef): void {
    if (this.kept >= MAX_KEPT_LINES) {
      this.dropped++;
      return;
    }
    this.kept++;
    list.push(ref);
  }

  setVersion(version: number, line: number): void {
    this.tapVersion ??= { version, line };
  }

  setPlan(count: number, line: number): void {
    if (this.plan === null) this.plan = { count, line };
    else this.issue('result-after-plan-end', line, `second plan 1..${count} ignored`);
  }

  addHugetlbSize(sizeKiB: number, wording: 'hugetlb size' | 'hugetlb page size', ref: LineRef) {
    this.sizes.push(sizeKiB);
    this.wording ??= wording;
    if (wording === 'hugetlb size') this.eras.note('prototype', ref);
    this.keep(this.diagnostics, ref);
  }

  addRunLine(name: string, line: number): void {
    this.closePending('missing-result');
    this.diagnostics.push(...this.loose);
    this.loose = [];
    this.runNames++;
    if (subtestIdFromRunName(name) !== undefined) this.mappedRunNames++;
    this.pending = { name, line, diagnostics: [], interleaved: [] };
  }

  /** A `# ` line of this run: a sub-test diagnostic when one is running. */
  addDiagnostic(ref: LineRef): void {
    if (this.pending) this.keep(this.pending.diagnostics, ref);
    else if (this.subtests.length > 0 || this.loose.length > 0 || this.plan !== null) {
      this.keep(this.loose, ref);
    } else this.keep(this.diagnostics, ref);
  }

  /** A run-level diagnostic that never belongs to a sub-test ([INFO] limits, trailers). */
  addRunDiagnostic(ref: LineRef): void {
    this.keep(this.diagnostics, ref);
  }

  addUnknown(ref: LineRef): void {
    if (this.pending) this.keep(this.pending.interleaved, ref);
    else this.keep(this.unknownLines, ref);
  }

  addCrash(kind: CrashKind, ref: LineRef): void {
    if (this.crashes.length < MAX_ISSUES) {
      this.crashes.push({
        kind,
        line: ref.line,
        text: ref.text,
        duringSubtest: this.runningOrdinal(),
      });
    }
  }

  addInfra(kind: InfraKind, ref: LineRef): void {
    if (this.infra.length < MAX_ISSUES) this.infra.push({ kind, line: ref.line, text: ref.text });
  }

  addResult(r: ResultLine, text: string, line: number): void {
    const p = this.pending;
    this.pending = null;
    const expected = this.lastNumber === null ? null : this.lastNumber + 1;
    if (expected !== null && r.number !== expected) {
      this.issue(
        'unexpected-number',
        line,
        `Expected test number ${expected} but found ${r.number}`,
      );
    } else if (
      expected === null &&
      r.number !== 1 &&
      (this.plan !== null || this.tapVersion !== null)
    ) {
      this.issue('unexpected-number', line, `Expected test number 1 but found ${r.number}`);
    }
    this.lastNumber = r.number;
    if (this.plan !== null && r.number > this.plan.count) {
      this.issue(
        'result-after-plan-end',
        line,
        `result ${r.number} beyond plan 1..${this.plan.count}`,
      );
    }
    const diagnostics = p ? p.diagnostics : this.loose;
    if (!p) this.loose = [];
    if (SHOULD_HAVE.test(r.description) || PROTOTYPE_RESULT.test(r.description)) {
      this.resultTextEvidence = true;
    }
    const runName = p?.name ?? null;
    const nameLike = r.description !== '' ? r.description : (r.directive?.text ?? '');
    let id: string | null = null;
    let idSource: ObservedSubtest['idSource'] = null;
    if (runName !== null) {
      id = subtestIdFromRunName(runName) ?? null;
      if (id !== null) idSource = 'run-line';
    } else {
      id = subtestIdFromRunName(nameLike) ?? null;
      if (id !== null) {
        idSource = 'result-name';
        this.resultTextEvidence = true;
      }
    }
    const isName = runName !== null ? nameLike === runName : idSource === 'result-name';
    const lastDiag = diagnostics.length > 0 ? diagnostics[diagnostics.length - 1] : undefined;
    const reason =
      !isName && r.directive !== null && r.directive.text !== ''
        ? r.directive.text
        : !isName && r.description !== ''
          ? r.description
          : (lastDiag?.text ?? null);
    this.push({
      id,
      idSource,
      ordinal: 0,
      number: r.number,
      runName,
      runLine: p?.line ?? null,
      resultText: text,
      line,
      description: r.description === '' ? null : r.description,
      directive: r.directive,
      reason,
      verdict: r.verdict,
      diagnostics,
      interleaved: p?.interleaved ?? [],
    });
  }

  private push(s: ObservedSubtest): void {
    if (this.subtests.length >= MAX_SUBTESTS) {
      this.droppedSubtests++;
      return;
    }
    s.ordinal = this.subtests.length + this.droppedSubtests + 1;
    this.subtests.push(s);
    this.eras.noteSubtest(s);
  }

  /** A [RUN] that got no result line: recorded as a 'missing' sub-test (v6.16 unknown-fs bug). */
  private closePending(code: 'missing-result'): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    this.issue(code, p.line, `[RUN] ${p.name} has no result line`);
    const id = subtestIdFromRunName(p.name) ?? null;
    const lastDiag = p.diagnostics.length > 0 ? p.diagnostics[p.diagnostics.length - 1] : undefined;
    this.push({
      id,
      idSource: id === null ? null : 'run-line',
      ordinal: 0,
      number: null,
      runName: p.name,
      runLine: p.line,
      resultText: null,
      line: p.line,
      description: null,
      directive: null,
      reason: lastDiag?.text ?? null,
      verdict: 'missing',
      diagnostics: p.diagnostics,
      interleaved: p.interleaved,
    });
  }

  setBailout(ref: LineRef): void {
    this.bailout ??= ref;
    this.finished = true;
  }

  setTotals(c: readonly number[], ref: LineRef): void {
    const n = (i: number): number => c[i] ?? 0;
    this.totals ??= {
      pass: n(0),
      fail: n(1),
      xfail: n(2),
      xpass: n(3),
      skip: n(4),
      error: n(5),
      line: ref.line,
    };
    this.keep(this.diagnostics, ref);
    this.finished = true;
  }

  setPlannedMismatch(planned: number, run: number, ref: LineRef): void {
    this.plannedMismatch ??= { planned, run, line: ref.line };
    this.keep(this.diagnostics, ref);
    this.finished = true;
  }

  setSkippedNotice(count: number, ref: LineRef): void {
    this.skippedNotice ??= { count, line: ref.line };
    this.eras.note('kselftest-v6.14+', ref);
    this.keep(this.diagnostics, ref);
  }

  setStatus(status: 'PASS' | 'FAIL' | 'SKIP', line: number): void {
    this.status ??= { status, line };
  }

  setVerdict(v: WrapperVerdict): void {
    this.verdict = v;
    const d = v.directive ?? '';
    const exit = /^exit=(-?\d+)/.exec(d);
    if (exit) this.exitCode = Number(exit[1]);
    const to = /^TIMEOUT(?:\s+(\d+)\s*seconds?)?/i.exec(d);
    if (to) {
      this.timedOut = { seconds: to[1] === undefined ? null : Number(to[1]), line: v.line };
      this.addInfra('timeout', { line: v.line, text: v.text });
    }
    if (this.exitCode === 127) this.addInfra('exit-127', { line: v.line, text: v.text });
  }

  // ---- the result --------------------------------------------------------------------------

  strength(): RunStrength {
    this.evidence = this.computeEvidence();
    if (this.evidence === null) return this.runNames > 0 ? 'foreign' : 'empty';
    if (this.evidence !== 'weak') return 'strong';
    const content =
      this.subtests.length > 0 ||
      this.pending !== null ||
      this.totals !== null ||
      this.plannedMismatch !== null ||
      this.bailout !== null ||
      this.sizes.length > 0 ||
      this.infra.length > 0;
    return content ? 'weak' : 'empty';
  }

  private computeEvidence(): RunEvidence | null {
    if (this.program !== null && this.evidence !== null) return this.evidence;
    if (this.mappedRunNames > 0) return 'run-lines';
    // [RUN] lines that are not gup_longterm's (cow prints look-alikes): another program.
    if (this.runNames > 0) return null;
    if (this.resultTextEvidence) return 'result-text';
    return 'weak';
  }

  finalize(index: number): ParsedRun {
    if (this.pending) {
      // The output stopped inside a sub-test: it never reported (crash, kill, excerpt end).
      this.closePending('missing-result');
    }
    this.diagnostics.push(...this.loose);
    this.loose = [];
    if (this.evidence === null) this.evidence = this.computeEvidence() ?? 'weak';

    this.assignPositionIds();
    this.checkDuplicates();

    const counts = emptyCounts();
    for (const s of this.subtests) counts[s.verdict]++;
    const reported = this.subtests.length - counts.missing + this.droppedSubtests;
    const trailer = this.totals !== null || this.bailout !== null || this.plannedMismatch !== null;
    const endedEarly = this.plan !== null && reported < this.plan.count && !trailer;
    if (endedEarly && this.plan !== null) {
      this.issue('ended-early', this.endLine, `${reported} of ${this.plan.count} planned results`);
      this.crashes.push({
        kind: 'ended-before-plan',
        line: this.endLine,
        text: `output ended after ${reported} of ${this.plan.count} planned results`,
        duringSubtest: null,
      });
    }
    if (this.totals !== null && this.subtests.length > 0) this.checkTotals(counts);
    if (this.dropped > 0) this.issue('dropped-lines', null, `${this.dropped} lines not kept`);

    return {
      index,
      program: this.program,
      evidence: this.evidence,
      startLine: this.startLine,
      endLine: this.endLine,
      depth: this.depth,
      tapVersion: this.tapVersion,
      plan: this.plan,
      hugetlbSizesKiB: [...this.sizes],
      hugetlbWording: this.wording,
      subtests: this.subtests,
      bailout: this.bailout,
      totals: this.totals,
      plannedMismatch: this.plannedMismatch,
      skippedNotice: this.skippedNotice,
      counts,
      worst: worstVerdict(this.subtests.map((s) => s.verdict)),
      wrapper: this.wrapperInfo(),
      eras: this.eras.hints(),
      crashes: this.crashes,
      infrastructure: this.infra,
      endedEarly,
      diagnostics: this.diagnostics,
      unknownLines: this.unknownLines,
      droppedLines: this.dropped,
      issues: this.issues,
    };
  }

  /** Sizes are known when [INFO] lines were printed, or when a TAP header shows none were. */
  private sizesKnown(): boolean {
    if (this.sizes.length > 0) return true;
    return this.tapVersion !== null && this.plan !== null && planFits(this.plan.count, []);
  }

  private assignPositionIds(): void {
    if (!this.sizesKnown()) return;
    const plan = this.plan?.count ?? null;
    for (const s of this.subtests) {
      if (s.id !== null || s.runName !== null || s.number === null) continue;
      const id = idFromPosition(s.number, this.sizes, plan);
      if (id !== null) {
        s.id = id;
        s.idSource = 'plan-position';
      }
    }
  }

  private checkDuplicates(): void {
    const seen = new Set<string>();
    for (const s of this.subtests) {
      if (s.id === null) continue;
      if (seen.has(s.id)) this.issue('duplicate-id', s.line, `sub-test id ${s.id} seen twice`);
      seen.add(s.id);
    }
  }

  private checkTotals(counts: ReturnType<typeof emptyCounts>): void {
    const t = this.totals;
    if (t === null) return;
    const keys = ['pass', 'fail', 'xfail', 'xpass', 'skip', 'error'] as const;
    const diff = keys.filter((k) => t[k] !== counts[k]);
    if (diff.length > 0) {
      this.issue(
        'totals-mismatch',
        t.line,
        `Totals disagree with the results read: ${diff.map((k) => `${k} ${t[k]} vs ${counts[k]}`).join(', ')}`,
      );
    }
  }

  private wrapperInfo(): WrapperInfo {
    const w = this.wrapper;
    let kind: WrapperKind;
    let under = w.underKselftestRunner;
    if (w.kind === 'kselftest-runner') {
      kind = 'kselftest-runner';
      under = true;
    } else if (w.kind === 'run_vmtests') {
      const tapVerdict = this.verdict !== null;
      if (tapVerdict || this.depth >= 2) kind = 'run_vmtests-tap';
      else if (this.depth === 0) kind = 'run_vmtests-pre-tap';
      else kind = under ? 'run_vmtests-pre-tap' : 'run_vmtests-tap';
      if (this.depth >= 2 || (kind === 'run_vmtests-pre-tap' && this.depth >= 1)) under = true;
    } else if (this.verdict !== null) {
      // Only the verdict line survived (an excerpt): its name says which wrapper.
      kind = this.verdict.name.startsWith('selftests:') ? 'kselftest-runner' : 'run_vmtests-tap';
    } else {
      kind = this.depth > 0 ? 'unknown-nested' : 'none';
    }
    return {
      kind,
      underKselftestRunner: under,
      nesting: this.depth,
      banner: w.banner,
      status: this.status,
      verdict: this.verdict,
      exitCode: this.exitCode,
      timeoutSetTo: w.timeoutSetTo,
      timedOut: this.timedOut,
    };
  }
}
