/**
 * Which cow.c printed a run, from its wording and structure (/work/src/cow-history/HISTORY.md
 * §1, §3): candidate `selftest.tree` values, most likely first.
 *
 *   6.2        INFO lines before `TAP version 13`, "detected hugetlb size", no collapse rows
 *   6.3–6.4    + the collapse rows (`[INFO] Anonymous THP tests`)
 *   6.5–6.6    "detected hugetlb page size" (vm_util), INFO still before the header
 *   6.7        `TAP version 13` first (a6fcd57cf2df); THP rows the PMD size, without a size
 *   6.8–6.9    mTHP: `[INFO] detected PMD size`, every THP row ` (<s> kB)`; a leak fails as
 *              `not ok N No leak from …`
 *   6.10–6.13  the hugetlb vmsplice rows `# XFAIL`, leaks "Leak from …" (4bf6a4ebc592); memory
 *              filled with 0, so on kernels that remap zero-filled subpages the swapped-out THP
 *              rows SKIP while the swapped-out base pages run (a32bf5bb7933 fixed the fill)
 *   6.14–6.15  the fill fixed (also 6.12.y), kselftest.h's "skipped test(s) detected"
 *   6.16–7.1   results repeat the `[RUN]` name, reasons on `#` lines (the reasons of failures
 *              from 6.17), "[INFO] huge zeropage is enabled" still printed
 *   7.2        hugetlb_setup(2) (sizes it cannot raise are not tested, no "need more free huge
 *              pages"), the tmpfile fallocate SKIP, no huge zeropage line, sysfs failures bail out
 *
 * The trees are in the order the inference tries them; it starts from the first one gupsim
 * runs (cases/selftests/cow/versions.ts) and says so when the era's own is not. A tree picks
 * the newest version at or before it: `6.12` is the 6.12.y before the fill fix (cow-6.10),
 * `6.12.118` the fixed one (cow-6.12), which a 6.12 tree's log is unless its rows say zero fill.
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
  // Only a run that reached its last rows has shown every size it tests.
  const reachedEnd = run.subtests.some((s) => s.id?.startsWith('cow/ro-pin-fast/'));
  return reachedEnd && sizes.some((k) => !tested.has(k));
}

/**
 * The zero fill of 6.10–6.13: with swap, the swapped-out base page rows run, while the
 * swapped-out THP rows say MADV_PAGEOUT did not work (zero-filled subpages are remapped to the
 * shared zeropage on split, b1f202060afe, instead of going to swap).
 */
function zeroFilled(run: ParsedRun): boolean {
  const rows = run.subtests.filter((s) => s.id?.includes('swapped') === true);
  const base = rows.filter((s) => s.id!.endsWith('/swapped-base-page'));
  const thp = rows.filter((s) => !s.id!.endsWith('/swapped-base-page'));
  const noSwapOut = (r: string | null): boolean =>
    r !== null && r.startsWith('MADV_PAGEOUT did not work');
  return (
    base.some((s) => s.verdict !== 'skip' && s.verdict !== 'missing') &&
    thp.length > 0 &&
    thp.every((s) => s.verdict === 'skip' && noSwapOut(s.reason))
  );
}

/** E1 (verdict texts as results): the era from its structure. */
function verdictTexts(run: ParsedRun, eras: ReadonlySet<string>): SelftestGuess {
  const f = run.facts;
  const collapse = run.subtests.some((s) => s.id?.startsWith('cow/collapse-'));
  const notice = run.skippedNotice !== null;
  if (f.infoBeforeHeader || f.hugetlbWording === 'hugetlb size') {
    if (f.hugetlbWording === 'hugetlb page size') {
      // One clean run: a line-buffered kselftest.h (6.6); 6.5's, through a pipe, repeats its output.
      return guess(
        ['6.6', '6.5'],
        'likely',
        '[INFO] lines before "TAP version 13" (before a6fcd57cf2df, v6.7) and "detected hugetlb page size" (v6.5)',
      );
    }
    return collapse
      ? guess(
          ['6.3', '6.4'],
          'likely',
          '"detected hugetlb size" (before v6.5) and the collapse rows (v6.3)',
        )
      : guess(
          ['6.2', '6.3'],
          'guess',
          '"detected hugetlb size" (before v6.5) and no collapse row (v6.2)',
        );
  }
  if (
    eras.has('thp-unsized') ||
    (f.pmdSizeKiB === null && f.thpSizesKiB.length === 1 && run.subtests.length > 0)
  ) {
    return guess(
      ['6.7'],
      'likely',
      'the TAP header first (a6fcd57cf2df, v6.7) and THP rows without a size (before the mTHP tests, v6.8)',
    );
  }
  if (eras.has('no-leak-fail')) {
    return guess(
      ['6.8'],
      'certain',
      'mTHP sizes (v6.8) and a failure worded "No leak from …" (before 4bf6a4ebc592, v6.10)',
    );
  }
  if (zeroFilled(run)) {
    return guess(
      ['6.10', '6.13'],
      'likely',
      'swapped-out THP rows skip while swapped-out base pages run: memory filled with 0 (6.10 … 6.13, before a32bf5bb7933)',
    );
  }
  if (notice) {
    return guess(
      ['6.14', '6.15'],
      'likely',
      'verdict texts as results (v6.10 … v6.15) and the v6.14 kselftest.h "skipped test(s) detected" line',
    );
  }
  if (eras.has('xfail') || eras.has('leak-fail')) {
    return guess(
      ['6.12.118', '6.10'],
      'likely',
      'the hugetlb vmsplice rows XFAIL, leaks worded "Leak from …" (v6.10 … v6.15), no "skipped test(s) detected" (before v6.14)',
    );
  }
  return guess(
    ['6.12.118', '6.10', '6.8'],
    'likely',
    'verdict texts as results and mTHP sizes (v6.8 … v6.15); no failure to tell the eras apart',
  );
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
      ['6.12.118', '6.8'],
      'certain',
      `"${run.programLines[0]!.text}": thp_settings.c (v6.8 … the 6.x trees) exits with a bare printf`,
    );
  }
  if (eras.has('unique-names')) {
    const container = run.wrapper.container?.name;
    if (container === 'ksft_cow.sh')
      return guess(
        ['7.2'],
        'certain',
        'results repeat the [RUN] names (v6.16+) and ksft_cow.sh runs it (the 7.x kselftest collection)',
      );
    if (eras.has('fallocate-skip'))
      return guess(
        ['7.2'],
        'certain',
        'results repeat the [RUN] names (v6.16+) and the tmpfile rows SKIP "fallocate() not supported by filesystem" (the 7.2 tree)',
      );
    if (sizeLeftOut(run))
      return guess(
        ['7.2'],
        'certain',
        'a detected hugetlb size is never tested: hugetlb_setup(2) keeps only sizes with 2 free pages (the 7.2 tree)',
      );
    if (eras.has('need-more-huge') || run.facts.hugeZeropage) {
      return guess(
        ['6.17', '6.16', '6.18'],
        'likely',
        `results repeat the [RUN] names (v6.16+), and ${eras.has('need-more-huge') ? '"need more free huge pages"' : 'the "[INFO] huge zeropage is enabled" line'}, which the 7.2 tree no longer prints`,
      );
    }
    return guess(
      ['7.2', '6.17', '6.16'],
      'likely',
      'results repeat the [RUN] names (v6.16+); nothing tells 6.16 … 7.2 apart',
    );
  }
  if (
    eras.has('verdict-texts') ||
    eras.has('xfail') ||
    eras.has('leak-fail') ||
    eras.has('no-leak-fail') ||
    run.subtests.length > 0 ||
    run.facts.pmdSizeKiB !== null
  ) {
    return verdictTexts(run, eras);
  }
  return guess(['7.2', '6.12.118'], 'guess', 'no wording to go by');
}
