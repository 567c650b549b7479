/**
 * A known-issues file over a stored history (`gupsim history --known`): each run's rows with
 * the file applied (which results are known, the run's triage recomputed with its rest), and
 * per machine what each entry found over time — seen, or no longer seen since some run.
 */
import type { StoredRun, VerdictRow } from '../store/types.js';
import type { KnownMatcher } from './match.js';
import { overlayKnown } from './overlay.js';
import { scopeOfStored } from './apply.js';
import { KnownTally, type KnownIssueTally } from './tally.js';
import type { KnownMark } from './types.js';

export interface KnownHistory {
  /** The runs with their triage recomputed (same order). */
  runs: StoredRun[];
  /** `${runId}\u0000${stable id}` → the entry that covers that result. */
  marks: Map<string, KnownMark>;
  /** Per machine (null: runs without one), each entry's tally over its runs in order. */
  machines: { machine: string | null; issues: KnownIssueTally[] }[];
}

export function markKey(runId: number, id: string): string {
  return `${runId}\u0000${id}`;
}

type Row = VerdictRow & { explanation: string; name: string | null; known?: KnownMark };

const ADAPTER = { verdict: (r: Row) => r.verdict };

/** `rows`: the history's verdict rows (verdictRows), in run order. */
export function knownHistory(
  runs: readonly StoredRun[],
  rows: readonly VerdictRow[],
  matcher: KnownMatcher,
): KnownHistory {
  const byRun = new Map<number, Row[]>();
  for (const r of rows) {
    let list = byRun.get(r.runId);
    if (!list) byRun.set(r.runId, (list = []));
    list.push({ ...r, name: r.name ?? null, explanation: '' });
  }
  const marks = new Map<string, KnownMark>();
  const tallies = new Map<string | null, KnownTally>();
  const out = runs.map((run) => {
    const entries = matcher.for(scopeOfStored(run));
    if (entries.length === 0) return run;
    const o = overlayKnown(
      {
        triage: run.triage,
        summary: run.summary,
        rest: run.rest,
        results: byRun.get(run.id) ?? [],
      },
      entries,
      ADAPTER,
    );
    for (const r of o.results) if (r.known) marks.set(markKey(run.id, r.id), r.known);
    let tally = tallies.get(run.machine);
    if (!tally) tallies.set(run.machine, (tally = new KnownTally(matcher)));
    tally.add(o.notes, `run ${run.id} (${run.kernel ?? 'kernel ?'}, ${run.date.slice(0, 10)})`);
    return o.changed
      ? { ...run, triage: o.triage, summary: o.summary, knownNotes: o.notes }
      : { ...run, knownNotes: o.notes };
  });
  const machines = [...tallies].map(([machine, t]) => ({ machine, issues: t.result() }));
  return { runs: out, marks, machines };
}
