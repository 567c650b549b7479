/**
 * Wrapper structure around runs: kselftest-runner headers and run_vmtests.sh banners that open
 * a selftest's run (gup_longterm, cow: ./selftests.ts), other programs' output that is skipped
 * (gup_test, ksm_tests, …), and the containers — kselftest-runner tests that run selftests
 * inside them: `run_vmtests.sh` (v6.6+) and 7.x's `ksft_<category>.sh` (`ksft_gup_test.sh`,
 * `ksft_cow.sh`: `run_vmtests.sh -t <category>`).
 *
 * What the wrappers say about a run belongs to it, so runs are held until their wrappers have
 * said it — at most the runs of one container or stream, not of the log:
 *  - the run_vmtests.sh stream (streams.ts): the sibling programs before a run (gup_longterm's
 *    gup_test), each program's status and the closing `SUMMARY:` line (`wrapper.stream`);
 *  - a container's `# timeout set to N` and the runner's verdict on it (`ok 1 selftests: mm:
 *    ksft_gup_test.sh`, or `not ok 1 … # TIMEOUT 900 seconds`) (`wrapper.container`);
 *  - the kselftest runner's own `# Totals:` after its verdict (7.x) (`wrapper.runnerTotals`).
 */
import type { Token } from './classify.js';
import type { Fragment } from './glue.js';
import type { RunStrength } from './run-builder.js';
import type { Router } from './router.js';
import { RUNNER_VERDICT_NAME, TIMEOUT_DIRECTIVE } from './patterns.js';
import { isContainer, isSibling } from './selftests.js';
import type { ResultLine } from './result-line.js';
import { newProgram, noteProgramLine, noteProgramMessage, VmStream, type Program } from './streams.js';
import type { ContainerInfo, LineRef, ParsedRun, WrapperVerdict } from './types.js';

type Held = { run: ParsedRun; strength: 'strong' | 'weak' };

interface OpenContainer {
  info: ContainerInfo;
  level: number;
  held: Held[];
}

/** Runs whose runner verdict was read; the runner's counter lines at `level` may follow. */
interface Tail {
  level: number;
  held: Held[];
}

export class Containers {
  private foreign: Program | null = null;
  private container: OpenContainer | null = null;
  private stream: VmStream | null = null;
  private tail: Tail | null = null;
  /** Set while a run closed by a kselftest runner's verdict is handed out (expectTrailer()). */
  private trailerLevel: number | null = null;
  private pendingTimeout: { seconds: number; level: number } | null = null;
  /** Level at which runner.sh printed the last container header (stays after it ends). */
  private containerLevel: number | null = null;

  constructor(private readonly router: Router) {}

  /** Nothing open: no container, no skipped program, no pending `# timeout set to` (replay.ts). */
  idle(): boolean {
    return (
      this.foreign === null &&
      this.container === null &&
      this.pendingTimeout === null &&
      this.stream === null &&
      this.tail === null
    );
  }

  noteTimeout(seconds: number, level: number): void {
    this.pendingTimeout = { seconds, level };
  }

  onHeader(tok: Extract<Token, { kind: 'banner' | 'runner-header' }>, level: number, ref: LineRef): void {
    const router = this.router;
    router.closeRun();
    this.endForeign();
    const timeout =
      this.pendingTimeout && this.pendingTimeout.level === level ? this.pendingTimeout.seconds : null;
    this.pendingTimeout = null;
    if (tok.kind === 'runner-header') {
      this.endStream();
      this.endContainer(null);
    } else {
      // A banner: a program of run_vmtests' stream at this level (the stream goes on to its
      // SUMMARY, whose counts are all its programs').
      const s = this.stream;
      if (s && s.level !== level) this.endStream();
      this.stream ??= new VmStream(level);
    }
    if (tok.kind === 'runner-header' && isContainer(tok.program)) {
      // A container, not another program: the selftest runs inside it one level deeper.
      this.containerLevel = level;
      this.container = {
        info: { name: tok.program, header: ref, timeoutSetTo: timeout, verdict: null },
        level,
        held: [],
      };
      return;
    }
    if (tok.selftest === null) {
      const name = tok.kind === 'banner' ? ref.text.replace(/^running /, '') : tok.program;
      const sibling = tok.kind === 'banner' && isSibling(tok.program);
      this.foreign = newProgram(name, level, router.lineNo, sibling);
      return;
    }
    const wrapper =
      tok.kind === 'banner'
        ? {
            kind: 'run_vmtests' as const,
            banner: ref,
            underKselftestRunner: this.containerLevel === level || level >= 2,
            timeoutSetTo: null,
          }
        : {
            kind: 'kselftest-runner' as const,
            banner: ref,
            underKselftestRunner: true,
            timeoutSetTo: timeout,
          };
    router.openRun(level, wrapper);
    router.name(router.run, tok.program, 'wrapper');
  }

  /** The runner's verdict on the open container: true when `r` was it. */
  onVerdict(r: ResultLine, f: Fragment): boolean {
    const c = this.container;
    if (!c || f.level !== c.level - 1) return false;
    const m = RUNNER_VERDICT_NAME.exec(r.description);
    if (!m || m[1] !== c.info.name) return false;
    this.router.closeRun();
    this.endForeign();
    this.endStream();
    this.endContainer(
      wrapperVerdict(r, f, this.router.lineNo),
      this.router.isOnlyOfPlan(f.level, r.number),
    );
    return true;
  }

  /** run_vmtests' closing `SUMMARY:` line: it ends the stream (and the run a pre-TAP stream left open). */
  onSummary(tok: Extract<Token, { kind: 'vm-summary' }>, level: number, ref: LineRef): void {
    this.router.closeRun();
    this.endForeign();
    const s = this.stream;
    if (!s || s.level !== level) return;
    s.summarize(tok, ref.line, ref.text);
    this.endStream();
  }

  /**
   * The run about to be closed got a kselftest runner's verdict (`level`: the runner's `# `
   * lines after it), or null once it was handed out.
   */
  expectTrailer(level: number | null): void {
    this.trailerLevel = level;
  }

  addRun(run: ParsedRun, strength: Exclude<RunStrength, 'empty' | 'foreign'>): void {
    const s = this.stream;
    if (s && run.wrapper.banner !== null && run.depth === s.level) {
      s.addRun(run, strength);
      return;
    }
    this.endStream();
    this.route(run, strength);
  }

  /** A run whose stream (if any) ended: to its container, to the trailer wait, or out. */
  private route(run: ParsedRun, strength: 'strong' | 'weak'): void {
    if (this.container) this.container.held.push({ run, strength });
    else if (this.trailerLevel !== null) {
      if (this.tail && this.tail.level === this.trailerLevel)
        this.tail.held.push({ run, strength });
      else this.holdTail(this.trailerLevel, [{ run, strength }]);
    } else this.router.record.addRun(run, strength);
  }

  private holdTail(level: number, held: Held[]): void {
    this.flushTail();
    this.tail = { level, held };
  }

  /** End the run_vmtests stream: its runs get its record and go on. */
  endStream(): void {
    const s = this.stream;
    if (!s) return;
    this.stream = null;
    for (const h of s.held) {
      h.run.wrapper.stream = s.info(h);
      this.route(h.run, h.strength);
    }
  }

  /**
   * A line after a runner verdict: the runner's own counter lines (ktap_helpers.sh's
   * `# Totals:`, its skipped-test notice) are the trailer of the runs held; anything else
   * hands them out. True when the line was the trailer's.
   */
  trailer(f: Fragment | null, tok: Token | null): boolean {
    const t = this.tail;
    if (!t) return false;
    if (f !== null && tok !== null && f.level === t.level) {
      if (tok.kind === 'totals') {
        const [pass, fail, xfail, xpass, skip, error] = tok.counts;
        const line = this.router.lineNo;
        for (const { run } of t.held)
          run.wrapper.runnerTotals ??= { pass, fail, xfail, xpass, skip, error, line };
        return true;
      }
      if (tok.kind === 'skipped-notice') return true;
    }
    this.flushTail();
    return false;
  }

  private flushTail(): void {
    const t = this.tail;
    if (!t) return;
    this.tail = null;
    for (const { run, strength } of t.held) this.router.record.addRun(run, strength);
  }

  /** Close the container (with the runner's verdict when it came) and hand out its runs. */
  private endContainer(verdict: ContainerInfo['verdict'], last = false): void {
    const c = this.container;
    if (!c) return;
    this.container = null;
    c.info.verdict = verdict;
    for (const { run } of c.held) applyContainer(run, c.info);
    // The runner's counters follow its verdict (7.x), at the header's level: this one's alone
    // when the runner ran this one test.
    if (verdict !== null && last && c.held.length > 0) this.holdTail(c.level, c.held);
    else for (const { run, strength } of c.held) this.router.record.addRun(run, strength);
  }

  /** Lines while another program's output is being skipped. True when consumed. */
  consumes(f: Fragment, tok: Token): boolean {
    const fr = this.foreign;
    if (!fr) return false;
    const router = this.router;
    if (tok.kind === 'banner' || tok.kind === 'runner-header' || tok.kind === 'vm-summary') {
      this.endForeign();
      return false;
    }
    if (f.level >= fr.level) {
      fr.endLine = router.lineNo;
      if (f.level === fr.level) noteProgramLine(fr, tok);
      else if (f.level === fr.level + 1) noteProgramMessage(fr, f.body);
      router.scanMarkers(f.body, router.ref(f), null);
      return true;
    }
    if (tok.kind === 'result' && f.level === fr.level - 1) {
      fr.endLine = router.lineNo; // the wrapper's verdict on that program
      this.endForeign(wrapperVerdict(tok.result, f, router.lineNo));
      return true;
    }
    if (tok.kind === 'version' || tok.kind === 'plan' || tok.kind === 'result') {
      this.endForeign();
      return false;
    }
    router.handleText(f, router.ref(f), false);
    return true;
  }

  private endForeign(verdict: WrapperVerdict | null = null): void {
    const fr = this.foreign;
    if (!fr) return;
    this.foreign = null;
    this.router.record.otherPrograms.push({
      name: fr.name,
      startLine: fr.startLine,
      endLine: fr.endLine,
    });
    if (this.stream && this.stream.level === fr.level) this.stream.addProgram(fr, verdict);
  }

  finish(): void {
    this.endForeign();
    this.endStream();
    this.endContainer(null);
    this.flushTail();
  }
}

/**
 * The container's facts on a run inside it. Its timeout is the runner's limit on the run too;
 * a TIMEOUT verdict on a run that got no verdict of its own (it was cut) is an infrastructure
 * failure of that run — the runner killed it — not a crash of the kernel.
 */
function applyContainer(run: ParsedRun, info: ContainerInfo): void {
  const w = run.wrapper;
  w.container = info;
  w.underKselftestRunner = true;
  w.timeoutSetTo ??= info.timeoutSetTo;
  const v = info.verdict;
  if (!v || w.verdict !== null || w.timedOut !== null) return;
  const to = TIMEOUT_DIRECTIVE.exec(v.directive ?? '');
  if (!to) return;
  w.timedOut = { seconds: to[1] === undefined ? null : Number(to[1]), line: v.line };
  run.infrastructure.push({ kind: 'timeout', line: v.line, text: v.text });
}

/** The directive exactly as printed (`exit=1`, `TIMEOUT 45 seconds`), for wrapper verdicts. */
function rawDirective(body: string): string | null {
  const i = body.search(/\s#\s/);
  return i < 0 ? null : body.slice(i + 3).trim();
}

/** A wrapper's or the runner's verdict line (`not ok 1 selftests: mm: … # exit=1`) at `line`. */
export function wrapperVerdict(r: ResultLine, f: Fragment, line: number): WrapperVerdict {
  return { ok: r.ok, number: r.number, name: r.description, directive: rawDirective(f.body), line, text: f.body };
}
