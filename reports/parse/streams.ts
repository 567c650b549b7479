/**
 * What a run_vmtests.sh stream says around gup_longterm: the programs it ran (each a banner,
 * its output, a `[PASS]`/`[FAIL]`/`[SKIP]` status and, v6.8+, an `ok N <program>` TAP line),
 * which of them are gup_longterm's siblings in the gup_test category (`gup_test -u`, …), and
 * the closing `SUMMARY: PASS=… SKIP=… FAIL=…`. The stream is read here; containers.ts decides
 * when it opens and ends, and hands the gup_longterm run inside it out with this record.
 */
import type { Token } from './classify.js';
import type { ParsedRun, RunnerStream, SiblingProgram, WrapperVerdict } from './types.js';

/** Siblings kept per stream (run_vmtests' RUN_ALL gup matrix runs 180 gup_test commands). */
const MAX_SIBLINGS = 256;

/** A program of the stream whose output is not gup_longterm's: its span and what it said. */
export interface Program {
  name: string;
  level: number;
  startLine: number;
  endLine: number;
  status: SiblingProgram['status'];
  /** The gup_test record, for a sibling; null for any other program. */
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

/** The run_vmtests.sh stream around a gup_longterm run while it is being read. */
export class VmStream {
  readonly info: RunnerStream = {
    siblings: [],
    droppedSiblings: 0,
    statuses: { pass: 0, skip: 0, fail: 0, none: 0 },
    others: 0,
    summary: null,
  };
  /** gup_longterm runs of the stream, held until it ends (one: a second banner ends it). */
  readonly held: { run: ParsedRun; strength: 'strong' | 'weak' }[] = [];

  /** `level`: the `# ` level of the stream's banners. */
  constructor(readonly level: number) {}

  private count(status: SiblingProgram['status']): void {
    const s = this.info.statuses;
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
      this.info.others++;
      return;
    }
    s.status = p.status;
    s.verdict = verdict;
    if (this.info.siblings.length < MAX_SIBLINGS) this.info.siblings.push(s);
    else this.info.droppedSiblings++;
  }

  /** The gup_longterm run of the stream ended. */
  addRun(run: ParsedRun, strength: 'strong' | 'weak'): void {
    this.count(run.wrapper.status?.status ?? null);
    this.held.push({ run, strength });
  }

  summarize(tok: Extract<Token, { kind: 'vm-summary' }>, line: number, text: string): void {
    this.info.summary = { pass: tok.pass, skip: tok.skip, fail: tok.fail, line, text };
  }
}
