/**
 * THE ONLY COUPLING POINT between the store/history/formats and the diff & triage
 * (reports/diff/). Everything under reports/store, reports/history, reports/formats and
 * harness/commands obtains a DiffReport from `diffLogText` here and nowhere else.
 *
 * It delegates to reports/diff (identify the selftest version, infer or take the environment,
 * predict with the simulated kernel, triage each sub-test).
 */
import type { Environment } from '../../cases/env.js';
import { diffLog } from '../diff/index.js';
import type { DiffReport } from '../diff/types.js';

/** Parse and triage one log (the environment given, or inferred). Never throws: problems are in `issues`. */
export function diffLogText(text: string, source: string, env?: Environment): DiffReport {
  return diffLog(text, source, env ? { env } : {});
}
