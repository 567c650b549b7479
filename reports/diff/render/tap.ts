/** `gupsim diff --tap`: one TAP line per sub-test, ok when the observed verdict is the predicted one. */
import type { DiffReport, RunDiff } from '../types.js';

/** One sub-test's two TAP lines without the number (kept small: --tap holds them until the plan). */
interface TapRow {
  ok: boolean;
  title: string;
  comment: string;
}

function rowsOf(source: string, r: RunDiff): TapRow[] {
  // TAP descriptions may not contain '#': ids and sources never do; keep explanations as YAML-free comments.
  return r.subtests.map((s) => ({
    ok: s.observed === s.predicted,
    title: `${source.replace(/#/g, '')} run ${r.index + 1} ${s.id ?? '?'}`,
    comment: `# observed=${s.observed ?? 'absent'} predicted=${s.predicted ?? 'absent'} class=${s.class}`,
  }));
}

function render(rows: readonly TapRow[]): string {
  const out = ['TAP version 13', `1..${rows.length}`];
  rows.forEach((row, i) => {
    out.push(`${row.ok ? 'ok' : 'not ok'} ${i + 1} - ${row.title}`);
    out.push(row.comment);
  });
  return out.join('\n') + '\n';
}

export function diffTap(reports: readonly DiffReport[]): string {
  return render(reports.flatMap((rep) => rep.runs.flatMap((r) => rowsOf(rep.source, r))));
}

/**
 * --tap over streamed runs. The plan comes first (as it always has), so the rows — two short
 * strings per sub-test, no parsed data — are held until the end.
 */
export class TapCollector {
  private readonly rows: TapRow[] = [];

  constructor(private readonly write: (s: string) => void) {}

  run(source: string, r: RunDiff): void {
    for (const row of rowsOf(source, r)) this.rows.push(row);
  }

  logIssues(): void {}

  end(): void {
    this.write(render(this.rows));
  }
}
