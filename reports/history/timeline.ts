/**
 * Per sub-test timelines: every stable id with its verdict in each run of its selftest, in run
 * order. A run of that test that lacks the id gets a null point, so a timeline has one point
 * per run of its test and disappearances are visible (runs of another test are not its).
 */
import { SELFTEST_NAMES, type SelftestName } from '../../cases/selftests/names.js';
import type { StoredRun, VerdictRow } from '../store/types.js';
import { runRef, type TimelinePoint } from './types.js';

export interface Timeline {
  test: SelftestName;
  id: string;
  points: TimelinePoint[];
}

/** `runs` in order (listRuns order); `rows` from verdictRows over the same runs. */
export function buildTimelines(runs: readonly StoredRun[], rows: readonly VerdictRow[]): Timeline[] {
  // Each test's runs, and each run's position among them.
  const ofTest = new Map<SelftestName, StoredRun[]>();
  const pos = new Map<number, number>();
  for (const r of runs) {
    let list = ofTest.get(r.test);
    if (!list) ofTest.set(r.test, (list = []));
    pos.set(r.id, list.length);
    list.push(r);
  }
  const byId = new Map<string, Timeline>();
  for (const row of rows) {
    const i = pos.get(row.runId);
    if (i === undefined) continue;
    const key = `${row.test}\u0000${row.id}`;
    let t = byId.get(key);
    if (!t) {
      t = {
        test: row.test,
        id: row.id,
        points: (ofTest.get(row.test) ?? []).map((r) => ({ run: runRef(r), verdict: null, class: null })),
      };
      byId.set(key, t);
    }
    const pts = t.points;
    const p = pts[i];
    // A duplicated id within one run keeps its first result; the parser reports duplicates itself.
    if (p && p.verdict === null) {
      p.verdict = row.verdict;
      p.class = row.class;
    }
  }
  // By test in registry order (gup_longterm first), then by id.
  const order = (x: SelftestName): number => SELFTEST_NAMES.indexOf(x);
  return [...byId.values()].sort((a, b) => order(a.test) - order(b.test) || a.id.localeCompare(b.id));
}

const GLYPH: Record<string, string> = { pass: 'P', fail: 'F', skip: 'S', xfail: 'x', xpass: 'X', error: 'E', missing: 'M' };

/** One character per run: P F S E M x X, `.` for absent. */
export function timelineGlyphs(t: Timeline): string {
  return t.points.map((p) => (p.verdict === null ? '.' : (GLYPH[p.verdict] ?? '?'))).join('');
}
