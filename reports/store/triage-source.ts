/**
 * THE ONLY COUPLING POINT between the store/history/formats and the diff & triage
 * (reports/diff/). Everything under reports/store, reports/history, reports/formats and
 * harness/commands obtains a DiffReport from `diffLogText` (or a log's run diffs from
 * `diffLogStream`) here and nowhere else.
 *
 * It delegates to reports/diff (identify the selftest version, infer or take the environment,
 * predict with the simulated kernel, triage each sub-test).
 */
import type { Environment } from '../../cases/env.js';
import { diffLog, diffStream, streamIssues, type StreamedDiff } from '../diff/index.js';
import type { DiffReport, RunDiff } from '../diff/types.js';

/** Parse and triage one log (the environment given, or inferred). Never throws: problems are in `issues`. */
export function diffLogText(text: string, source: string, env?: Environment): DiffReport {
  return diffLog(text, source, env ? { env } : {});
}

/**
 * Parse and triage a log as it streams: each run's diff goes to `onRun` as the run ends, so a
 * log of thousands of runs is never held (`gupsim record` of a large log). A failing stream
 * ends the log there, its error one of the issues (as in diffStream).
 */
export function diffLogStream(
  stream: AsyncIterable<string | Uint8Array>,
  source: string,
  env: Environment | undefined,
  onRun: (diff: RunDiff) => void,
): Promise<StreamedDiff> {
  return diffStream(stream, source, env ? { env } : {}, onRun);
}

/** A log's run count and issues without triaging it (a log already stored). */
export function logIssuesOfStream(stream: AsyncIterable<string | Uint8Array>): Promise<{ runs: number; issues: string[] }> {
  return streamIssues(stream);
}
