/** Shapes shared by the history analyses (timelines, failing-since, flapping, disappeared). */
import type { SubtestVerdict, TriageClass } from '../diff/types.js';
import type { StoredRun } from '../store/types.js';

/** Enough of a run to name it in a report. */
export interface RunRef {
  id: number;
  date: string;
  kernel: string | null;
  machine: string | null;
}

export function runRef(r: StoredRun): RunRef {
  return { id: r.id, date: r.date, kernel: r.kernel, machine: r.machine };
}

export interface TimelinePoint {
  run: RunRef;
  /** null: the sub-test is absent from that run. */
  verdict: SubtestVerdict | null;
  class: TriageClass | null;
}

/** A verdict is "failing" for bisection purposes. */
export function isFailing(v: SubtestVerdict | null): boolean {
  return v === 'fail' || v === 'error';
}

/** Present with a result line (a 'missing' verdict printed a [RUN] and no result). */
export function isPresent(v: SubtestVerdict | null): boolean {
  return v !== null && v !== 'missing';
}
