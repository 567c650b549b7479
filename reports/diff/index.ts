/**
 * `gupsim diff`'s library: parse a log, identify each gup_longterm run, infer (or take) its
 * environment, predict it with the simulated kernel, and triage every difference.
 *
 *   diffLog(text, source, opts?)          a whole log in memory → DiffReport
 *   diffParsed(log, source, opts?)        an already parsed log → DiffReport
 *   diffStream(stream, source, opts, onRun) / diffFile(path, …)
 *                                         streaming: each run is parsed, diffed and handed to
 *                                         onRun as it ends; memory does not grow with the log
 *   new RunDiffer(opts).diff(run)         one run at a time, for callers that own the parser
 *
 * All of them diff through a RunDiffer, which reuses the diff of a run for every later run of
 * the same content (run-key.ts).
 */
import { createReadStream } from 'node:fs';
import { CHUNK_BYTES, parseLog, parseStream } from '../parse/index.js';
import type { ParsedLog } from '../parse/types.js';
import type { DiffOptions } from './diff-run.js';
import type { KnownOptions } from '../known/apply.js';
import { logIssues, RunDiffer } from './run-differ.js';
import { NEEDS_HUMAN, type DiffReport, type RunDiff } from './types.js';

export type { DiffReport, RunDiff, SubtestComparison, TriageClass } from './types.js';
export { NEEDS_HUMAN, TRIAGE_PRIORITY } from './types.js';
export { diffRun, type DiffOptions } from './diff-run.js';
export { RunDiffer } from './run-differ.js';

export function diffParsed(log: ParsedLog, source: string, opts: DiffOptions = {}): DiffReport {
  const differ = new RunDiffer(opts);
  return { source, runs: log.runs.map((r) => differ.diff(r)), issues: logIssues(log) };
}

export function diffLog(text: string, source: string, opts: DiffOptions = {}): DiffReport {
  return diffParsed(parseLog(text), source, opts);
}

/** What a streamed diff leaves once every run went to `onRun`. */
export interface StreamedDiff {
  source: string;
  /** Runs handed to onRun. */
  runs: number;
  /** Problems reading the log (as in DiffReport.issues). */
  issues: string[];
  /** Some run needs a human (the `gupsim diff` exit status 1). */
  needsHuman: boolean;
}

/** Parse and diff a byte or string stream; each run's diff goes to `onRun` as the run ends. */
export async function diffStream(
  stream: AsyncIterable<string | Uint8Array>,
  source: string,
  opts: DiffOptions & { known?: KnownOptions | undefined },
  onRun: (diff: RunDiff) => void,
): Promise<StreamedDiff> {
  const differ = new RunDiffer(opts);
  let attention = false;
  const log = await parseStream(stream, {
    onRun: (run) => {
      const d = differ.diff(run);
      if (NEEDS_HUMAN.has(d.triage)) attention = true;
      onRun(d);
    },
  });
  return { source, runs: log.stats.runs, issues: logIssues(log), needsHuman: attention };
}

/**
 * What a log says before any triage: how many runs it holds and its issues (the same
 * DiffReport.issues diffStream gives, which come from the parse alone). Runs are not kept.
 */
export async function streamIssues(
  stream: AsyncIterable<string | Uint8Array>,
): Promise<{ runs: number; issues: string[] }> {
  const log = await parseStream(stream, { onRun: () => undefined });
  return { runs: log.stats.runs, issues: logIssues(log) };
}

/** diffStream over a file read in CHUNK_BYTES pieces. A read error is one of the issues. */
export function diffFile(
  path: string,
  source: string,
  opts: DiffOptions,
  onRun: (diff: RunDiff) => void,
): Promise<StreamedDiff> {
  return diffStream(createReadStream(path, { highWaterMark: CHUNK_BYTES }), source, opts, onRun);
}

/** `gupsim diff`'s exit status: 1 when any run needs a human. */
export function needsHuman(report: DiffReport): boolean {
  return report.runs.some((r) => NEEDS_HUMAN.has(r.triage));
}
