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

const TOTALS = /# Totals: pass:(\d+) fail:(\d+) xfail:(\d+) xpass:(\d+) skip:(\d+) error:(\d+)/y;
const PLANNED_MISMATCH = /# Planned tests != run tests \((\d+) != (\d+)\)/y;
/**
 * Whether a text may hold a bail-out line: TAP_BAILOUT (reports/parse/patterns.ts) is
 * /^Bail out!/i, so every one ends its "out!" in one of these spellings (four plain
 * searches cost a third of one case-insensitive regex over a prediction's stdout).
 */
const mayBailOut = (text: string): boolean => text.includes('ut!') || text.includes('Ut!') || text.includes('uT!') || text.includes('UT!');

/**
 * The first match of a sticky `pattern` whose text starts with `prefix`: indexOf finds the
 * candidates (an unanchored regex would try every `#` of a prediction's stdout, and the
 * search scores hundreds of predictions per log).
 */
function firstMatch(stdout: string, prefix: string, pattern: RegExp): RegExpExecArray | null {
  for (let at = stdout.indexOf(prefix); at !== -1; at = stdout.indexOf(prefix, at + 1)) {
    pattern.lastIndex = at;
    const m = pattern.exec(stdout);
    if (m) return m;
  }
  return null;
}

function predictedTotals(stdout: string): number[] | null {
  const m = firstMatch(stdout, '# Totals: pass:', TOTALS);
  return m ? m.slice(1).map(Number) : null;
}

/** A sub-test as scoring compares it, predicted or observed. */
export interface ComparedSubtest {
  verdict: string;
  result: string | null;
  /** Its diagnostics as one text (joined()). */
  diagnostics: string;
}

/**
 * What scoring reads off a prediction, computed once per prediction. The search caches these
 * rather than whole predictions: a view is a fraction of a prediction's size (no records, no
 * traces), and a cache of a few thousand predictions is what the garbage collector walked.
 */
export interface ScoringView {
  /** Per sub-test id (the last record of an id wins, as a Map built from the records). */
  byId: Map<string, ComparedSubtest>;
  plan: number | null;
  totals: number[] | null;
  /** `# Planned tests != run tests (planned != ran)`, when the prediction prints it. */
  mismatch: [planned: number, ran: number] | null;
  /**
   * The program's stdout, for the bail-out line; '' when it cannot hold one (mayBailOut()):
   * a search caches thousands of views, and a stdout kept for nothing would outlive its
   * prediction only to be copied by the collector.
   */
  stdout: string;
}

/** Lines as one text, the way scoring compares them ('' for none). */
const joined = (lines: readonly string[]): string =>
  lines.length === 0 ? '' : lines.length === 1 ? lines[0]! : lines.join('\n');

export function scoringView(p: Prediction): ScoringView {
  const stdout = p.run.stdout;
  const byId: ScoringView['byId'] = new Map();
  for (const s of p.run.subtests) byId.set(s.id, { verdict: s.verdict, result: s.result, diagnostics: joined(s.diagnostics) });
  // A stopped run (cases/run.ts RunOptions.until) is read for its records alone (recordsOnly()):
  // its stdout, plan and counters are of a program cut short, so the view leaves them out.
  if (p.run.stopped) return { byId, plan: null, totals: null, mismatch: null, stdout: '' };
  const m = firstMatch(stdout, '# Planned tests != run tests (', PLANNED_MISMATCH);
  return {
    byId,
    plan: p.run.plan,
    totals: predictedTotals(stdout),
    mismatch: m ? [Number(m[1]), Number(m[2])] : null,
    stdout: mayBailOut(stdout) ? stdout : '',
  };
}

/**
 * What scoring reads off the observed run, in the form it compares (a search scores one run
 * against hundreds of predictions).
 */
export interface ScoringTarget {
  /** Observed sub-tests that have an id, with the reason and diagnostics as compared. */
  subtests: (ComparedSubtest & { id: string })[];
  plan: number | null;
  /** pass, fail, xfail, xpass, skip, error. */
  totals: number[] | null;
  plannedMismatch: { planned: number; run: number } | null;
  /** The bail-out line as it ends in stdout. */
  bailoutLine: string | null;
}

export function scoringTarget(run: ParsedRun): ScoringTarget {
  const t = run.totals;
  return {
    subtests: run.subtests.flatMap((o) =>
      o.id ? [{ id: o.id, verdict: o.verdict, result: observedResultText(o), diagnostics: joined(o.diagnostics.map((d) => d.text)) }] : [],
    ),
    plan: run.plan ? run.plan.count : null,
    totals: t ? [t.pass, t.fail, t.xfail, t.xpass, t.skip, t.error] : null,
    plannedMismatch: run.plannedMismatch,
    bailoutLine: run.bailout ? `${run.bailout.text}\n` : null,
  };
}

/**
 * The ids of the observed sub-tests when they are all a target lets scoreView() read: no plan,
 * no totals, no planned/run mismatch, no bail-out (an excerpt of sub-tests). Then a view's
 * score depends on nothing but its records of these ids, so a prediction may stop once it has
 * them (RunOptions.until); undefined when the target reads more of a prediction than that.
 */
export function recordsOnly(target: ScoringTarget): ReadonlySet<string> | undefined {
  if (target.plan !== null || target.totals !== null || target.plannedMismatch !== null || target.bailoutLine !== null) return undefined;
  return new Set(target.subtests.map((o) => o.id));
}

export function scorePrediction(run: ParsedRun, p: Prediction): number {
  return scoreView(scoringTarget(run), scoringView(p));
}

export function scoreView(target: ScoringTarget, view: ScoringView): number {
  let score = 0;
  const byId = view.byId;
  for (const o of target.subtests) {
    const s = byId.get(o.id);
    if (!s) {
      score -= 2;
      continue;
    }
    if (o.verdict === s.verdict) score += 4;
    if (s.result !== null && o.result === s.result) score += 2;
    if (o.diagnostics === s.diagnostics) score += 1;
  }
  if (target.plan !== null && view.plan === target.plan) score += 3;
  // Counters score by closeness, so that changing one dimension at a time can walk towards
  // a run whose counters need several changes at once (e.g. /tmp and cwd both unknown).
  const t = target.totals;
  const pt = view.totals;
  if (t && pt) {
    const dist = Math.abs(t[0]! - pt[0]!) + Math.abs(t[1]! - pt[1]!) + Math.abs(t[2]! - pt[2]!) + Math.abs(t[3]! - pt[3]!) + Math.abs(t[4]! - pt[4]!) + Math.abs(t[5]! - pt[5]!);
    score += dist === 0 ? 6 : -Math.min(6, dist / 2);
  }
  const mismatch = view.mismatch;
  const mm = target.plannedMismatch;
  if (mm) {
    const ran = mismatch ? mismatch[1] : (view.plan ?? 0);
    const planned = mismatch ? mismatch[0] : (view.plan ?? 0);
    const dist = Math.abs(ran - mm.run) + Math.abs(planned - mm.planned);
    score += dist === 0 ? 6 : -Math.min(6, dist);
  } else if (mismatch && t) {
    score -= 3;
  }
  if (target.bailoutLine !== null && view.stdout.includes(target.bailoutLine)) score += 2;
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
