/** `gupsim diff --tap`: one TAP line per sub-test, ok when the observed verdict is the predicted one. */
import type { DiffReport } from '../types.js';

export function diffTap(reports: readonly DiffReport[]): string {
  const rows = reports.flatMap((rep) => rep.runs.flatMap((r) => r.subtests.map((s) => ({ rep, r, s }))));
  const out = ['TAP version 13', `1..${rows.length}`];
  rows.forEach(({ rep, r, s }, i) => {
    const ok = s.observed === s.predicted;
    // TAP descriptions may not contain '#': ids and sources never do; keep explanations as YAML-free comments.
    out.push(`${ok ? 'ok' : 'not ok'} ${i + 1} - ${rep.source.replace(/#/g, '')} run ${r.index + 1} ${s.id ?? '?'}`);
    out.push(`# observed=${s.observed ?? 'absent'} predicted=${s.predicted ?? 'absent'} class=${s.class}`);
  });
  return out.join('\n') + '\n';
}
