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

function predictedTotals(p: Prediction): number[] | null {
  const m = /# Totals: pass:(\d+) fail:(\d+) xfail:(\d+) xpass:(\d+) skip:(\d+) error:(\d+)/.exec(p.run.stdout);
  return m ? m.slice(1).map(Number) : null;
}

/** What scoring reads off a prediction, computed once per prediction (searches score one many times). */
interface ScoringView {
  byId: Map<string, Prediction['run']['subtests'][number]>;
  diagnostics: Map<string, string>;
  totals: number[] | null;
  mismatch: RegExpExecArray | null;
}
const VIEWS = new WeakMap<Prediction['run'], ScoringView>();

function viewOf(p: Prediction): ScoringView {
  let v = VIEWS.get(p.run);
  if (!v) {
    v = {
      byId: new Map(p.run.subtests.map((s) => [s.id, s])),
      diagnostics: new Map(p.run.subtests.map((s) => [s.id, s.diagnostics.join('\n')])),
      totals: predictedTotals(p),
      mismatch: /# Planned tests != run tests \((\d+) != (\d+)\)/.exec(p.run.stdout),
    };
    VIEWS.set(p.run, v);
  }
  return v;
}

export function scorePrediction(run: ParsedRun, p: Prediction): number {
  let score = 0;
  const view = viewOf(p);
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
    if (od === view.diagnostics.get(o.id)) score += 1;
  }
  if (run.plan && p.run.plan === run.plan.count) score += 3;
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
    const ran = mismatch ? Number(mismatch[2]) : (p.run.plan ?? 0);
    const planned = mismatch ? Number(mismatch[1]) : (p.run.plan ?? 0);
    const dist = Math.abs(ran - run.plannedMismatch.run) + Math.abs(planned - run.plannedMismatch.planned);
    score += dist === 0 ? 6 : -Math.min(6, dist);
  } else if (mismatch && run.totals) {
    score -= 3;
  }
  if (run.bailout && p.run.stdout.includes(`${run.bailout.text}\n`)) score += 2;
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
