/**
 * What a run_vmtests.sh stream says around the selftest runs in it: the programs it ran (each
 * a banner, its output, a `[PASS]`/`[FAIL]`/`[SKIP]` status and, v6.8+, an `ok N <program>`
 * TAP line), which of them are a run's siblings in its category (gup_longterm's `gup_test -u`,
 * …), and the closing `SUMMARY: PASS=… SKIP=… FAIL=…`, which counts every program of the
 * stream — `run_vmtests.sh -t "gup_test cow"` runs gup_longterm and cow in one. The stream is
 * read here; containers.ts decides when it opens and ends, and hands the runs inside it out
 * with this record.
 */
import { selftestPlugin } from '../../cases/selftests/index.js';
import type { Token } from './classify.js';
import type { ParsedRun, RunnerStream, SiblingProgram, WrapperVerdict } from './types.js';

/** Siblings kept per stream (run_vmtests' RUN_ALL gup matrix runs 180 gup_test commands). */
const MAX_SIBLINGS = 256;

/** A program of the stream that is no selftest's run: its span and what it said. */
export interface Program {
  name: string;
  level: number;
  startLine: number;
  endLine: number;
  status: SiblingProgram['status'];
  /** The sibling record (a program some selftest's category runs before it, e.g. gup_test); null for any other. */
  sibling: SiblingProgram | null;
}

export function newProgram(name: string, level: number, line: number, sibling: boolean): Program {
  return {
    name,
    level,
    startLine: line,
    endLine: line,
    status: null,
    sibling: sibling
      ? {
          command: name,
          line,
          status: null,
          verdict: null,
          counts: { pass: 0, fail: 0, xfail: 0, xpass: 0, skip: 0, error: 0 },
          bailout: null,
          message: null,
        }
      : null,
  };
}

/** A line of the program at its own level: its status, and a sibling's own results. */
export function noteProgramLine(p: Program, tok: Token): void {
  if (tok.kind === 'vm-status') {
    p.status ??= tok.status;
    return;
  }
  const s = p.sibling;
  if (s === null) return;
  if (tok.kind === 'result')
    s.counts[tok.result.verdict === 'missing' ? 'error' : tok.result.verdict]++;
  else if (tok.kind === 'bailout') s.bailout ??= tok.text;
}

/** A diagnostic line of the program's own (`# # <text>` below its banner): a sibling keeps its first. */
export function noteProgramMessage(p: Program, body: string): void {
  const s = p.sibling;
  if (s !== null && s.message === null && body !== '') s.message = body;
}

interface HeldRun {
  run: ParsedRun;
  strength: 'strong' | 'weak';
  siblings: SiblingProgram[];
  droppedSiblings: number;
}

/** The run_vmtests.sh stream around selftest runs while it is being read. */
export class VmStream {
  private readonly statuses = { pass: 0, skip: 0, fail: 0, none: 0 };
  private others = 0;
  private summary: RunnerStream['summary'] = null;
  /** Sibling programs since the stream's last run (capped; `pendingDropped` counts the rest). */
  private pending: SiblingProgram[] = [];
  private pendingDropped = 0;
  /** Runs of the stream, held until it ends (its SUMMARY counts every program). */
  readonly held: HeldRun[] = [];

  /** `level`: the `# ` level of the stream's banners. */
  constructor(readonly level: number) {}

  private count(status: SiblingProgram['status']): void {
    const s = this.statuses;
    if (status === 'PASS') s.pass++;
    else if (status === 'SKIP') s.skip++;
    else if (status === 'FAIL') s.fail++;
    else s.none++;
  }

  /** Another program ended (its TAP verdict, when run_vmtests printed one, is `verdict`). */
  addProgram(p: Program, verdict: WrapperVerdict | null): void {
    this.count(p.status);
    const s = p.sibling;
    if (s === null) {
      this.others++;
      return;
    }
    s.status = p.status;
    s.verdict = verdict;
    if (this.pending.length < MAX_SIBLINGS) this.pending.push(s);
    else this.pendingDropped++;
  }

  /** A selftest run of the stream ended: the siblings before it of its own category are its. */
  addRun(run: ParsedRun, strength: 'strong' | 'weak'): void {
    this.count(run.wrapper.status?.status ?? null);
    const pattern = selftestPlugin(run.test).runners.siblings;
    const mine = pattern === null ? [] : this.pending.filter((s) => pattern.test(s.command.split(' ')[0] ?? ''));
    this.others += this.pending.length - mine.length;
    this.held.push({ run, strength, siblings: mine, droppedSiblings: mine.length > 0 ? this.pendingDropped : 0 });
    this.pending = [];
    this.pendingDropped = 0;
  }

  summarize(tok: Extract<Token, { kind: 'vm-summary' }>, line: number, text: string): void {
    this.summary = { pass: tok.pass, skip: tok.skip, fail: tok.fail, line, text };
  }

  /** What a held run's record says of the stream, once it ended. */
  info(h: HeldRun): RunnerStream {
    return {
      siblings: h.siblings,
      droppedSiblings: h.droppedSiblings,
      statuses: this.statuses,
      others: this.others,
      summary: this.summary,
    };
  }
}
