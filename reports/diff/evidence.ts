/**
 * A run's evidence beyond its sub-tests, compared with the model: the program's own summary
 * lines (every `Bail out!`, every `# Totals:`, `# Planned tests != run tests`) and the runner's
 * lines on the program (`[FAIL]`, `not ok 4 gup_longterm # exit=1`, `not ok 1 selftests: mm:
 * cow # exit=1`), and the lines a test prints when it stops on its own (cow 6.12's bare
 * `open(<path>)`). The model's side is read off its own output with the same parser
 * (the program's stdout) and its runners (cases/runners/verdicts.ts).
 *
 * A line is explained when the model predicts it, or when it follows from the run's own
 * results by kselftest's rules — a bail-out "N out of M tests failed", counters that count the
 * results printed, exit 1 after a failure — because those results are judged one by one
 * (compare.ts) and a summary of them adds nothing to judge. Anything else is a claim no
 * evidence in the log or the model backs: never a match.
 */
import type { Prediction } from '../../cases/predict.js';
import { parseLog } from '../parse/index.js';
import type { ParsedRun } from '../parse/types.js';
import {
  verdictText,
  firstAllowed,
  isTimeout,
  statusAllows,
  statusLine,
  verdictAllows,
  verdictLine,
} from './runner-claims.js';
import { evidence, runnerEvidence, sameCounters, totalsText } from './runner-evidence.js';
import type { EvidenceComparison, EvidenceKind } from './types.js';

export interface EvidenceContext {
  /** The environment was given (--env). */
  pinned: boolean;
}

/** Result lines the run printed (repeats included: kselftest counts each call). */
function printed(run: ParsedRun): number {
  const c = run.counts;
  return c.pass + c.fail + c.xfail + c.xpass + c.skip + c.error;
}

/** The exit statuses kselftest's rules give the program for the results it printed. */
export function exitsFromResults(run: ParsedRun): number[] {
  if (run.counts.fail + run.counts.error > 0 || run.bailouts.length > 0) return [1];
  // Fewer results than planned: ksft_finished() (7.x) exits 1, ksft_exit_pass() (6.x) 0.
  const distinct = run.subtests.filter(
    (s) => s.repeatOf === null && s.verdict !== 'missing',
  ).length;
  const short = run.plannedMismatch !== null || (run.plan !== null && distinct < run.plan.count);
  return short ? [0, 1] : [0];
}

function summaryLines(run: ParsedRun, model: ParsedRun | null): EvidenceComparison[] {
  const out: EvidenceComparison[] = [];
  const counted = run.counts;
  const fails = counted.fail;
  // kselftest's exit after failures (ksft_exit_fail_msg("%d out of %d tests failed")): one
  // `Bail out!`, and none when the model has its own
  // (the program exits at its first bail-out; a second is a repeat nothing explains).
  let derivedBail = fails > 0 ? `Bail out! ${fails} out of ${printed(run)} tests failed` : null;
  const modelBails = (model?.bailouts ?? []).map((b) => b.text);
  for (const b of run.bailouts) {
    const i = modelBails.indexOf(b.text);
    if (i >= 0) {
      modelBails.splice(i, 1);
      out.push(evidence('bail-out', b.text, b.text, 'match', 'the model prints it too'));
    } else if (b.text === derivedBail && (model?.bailouts.length ?? 0) === 0) {
      derivedBail = null;
      out.push(
        evidence(
          'bail-out',
          b.text,
          b.text,
          'match',
          `it reports the ${fails} failure(s) the log shows`,
        ),
      );
    } else {
      const model = modelBails[0] ?? null;
      out.push(
        evidence(
          'bail-out',
          b.text,
          model,
          'unexplained',
          `the test gave up ("${b.text}"), which ${model === null ? 'the model does not predict' : `is not the model's "${model}"`} and the log's results (${fails} failure(s)) do not explain`,
        ),
      );
    }
  }
  // The program prints its counters once: each observed line takes one the model prints, or,
  // once, the count of the results the log shows (when they differ from the model's).
  const modelTotals = [...(model?.totalsLines ?? [])];
  let countedLeft = modelTotals.length === 0 || !modelTotals.some((m) => sameCounters(m, counted));
  for (const t of run.totalsLines) {
    const i = modelTotals.findIndex((m) => sameCounters(m, t));
    if (i >= 0) {
      const predicted = modelTotals.splice(i, 1)[0]!;
      out.push(
        evidence(
          'totals',
          totalsText(t),
          totalsText(predicted),
          'match',
          'the model counts the same',
        ),
      );
    } else if (countedLeft && sameCounters(counted, t)) {
      countedLeft = false;
      out.push(
        evidence(
          'totals',
          totalsText(t),
          totalsText(counted),
          'match',
          'it counts the results the log shows',
        ),
      );
    } else {
      const m = model?.totalsLines[0];
      out.push(
        evidence(
          'totals',
          totalsText(t),
          m ? totalsText(m) : null,
          'unexplained',
          `the test's counters (${totalsText(t)}) are neither the model's (${m ? totalsText(m) : 'none'}) nor a count of the results the log shows (${totalsText(counted)})`,
        ),
      );
    }
  }
  // The plan is the program's own (cases × backings): the model's, for the sizes and build it
  // infers from the run, whatever the results that follow.
  const plan = run.plan?.count;
  const modelPlan = model?.plan?.count ?? null;
  if (plan !== undefined) {
    const text = `1..${plan}`;
    const predicted = modelPlan === null ? null : `1..${modelPlan}`;
    if (plan === modelPlan)
      out.push(evidence('plan', text, predicted, 'match', 'the model plans the same'));
    else {
      out.push(
        evidence(
          'plan',
          text,
          predicted,
          'unexplained',
          `the test planned ${plan} results; the model plans ${modelPlan ?? 'none'} and the log shows ${printed(run)}`,
        ),
      );
    }
  }
  // Lines the program printed at its own level when it stopped (a plug-in names them): the
  // model's own, or a stop nothing in the model explains.
  const modelLines = (model?.programLines ?? []).map((l) => l.text);
  for (const l of run.programLines) {
    const i = modelLines.indexOf(l.text);
    if (i >= 0) {
      modelLines.splice(i, 1);
      out.push(evidence('program-line', l.text, l.text, 'match', 'the model prints it too'));
    } else {
      out.push(
        evidence(
          'program-line',
          l.text,
          modelLines[0] ?? null,
          'unexplained',
          `the test stopped with "${l.text}", which ${modelLines[0] === undefined ? 'the model does not print' : `is not the model's "${modelLines[0]}"`}`,
        ),
      );
    }
  }
  const mm = run.plannedMismatch;
  if (mm) {
    const text = `Planned tests != run tests (${mm.planned} != ${mm.run})`;
    const pm = model?.plannedMismatch;
    const modelText = pm ? `Planned tests != run tests (${pm.planned} != ${pm.run})` : null;
    if (modelText === text)
      out.push(evidence('planned-mismatch', text, modelText, 'match', 'the model prints it too'));
    else if (run.subtests.length > 0 && mm.planned === run.plan?.count && mm.run === printed(run)) {
      out.push(
        evidence(
          'planned-mismatch',
          text,
          modelText,
          'match',
          'it counts the results the log shows against its plan',
        ),
      );
    } else {
      out.push(
        evidence(
          'planned-mismatch',
          text,
          modelText,
          'unexplained',
          `the test says ${mm.run} of ${mm.planned} planned tests ran; neither the model nor the log's results say so`,
        ),
      );
    }
  }
  return out;
}

/** The runner's lines on the program itself: its TAP verdict and run_vmtests' status. */
function runnerLines(run: ParsedRun, prediction: Prediction): EvidenceComparison[] {
  const w = run.wrapper;
  const results = run.subtests.filter((s) => s.verdict !== 'missing').length;
  const trailer =
    run.totalsLines.length > 0 || run.bailouts.length > 0 || run.plannedMismatch !== null;
  // Nothing the program printed: it never ran (unpredicted-outcome.ts); a crash or a kill:
  // triaged as such.
  const silent = results === 0 && !trailer;
  if (silent || run.crashes.length > 0 || run.infrastructure.length > 0 || run.endedEarly)
    return [];
  const era = prediction.run.build.runners.kselftest;
  const model = prediction.run.exitCode;
  const derived = exitsFromResults(run);
  const out: EvidenceComparison[] = [];
  const judge = (
    kind: EvidenceKind,
    text: string,
    allows: (c: number) => boolean,
    line: (c: number) => string,
  ): void => {
    if (allows(model)) {
      out.push(evidence(kind, text, line(model), 'match', `the model predicts exit ${model}`));
      return;
    }
    const d = firstAllowed(allows, derived);
    if (d !== undefined) {
      out.push(
        evidence(
          kind,
          text,
          line(model),
          'match',
          `exit ${d} follows from the log's own results (the model predicts exit ${model}; the results are judged one by one)`,
        ),
      );
      return;
    }
    const why = `${run.counts.fail + run.counts.error} failure(s)${run.bailouts.length > 0 ? ', a bail-out' : ''}`;
    out.push(
      evidence(
        kind,
        text,
        line(model),
        'unexplained',
        `the runner reports "${text}", but the model predicts exit ${model} ("${line(model)}") and the log's own results (${why}) imply exit ${derived.join(' or ')}`,
      ),
    );
  };
  const v = w.verdict;
  if (v && !isTimeout(v))
    judge('runner-verdict', verdictText(v), verdictAllows(v, era), (c) => verdictLine(v, c, era));
  if (w.status)
    judge('runner-status', `[${w.status.status}]`, statusAllows(w.status.status), statusLine);
  return out;
}

/** The program's stdout as the model predicts it, read by the log parser (null when it yields no run). */
function modelRun(prediction: Prediction): ParsedRun | null {
  if (prediction.run.stopped) return null;
  return parseLog(prediction.run.stdout, { replay: false }).runs[0] ?? null;
}

export function compareEvidence(
  run: ParsedRun,
  prediction: Prediction,
  ctx: EvidenceContext,
): EvidenceComparison[] {
  return [
    ...summaryLines(run, modelRun(prediction)),
    ...runnerLines(run, prediction),
    ...runnerEvidence(run, prediction, ctx),
  ];
}
