/**
 * Sub-test by sub-test comparison of a parsed run with the model's prediction, and the triage
 * of every difference (and of every failure that is no difference at all).
 *
 * Every result line counts: a sub-test reported more than once (repeatOf, run-finalize.ts) is
 * compared as all its lines, and is a conflict — never its first line alone. A failure is
 * explained only by a prediction of that failure (classifySame: the model's own trace names the
 * cause); where the model predicts anything else, no guess about the machine explains it.
 */
import type { Prediction } from '../../cases/predict.js';
import type { SubtestRecord } from '../../cases/run.js';
import type { KnownDefects } from '../../cases/selftests/plugin.js';
import type { ObservedSubtest, ParsedRun } from '../parse/types.js';
import {
  absentBehaviour,
  cite,
  commitsIn,
  decisiveEvent,
  describeEvent,
  environmentCause,
} from './explain.js';
import { observedOk, predictedOk, repeated, repeatsOf, resultsOf, verdictWords } from './repeats.js';
import { observedResultText } from './score.js';
import type { SubtestComparison, SubtestVerdict, TriageClass } from './types.js';

function reasonOfObserved(o: ObservedSubtest): string | null {
  return o.reason ?? observedResultText(o);
}

function reasonOfPredicted(p: SubtestRecord): string | null {
  return p.diagnostics[p.diagnostics.length - 1] ?? p.result;
}


const isFailure = (v: SubtestVerdict): boolean => v === 'fail' || v === 'error';

function classifySame(
  o: ObservedSubtest,
  p: SubtestRecord,
  selftest: string,
  defects: KnownDefects,
): { cls: TriageClass; why: string } {
  // A known defect of the test version (its plug-in's: a stale errno, a result it never prints …).
  const bug = defects.testBug(o, p, selftest);
  if (bug !== undefined) return { cls: 'test-bug', why: bug };
  if (o.verdict === 'xfail') {
    // kselftest's XFAIL: a failure the test itself expects (cow's hugetlb vmsplice rows).
    const d = decisiveEvent(p.trace);
    return { cls: 'expected-failure', why: `the test expects this failure (XFAIL), and the model fails it too: ${d ? describeEvent(d) : 'see --explain'}` };
  }
  if (o.verdict !== 'fail' && o.verdict !== 'error') {
    const d = decisiveEvent(p.trace);
    return { cls: 'match', why: d ? `as modelled: ${describeEvent(d)}` : 'as modelled' };
  }
  const env = environmentCause(p.trace);
  if (env) return { cls: 'environment', why: `a property of this machine, not of long-term pinning: ${describeEvent(env)}` };
  const absent = absentBehaviour(p.trace);
  if (absent) {
    const d = decisiveEvent(p.trace);
    return {
      cls: 'expected-failure',
      why: `${d ? describeEvent(d) : 'the kernel refuses'}; this kernel predates ${cite(absent.commit, absent.release)} — expected until then`,
    };
  }
  const d = decisiveEvent(p.trace);
  return { cls: 'expected-failure', why: `the model fails it too: ${d ? describeEvent(d) : 'see --explain'}` };
}

/**
 * A difference. The machine explains a skip the model did not predict, or a pass where the
 * model assumed the machine could not run the sub-test — but only while the environment is
 * inferred: with --env it is given, and a difference says the model (or the file) is wrong.
 * A failure is never explained here: the model did not predict it.
 */
function classifyDifferent(
  o: ObservedSubtest,
  p: SubtestRecord,
  pinned: boolean,
  defects: KnownDefects,
): { cls: TriageClass; why: string } {
  const environmentSkip = defects.environmentSkip;
  const oReason = reasonOfObserved(o) ?? '';
  const pReason = reasonOfPredicted(p) ?? '';
  const d = decisiveEvent(p.trace);
  const model = d ? describeEvent(d) : 'no kernel decision';
  const failed = isFailure(o.verdict);
  if (o.verdict === p.verdict) {
    // Same verdict, other ok bit: `not ok 4 # SKIP …`, which kselftest never prints.
    return {
      cls: 'unexplained',
      why: `the log prints "${o.resultText ?? ''}": ${verdictWords(o.verdict)} as ${observedOk(o) ? 'ok' : 'not ok'}, where kselftest (and the model) print ${predictedOk(p.verdict) ? 'ok' : 'not ok'}`,
    };
  }
  if (!pinned && !failed && o.verdict === 'skip' && environmentSkip.test(oReason)) {
    return {
      cls: 'environment',
      why: `the machine differs from the modelled one: the log skips with "${oReason}" where the model ${verdictWords(p.verdict)}s (${model})`,
    };
  }
  if (!pinned && !failed && p.verdict === 'skip' && environmentSkip.test(pReason)) {
    return {
      cls: 'environment',
      why: `the model assumed "${pReason}" but the log's machine ran it (${verdictWords(o.verdict)}): give the environment with --env`,
    };
  }
  if (failed && p.verdict === 'skip') {
    const given = pinned
      ? 'with the environment given (--env), the model'
      : 'the model, in the environment the log implies,';
    return {
      cls: 'unexplained',
      why: `the log fails it ("${oReason}") where ${given} skips it ("${pReason}"): no modelled cause predicts this failure (${model})`,
    };
  }
  const kernelDecides = defects.kernelDecides(p.id);
  if (kernelDecides && (o.verdict === 'pass' || o.verdict === 'fail') && (p.verdict === 'pass' || p.verdict === 'fail')) {
    return {
      cls: 'kernel-regression',
      why: `the modelled kernel decides ${model}, so the test should ${p.verdict === 'pass' ? 'pass' : 'fail'}; the log ${o.verdict === 'pass' ? 'passes' : 'fails'} ("${oReason}") — the kernel no longer behaves as modelled`,
    };
  }
  if (pinned && !failed) {
    return {
      cls: 'unexplained',
      why: `with the environment given (--env), the model ${verdictWords(p.verdict)}s ("${pReason}") where the log says ${verdictWords(o.verdict)} ("${oReason}"): the machine is not the one described, or the model is wrong (${model})`,
    };
  }
  return {
    cls: 'unexplained',
    why: `the log says ${verdictWords(o.verdict)} ("${oReason}"), the model ${verdictWords(p.verdict)} ("${pReason}"): ${model}`,
  };
}

export interface CompareContext {
  selftest: string;
  /** The run's selftest's known defects and how its results are read (its plug-in's). */
  defects: KnownDefects;
  /** The observed run crashed or ended before its plan. */
  crashed: boolean;
  /** The run is an excerpt (no TAP header/plan): absent sub-tests are not judged. */
  excerpt: boolean;
  /** The environment was given (--env): a difference is not the machine's to explain. */
  pinned: boolean;
}

/** Why a sub-test that started has no result in a run that crashed. */
function crashedDuring(run: ParsedRun, o: ObservedSubtest): string {
  const c =
    run.crashes.find((m) => m.duringSubtest === o.ordinal) ??
    run.crashes.find((m) => m.line >= o.line);
  return c
    ? `the run crashed while it ran (line ${c.line}: ${c.text}); it printed no result`
    : 'the run stopped while it ran (cut short): it printed no result';
}

export function compareRun(
  run: ParsedRun,
  prediction: Prediction,
  ctx: CompareContext,
): SubtestComparison[] {
  const out: SubtestComparison[] = [];
  const observed = new Map<string, ObservedSubtest>();
  for (const o of run.subtests)
    if (o.id && o.repeatOf === null && !observed.has(o.id)) observed.set(o.id, o);
  const repeats = repeatsOf(run);
  const predictedIds = new Set(prediction.run.subtests.map((s) => s.id));

  for (const p of prediction.run.subtests) {
    const o = observed.get(p.id);
    if (!o) {
      if (ctx.excerpt) continue;
      const cls: TriageClass = ctx.crashed ? 'crash' : 'missing';
      out.push({
        id: p.id,
        number: null,
        name: p.name,
        observed: null,
        predicted: p.verdict,
        observedReason: null,
        predictedReason: reasonOfPredicted(p),
        class: cls,
        explanation: ctx.crashed
          ? 'the run stopped (crash or cut short) before this sub-test reported'
          : 'planned and predicted, but the log has no result for it',
        commits: [],
      });
      continue;
    }
    const more = repeats?.get(o.ordinal);
    if (more) {
      const all = [o, ...more];
      const r = repeated(all, p);
      out.push({
        id: p.id,
        number: o.number,
        name: o.runName ?? p.name,
        observed: r.verdict,
        predicted: p.verdict,
        observedReason: reasonOfObserved(o),
        predictedReason: reasonOfPredicted(p),
        class: r.cls,
        explanation: r.why,
        commits: commitsIn(p.trace),
        results: resultsOf(all),
      });
      continue;
    }
    const same =
      o.verdict === p.verdict &&
      (o.verdict === 'missing' || observedOk(o) === predictedOk(p.verdict));
    const { cls, why } = same
      ? classifySame(o, p, ctx.selftest, ctx.defects)
      : classifyDifferent(o, p, ctx.pinned, ctx.defects);
    out.push({
      id: p.id,
      number: o.number,
      name: o.runName ?? p.name,
      observed: o.verdict,
      predicted: p.verdict,
      observedReason: reasonOfObserved(o),
      predictedReason: reasonOfPredicted(p),
      class: ctx.crashed && o.verdict === 'missing' ? 'crash' : cls,
      explanation: ctx.crashed && o.verdict === 'missing' ? crashedDuring(run, o) : why,
      commits: commitsIn(p.trace),
    });
  }
  for (const o of run.subtests) {
    if ((o.id && predictedIds.has(o.id)) || o.repeatOf !== null) continue;
    const more = repeats?.get(o.ordinal);
    if (more) {
      const all = [o, ...more];
      const r = repeated(all, null);
      out.push({
        id: o.id,
        number: o.number,
        name: o.runName,
        observed: r.verdict,
        predicted: null,
        observedReason: reasonOfObserved(o),
        predictedReason: null,
        class: r.cls,
        explanation: r.why,
        commits: [],
        results: resultsOf(all),
      });
      continue;
    }
    out.push({
      id: o.id,
      number: o.number,
      name: o.runName,
      observed: o.verdict,
      predicted: null,
      observedReason: reasonOfObserved(o),
      predictedReason: null,
      class: ctx.crashed && o.verdict === 'missing' ? 'crash' : 'unexplained',
      explanation:
        ctx.crashed && o.verdict === 'missing'
          ? crashedDuring(run, o)
          : o.id
            ? 'the model has no such sub-test in this environment (hugetlb sizes or liburing differ)'
            : 'the log does not say which sub-test this is',
      commits: [],
    });
  }
  return out;
}
