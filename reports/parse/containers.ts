/**
 * Wrapper structure around runs: kselftest-runner headers and run_vmtests.sh banners that open
 * a gup_longterm run, other programs' output that is skipped (gup_test, cow, …), and the
 * containers — kselftest-runner tests that run gup_longterm inside them: `run_vmtests.sh`
 * (v6.6+) and 7.x's `ksft_gup_test.sh` (itself `run_vmtests.sh -t gup_test`).
 *
 * A container's `# timeout set to N` and the runner's verdict on it (`ok 1 selftests: mm:
 * ksft_gup_test.sh`, or `not ok 1 … # TIMEOUT 900 seconds`) belong to the runs inside it, so
 * those runs are held until the container ends — at most the runs of one container, not of the
 * log — and then handed out with `wrapper.container` filled in.
 */
import type { Token } from './classify.js';
import type { Fragment } from './glue.js';
import type { RunStrength } from './run-builder.js';
import type { Router } from './router.js';
import { CONTAINER_SCRIPT, RUNNER_VERDICT_NAME, TIMEOUT_DIRECTIVE } from './patterns.js';
import type { ResultLine } from './result-line.js';
import type { ContainerInfo, LineRef, ParsedRun, WrapperVerdict } from './types.js';

interface Foreign {
  name: string;
  level: number;
  startLine: number;
  endLine: number;
}

interface OpenContainer {
  info: ContainerInfo;
  level: number;
  held: { run: ParsedRun; strength: 'strong' | 'weak' }[];
}

export class Containers {
  private foreign: Foreign | null = null;
  private container: OpenContainer | null = null;
  private pendingTimeout: { seconds: number; level: number } | null = null;
  /** Level at which runner.sh printed the last container header (stays after it ends). */
  private containerLevel: number | null = null;

  constructor(private readonly router: Router) {}

  /** Nothing open: no container, no skipped program, no pending `# timeout set to` (replay.ts). */
  idle(): boolean {
    return this.foreign === null && this.container === null && this.pendingTimeout === null;
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
    if (tok.kind === 'runner-header') this.endContainer(null);
    if (tok.kind === 'runner-header' && CONTAINER_SCRIPT.test(tok.program)) {
      // A container, not another program: gup_longterm runs inside it one level deeper.
      this.containerLevel = level;
      this.container = {
        info: { name: tok.program, header: ref, timeoutSetTo: timeout, verdict: null },
        level,
        held: [],
      };
      return;
    }
    if (!tok.gup) {
      const name = tok.kind === 'banner' ? ref.text.replace(/^running /, '') : tok.program;
      this.foreign = { name, level, startLine: router.lineNo, endLine: router.lineNo };
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
    this.endContainer(wrapperVerdict(r, f, this.router.lineNo));
    return true;
  }

  addRun(run: ParsedRun, strength: Exclude<RunStrength, 'empty' | 'foreign'>): void {
    if (this.container) this.container.held.push({ run, strength });
    else this.router.record.addRun(run, strength);
  }

  /** Close the container (with the runner's verdict when it came) and hand out its runs. */
  private endContainer(verdict: ContainerInfo['verdict']): void {
    const c = this.container;
    if (!c) return;
    this.container = null;
    c.info.verdict = verdict;
    for (const { run, strength } of c.held) {
      applyContainer(run, c.info);
      this.router.record.addRun(run, strength);
    }
  }

  /** Lines while another program's output is being skipped. True when consumed. */
  consumes(f: Fragment, tok: Token): boolean {
    const fr = this.foreign;
    if (!fr) return false;
    const router = this.router;
    if (tok.kind === 'banner' || tok.kind === 'runner-header') {
      this.endForeign();
      return false;
    }
    if (f.level >= fr.level) {
      fr.endLine = router.lineNo;
      router.scanMarkers(f.body, router.ref(f), null);
      return true;
    }
    if (tok.kind === 'result' && f.level === fr.level - 1) {
      fr.endLine = router.lineNo; // the wrapper's verdict on that program
      this.endForeign();
      return true;
    }
    if (tok.kind === 'version' || tok.kind === 'plan' || tok.kind === 'result') {
      this.endForeign();
      return false;
    }
    router.handleText(f, router.ref(f), false);
    return true;
  }

  private endForeign(): void {
    const fr = this.foreign;
    if (!fr) return;
    this.foreign = null;
    this.router.record.otherPrograms.push({ name: fr.name, startLine: fr.startLine, endLine: fr.endLine });
  }

  finish(): void {
    this.endForeign();
    this.endContainer(null);
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
