/**
 * Results that disappeared (MISS): present in the previous run of the same machine and test, absent
 * (or started without a result line) now. A vanished result looks green to pass/fail
 * comparisons — kernelci-core #1787, SQUAD #995 — so it is reported on its own, with whether
 * the run crashed.
 */
import type { StoredRun, VerdictRow } from '../store/types.js';
import { isPresent, runRef, type RunRef } from './types.js';

export interface Disappeared {
  id: string;
  machine: string | null;
  previous: RunRef;
  run: RunRef;
  /** The verdict it had in the previous run. */
  was: string;
  /** The run crashed (triage 'crash') or the sub-test started and printed no result. */
  crashed: boolean;
}

export function disappeared(runs: readonly StoredRun[], rows: readonly VerdictRow[]): Disappeared[] {
  const present = new Map<number, Map<string, VerdictRow>>();
  for (const row of rows) {
    let m = present.get(row.runId);
    if (!m) present.set(row.runId, (m = new Map()));
    if (!m.has(row.id)) m.set(row.id, row);
  }
  const lastOfMachine = new Map<string, StoredRun>();
  const out: Disappeared[] = [];
  for (const run of runs) {
    // The previous run of the same selftest: a cow run does not make gup_longterm's results vanish.
    const key = `${run.machine ?? ''}\u0000${run.test}`;
    const prev = lastOfMachine.get(key);
    lastOfMachine.set(key, run);
    if (!prev) continue;
    const before = present.get(prev.id) ?? new Map<string, VerdictRow>();
    const now = present.get(run.id) ?? new Map<string, VerdictRow>();
    for (const [id, row] of before) {
      if (!isPresent(row.verdict)) continue;
      const cur = now.get(id);
      if (cur && isPresent(cur.verdict)) continue;
      out.push({
        id,
        machine: run.machine,
        previous: runRef(prev),
        run: runRef(run),
        was: row.verdict ?? 'absent',
        crashed: run.triage === 'crash' || cur?.verdict === 'missing',
      });
    }
  }
  return out;
}
