/**
 * tools/testing/selftests/mm/hugepage_settings.c (v7.2, Mike Rapoport's HugeTLB set-up series;
 * gup_longterm D and cow 7.2): hugepage_save_settings() remembers the THP settings and/or the
 * hugetlb pools and registers hugepage_restore_settings_atexit() — once per call, so a program
 * that saves both registers it twice, and each run of it restores everything saved. hugetlb_setup()
 * makes sure `nr` free pages exist for each size by raising nr_hugepages and keeps only the
 * sizes where that worked.
 *
 * hugepage_settings.c and vm_util.c are translation units of their own: what they print
 * through kselftest.h (the [INFO] lines, a `Bail out!` and its `# Totals:`) comes from their
 * own copy of its static counters (Kselftest.translationUnit()), not the test's.
 */
import type { Process } from '../libc/process.js';
import { strerror } from '../libc/strerror.js';
import type { Kselftest } from './kselftest.js';
import type { ThpSettingsHelper } from './thp-settings.js';
import { detectHugetlbPageSizes } from './vm-util.js';

/** The file's static state: what was saved, and the THP side when the program uses it. */
export class HugepageSettings {
  private hugetlbSaved: { kb: number; nr: number }[] | undefined;
  private detected: number[] | undefined;
  /** hugepage_settings.c's own kselftest.h counters (its [INFO] lines). */
  private readonly settings: Kselftest;
  /** vm_util.c's (write_file()'s Bail out! and its zero Totals). */
  private readonly vmUtil: Kselftest;

  constructor(
    private readonly proc: Process,
    ksft: Kselftest,
    private readonly thp?: ThpSettingsHelper,
  ) {
    this.settings = ksft.translationUnit();
    this.vmUtil = ksft.translationUnit();
  }

  /** hugepage_save_settings(thp, hugetlb). */
  save(thp: boolean, hugetlb: boolean): void {
    if (thp && this.thp) this.thp.save();
    if (hugetlb && !this.hugetlbSaved) {
      // __hugetlb_save_settings(): detect (printing the [INFO] lines once), remember nr_hugepages.
      this.detected = detectHugetlbPageSizes(this.proc, this.settings, 10, 'hugetlb page size').map(
        (b) => b / 1024,
      );
      this.hugetlbSaved = this.detected.map((kb) => ({
        kb,
        nr: this.proc.readNrHugepages(kb, 'nr_hugepages'),
      }));
    }
    this.proc.atexit(() => {
      // hugepage_restore_settings_atexit()
      this.thp?.restore();
      if (this.hugetlbSaved)
        for (const s of this.hugetlbSaved) writeNum(this.proc, this.vmUtil, s.kb, s.nr);
    });
  }

  /** hugetlb_setup(nr, sizes, max): the sizes (bytes) that have `nr` free pages, raising pools as needed. */
  hugetlbSetup(nr: number, max: number): number[] {
    this.save(false, true);
    const detected = this.detected!;
    if (detected.length === 0) return [];
    /* c8 ignore next 3 */
    if (detected.length > max) {
      this.settings.printMsg(`detected ${detected.length} huge page sizes, will only test ${max}\n`);
    }
    const kept: number[] = [];
    for (const kb of detected.slice(0, max)) {
      const free = this.proc.readNrHugepages(kb, 'free_hugepages');
      if (free >= nr) {
        kept.push(kb * 1024);
        continue;
      }
      const total = this.proc.readNrHugepages(kb, 'nr_hugepages');
      writeNum(this.proc, this.vmUtil, kb, total + (nr - free));
      if (this.proc.readNrHugepages(kb, 'free_hugepages') >= nr) kept.push(kb * 1024);
    }
    return kept;
  }
}

/** hugetlb_setup() of a program that saves nothing else (gup_longterm D). */
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
  return new HugepageSettings(proc, ksft).hugetlbSetup(nr, max);
}
