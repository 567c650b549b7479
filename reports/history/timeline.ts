/**
 * Per sub-test timelines: every stable id with its verdict in each run, in run order. A run
 * that lacks the id gets a null point, so a timeline always has one point per run and
 * disappearances are visible.
 */
import type { StoredRun, VerdictRow } from '../store/types.js';
import { runRef, type TimelinePoint } from './types.js';

export interface Timeline {
  id: string;
  points: TimelinePoint[];
}

/** `runs` in order (listRuns order); `rows` from verdictRows over the same runs. */
export function buildTimelines(runs: readonly StoredRun[], rows: readonly VerdictRow[]): Timeline[] {
  const pos = new Map(runs.map((r, i) => [r.id, i]));
  const byId = new Map<string, TimelinePoint[]>();
  for (const row of rows) {
    const i = pos.get(row.runId);
    if (i === undefined) continue;
    let pts = byId.get(row.id);
    if (!pts) {
      pts = runs.map((r) => ({ run: runRef(r), verdict: null, class: null }));
      byId.set(row.id, pts);
    }
    const p = pts[i];
    // A duplicated id within one run keeps its first result; the parser reports duplicates itself.
    if (p && p.verdict === null) {
      p.verdict = row.verdict;
      p.class = row.class;
    }
  }
  return [...byId.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([id, points]) => ({ id, points }));
}

const GLYPH: Record<string, string> = { pass: 'P', fail: 'F', skip: 'S', xfail: 'x', xpass: 'X', error: 'E', missing: 'M' };

/** One character per run: P F S E M x X, `.` for absent. */
export function timelineGlyphs(t: Timeline): string {
  return t.points.map((p) => (p.verdict === null ? '.' : (GLYPH[p.verdict] ?? '?'))).join('');
}
