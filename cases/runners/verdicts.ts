/**
 * What each runner prints for a program's exit status: run_vmtests.sh's run_test() status and
 * TAP line, and the kselftest runner's run_one() TAP line. The runners (run-vmtests.ts,
 * kselftest-runner.ts) print them; the read flow asks the same functions which exit statuses
 * a line it reads allows (reports/diff/runner-claims.ts).
 */
import { KSFT_SKIP, KSFT_XFAIL } from '../kselftest/kselftest.js';
import type { KselftestRunnerEra } from './eras.js';

export interface RunnerResult {
  ok: boolean;
  /** The TAP directive after ` # ` (`exit=1`, `SKIP`, `XFAIL`), or null. */
  directive: string | null;
}

/** run_vmtests.sh run_test(): 0 → [PASS] `ok`, $ksft_skip → [SKIP] `ok … # SKIP`, else [FAIL] `not ok … # exit=N`. */
export function runVmtestsResult(
  exitCode: number,
): RunnerResult & { status: 'PASS' | 'SKIP' | 'FAIL' } {
  if (exitCode === 0) return { status: 'PASS', ok: true, directive: null };
  if (exitCode === KSFT_SKIP) return { status: 'SKIP', ok: true, directive: 'SKIP' };
  return { status: 'FAIL', ok: false, directive: `exit=${exitCode}` };
}

/** kselftest/runner.sh run_one(): `ok`, `ok … # SKIP` (4), `ok … # XFAIL` (2, ktap_helpers runners), else `not ok … # exit=N`. */
export function kselftestRunnerResult(exitCode: number, era: KselftestRunnerEra): RunnerResult {
  if (exitCode === 0) return { ok: true, directive: null };
  if (exitCode === KSFT_SKIP) return { ok: true, directive: 'SKIP' };
  if (exitCode === KSFT_XFAIL && era.ktapHelpers) return { ok: true, directive: 'XFAIL' };
  return { ok: false, directive: `exit=${exitCode}` };
}
