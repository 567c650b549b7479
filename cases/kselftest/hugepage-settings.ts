/**
 * hugetlb_setup() (tools/testing/selftests/mm/hugepage_settings.c, linux-next "D" version of
 * gup_longterm): save the pools, then make sure `nr` free pages exist for each size by
 * raising nr_hugepages, keep only the sizes where that worked, and restore at exit.
 */
import type { Process } from '../libc/process.js';
import { strerror } from '../libc/strerror.js';
import type { Kselftest } from './kselftest.js';
import { detectHugetlbPageSizes } from './vm-util.js';

function nrPath(kb: number): string {
  return `/sys/kernel/mm/hugepages/hugepages-${kb}kB/nr_hugepages`;
}

/** write_num()/write_file(): failure ends the program through ksft_exit_fail_msg(). */
function writeNum(proc: Process, ksft: Kselftest, kb: number, value: number): void {
  if (proc.writeNrHugepages(kb, value) < 0) {
    ksft.exitFailMsg(`${nrPath(kb)} open failed: ${strerror(proc.errno)}\n`);
  }
}

export function hugetlbSetup(proc: Process, ksft: Kselftest, nr: number, max: number): number[] {
  // hugetlb_save_settings(): detect (printing the [INFO] lines once) and remember nr_hugepages.
  const detected = detectHugetlbPageSizes(proc, ksft, 10, 'hugetlb page size').map((b) => b / 1024);
  const saved = detected.map((kb) => ({ kb, nr: proc.readNrHugepages(kb, 'nr_hugepages') }));
  proc.atexit(() => {
    // hugepage_restore_settings_atexit(): every saved size is written back.
    for (const s of saved) writeNum(proc, ksft, s.kb, s.nr);
  });
  if (detected.length === 0) return [];
  /* c8 ignore next 3 */
  if (detected.length > max) {
    ksft.printMsg(`detected ${detected.length} huge page sizes, will only test ${max}\n`);
  }
  const kept: number[] = [];
  for (const kb of detected.slice(0, max)) {
    const free = proc.readNrHugepages(kb, 'free_hugepages');
    if (free >= nr) {
      kept.push(kb * 1024);
      continue;
    }
    const total = proc.readNrHugepages(kb, 'nr_hugepages');
    writeNum(proc, ksft, kb, total + (nr - free));
    if (proc.readNrHugepages(kb, 'free_hugepages') >= nr) kept.push(kb * 1024);
  }
  return kept;
}
