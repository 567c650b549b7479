/**
 * Comparing two runs sub-test by sub-test (by stable id, never by TAP number): regressions
 * (pass → fail), fixes (fail → pass), newly missing (had a result, has none), newly skipped.
 * SQUAD's definitions, plus the two it drops (a vanished or skipped test hides a regression).
 * Every flip carries the model's account (flip-explain.ts).
 */
import type { Environment } from '../../cases/env.js';
import type { SubtestVerdict } from '../diff/types.js';
import type { KnownMark } from '../known/types.js';
import { FlipExplainer, type FlipAccount } from './flip-explain.js';
import { isFailing, isPresent } from './types.js';

export interface CompareSide {
  /** `run 12` or a file name. */
  label: string;
  env: Environment;
  /** `known`: the lab's known issue that covers the result on this side (--known). */
  results: readonly { id: string | null; verdict: SubtestVerdict | null; known?: KnownMark | undefined }[];
}

export interface Flip {
  id: string;
  from: SubtestVerdict | null;
  to: SubtestVerdict | null;
  account: FlipAccount;
  /** B's result is a failure the lab's known issues list: it needs no human. */
  known?: KnownMark;
  /** A's result was a listed known failure (a fix of it: the known issue no longer seen). */
  wasKnown?: KnownMark;
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

type Result = CompareSide['results'][number];

function byId(side: CompareSide): Map<string, Result> {
  const m = new Map<string, Result>();
  for (const r of side.results) if (r.id !== null && !m.has(r.id)) m.set(r.id, r);
  return m;
}

export function compareRuns(a: CompareSide, b: CompareSide, explainer: FlipExplainer = new FlipExplainer()): RunComparison {
  const ra = byId(a);
  const rb = byId(b);
  const out: RunComparison = { a: a.label, b: b.label, regressions: [], fixes: [], newlyMissing: [], newlySkipped: [], unchanged: 0, otherChanges: 0 };
  const ids = [...new Set([...ra.keys(), ...rb.keys()])].sort();
  for (const id of ids) {
    const from = ra.get(id)?.verdict ?? null;
    const to = rb.get(id)?.verdict ?? null;
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
    const known = rb.get(id)?.known;
    const wasKnown = ra.get(id)?.known;
    bucket.push({
      id,
      from,
      to,
      account: explainer.explain(a.env, b.env, id, { a: from, b: to }),
      ...(known ? { known } : {}),
      ...(wasKnown ? { wasKnown } : {}),
    });
  }
  return out;
}
