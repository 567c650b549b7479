/**
 * Comparing two runs sub-test by sub-test (by stable id, never by TAP number): regressions
 * (pass → fail), fixes (fail → pass), newly missing (had a result, has none), newly skipped.
 * SQUAD's definitions, plus the two it drops (a vanished or skipped test hides a regression).
 * Every flip carries the model's account (flip-explain.ts).
 */
import type { Environment } from '../../cases/env.js';
import type { SubtestVerdict } from '../diff/types.js';
import { FlipExplainer, type FlipAccount } from './flip-explain.js';
import { isFailing, isPresent } from './types.js';

export interface CompareSide {
  /** `run 12` or a file name. */
  label: string;
  env: Environment;
  results: readonly { id: string | null; verdict: SubtestVerdict | null }[];
}

export interface Flip {
  id: string;
  from: SubtestVerdict | null;
  to: SubtestVerdict | null;
  account: FlipAccount;
}

export interface RunComparison {
  a: string;
  b: string;
  regressions: Flip[];
  fixes: Flip[];
  newlyMissing: Flip[];
  newlySkipped: Flip[];
  /** Ids with the same verdict in both. */
  unchanged: number;
  /** Other verdict changes (e.g. skip → pass, absent → pass): listed by count only. */
  otherChanges: number;
}

function verdicts(side: CompareSide): Map<string, SubtestVerdict | null> {
  const m = new Map<string, SubtestVerdict | null>();
  for (const r of side.results) if (r.id !== null && !m.has(r.id)) m.set(r.id, r.verdict);
  return m;
}

export function compareRuns(a: CompareSide, b: CompareSide, explainer: FlipExplainer = new FlipExplainer()): RunComparison {
  const va = verdicts(a);
  const vb = verdicts(b);
  const out: RunComparison = { a: a.label, b: b.label, regressions: [], fixes: [], newlyMissing: [], newlySkipped: [], unchanged: 0, otherChanges: 0 };
  const ids = [...new Set([...va.keys(), ...vb.keys()])].sort();
  for (const id of ids) {
    const from = va.get(id) ?? null;
    const to = vb.get(id) ?? null;
    if (from === to) {
      out.unchanged++;
      continue;
    }
    let bucket: Flip[] | undefined;
    if (from === 'pass' && isFailing(to)) bucket = out.regressions;
    else if (isFailing(from) && to === 'pass') bucket = out.fixes;
    else if (isPresent(from) && !isPresent(to)) bucket = out.newlyMissing;
    else if (to === 'skip' && from !== 'skip') bucket = out.newlySkipped;
    if (!bucket) {
      out.otherChanges++;
      continue;
    }
    bucket.push({ id, from, to, account: explainer.explain(a.env, b.env, id, { a: from, b: to }) });
  }
  return out;
}
