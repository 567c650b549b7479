/** Every scenario gupsim ships, in the order `gupsim scenario` lists them. */
import { cowEitherWay } from './cow-either-way.js';
import { dirtyAfterWriteback } from './dirty-after-writeback.js';
import { kernelVaAccess } from './kernel-va-access.js';
import { pfnmapLifetime } from './pfnmap-lifetime.js';
import { behaviour } from '../../kernel-model/behaviours.js';
import type { TraceEvent } from '../../kernel-model/trace.js';
import type { Scenario } from './scenario.js';

export const SCENARIOS: readonly Scenario[] = [
  dirtyAfterWriteback,
  cowEitherWay,
  pfnmapLifetime,
  kernelVaAccess,
];

export function scenarioByName(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

export interface ScenarioLink {
  scenario: Scenario;
  /** The commit the trace cites (or says is absent) whose decision the scenario shows the reason for. */
  commit: string;
  /**
   * refusal: the commit refused the pin; decision: it decided otherwise; absent: the trace says
   * this kernel lacks it; story: the sub-test is this story's check (its selftest's plug-in
   * says: cow.c's rows, whatever the trace cites).
   */
  kind: 'refusal' | 'decision' | 'absent' | 'story';
}

/** The scenarios a sub-test's trace leads to: those showing why a behaviour it cites matters. */
export function scenariosForTrace(trace: readonly TraceEvent[]): ScenarioLink[] {
  const out: ScenarioLink[] = [];
  for (const s of SCENARIOS) {
    const commits = s.shows.map((n) => behaviour(n).commit);
    const cited = trace.filter((e) => e.commit !== undefined && commits.includes(e.commit));
    const hit = cited.find((e) => e.errno !== undefined) ?? cited[0];
    if (hit?.commit) {
      out.push({
        scenario: s,
        commit: hit.commit,
        kind: hit.errno !== undefined ? 'refusal' : 'decision',
      });
      continue;
    }
    // describeAbsent() names a missing commit in the detail ("8ac268436e6d (6.5) not in this kernel").
    const absent = commits.find((c) =>
      trace.some((e) => e.detail.includes(`${c} (`) && e.detail.includes('not in this kernel')),
    );
    if (absent) out.push({ scenario: s, commit: absent, kind: 'absent' });
  }
  return out;
}
