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
  /** Mark Brown's "skip COW tmpfile cases when fallocate() is unsupported". */
  fallocateSkip: boolean;
  /** The THP sysfs helper linked in (v6.8 thp_settings.c, v7.2 hugepage_settings.c). */
  thpHelper: 'thp_settings' | 'hugepage_settings';
  /** v7.2 hugetlb_setup(2, …): the test raises nr_hugepages itself. */
  hugetlbSetup: boolean;
  /** v7.2: FORCE_READ() + a pagemap check of each non-anonymous page ("Failed to populate page"). */
  populateChecked: boolean;
  /** detect_huge_zeropage() prints "[INFO] huge zeropage is enabled" (until it moved to vm_util). */
  hugeZeropageInfo: boolean;
  /** main()'s end: ksft_exit_fail_msg("%d out of %d tests failed") / ksft_exit_pass(), or ksft_finished(). */
  finished: boolean;
}

/** cow.c of the 6.12 tree (Debian linux-source-6.12 6.12.117): E1 wording, XFAIL, mTHP. */
export const COW_612: CowVariant = {
  id: 'cow-6.12',
  headerFirst: true,
  collapse: true,
  hugetlbWording: 'hugetlb page size',
  mthp: true,
  xfail: true,
  uniqueNames: false,
  fallocateSkip: false,
  thpHelper: 'thp_settings',
  hugetlbSetup: false,
  populateChecked: false,
  hugeZeropageInfo: true,
  finished: false,
};

/** cow.c of the 7.2 tree (Debian linux-source-7.2 7.2.13). */
export const COW_72: CowVariant = {
  ...COW_612,
  id: 'cow-7.2',
  uniqueNames: true,
  fallocateSkip: true,
  thpHelper: 'hugepage_settings',
  hugetlbSetup: true,
  populateChecked: true,
  hugeZeropageInfo: false,
  finished: true,
};
