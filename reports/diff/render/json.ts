/** `gupsim diff --json`: runs with triage, selftest, env, inferred facts and sub-test comparisons. */
import type { DiffReport, RunDiff } from '../types.js';

/** One run of the report, as it appears in `runs`. */
function runJson(source: string, r: RunDiff): unknown {
  return {
    source,
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
      ...(s.results ? { results: s.results } : {}),
    })),
    evidence: r.evidence,
  };
}

export function diffJson(reports: readonly DiffReport[]): unknown {
  return {
    runs: reports.flatMap((rep) => rep.runs.map((r) => runJson(rep.source, r))),
    issues: reports.flatMap((rep) => rep.issues.map((message) => ({ source: rep.source, message }))),
  };
}

/**
 * The same document as `JSON.stringify(diffJson(reports), null, 2)`, byte for byte, written
 * one run at a time: a log of any size is printed without holding its runs. Nothing is written
 * before the first run or end(), so a caller can still refuse a log with no run at all.
 */
export class JsonRunsWriter {
  private runs = 0;
  private readonly issues: { source: string; message: string }[] = [];

  constructor(private readonly write: (s: string) => void) {}

  run(source: string, r: RunDiff): void {
    const body = JSON.stringify(runJson(source, r), null, 2).replace(/\n/g, '\n    ');
    this.write(`${this.runs === 0 ? '{\n  "runs": [\n' : ',\n'}    ${body}`);
    this.runs++;
  }

  logIssues(source: string, messages: readonly string[]): void {
    for (const message of messages) this.issues.push({ source, message });
  }

  end(): void {
    const issues = JSON.stringify({ issues: this.issues }, null, 2).slice(2); // `  "issues": …\n}`
    this.write(`${this.runs === 0 ? '{\n  "runs": [],\n' : '\n  ],\n'}${issues}\n`);
  }
}
