/**
 * The mm selftests' helpers (tools/testing/selftests/mm/vm_util.{c,h}, later
 * hugepage_settings.c) that gup_longterm prints through.
 */
import type { Process } from '../libc/process.js';
import type { Kselftest } from './kselftest.js';

/**
 * The size in KiB of an entry named `hugepages-<digits>kB` (/^hugepages-(\d+)kB$/), or -1 for
 * any other name. By hand, not by that regex: every prediction's detection reads the
 * directory, and each match builds a result array.
 */
function hugepagesEntryKiB(name: string): number {
  const prefix = 'hugepages-';
  if (!name.startsWith(prefix) || !name.endsWith('kB') || name.length < prefix.length + 3) return -1;
  for (let i = prefix.length; i < name.length - 2; i++) {
    const c = name.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
  }
  return Number(name.slice(prefix.length, -2));
}

/**
 * detect_hugetlb_page_sizes(): readdir order of /sys/kernel/mm/hugepages, at most `max`
 * sizes, each announced with an [INFO] line. The prototype (like cow.c before v6.5) says
 * "hugetlb size", the shared helper "hugetlb page size".
 */
export function detectHugetlbPageSizes(
  proc: Process,
  ksft: Kselftest,
  max: number,
  wording: 'hugetlb size' | 'hugetlb page size',
): number[] {
  const entries = proc.listDir('/sys/kernel/mm/hugepages');
  if (!entries) return [];
  const sizes: number[] = [];
  for (const name of entries) {
    if (sizes.length >= max) break;
    const kb = hugepagesEntryKiB(name);
    if (kb < 0) continue;
    ksft.printMsg(`[INFO] detected ${wording}: ${kb} KiB\n`);
    sizes.push(kb * 1024);
  }
  return sizes;
}

/** log_test_start()/log_test_result() (v6.16+): the test name is kept in a static buffer. */
export class TestLog {
  private name = '';
  constructor(private readonly ksft: Kselftest) {}

  /** `message` is ksft_print_msg("[RUN] %s\n", name)'s text, built once with the name (SubtestLabel). */
  start(name: string, message: string): void {
    this.name = name;
    this.ksft.printMsg(message);
  }

  result(result: number): void {
    this.ksft.reportLine(result, this.name);
  }
}

/** skip_test_dodgy_fs() (vm_util.h, v6.15+). */
export function skipTestDodgyFs(ksft: Kselftest, op: string): void {
  ksft.skip(`${op} failed with ENOENT. Filesystem might be buggy (9pfs?)\n`);
}
