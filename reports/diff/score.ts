/**
 * How well a prediction reproduces an observed run: the quantity the environment inference
 * maximises. Every observed sub-test is matched by stable id; totals, plan and the failure
 * trailer count too, so excerpts with nothing but a counter block still discriminate.
 */
import type { Prediction } from '../../cases/predict.js';
import type { ObservedSubtest, ParsedRun } from '../parse/types.js';

/** The observed reason text comparable to a predicted record's `result`. */
export function observedResultText(o: ObservedSubtest): string | null {
  if (o.verdict === 'skip' && o.directive) return o.directive.text;
  return o.description;
}

function predictedTotals(stdout: string): number[] | null {
  const m = /# Totals: pass:(\d+) fail:(\d+) xfail:(\d+) xpass:(\d+) skip:(\d+) error:(\d+)/.exec(stdout);
  return m ? m.slice(1).map(Number) : null;
}

/**
 * What scoring reads off a prediction, computed once per prediction. The search caches these
 * rather than whole predictions: a view is a fraction of a prediction's size (no records, no
 * traces), and a cache of a few thousand predictions is what the garbage collector walked.
 */
export interface ScoringView {
  /** Per sub-test id (the last record of an id wins, as a Map built from the records). */
  byId: Map<string, { verdict: string; result: string | null; diagnostics: string }>;
  plan: number | null;
  totals: number[] | null;
  /** `# Planned tests != run tests (planned != ran)`, when the prediction prints it. */
  mismatch: [planned: number, ran: number] | null;
  /** The program's stdout, for the bail-out line. */
  stdout: string;
}

export function scoringView(p: Prediction): ScoringView {
  const stdout = p.run.stdout;
  const m = /# Planned tests != run tests \((\d+) != (\d+)\)/.exec(stdout);
  return {
    byId: new Map(
      p.run.subtests.map((s) => [s.id, { verdict: s.verdict, result: s.result, diagnostics: s.diagnostics.join('\n') }]),
    ),
    plan: p.run.plan,
    totals: predictedTotals(stdout),
    mismatch: m ? [Number(m[1]), Number(m[2])] : null,
    stdout,
  };
}

const VIEWS = new WeakMap<Prediction['run'], ScoringView>();

function viewOf(p: Prediction): ScoringView {
  let v = VIEWS.get(p.run);
  if (!v) {
    v = scoringView(p);
    VIEWS.set(p.run, v);
  }
  return v;
}

export function scorePrediction(run: ParsedRun, p: Prediction): number {
  return scoreView(run, viewOf(p));
}

export function scoreView(run: ParsedRun, view: ScoringView): number {
  let score = 0;
  const byId = view.byId;
  for (const o of run.subtests) {
    if (!o.id) continue;
    const s = byId.get(o.id);
    if (!s) {
      score -= 2;
      continue;
    }
    if (o.verdict === s.verdict) score += 4;
    if (s.result !== null && observedResultText(o) === s.result) score += 2;
    const od = o.diagnostics.length === 1 ? o.diagnostics[0]!.text : o.diagnostics.map((d) => d.text).join('\n');
    if (od === s.diagnostics) score += 1;
  }
  if (run.plan && view.plan === run.plan.count) score += 3;
  // Counters score by closeness, so that changing one dimension at a time can walk towards
  // a run whose counters need several changes at once (e.g. /tmp and cwd both unknown).
  if (run.totals) {
    const t = run.totals;
    const pt = view.totals;
    if (pt) {
      const dist = [t.pass - pt[0]!, t.fail - pt[1]!, t.xfail - pt[2]!, t.xpass - pt[3]!, t.skip - pt[4]!, t.error - pt[5]!].reduce((a, d) => a + Math.abs(d), 0);
      score += dist === 0 ? 6 : -Math.min(6, dist / 2);
    }
  }
  const mismatch = view.mismatch;
  if (run.plannedMismatch) {
    const ran = mismatch ? mismatch[1] : (view.plan ?? 0);
    const planned = mismatch ? mismatch[0] : (view.plan ?? 0);
    const dist = Math.abs(ran - run.plannedMismatch.run) + Math.abs(planned - run.plannedMismatch.planned);
    score += dist === 0 ? 6 : -Math.min(6, dist);
  } else if (mismatch && run.totals) {
    score -= 3;
  }
  if (run.bailout && view.stdout.includes(`${run.bailout.text}\n`)) score += 2;
  return score;
}

/**
 * The score of a prediction that reproduces everything scorePrediction() looks at: no
 * environment can do better, so a search that reaches it can stop.
 */
export function perfectScore(run: ParsedRun): number {
  let score = 0;
  for (const o of run.subtests) {
    if (!o.id) continue;
    score += 4 + 1 + (observedResultText(o) !== null ? 2 : 0);
  }
  if (run.plan) score += 3;
  if (run.totals) score += 6;
  if (run.plannedMismatch) score += 6;
  if (run.bailout) score += 2;
  return score;
}
