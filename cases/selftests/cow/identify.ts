/**
 * Which cow.c printed a run, from its wording and structure (/work/src/cow-history/HISTORY.md
 * §3): candidate `selftest.tree` values, most likely first. The model runs the cow.c of the
 * 6.12 tree (trees 6.10 … 6.15) and of the 7.2 tree (6.16 on); a log of an older era is named
 * as such and compared with the nearest modelled tree.
 */
import type { ParsedRun } from '../../../reports/parse/types.js';
import type { SelftestGuess } from '../plugin.js';

/** hugepage_settings.c (7.2 tree) failing to write sysfs: `Bail out! <path> open failed: …`. */
const SYSFS_BAIL =
  /^Bail out! \/sys\/kernel\/mm\/(?:transparent_hugepage|hugepages)\/\S+ (?:open|write) failed/;

const guess = (
  trees: string[],
  certainty: SelftestGuess['fact']['certainty'],
  because: string,
): SelftestGuess => ({
  trees,
  fact: { value: trees[0]!, certainty, because },
});

/** A detected hugetlb size the run never tests: 7.2's hugetlb_setup(2) left it out (no 2 free pages). */
function sizeLeftOut(run: ParsedRun): boolean {
  const sizes = run.facts.hugetlbSizesKiB;
  if (sizes.length === 0 || run.plan === null) return false;
  const tested = new Set<number>();
  for (const s of run.subtests) {
    const m = /\/(?:memfd-)?hugetlb-(\d+)kB$/.exec(s.id ?? '');
    if (m) tested.add(Number(m[1]));
  }
  // Only a run that reached its non-anonymous rows has shown every size it tests.
  const reachedEnd = run.subtests.some((s) => s.id?.startsWith('cow/ro-pin-fast/'));
  return reachedEnd && sizes.some((k) => !tested.has(k));
}

export function identifyCow(run: ParsedRun): SelftestGuess {
  const eras = new Set(run.eras.map((e) => e.era));
  if (run.bailouts.some((b) => SYSFS_BAIL.test(b.text))) {
    return guess(
      ['7.2'],
      'certain',
      'Bail out! writing sysfs: hugepage_settings.c (the 7.2 tree) exits through ksft_exit_fail_msg()',
    );
  }
  if (run.programLines.length > 0) {
    return guess(
      ['6.12'],
      'certain',
      `"${run.programLines[0]!.text}": thp_settings.c (v6.8 … the 6.x trees) exits with a bare printf`,
    );
  }
  const container = run.wrapper.container?.name;
  if (eras.has('unique-names')) {
    if (container === 'ksft_cow.sh')
      return guess(
        ['7.2'],
        'certain',
        'results repeat the [RUN] names (v6.16+) and ksft_cow.sh runs it (the 7.x kselftest collection)',
      );
    if (sizeLeftOut(run))
      return guess(
        ['7.2'],
        'certain',
        'a detected hugetlb size is never tested: hugetlb_setup(2) keeps only sizes with 2 free pages (the 7.2 tree)',
      );
    if (eras.has('need-more-huge') || run.facts.hugeZeropage) {
      return guess(
        ['6.18', '6.16'],
        'likely',
        `results repeat the [RUN] names (v6.16+), and ${eras.has('need-more-huge') ? '"need more free huge pages"' : 'the "[INFO] huge zeropage is enabled" line'}, which the 7.2 tree no longer prints`,
      );
    }
    return guess(
      ['7.2', '6.18'],
      'likely',
      'results repeat the [RUN] names (v6.16+); nothing tells 6.16 … 7.2 apart',
    );
  }
  // E1 wordings: the 6.12 tree's cow.c (trees 6.10 … 6.15); older eras are not modelled.
  const older = eras.has('no-leak-fail')
    ? 'a failure worded "No leak from …" (before 4bf6a4ebc592, v6.10)'
    : eras.has('thp-unsized')
      ? 'THP backings without a size (before the mTHP tests, v6.8)'
      : run.facts.infoBeforeHeader
        ? '[INFO] lines before "TAP version 13" (before a6fcd57cf2df, v6.7)'
        : run.facts.hugetlbWording === 'hugetlb size'
          ? '"detected hugetlb size" (before v6.5)'
          : null;
  if (older !== null) {
    return guess(
      ['6.12'],
      'guess',
      `${older}: a cow.c older than gupsim models (v6.10 on), compared with the 6.12 tree's`,
    );
  }
  const notice = run.skippedNotice !== null;
  if (
    eras.has('verdict-texts') ||
    eras.has('xfail') ||
    eras.has('leak-fail') ||
    run.subtests.length > 0
  ) {
    return notice
      ? guess(
          ['6.14'],
          'likely',
          'verdict texts as results (v6.10 … v6.15) and the v6.14 kselftest.h "skipped test(s) detected" line',
        )
      : guess(
          ['6.12', '6.14'],
          'likely',
          'verdict texts as results (v6.10 … v6.15), no "skipped test(s) detected" line (before v6.14)',
        );
  }
  return guess(['7.2', '6.12'], 'guess', 'no wording to go by');
}
