/**
 * hugetlb_setup() (tools/testing/selftests/mm/hugepage_settings.c, linux-next "D" version of
 * gup_longterm): save the pools, then make sure `nr` free pages exist for each size by
 * raising nr_hugepages, keep only the sizes where that worked, and restore at exit.
 *
 * hugepage_settings.c and vm_util.c are translation units of their own: what they print
 * through kselftest.h (the [INFO] lines, a `Bail out!` and its `# Totals:`) comes from their
 * own copy of its static counters (Kselftest.translationUnit()), not the test's.
 */
import type { Process } from '../libc/process.js';
import { strerror } from '../libc/strerror.js';
import type { Kselftest } from './kselftest.js';
import { detectHugetlbPageSizes } from './vm-util.js';

function nrPath(kb: number): string {
  return `/sys/kernel/mm/hugepages/hugepages-${kb}kB/nr_hugepages`;
}

/**
 * hugetlb_set_nr_pages() → write_num_ignore_einval() → vm_util.c __write_file(): a failure
 * other than EINVAL ends the program through vm_util.c's ksft_exit_fail_msg(). The model's
 * sysfs write fails only at open() (no permission, no such size).
 */
function writeNum(proc: Process, vmUtil: Kselftest, kb: number, value: number): void {
  if (proc.writeNrHugepages(kb, value) < 0) {
    vmUtil.exitFailMsg(`${nrPath(kb)} open failed: ${strerror(proc.errno)}\n`);
  }
}

export function hugetlbSetup(proc: Process, ksft: Kselftest, nr: number, max: number): number[] {
  const settings = ksft.translationUnit(); // hugepage_settings.c
  const vmUtil = ksft.translationUnit(); // vm_util.c
  // __hugetlb_save_settings(): detect (printing the [INFO] lines once; hugetlb_setup()'s own
  // detect_hugetlb_page_sizes() call then returns the saved sizes) and remember nr_hugepages.
  const detected = detectHugetlbPageSizes(proc, settings, 10, 'hugetlb page size').map(
    (b) => b / 1024,
  );
  const saved = detected.map((kb) => ({ kb, nr: proc.readNrHugepages(kb, 'nr_hugepages') }));
  proc.atexit(() => {
    // hugepage_restore_settings_atexit() → hugetlb_restore_settings(): every saved size is
    // written back, changed or not, so a user who may not write sysfs bails out here even
    // when the pools were already big enough.
    for (const s of saved) writeNum(proc, vmUtil, s.kb, s.nr);
  });
  if (detected.length === 0) return [];
  /* c8 ignore next 3 */
  if (detected.length > max) {
    settings.printMsg(`detected ${detected.length} huge page sizes, will only test ${max}\n`);
  }
  const kept: number[] = [];
  for (const kb of detected.slice(0, max)) {
    // __hugetlb_setup()
    const free = proc.readNrHugepages(kb, 'free_hugepages');
    if (free >= nr) {
      kept.push(kb * 1024);
      continue;
    }
    const total = proc.readNrHugepages(kb, 'nr_hugepages');
    writeNum(proc, vmUtil, kb, total + (nr - free));
    if (proc.readNrHugepages(kb, 'free_hugepages') >= nr) kept.push(kb * 1024);
  }
  return kept;
}
