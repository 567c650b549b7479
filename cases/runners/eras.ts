/**
 * The runners' own history, as data chosen by the selftest tree (like kselftest.h's eras):
 * what `run_vmtests.sh -t gup_test` runs and prints, what the kselftest runner prints around a
 * program, mm/settings' timeout, and which script a CI run of the kselftest collection
 * executes for the gup_test category. Each era names the tree it first shipped in; see
 * RUNNER_EVIDENCE for where each date comes from and how sure it is.
 */
import { atLeast, type Release } from '../../kernel-model/release.js';

export interface RunVmtestsEra {
  /** a3c5cc5129ef (v6.8): TAP output with `# ` prefixes and a running `ok N` counter. */
  tap: boolean;
  /**
   * The "set proper nr_hugepages" block at the top of the script: raising
   * /proc/sys/vm/nr_hugepages, or "Please run this test as root" and exit 4.
   */
  hugepageSetup: boolean;
  /** The gup_test category's programs before gup_longterm, in order. */
  gupTestCommands: readonly string[];
  /** A SKIP sets the exit status to 4 only while it is still 0, so an earlier FAIL stays 1. */
  skipKeepsFail: boolean;
}

export interface KselftestRunnerEra {
  /** mm/settings `timeout=` (the runner's per-program limit, printed as `# timeout set to N`). */
  timeout: number;
  /**
   * kselftest/runner.sh on ktap_helpers.sh: run_kselftest.sh prints the plan and a final
   * `# Totals:` line and exits 1 when a test failed; a timeout is reported without the lone
   * `#` line the older runner printed before it.
   */
  ktapHelpers: boolean;
  /**
   * What the kselftest collection runs for `-t mm:…` of the gup_test category: run_vmtests.sh
   * itself (6.x), or the per-category wrapper `ksft_gup_test.sh` (`./run_vmtests.sh -t gup_test`).
   */
  gupTestEntry: 'run_vmtests.sh' | 'ksft_gup_test.sh';
}

const GUP_TEST_6_X = ['./gup_test -u', './gup_test -a', './gup_test -ct -F 0x1 0 19 0x1000'] as const;
// The benchmarks run once with one page per call and once with the whole buffer (-n -1).
const GUP_TEST_7_X = [
  './gup_test -u -n 1',
  './gup_test -u -n -1',
  './gup_test -a -n 1',
  './gup_test -a -n -1',
  './gup_test -ct -F 0x1 0 19 0x1000',
] as const;

/** First tree known to have the 7.x runner shapes (see RUNNER_EVIDENCE). */
export const RUNNERS_7X_SINCE = '7.2';

export function runVmtestsEra(tree: Release): RunVmtestsEra {
  const seven = atLeast(tree, RUNNERS_7X_SINCE);
  return {
    tap: atLeast(tree, '6.8'),
    hugepageSetup: !seven,
    gupTestCommands: seven ? GUP_TEST_7_X : GUP_TEST_6_X,
    skipKeepsFail: seven,
  };
}

export function kselftestRunnerEra(tree: Release): KselftestRunnerEra {
  const seven = atLeast(tree, RUNNERS_7X_SINCE);
  return {
    timeout: seven ? 900 : atLeast(tree, '6.6') ? 180 : 45,
    ktapHelpers: seven,
    gupTestEntry: seven ? 'ksft_gup_test.sh' : 'run_vmtests.sh',
  };
}

/** The prototype was run by hand, never by a runner; give it the v6.5 shapes. */
export const PROTOTYPE_RUNNERS = {
  runVmtests: { tap: false, hugepageSetup: true, gupTestCommands: GUP_TEST_6_X, skipKeepsFail: false } satisfies RunVmtestsEra,
  kselftest: { timeout: 45, ktapHelpers: false, gupTestEntry: 'run_vmtests.sh' } satisfies KselftestRunnerEra,
};

/** Where each runner date comes from (printed by `gupsim versions`). */
export const RUNNER_EVIDENCE: readonly string[] = [
  'run_vmtests.sh TAP output: a3c5cc5129ef, v6.8',
  'run_vmtests.sh without the nr_hugepages set-up and its root gate: ca0ed5694db1 (HugeTLB set-up series, v7.2)',
  'run_vmtests.sh gup_test -u/-a with -n 1 and -n -1, SKIP no longer masking FAIL: in the 7.2 tree, not in 6.12; commits not identified, dated 7.2',
  'mm/settings timeout: 45 before v6.6, 180 in 6.6–6.12, 900 in the 7.2 tree (change not dated, taken as 7.2)',
  'kselftest runner on ktap_helpers.sh (plan once, # Totals, exit 1 on failure, TIMEOUT without a lone #) and the ksft_gup_test.sh entry: in the 7.2 tree, not in 6.12; not dated, taken as 7.2',
];
