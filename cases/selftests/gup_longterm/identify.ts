/**
 * Which gup_longterm version printed a run: read from its wording and structure. Returns the
 * candidate `selftest.tree` values, most likely first; inference tries them in that order.
 */
import type { ParsedRun } from '../../../reports/parse/types.js';
import type { SelftestGuess } from '../plugin.js';

const PROTOTYPE_TEXT = /Pinning (succeeded|failed) as expected/;
/** hugetlb_setup()'s write of nr_hugepages failing (v7.2 hugepage_settings.c / vm_util.c write_num()). */
const NR_HUGEPAGES_BAIL = /^Bail out! \/sys\/kernel\/mm\/hugepages\/hugepages-\d+kB\/nr_hugepages (open|write)/;
function v7_2(because: string): SelftestGuess {
  return { trees: ['7.2'], fact: { value: '7.2', certainty: 'certain', because } };
}

/**
 * v7.2's hugetlb_setup() leaves sizes it could not get 2 free pages for out of the plan, so a
 * plan smaller than the detected sizes imply can only come from it.
 */
function sizesLeftOutOfPlan(run: ParsedRun): boolean {
  if (!run.plan || run.facts.hugetlbSizesKiB.length === 0) return false;
  const iouring = run.subtests.some((s) => s.id?.startsWith('iouring/'));
  const cases = iouring ? 10 : run.plan.count % 10 === 0 ? 10 : 8;
  return run.plan.count < cases * (3 + run.facts.hugetlbSizesKiB.length) && run.plan.count % cases === 0;
}

export function identifyGupLongterm(run: ParsedRun): SelftestGuess {
  const eras = new Set(run.eras.map((e) => e.era));
  const texts = run.subtests.map((s) => `${s.resultText ?? ''}\n${s.diagnostics.map((d) => d.text).join('\n')}`);
  const any = (re: RegExp): boolean => texts.some((t) => re.test(t));

  if (
    run.program === 'pin_longterm' ||
    run.facts.hugetlbWording === 'hugetlb size' ||
    eras.has('prototype') ||
    any(PROTOTYPE_TEXT)
  ) {
    return { trees: ['prototype'], fact: { value: 'prototype', certainty: 'certain', because: 'prototype wording ("Pinning … as expected", "hugetlb size")' } };
  }
  if (run.bailout && NR_HUGEPAGES_BAIL.test(run.bailout.text)) {
    return v7_2('Bail out! writing nr_hugepages: the test raises the huge page pools itself (hugetlb_setup(), v7.2)');
  }
  if (sizesLeftOutOfPlan(run)) {
    return v7_2(`plan ${run.plan?.count} leaves detected hugetlb sizes out: hugetlb_setup() keeps only sizes with 2 free pages (v7.2)`);
  }
  if (eras.has('v6.16+')) {
    // C family. Evidence that narrows it down, else let the comparison choose.
    const unknownThenSkip = run.subtests.some(
      (s) => s.verdict === 'skip' && s.diagnostics.some((d) => d.text === 'Unknown filesystem') && /R\/W longterm GUP/.test(s.runName ?? ''),
    );
    if (unknownThenSkip) {
      return { trees: ['6.19'], fact: { value: '6.19', certainty: 'certain', because: 'unknown-filesystem GUP sub-tests report a SKIP (21c68ad1d977, v6.19 / 6.18.y)' } };
    }
    const missing = run.subtests.some((s) => s.verdict === 'missing') || run.plannedMismatch !== null;
    const memfdFail = run.subtests.some((s) => s.verdict === 'fail' && s.diagnostics.some((d) => d.text.startsWith('memfd_create() failed')));
    if (memfdFail) {
      return { trees: ['6.16-rc1'], fact: { value: '6.16-rc1', certainty: 'likely', because: 'a failed memfd_create() is reported as FAIL (v6.16-rc1, fixed by b1a529bdb964)' } };
    }
    // v7.2 raises the pools itself, so a size it tests never lacks huge pages.
    const needMore = run.subtests.some((s) => s.diagnostics.some((d) => d.text === 'need more free huge pages'));
    const trees = missing ? ['6.18', '6.16', '6.16-rc1'] : needMore ? ['6.18', '6.19', '6.16'] : ['7.2', '6.18', '6.19', '6.16'];
    return {
      trees,
      fact: {
        value: trees[0]!,
        certainty: 'guess',
        because: missing
          ? 'test names as results and sub-tests without a result line (v6.16–v6.18 "Unknown filesystem" bug)'
          : needMore
            ? 'test names as results (v6.16+), a size short of huge pages (not v7.2); nothing distinguishes v6.16 … v6.19'
            : 'test names as results (v6.16+); nothing distinguishes v6.16 … v7.2',
      },
    };
  }
  if (eras.has('v6.15')) {
    return { trees: ['6.15'], fact: { value: '6.15', certainty: 'certain', because: 'reasons carry " (<strerror>)" suffixes (v6.15 wording)' } };
  }
  if (eras.has('v6.5-v6.14') || eras.has('pre-v6.16') || run.subtests.length > 0) {
    const notice = run.skippedNotice !== null;
    const skips = run.totals ? run.totals.skip : run.counts.skip;
    if (notice) return { trees: ['6.14'], fact: { value: '6.14', certainty: 'likely', because: 'reason texts without errno, and the v6.14 kselftest.h "skipped test(s) detected" line' } };
    const trees = skips > 0 && run.totals ? ['6.12', '6.5'] : ['6.12', '6.14', '6.5'];
    return { trees, fact: { value: '6.12', certainty: 'likely', because: 'reason texts without errno (v6.5 … v6.14)' } };
  }
  if (run.plannedMismatch) {
    return { trees: ['6.18', '6.16', '6.16-rc1'], fact: { value: '6.18', certainty: 'guess', because: 'only a planned/run mismatch: the v6.16–v6.18 pattern' } };
  }
  return { trees: ['6.18', '6.12'], fact: { value: '6.18', certainty: 'guess', because: 'no wording to go by' } };
}
