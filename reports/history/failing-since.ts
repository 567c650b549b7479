/**
 * "Failing since": for each machine and sub-test whose latest result fails, the last run that
 * passed and the first run of the current failing streak — the bisect range KernelCI's
 * regression tracker hands out as pass_node/fail_node. Runs where the sub-test is absent or
 * skipped neither break nor extend the streak: they say nothing about the code.
 */
import type { StoredRun, VerdictRow } from '../store/types.js';
import { isFailing, runRef, type RunRef } from './types.js';

export interface FailingSince {
  id: string;
  machine: string | null;
  /** The last run before the streak where it passed; null when it never passed here. */
  lastPass: RunRef | null;
  firstFail: RunRef;
  latest: RunRef;
  /** Runs in the streak that failed. */
  failingRuns: number;
}

export function failingSince(runs: readonly StoredRun[], rows: readonly VerdictRow[]): FailingSince[] {
  const runById = new Map(runs.map((r) => [r.id, r]));
  // Group rows per (machine, id) in run order (rows are already ordered like runs).
  const groups = new Map<string, { machine: string | null; id: string; rows: VerdictRow[] }>();
  for (const row of rows) {
    const run = runById.get(row.runId);
    if (!run) continue;
    const key = `${run.machine ?? ''}\u0000${row.id}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { machine: run.machine, id: row.id, rows: [] }));
    g.rows.push(row);
  }
  const out: FailingSince[] = [];
  for (const g of groups.values()) {
    const decisive = g.rows.filter((r) => r.verdict === 'pass' || isFailing(r.verdict));
    const last = decisive[decisive.length - 1];
    if (!last || !isFailing(last.verdict)) continue;
    let i = decisive.length - 1;
    while (i > 0 && isFailing(decisive[i - 1]?.verdict ?? null)) i--;
    const first = decisive[i];
    const pass = i > 0 ? decisive[i - 1] : undefined;
    const ref = (r: VerdictRow | undefined): RunRef | null => {
      const run = r && runById.get(r.runId);
      return run ? runRef(run) : null;
    };
    const firstFail = ref(first);
    const latest = ref(last);
    if (!firstFail || !latest) continue;
    out.push({ id: g.id, machine: g.machine, lastPass: ref(pass), firstFail, latest, failingRuns: decisive.length - i });
  }
  return out.sort((a, b) => (a.machine ?? '').localeCompare(b.machine ?? '') || a.id.localeCompare(b.id));
}
