/**
 * The last check before a run is called `match`: the sub-test comparison alone cannot see a
 * test that never ran. A runner line `not ok 1 selftests: mm: gup_longterm # exit=128` (or
 * 139, a SIGSEGV) with no output has no sub-test results to disagree with, and a log whose
 * results all match can still end with an exit code the model does not predict. Neither is a
 * match: the model reproduces a run only when it reproduces its exit code and it has results.
 */
import { constants } from 'node:os';
import type { ParsedRun } from '../parse/types.js';
import type { TriageClass } from './types.js';

/** `SIGSEGV` for exit 139: shells and the kselftest runner report a signal as 128 + N. */
export function signalOfExit(code: number): string | undefined {
  if (code <= 128 || code > 128 + 64) return undefined;
  const n = code - 128;
  return Object.entries(constants.signals).find(([, v]) => v === n)?.[0];
}

export function unpredictedOutcome(
  run: ParsedRun,
  exitCode: { observed: number | null; predicted: number },
): { triage: TriageClass; summary: string } | undefined {
  const results = run.subtests.filter((s) => s.verdict !== 'missing').length;
  const { observed, predicted } = exitCode;
  const wrongExit = observed !== null && observed !== predicted;
  if (results === 0) {
    const sig = observed === null ? undefined : signalOfExit(observed);
    if (sig) return { triage: 'crash', summary: `killed by ${sig} (exit ${observed}) before printing any result: the test never ran` };
    if (wrongExit) return { triage: 'infrastructure', summary: `exit ${observed} without a single result (the model predicts exit ${predicted}): the test never ran` };
    return { triage: 'missing', summary: 'the log has no sub-test result to compare: nothing shows the test ran' };
  }
  if (wrongExit) {
    return { triage: 'unexplained', summary: `every result matches the model, but the log's exit code ${observed} is not the model's ${predicted}` };
  }
  return undefined;
}
