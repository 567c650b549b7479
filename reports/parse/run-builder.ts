/**
 * The state of one selftest run while its lines arrive.
 *
 * The Router decides *which* run a line belongs to (by nesting level); the builder only
 * records. How a result line becomes an ObservedSubtest is in subtests.ts, how the finished
 * state becomes a ParsedRun in run-finalize.ts; both read the fields below, which is why they
 * are not private. Every list is capped (limits.ts) and every cap counts what it dropped.
 */
import { PLUGINS, pluginOfProgram } from '../../cases/selftests/index.js';
import { DEFAULT_SELFTEST, type SelftestName } from '../../cases/selftests/names.js';
import { EraCollector } from './eras.js';
import { detach } from './lines.js';
import { CappedList, MAX_KEPT_LINES, MAX_RUN_ISSUES, MAX_SUBTESTS } from './limits.js';
import type { ResultLine } from './result-line.js';
import { finalizeRun } from './run-finalize.js';
import { isGroupHeader } from './selftests.js';
import { strayResult } from './strays.js';
import { internDiagnostic, missingSubtest, observedSubtest, runNameIdAt, type PendingRun } from './subtests.js';
import type {
  CrashKind,
  CrashMarker,
  InfoFact,
  InfraFailure,
  InfraKind,
  LineRef,
  ObservedSubtest,
  ParseIssue,
  ParseIssueCode,
  ParsedRun,
  RunEvidence,
  RunFacts,
  Totals,
  WrapperInfo,
  WrapperVerdict,
} from './types.js';

/** How a finished run is classified before it is returned. */
export type RunStrength = 'strong' | 'weak' | 'foreign' | 'empty';

/** What the wrapper lines around a run said before its program started. */
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
  /** The program printed its trailer (Totals, Bail out!, planned mismatch). */
  finished = false;

  tapVersion: ParsedRun['tapVersion'] = null;
  plan: ParsedRun['plan'] = null;
  /** What the run's [INFO] lines said (ParsedRun.facts). */
  readonly facts: RunFacts = {
    hugetlbSizesKiB: [],
    hugetlbWording: null,
    pmdSizeKiB: null,
    thpSizesKiB: [],
    hugeZeropage: false,
    infoBeforeHeader: false,
  };
  /** Lines a selftest's plug-in names as its own, at the program's level (ParsedRun.programLines). */
  readonly programLines: LineRef[] = [];
  readonly subtests: ObservedSubtest[] = [];
  droppedSubtests = 0;
  /**
   * Result lines of this run seen outside its own sequence (another `# ` level, after its
   * trailer): each still counts (run-finalize.ts gives it its sub-test). Capped.
   */
  readonly strays = new CappedList<ObservedSubtest>(MAX_RUN_ISSUES);
  bailout: LineRef | null = null;
  readonly bailouts = new CappedList<LineRef>(MAX_RUN_ISSUES);
  totals: Totals | null = null;
  readonly totalsLines = new CappedList<Totals>(MAX_RUN_ISSUES);
  plannedMismatch: ParsedRun['plannedMismatch'] = null;
  skippedNotice: ParsedRun['skippedNotice'] = null;
  status: WrapperInfo['status'] = null;
  verdict: WrapperVerdict | null = null;
  exitCode: number | null = null;
  timedOut: WrapperInfo['timedOut'] = null;
  readonly crashes = new CappedList<CrashMarker>(MAX_RUN_ISSUES);
  readonly infra = new CappedList<InfraFailure>(MAX_RUN_ISSUES);
  readonly issues = new CappedList<ParseIssue>(MAX_RUN_ISSUES);
  readonly diagnostics: LineRef[] = [];
  readonly unknownLines: LineRef[] = [];
  /** Lines kept in any list of this run, and lines only counted once MAX_KEPT_LINES was hit. */
  kept = 0;
  dropped = 0;
  /** The [RUN] line whose result has not arrived yet. */
  pending: PendingRun | null = null;
  /** Diagnostics since the last result when no [RUN] line is open (excerpts, prototype). */
  loose: LineRef[] = [];
  lastNumber: number | null = null;
  /** [RUN] lines read (a group header is none), and how many some plug-in's id scheme took. */
  runNames = 0;
  mappedRunNames = 0;
  /** Per plug-in (PLUGINS order): [RUN] names its scheme mapped, result texts only it prints, program lines. */
  readonly mapped: number[] = PLUGINS.map(() => 0);
  readonly textEvidence: boolean[] = PLUGINS.map(() => false);
  programLineOwner = -1;
  readonly eras = new EraCollector();

  constructor(
    readonly depth: number,
    readonly startLine: number,
    readonly wrapper: WrapperSource,
  ) {
    this.endLine = startLine;
  }

  // ---- queries used by the Router to decide where a line belongs -------------------------

  /** An [INFO] line gave a machine fact. */
  hasFacts(): boolean {
    const f = this.facts;
    return f.hugetlbSizesKiB.length > 0 || f.pmdSizeKiB !== null || f.thpSizesKiB.length > 0 || f.hugeZeropage;
  }

  /** Anything the program itself printed (not only wrapper lines). */
  hasProgramContent(): boolean {
    return (
      this.tapVersion !== null ||
      this.plan !== null ||
      this.hasFacts() ||
      this.programLines.length > 0 ||
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
        !this.hasFacts() &&
        this.programLines.length === 0 &&
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
    this.issues.push({ line, code, message });
  }

  /** Keep a line in one of this run's lists, or count it once the run holds MAX_KEPT_LINES. */
  keep(list: LineRef[], ref: LineRef): void {
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

  /** An [INFO] line of a selftest's vocabulary: the machine fact it carries. */
  addInfo(fact: InfoFact, ref: LineRef): void {
    const f = this.facts;
    switch (fact.kind) {
      case 'hugetlb-size':
        f.hugetlbSizesKiB.push(fact.sizeKiB);
        f.hugetlbWording ??= fact.wording;
        break;
      case 'pmd-size':
        f.pmdSizeKiB ??= fact.sizeKiB;
        break;
      case 'thp-size':
        f.thpSizesKiB.push(fact.sizeKiB);
        break;
      case 'huge-zeropage':
        f.hugeZeropage = true;
        break;
      case 'note':
        this.addRunDiagnostic(ref);
        return;
    }
    if (this.tapVersion === null) f.infoBeforeHeader = true;
    this.eras.noteFact(fact, ref);
    this.keep(this.diagnostics, ref);
  }

  /** The PMD size unsized THP names stand for: the one the run printed (before v6.8, as its THP size). */
  pmdKiB(): number {
    return this.facts.pmdSizeKiB ?? this.facts.thpSizesKiB[0] ?? 2048;
  }

  /** A line a plug-in names as its program's own (`owner`: its index in PLUGINS). */
  addProgramLine(owner: number, ref: LineRef): void {
    if (this.programLineOwner < 0) this.programLineOwner = owner;
    this.programLines.push(ref);
    this.keep(this.diagnostics, ref);
  }

  /** A result description or skip reason only one plug-in's test prints: it names the run's test. */
  noteResultText(description: string, directive: string): void {
    for (let i = 0; i < PLUGINS.length; i++) {
      if (!this.textEvidence[i] && PLUGINS[i]!.vocabulary.namesTest(description, directive)) this.textEvidence[i] = true;
    }
  }

  addRunLine(name: string, line: number): void {
    this.closePending();
    for (const l of this.loose) this.diagnostics.push(l);
    this.loose = [];
    if (isGroupHeader(name)) {
      // A [RUN] line that heads a group of sub-tests (cow's non-anonymous tests): no sub-test.
      this.addRunDiagnostic({ line, text: `[RUN] ${detach(name)}` });
      return;
    }
    const p: PendingRun = { name, id: null, owner: -1, line, diagnostics: [], interleaved: [] };
    runNameIdAt(name, this.runNames, p, this.pmdKiB());
    this.runNames++;
    // A name cut short (a console message glued into the line) is still its test's.
    let owner = p.owner;
    if (p.id === null) owner = PLUGINS.findIndex((pl) => pl.ids.isRunNameStart(name));
    if (owner >= 0) {
      this.mappedRunNames++;
      this.mapped[owner]!++;
    }
    this.pending = p;
  }

  /** A `# ` line of this run: a sub-test diagnostic when one is running. */
  addDiagnostic(ref: LineRef): void {
    const p = this.pending;
    if (p) {
      ref.text = internDiagnostic(ref.text, this.subtests.length, p.diagnostics.length);
      this.keep(p.diagnostics, ref);
    }
    else if (this.subtests.length > 0 || this.loose.length > 0 || this.plan !== null) {
      // Loose lines become the next result's diagnostics: detached like interned ones, so a
      // cached diff signature (reports/diff/run-key.ts) never pins the input chunk.
      ref.text = detach(ref.text);
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
    this.crashes.push({ kind, line: ref.line, text: ref.text, duringSubtest: this.runningOrdinal() });
  }

  addInfra(kind: InfraKind, ref: LineRef): void {
    this.infra.push({ kind, line: ref.line, text: ref.text });
  }

  addResult(r: ResultLine, text: string, line: number): void {
    this.pushSubtest(observedSubtest(this, r, text, line));
  }

  /** A result line of this run outside its own sequence (strayResult()). */
  addStray(r: Readonly<ResultLine>, text: string, line: number): void {
    this.touch(line);
    this.strays.push(strayResult(r, text, line));
  }

  pushSubtest(s: ObservedSubtest): void {
    if (this.subtests.length >= MAX_SUBTESTS) {
      this.droppedSubtests++;
      return;
    }
    s.ordinal = this.subtests.length + this.droppedSubtests + 1;
    this.subtests.push(s);
    this.eras.noteSubtest(s);
  }

  /** A [RUN] that got no result line: recorded as a 'missing' sub-test (v6.16 unknown-fs bug). */
  closePending(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    this.issue('missing-result', p.line, `[RUN] ${p.name} has no result line`);
    this.pushSubtest(missingSubtest(p));
  }

  setBailout(ref: LineRef, text: string): void {
    // A bail-out only one test prints names the run's test (cow's THP sysfs writes).
    for (let i = 0; i < PLUGINS.length; i++) if (PLUGINS[i]!.vocabulary.namesBailout(text)) this.textEvidence[i] = true;
    this.bailout ??= ref;
    this.bailouts.push(ref);
    this.finished = true;
  }

  setTotals(c: readonly number[], ref: LineRef): void {
    const n = (i: number): number => c[i] ?? 0;
    const t: Totals = {
      pass: n(0),
      fail: n(1),
      xfail: n(2),
      xpass: n(3),
      skip: n(4),
      error: n(5),
      line: ref.line,
    };
    this.totals ??= t;
    this.totalsLines.push(t);
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
      this.strays.length > 0 ||
      this.hasFacts() ||
      this.infra.length > 0;
    return content ? 'weak' : 'empty';
  }

  computeEvidence(): RunEvidence | null {
    if (this.program !== null && this.evidence !== null) return this.evidence;
    if (this.mappedRunNames > 0) return 'run-lines';
    // [RUN] lines no selftest's scheme maps (ksm_tests, another test): another program.
    if (this.runNames > 0) return null;
    if (this.textEvidence.includes(true)) return 'result-text';
    if (this.programLines.length > 0) return 'program-line';
    return 'weak';
  }

  /**
   * Which selftest the run is of: the one its runner or prompt names, else the one most of its
   * [RUN] names are of, else the one its result texts or program lines name; gup_longterm when
   * nothing does (a weak run, read as gupsim always read them).
   */
  selftest(): SelftestName {
    if (this.program !== null) {
      const p = pluginOfProgram(this.program);
      if (p) return p.name;
    }
    let best = -1;
    for (let i = 0; i < PLUGINS.length; i++) if (this.mapped[i]! > 0 && (best < 0 || this.mapped[i]! > this.mapped[best]!)) best = i;
    if (best < 0) best = this.textEvidence.indexOf(true);
    if (best < 0) best = this.programLineOwner;
    return PLUGINS[best]?.name ?? DEFAULT_SELFTEST;
  }

  finalize(index: number): ParsedRun {
    return finalizeRun(this, index);
  }
}
