/**
 * What differs between the versions of cow.c gupsim models, as switches a program reads (like
 * gup_longterm's VariantC). Each names the change behind it; the trees that ship each
 * version are cases/selftests/cow/versions.ts.
 */
export interface CowVariant {
  /** Version id (`gupsim versions`). */
  id: string;
  /** a6fcd57cf2df (v6.7, 6.6.y): ksft_print_header() before any [INFO] line. */
  headerFirst: boolean;
  /** dee2ad120571 (v6.3): the anonymous THP collapse tests. */
  collapse: boolean;
  /** detect_hugetlb_page_sizes() moved to vm_util (v6.5): "hugetlb page size". */
  hugetlbWording: 'hugetlb size' | 'hugetlb page size';
  /** c0f79103322c (v6.8): every THP size, each forced through sysfs; `(N kB)` in the names. */
  mthp: boolean;
  /** 4bf6a4ebc592 (v6.10): the hugetlb vmsplice rows are XFAIL, leaks say "Leak from …". */
  xfail: boolean;
  /** 6.16 (109364fce504, 3f192afbede2, 3f2d9a9ac544): results repeat the [RUN] name, reasons on `#` lines. */
  uniqueNames: boolean;
  /**
   * Mark Brown's "Tweaks to the cow test" 4/4 (posted 2025-06-10, v6.17 [I]): E2 failures say
   * why on a `#` line first ("Leak from …", "Longtom R/W pin is not reliable", …).
   */
  failReasons: boolean;
  /** The tmpfile rows SKIP when fallocate() is EOPNOTSUPP (commit not identified; first known in 7.2). */
  fallocateSkip: boolean;
  /**
   * The THP sysfs helper linked in (v6.8 thp_settings.c, v7.2 hugepage_settings.c); none before
   * v6.8: cow.c only reads the PMD size and never writes sysfs.
   */
  thpHelper: 'none' | 'thp_settings' | 'hugepage_settings';
  /** a32bf5bb7933 (v6.14, 6.12.y): memory is filled with 1, not 0 (zero-filled THPs do not swap on b1f202060afe kernels). */
  fill: number;
  /** Children leave with exit(), which flushes their copy of stdout (until the _exit() conversion, first known in 7.2). */
  childExit: boolean;
  /** v7.2 hugetlb_setup(2, …): the test raises nr_hugepages itself. */
  hugetlbSetup: boolean;
  /** v7.2: FORCE_READ() + a pagemap check of each non-anonymous page ("Failed to populate page"). */
  populateChecked: boolean;
  /** detect_huge_zeropage() prints "[INFO] huge zeropage is enabled" (until it moved to vm_util). */
  hugeZeropageInfo: boolean;
  /** main()'s end: ksft_exit_fail_msg("%d out of %d tests failed") / ksft_exit_pass(), or ksft_finished(). */
  finished: boolean;
}

/**
 * cow.c of v6.2 (reconstructed in cow-history/6.2-97713a3abe33): the anonymous cases on base
 * pages, the PMD THP in eight shapes and hugetlb, the non-anonymous cases; [INFO] lines before
 * the TAP header; no sysfs writes.
 */
export const COW_62: CowVariant = {
  id: 'cow-6.2',
  headerFirst: false,
  collapse: false,
  hugetlbWording: 'hugetlb size',
  mthp: false,
  xfail: false,
  uniqueNames: false,
  failReasons: false,
  fallocateSkip: false,
  thpHelper: 'none',
  fill: 0,
  childExit: true,
  hugetlbSetup: false,
  populateChecked: false,
  hugeZeropageInfo: true,
  finished: false,
};

/** v6.3: the four THP collapse cases (dee2ad120571). */
export const COW_63: CowVariant = { ...COW_62, id: 'cow-6.3', collapse: true };

/** v6.5: hugetlb sizes detected by vm_util ("hugetlb page size"). */
export const COW_65: CowVariant = { ...COW_63, id: 'cow-6.5', hugetlbWording: 'hugetlb page size' };

/** v6.7: the TAP header first (a6fcd57cf2df). */
export const COW_67: CowVariant = { ...COW_65, id: 'cow-6.7', headerFirst: true };

/** v6.8: every THP size, forced per size through thp_settings.c (c0f79103322c). */
export const COW_68: CowVariant = {
  ...COW_67,
  id: 'cow-6.8',
  mthp: true,
  thpHelper: 'thp_settings',
};

/** v6.10: the hugetlb vmsplice rows XFAIL, failures say "Leak from …" (4bf6a4ebc592). */
export const COW_610: CowVariant = { ...COW_68, id: 'cow-6.10', xfail: true };

/** cow.c of the 6.12 tree (Debian linux-source-6.12 6.12.118): v6.10 plus the fill of 1 (a32bf5bb7933, via stable). */
export const COW_612: CowVariant = { ...COW_610, id: 'cow-6.12', fill: 1 };

/** v6.16: results repeat the [RUN] name, reasons on `#` lines, ksft_finished() (109364fce504, 3f192afbede2/3f2d9a9ac544). */
export const COW_616: CowVariant = {
  ...COW_612,
  id: 'cow-6.16',
  uniqueNames: true,
  finished: true,
};

/** v6.17 [I]: failures say why first (the Tweaks). */
export const COW_617: CowVariant = { ...COW_616, id: 'cow-6.17', failReasons: true };

/** cow.c of the 7.2 tree (Debian linux-source-7.2 7.2.13): the changes after the Tweaks, none dated. */
export const COW_72: CowVariant = {
  ...COW_617,
  id: 'cow-7.2',
  fallocateSkip: true,
  thpHelper: 'hugepage_settings',
  hugetlbSetup: true,
  populateChecked: true,
  hugeZeropageInfo: false,
  childExit: false,
};
