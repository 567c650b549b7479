/**
 * tools/testing/selftests/mm/hugepage_settings.c (v7.2, Mike Rapoport's HugeTLB set-up series;
 * gup_longterm D and cow 7.2): hugepage_save_settings() remembers the THP settings and/or the
 * hugetlb pools and registers hugepage_restore_settings_atexit() — once per call, so a program
 * that saves both registers it twice, and each run of it restores everything saved. hugetlb_setup()
 * makes sure `nr` free pages exist for each size by raising nr_hugepages and keeps only the
 * sizes where that worked.
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

  constructor(
    private readonly proc: Process,
    private readonly ksft: Kselftest,
    private readonly thp?: ThpSettingsHelper,
  ) {}

  /** hugepage_save_settings(thp, hugetlb). */
  save(thp: boolean, hugetlb: boolean): void {
    if (thp && this.thp) this.thp.save();
    if (hugetlb && !this.hugetlbSaved) {
      // __hugetlb_save_settings(): detect (printing the [INFO] lines once), remember nr_hugepages.
      this.detected = detectHugetlbPageSizes(this.proc, this.ksft, 10, 'hugetlb page size').map(
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
        for (const s of this.hugetlbSaved) writeNum(this.proc, this.ksft, s.kb, s.nr);
    });
  }

  /** hugetlb_setup(nr, sizes, max): the sizes (bytes) that have `nr` free pages, raising pools as needed. */
  hugetlbSetup(nr: number, max: number): number[] {
    this.save(false, true);
    const detected = this.detected!;
    if (detected.length === 0) return [];
    /* c8 ignore next 3 */
    if (detected.length > max) {
      this.ksft.printMsg(`detected ${detected.length} huge page sizes, will only test ${max}\n`);
    }
    const kept: number[] = [];
    for (const kb of detected.slice(0, max)) {
      const free = this.proc.readNrHugepages(kb, 'free_hugepages');
      if (free >= nr) {
        kept.push(kb * 1024);
        continue;
      }
      const total = this.proc.readNrHugepages(kb, 'nr_hugepages');
      writeNum(this.proc, this.ksft, kb, total + (nr - free));
      if (this.proc.readNrHugepages(kb, 'free_hugepages') >= nr) kept.push(kb * 1024);
    }
    return kept;
  }
}

/** hugetlb_setup() of a program that saves nothing else (gup_longterm D). */
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
  return new HugepageSettings(proc, ksft).hugetlbSetup(nr, max);
}
