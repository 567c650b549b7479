/**
 * Crash markers and infrastructure failures found in free text (unknown lines, diagnostics,
 * kernel messages glued into output). Scanning never changes a sub-test verdict: it only adds
 * markers that triage can show next to the sub-test that was running.
 */
import { CRASH_MARKERS, LOADER_ERROR, TIMEOUT_DIRECTIVE } from './patterns.js';
import { infraPatterns, mentionsProgram, namedProgram } from './selftests.js';
import type { CrashKind, InfraKind } from './types.js';

/** One cheap test first: almost every line is not a crash. */
const CRASH_PREFILTER =
  /Oops|BUG|panic|Unable to handle|protection fault|[Tt]race:|RIP: |Segmentation/;

export function crashKind(text: string): CrashKind | null {
  if (!CRASH_PREFILTER.test(text)) return null;
  for (const [re, kind] of CRASH_MARKERS) if (re.test(text)) return kind;
  return null;
}

export function infraKind(text: string): InfraKind | null {
  if (LOADER_ERROR.test(text)) return 'loader-error';
  if (!text.startsWith('TIMEOUT') && !mentionsProgram(text)) return null;
  if (infraPatterns.COMMAND_NOT_FOUND.test(text)) return 'command-not-found';
  if (infraPatterns.EXEC_ERROR.test(text)) return 'exec-error';
  if (TIMEOUT_DIRECTIVE.test(text)) return 'timeout';
  return null;
}

/** Which selftest program an infrastructure message names, if any (`./gup_longterm: error while ...`). */
export function infraProgram(text: string): string | null {
  return namedProgram(text);
}
