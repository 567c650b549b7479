/**
 * The verdict of one observed sub-test, and the explicit order in which verdicts dominate
 * when they are aggregated (a run, a case across backings, a diff summary).
 *
 * Modelled on kunit_parser.py's status ranking (crashed > failed > passed > skipped) and on
 * KCIDB's summary order (FAIL, ERROR, MISS, PASS, DONE, SKIP), with kselftest's own result
 * kinds (xfail/xpass) slotted in where kselftest.h's exit rule puts them: xfail and xpass do
 * not fail a run, so they rank with pass rather than with fail.
 */

export type Verdict = 'fail' | 'error' | 'missing' | 'xpass' | 'pass' | 'xfail' | 'skip';

/** Higher wins. Kept as a table (not an ordering of the union) so the priority is reviewable. */
export const VERDICT_PRIORITY: Readonly<Record<Verdict, number>> = {
  fail: 60,
  error: 50,
  // A [RUN] with no result line: the test started and said nothing — worse than any
  // completed result, better than a reported failure (it may be the v6.16 unknown-fs bug).
  missing: 40,
  xpass: 30,
  pass: 20,
  xfail: 10,
  skip: 0,
};

/** All verdicts, most severe first. */
export const VERDICTS: readonly Verdict[] = (Object.keys(VERDICT_PRIORITY) as Verdict[]).sort(
  (a, b) => VERDICT_PRIORITY[b] - VERDICT_PRIORITY[a],
);

/** The dominant verdict of a collection, or null when it is empty. */
export function worstVerdict(verdicts: Iterable<Verdict>): Verdict | null {
  let worst: Verdict | null = null;
  for (const v of verdicts) {
    if (worst === null || VERDICT_PRIORITY[v] > VERDICT_PRIORITY[worst]) worst = v;
  }
  return worst;
}

/** The six counters of kselftest's `# Totals:` line. */
export interface KselftestCounters {
  pass: number;
  fail: number;
  xfail: number;
  xpass: number;
  skip: number;
  error: number;
}

/** kselftest's counters computed from verdicts, plus 'missing', which kselftest does not count. */
export interface VerdictCounts extends KselftestCounters {
  missing: number;
}

export function emptyCounts(): VerdictCounts {
  return { pass: 0, fail: 0, xfail: 0, xpass: 0, skip: 0, error: 0, missing: 0 };
}
