/**
 * Flapping sub-tests: the verdict changes at least twice over at least three runs of the same
 * kernel and environment. Keeping kernel and environment fixed is what separates a flaky test
 * from a regression followed by a fix (SQUAD #276 asks for this; SQUAD's `intermittent` flag
 * is set by hand). Runs are also grouped by machine: two machines described by the same
 * environment file still differ in hardware, and interleaving their runs would turn one
 * machine's steady regression into "flapping".
 */
import type { SubtestVerdict } from '../diff/types.js';
import type { StoredRun, VerdictRow } from '../store/types.js';

export const FLAP_MIN_CHANGES = 2;
export const FLAP_MIN_RUNS = 3;

export interface Flapping {
  id: string;
  kernel: string | null;
  envKey: string;
  machine: string | null;
  /** Runs of that kernel and environment where the sub-test has a result. */
  runs: number;
  changes: number;
  verdicts: SubtestVerdict[];
  runIds: number[];
}

export function flapping(runs: readonly StoredRun[], rows: readonly VerdictRow[]): Flapping[] {
  const runById = new Map(runs.map((r) => [r.id, r]));
  const groups = new Map<string, Flapping>();
  for (const row of rows) {
    const run = runById.get(row.runId);
    if (!run || row.verdict === null) continue;
    const key = `${run.machine ?? ''}\u0000${run.kernel ?? ''}\u0000${run.envKey}\u0000${row.id}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { id: row.id, kernel: run.kernel, envKey: run.envKey, machine: run.machine, runs: 0, changes: 0, verdicts: [], runIds: [] }));
    const prev = g.verdicts[g.verdicts.length - 1];
    if (prev !== undefined && prev !== row.verdict) g.changes++;
    g.runs++;
    g.verdicts.push(row.verdict);
    g.runIds.push(row.runId);
  }
  return [...groups.values()]
    .filter((g) => g.changes >= FLAP_MIN_CHANGES && g.runs >= FLAP_MIN_RUNS)
    .sort((a, b) => b.changes - a.changes || a.id.localeCompare(b.id));
}
