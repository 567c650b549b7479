/**
 * The runners' evidence around a selftest run: the sibling programs run_vmtests.sh ran before
 * it in its category (gup_longterm's gup_test, each predicted by the model's gup_test,
 * cases/runners/gup-test-program.ts, for the command the log shows), run_vmtests' `SUMMARY:`, the kselftest runner's verdict on the
 * script that ran run_vmtests.sh, and that runner's own `# Totals:` (7.x).
 *
 * The runners' summaries follow from what they ran: SUMMARY counts the statuses of the programs
 * the stream shows, run_vmtests' exit status is 1 after a FAIL (else 4 after a SKIP, else 0),
 * the runner's Totals count its verdicts. Each program's own status is judged on its own (the
 * gup_longterm run by evidence.ts, siblings here), so a summary that matches them is
 * explained, and one that does not is a claim nothing in the log backs.
 */
import type { Prediction } from '../../cases/predict.js';
import { runGupTestProgram } from '../../cases/runners/gup-test-program.js';
import { KSFT_SKIP } from '../../cases/kselftest/kselftest.js';
import { parseResultLine } from '../parse/result-line.js';
import type { KselftestCounters } from '../parse/verdict.js';
import type { ParsedRun, RunnerStream, SiblingProgram, WrapperVerdict } from '../parse/types.js';
import {
  firstAllowed,
  isTimeout,
  statusAllows,
  statusLine,
  verdictAllows,
  verdictLine,
  verdictText,
} from './runner-claims.js';
import type { EvidenceComparison, TriageClass } from './types.js';

const COUNTERS = ['pass', 'fail', 'xfail', 'xpass', 'skip', 'error'] as const;
type Counters = Record<(typeof COUNTERS)[number], number>;

/** `Totals: pass:N fail:N …` as kselftest prints it (ksft_print_cnts). */
export const totalsText = (t: Counters): string =>
  `Totals: ${COUNTERS.map((k) => `${k}:${t[k]}`).join(' ')}`;
export const sameCounters = (a: Counters, b: Counters): boolean =>
  COUNTERS.every((k) => a[k] === b[k]);

const countsText = (c: KselftestCounters): string =>
  COUNTERS.filter((k) => c[k] > 0)
    .map((k) => `${k}:${c[k]}`)
    .join(' ') || 'no results';

/** One comparison of a piece of the run's evidence with the model's (evidence.ts uses it too). */
export function evidence(
  kind: EvidenceComparison['kind'],
  observed: string,
  predicted: string | null,
  cls: TriageClass,
  explanation: string,
  program: string | null = null,
): EvidenceComparison {
  return { kind, program, observed, predicted, class: cls, explanation };
}

/** A gup_test run as the model predicts it: exit status, result counts, bail-out. */
interface ModelProgram {
  exitCode: number;
  counts: KselftestCounters;
  bailout: string | null;
}

function modelSibling(prediction: Prediction, command: string): ModelProgram {
  const out = runGupTestProgram(prediction.env, prediction.run.build.era, command);
  const counts: KselftestCounters = { pass: 0, fail: 0, xfail: 0, xpass: 0, skip: 0, error: 0 };
  let bailout: string | null = null;
  for (const line of out.stdout.split('\n')) {
    const r = parseResultLine(line);
    if (r) counts[r.verdict === 'missing' ? 'error' : r.verdict]++;
    else if (line.startsWith('Bail out!')) bailout ??= line;
  }
  return { exitCode: out.exitCode, counts, bailout };
}

function siblingText(s: SiblingProgram): string {
  const lines = [s.status ? `[${s.status}]` : null, s.verdict ? verdictText(s.verdict) : null]
    .filter((x) => x !== null)
    .join(' ');
  return `${s.command}: ${countsText(s.counts)}${s.bailout ? `, ${s.bailout}` : ''}${lines ? `; ${lines}` : ''}`;
}

function sibling(
  s: SiblingProgram,
  prediction: Prediction,
  pinned: boolean,
  test: string,
): EvidenceComparison {
  const m = modelSibling(prediction, s.command);
  const era = prediction.run.build.runners.kselftest;
  // The runner's lines for the model's exit status, in the form the log shows them.
  const runner = [
    statusLine(m.exitCode),
    s.verdict ? verdictLine(s.verdict, m.exitCode, era) : null,
  ];
  const predicted = `${s.command}: ${countsText(m.counts)}${m.bailout ? `, ${m.bailout}` : ''}; ${runner.filter((x) => x !== null).join(' ')}`;
  const observed = siblingText(s);
  const claims = [
    s.status ? statusAllows(s.status) : null,
    s.verdict && !isTimeout(s.verdict) ? verdictAllows(s.verdict, era) : null,
  ];
  const exitOk = claims.every((a) => a === null || a(m.exitCode));
  const failed =
    s.counts.fail + s.counts.error > m.counts.fail + m.counts.error ||
    (s.bailout !== null && m.bailout === null);
  if (failed || !exitOk) {
    return evidence(
      'sibling',
      observed,
      predicted,
      'unexplained',
      `run_vmtests.sh ran ${s.command} before ${test}: the log shows ${failed ? 'a failure' : `a runner verdict (${observed})`} the model does not predict (${predicted})`,
      s.command,
    );
  }
  if (COUNTERS.some((k) => s.counts[k] !== m.counts[k])) {
    return evidence(
      'sibling',
      observed,
      predicted,
      pinned ? 'unexplained' : 'environment',
      pinned
        ? `with the environment given (--env), the model's ${s.command} reports ${countsText(m.counts)}, the log ${countsText(s.counts)}`
        : `${s.command} reports ${countsText(s.counts)} where the model's reports ${countsText(m.counts)}: gup_test's machine differs (CONFIG_GUP_TEST, root)`,
      s.command,
    );
  }
  return evidence('sibling', observed, predicted, 'match', 'the model predicts it', s.command);
}

/** run_vmtests.sh's exit status after these statuses: 1 after a FAIL, 4 after a SKIP, else 0. */
function streamExits(st: RunnerStream['statuses']): number[] {
  // 6.x lets a SKIP after a FAIL set 4; 7.x keeps the 1 (RunVmtestsEra.skipKeepsFail).
  if (st.fail > 0) return st.skip > 0 ? [1, KSFT_SKIP] : [1];
  return st.skip > 0 ? [KSFT_SKIP] : [0];
}

function summary(stream: RunnerStream): EvidenceComparison | null {
  const s = stream.summary;
  if (!s) return null;
  const st = stream.statuses;
  const seen = `SUMMARY: PASS=${st.pass} SKIP=${st.skip} FAIL=${st.fail}`;
  if (s.pass === st.pass && s.skip === st.skip && s.fail === st.fail) {
    return evidence(
      'runner-summary',
      s.text,
      seen,
      'match',
      'it counts the statuses of the programs the log shows',
    );
  }
  return evidence(
    'runner-summary',
    s.text,
    seen,
    'unexplained',
    `run_vmtests.sh sums up "${s.text}", but the programs the log shows ${st.none > 0 ? `(${st.none} without a status) ` : ''}went PASS=${st.pass} SKIP=${st.skip} FAIL=${st.fail}`,
  );
}

/** The kselftest runner's verdict on the script that ran run_vmtests.sh. */
function container(
  run: ParsedRun,
  era: Prediction['run']['build']['runners']['kselftest'],
): EvidenceComparison | null {
  const c = run.wrapper.container;
  const v = c?.verdict;
  if (!c || !v || isTimeout(v)) return null;
  // Only a whole stream (closed by its SUMMARY) says what run_vmtests.sh exited with: in an
  // excerpt, or a stream cut before its SUMMARY, the statuses that decide it are not all in view.
  const st = run.wrapper.stream?.summary ? run.wrapper.stream.statuses : null;
  if (st === null) return null;
  const exits = streamExits(st);
  const allows = verdictAllows(v, era);
  const code = firstAllowed(allows, exits);
  if (code !== undefined)
    return evidence(
      'container-verdict',
      verdictText(v),
      verdictText(v),
      'match',
      `run_vmtests.sh exits ${code} after the statuses the log shows`,
    );
  return evidence(
    'container-verdict',
    verdictText(v),
    verdictLine(v, exits[0]!, era),
    'unexplained',
    `the runner reports "${verdictText(v)}" for ${c.name}, but the programs it ran went PASS=${st.pass} SKIP=${st.skip} FAIL=${st.fail}: run_vmtests.sh exits ${exits.join(' or ')}`,
  );
}

/** The runner's verdicts as its `# Totals:` counts them. */
function verdictCounts(v: WrapperVerdict): KselftestCounters {
  const c: KselftestCounters = { pass: 0, fail: 0, xfail: 0, xpass: 0, skip: 0, error: 0 };
  const d = (v.directive ?? '').trim().toUpperCase();
  if (!v.ok) c.fail++;
  else if (d.startsWith('SKIP')) c.skip++;
  else if (d.startsWith('XFAIL')) c.xfail++;
  else if (d.startsWith('XPASS')) c.xpass++;
  else c.pass++;
  return c;
}

function runnerTotals(run: ParsedRun): EvidenceComparison | null {
  const t = run.wrapper.runnerTotals;
  if (!t) return null;
  const text = totalsText(t);
  const v = run.wrapper.container?.verdict ?? run.wrapper.verdict;
  if (!v) {
    const failed = t.fail + t.error > 0;
    return evidence(
      'runner-totals',
      text,
      null,
      failed ? 'unexplained' : 'match',
      failed
        ? 'the runner counts a failure whose verdict the log does not show'
        : 'no failure counted',
    );
  }
  const c = verdictCounts(v);
  const expected = totalsText(c);
  if (sameCounters(c, t))
    return evidence(
      'runner-totals',
      text,
      expected,
      'match',
      `it counts the runner's verdict "${verdictText(v)}"`,
    );
  return evidence(
    'runner-totals',
    text,
    expected,
    'unexplained',
    `the runner counts ${countsText(t)}, but its verdict "${verdictText(v)}" is ${countsText(c)}`,
  );
}

export function runnerEvidence(
  run: ParsedRun,
  prediction: Prediction,
  ctx: { pinned: boolean },
): EvidenceComparison[] {
  const out: EvidenceComparison[] = [];
  const stream = run.wrapper.stream;
  if (stream) {
    for (const s of stream.siblings) out.push(sibling(s, prediction, ctx.pinned, run.test));
    const sm = summary(stream);
    if (sm) out.push(sm);
  }
  const era = prediction.run.build.runners.kselftest;
  const cv = container(run, era);
  if (cv) out.push(cv);
  const rt = runnerTotals(run);
  if (rt) out.push(rt);
  return out;
}
