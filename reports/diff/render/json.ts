/**
 * `gupsim diff --json`. Each distinct result (a run's triage, summary, environment, sub-test
 * and evidence comparisons) is held once in `results`, and `runs` refers to it by position:
 * a CI log that repeats a dozen machines' runs thousands of times is a dozen results and a
 * line per run — smaller than the log, where listing every run in full was four times it.
 * `--all-runs --json` lists every run in full, as `diffJson` builds it.
 */
import { createHash } from 'node:crypto';
import type { DiffReport, RunDiff } from '../types.js';

/** What a run's diff says, without where the run is (`source`, `index`, `lines`). */
function resultJson(r: RunDiff): Record<string, unknown> {
  return {
    triage: r.triage,
    summary: r.summary,
    selftest: r.selftest,
    env: r.env ?? null,
    inferred: r.inferred,
    exitCode: r.exitCode,
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
      ...(s.known ? { known: s.known } : {}),
    })),
    evidence: r.evidence,
    ...(r.knownNotes
      ? { knownNotes: r.knownNotes.map((n) => ({ issue: n.issue.id, status: n.status, tests: n.tests })) }
      : {}),
  };
}

/** One run of the report in full, as it appears in `--all-runs --json`'s `runs`. */
function runJson(source: string, r: RunDiff): unknown {
  const { triage, summary, selftest, env, inferred, exitCode, ...rest } = resultJson(r);
  return {
    source,
    index: r.index,
    triage,
    summary,
    selftest,
    env,
    inferred,
    exitCode,
    lines: { start: r.parsed.startLine, end: r.parsed.endLine },
    ...rest,
  };
}

export function diffJson(reports: readonly DiffReport[]): unknown {
  return {
    runs: reports.flatMap((rep) => rep.runs.map((r) => runJson(rep.source, r))),
    issues: reports.flatMap((rep) => rep.issues.map((message) => ({ source: rep.source, message }))),
  };
}

/** `"key": value` lines closing a document (issues, and a known-issues tally when given). */
function tail(issues: readonly { source: string; message: string }[], known: unknown): string {
  const doc = known === undefined ? { issues } : { issues, known };
  return JSON.stringify(doc, null, 2).slice(2); // `  "issues": …\n}`
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

  logDone(): void {}

  /** `known`: a known-issues file's tally (reports/known/tally.ts), as the `known` key. */
  end(known?: unknown): void {
    this.write(`${this.runs === 0 ? '{\n  "runs": [],\n' : '\n  ],\n'}${tail(this.issues, known)}\n`);
  }
}

/**
 * `--json`: `{ "results": [...], "runs": [{ source, index, lines, triage, result }], "issues",
 * "known"? }`. A result is written when first seen; the runs (a short line each) are written
 * at the end. Runs that reuse a diff share its sub-test list, so their result is found by that
 * object; any other run's result is found by a hash of its text (equal text, one result).
 */
export class DistinctJsonWriter {
  private results = 0;
  private readonly byList = new WeakMap<object, number>();
  private readonly byHash = new Map<string, number>();
  private readonly runs: string[] = [];
  private readonly issues: { source: string; message: string }[] = [];

  constructor(private readonly write: (s: string) => void) {}

  run(source: string, r: RunDiff): void {
    let k = this.byList.get(r.subtests);
    if (k === undefined) {
      const body = JSON.stringify(resultJson(r), null, 2);
      const hash = createHash('sha256').update(body).digest('base64');
      k = this.byHash.get(hash);
      if (k === undefined) {
        k = this.results++;
        this.byHash.set(hash, k);
        this.write(`${k === 0 ? '{\n  "results": [\n' : ',\n'}    ${body.replace(/\n/g, '\n    ')}`);
      }
      this.byList.set(r.subtests, k);
    }
    this.runs.push(
      JSON.stringify({ source, index: r.index, lines: { start: r.parsed.startLine, end: r.parsed.endLine }, triage: r.triage, result: k }),
    );
  }

  logIssues(source: string, messages: readonly string[]): void {
    for (const message of messages) this.issues.push({ source, message });
  }

  logDone(): void {}

  end(known?: unknown): void {
    const head = this.results === 0 ? '{\n  "results": [],\n' : '\n  ],\n';
    const runs = this.runs.length === 0 ? '  "runs": [],\n' : `  "runs": [\n    ${this.runs.join(',\n    ')}\n  ],\n`;
    this.write(`${head}${runs}${tail(this.issues, known)}\n`);
  }
}
