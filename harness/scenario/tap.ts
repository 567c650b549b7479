/** A scenario result as TAP 13: the steps as comments, one result per checked property. */
import { formatTraceEvent } from '../commands/run.js';
import type { ScenarioResult } from '../../cases/scenarios/scenario.js';

export function scenarioTap(r: ScenarioResult, explain: boolean): string {
  const opts = Object.entries(r.options)
    .map(([k, v]) => `--${k} ${v}`)
    .join(' ');
  const patches = r.kernel.patches.length ? ` ${r.kernel.patches.join(' ')}` : '';
  const out = [
    'TAP version 13',
    `# gupsim scenario ${r.scenario}: kernel ${r.kernel.release}${patches}${opts ? `, ${opts}` : ''}`,
  ];
  r.steps.forEach((s, i) => {
    out.push(`# step ${i + 1}: ${s.action}: ${s.result}`);
    if (explain) for (const e of s.trace) out.push(`#     ${formatTraceEvent(e)}`);
  });
  out.push(`1..${r.checks.length}`);
  r.checks.forEach((c, i) => {
    if (c.skip) out.push(`ok ${i + 1} - ${c.description} # SKIP ${c.skip}`);
    else out.push(`${c.holds ? 'ok' : 'not ok'} ${i + 1} - ${c.description}`);
  });
  out.push(`# outcome: ${r.outcome} — ${r.summary}`);
  return out.join('\n') + '\n';
}
