/**
 * `gupsim diff --tap`: one TAP line per sub-test, ok when the observed verdict is the predicted
 * one (and the sub-test printed one result), then one per piece of run-level evidence (the
 * test's summary lines, the runners' verdicts, sibling programs), ok when the model predicts it
 * or it follows from the run's results.
 */
import type { DiffReport, RunDiff } from '../types.js';

/** One sub-test's two TAP lines without the number (kept small: --tap holds them until the plan). */
interface TapRow {
  ok: boolean;
  title: string;
  comment: string;
  /** `TODO …`: a failure the lab's known issues list (TAP's expected failure). */
  directive?: string;
}

function rowsOf(source: string, r: RunDiff): TapRow[] {
  // TAP descriptions may not contain '#': ids and sources never do; keep explanations as YAML-free comments.
  const src = source.replace(/#/g, '');
  const subtests = r.subtests.map((s) => ({
    ok: s.observed === s.predicted && s.class !== 'conflict',
    title: `${src} run ${r.index + 1} ${s.id ?? '?'}`,
    comment: `# observed=${s.observed ?? 'absent'} predicted=${s.predicted ?? 'absent'} class=${s.class}${s.results ? ` results=${s.results.length}` : ''}`,
    ...(s.known ? { directive: `TODO known ${s.known.id}: ${s.known.reason.replace(/[#\n\r]/g, ' ')}` } : {}),
  }));
  const evidence = r.evidence.map((e) => ({
    ok: e.class === 'match' || e.class === 'expected-failure',
    title: `${src} run ${r.index + 1} ${e.kind}${e.program ? ` ${e.program.replace(/#/g, '')}` : ''}`,
    comment: `# observed=${JSON.stringify(e.observed)} predicted=${e.predicted === null ? 'absent' : JSON.stringify(e.predicted)} class=${e.class}`,
  }));
  return [...subtests, ...evidence];
}

function render(rows: readonly TapRow[]): string {
  const out = ['TAP version 13', `1..${rows.length}`];
  rows.forEach((row, i) => {
    out.push(`${row.ok ? 'ok' : 'not ok'} ${i + 1} - ${row.title}${row.directive ? ` # ${row.directive}` : ''}`);
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

  logDone(): void {}

  end(): void {
    this.write(render(this.rows));
  }
}
