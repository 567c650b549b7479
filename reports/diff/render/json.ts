/** `gupsim diff --json`: runs with triage, selftest, env, inferred facts and sub-test comparisons. */
import type { DiffReport } from '../types.js';

export function diffJson(reports: readonly DiffReport[]): unknown {
  return {
    runs: reports.flatMap((rep) =>
      rep.runs.map((r) => ({
        source: rep.source,
        index: r.index,
        triage: r.triage,
        summary: r.summary,
        selftest: r.selftest,
        env: r.env ?? null,
        inferred: r.inferred,
        exitCode: r.exitCode,
        lines: { start: r.parsed.startLine, end: r.parsed.endLine },
        subtests: r.subtests.map((s) => ({
          id: s.id,
          number: s.number,
          name: s.name,
          observed: s.observed,
          predicted: s.predicted,
          class: s.class,
          explanation: s.explanation,
          commits: s.commits,
        })),
      })),
    ),
    issues: reports.flatMap((rep) => rep.issues.map((message) => ({ source: rep.source, message }))),
  };
}
