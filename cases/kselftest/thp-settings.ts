/**
 * The THP half of tools/testing/selftests/mm/thp_settings.c (v6.8, Ryan Roberts' mTHP series)
 * and its v7.2 successor hugepage_settings.c: read every setting under
 * /sys/kernel/mm/transparent_hugepage, push a changed copy (written file by file), pop it
 * again, restore what was saved. They differ in how a failed write ends the program:
 *
 *   thp_settings.c       write_file(): printf("open(%s)\n") and exit(1) — no kselftest framing,
 *                        no restore (6.12 tree; a non-root run prints only that line)
 *   hugepage_settings.c  __write_file(): ksft_exit_fail_msg("%s open failed: %s\n"), and
 *                        thp_save_settings() registered an atexit restore that fails the same
 *                        way: two "Bail out!" lines and two Totals (7.2 tree, as non-root)
 *
 * thp_supported_orders() re-reads the hugepages-<N>kB directory on every call in the C; the
 * set of files is fixed while the kernel runs, so it is read once per program here.
 */
import type { Process } from '../libc/process.js';
import { strerror } from '../libc/strerror.js';
import type { Kselftest } from './kselftest.js';

const THP_SYSFS = '/sys/kernel/mm/transparent_hugepage/';
const NR_ORDERS = 20;
const KHUGEPAGED = [
  'khugepaged/defrag',
  'khugepaged/alloc_sleep_millisecs',
  'khugepaged/scan_sleep_millisecs',
  'khugepaged/max_ptes_none',
  'khugepaged/max_ptes_swap',
  'khugepaged/max_ptes_shared',
  'khugepaged/pages_to_scan',
] as const;
const KHUGEPAGED_PATHS = KHUGEPAGED.map((n) => THP_SYSFS + n);
const ENABLED = THP_SYSFS + 'enabled';
const DEFRAG = THP_SYSFS + 'defrag';
const SHMEM_ENABLED = THP_SYSFS + 'shmem_enabled';
const USE_ZERO_PAGE = THP_SYSFS + 'use_zero_page';

/** `hugepages-<N>kB/enabled` paths by page size and order: constants, built once. */
const SIZE_PATHS = new Map<number, string[]>();

function sizePath(pageSizeKiB: number, order: number): string {
  let paths = SIZE_PATHS.get(pageSizeKiB);
  if (paths === undefined) {
    paths = [];
    for (let i = 0; i < NR_ORDERS; i++)
      paths.push(`${THP_SYSFS}hugepages-${pageSizeKiB * 2 ** i}kB/enabled`);
    SIZE_PATHS.set(pageSizeKiB, paths);
  }
  return paths[order]!;
}

export type ThpHelper = 'thp_settings' | 'hugepage_settings';

/** struct thp_settings: the strings as the files hold them (the C keeps enum indices). */
export class ThpSettings {
  thpEnabled = 'never';
  defrag = 'madvise';
  shmemEnabled = 'never';
  useZeroPage = '1';
  readonly khugepaged: string[] = [];
  readonly hugepages: string[] = [];

  copy(): ThpSettings {
    const c = new ThpSettings();
    c.thpEnabled = this.thpEnabled;
    c.defrag = this.defrag;
    c.shmemEnabled = this.shmemEnabled;
    c.useZeroPage = this.useZeroPage;
    c.khugepaged.push(...this.khugepaged);
    c.hugepages.push(...this.hugepages);
    return c;
  }
}

/** The text between `[` and `]` (thp_read_string()'s parse). */
function selected(text: string): string {
  const open = text.indexOf('[');
  const close = text.indexOf(']', open);
  return open < 0 || close < 0 ? '' : text.slice(open + 1, close);
}

export class ThpSettingsHelper {
  private readonly stack: ThpSettings[] = [];
  private saved: ThpSettings | undefined;
  private orders: number | undefined;
  private readonly pageSizeKiB: number;

  constructor(
    private readonly proc: Process,
    private readonly ksft: Kselftest,
    readonly helper: ThpHelper,
  ) {
    this.pageSizeKiB = proc.getpagesize() / 1024;
  }

  /** thp_available(): access() of the sysfs directory. */
  available(): boolean {
    return this.proc.readFile(THP_SYSFS.slice(0, -1)) !== null;
  }

  /** thp_supported_orders(): the orders that have a `hugepages-<N>kB/enabled` file. */
  supportedOrders(): number {
    if (this.orders === undefined) {
      let orders = 0;
      for (let i = 0; i < NR_ORDERS; i++)
        if (this.proc.readFile(sizePath(this.pageSizeKiB, i)) !== null) orders |= 1 << i;
      this.orders = orders;
    }
    return this.orders;
  }

  private readString(path: string): string {
    const t = this.proc.readFile(path);
    // perror(path) + exit(EXIT_FAILURE) in both helpers: stderr shares the log.
    if (t === null) {
      this.proc.printf(`${path}: ${strerror(this.proc.errno)}\n`);
      this.proc.exit(1);
    }
    return t;
  }

  /** thp_read_settings(). */
  read(): ThpSettings {
    const s = new ThpSettings();
    s.thpEnabled = selected(this.readString(ENABLED));
    s.defrag = selected(this.readString(DEFRAG));
    s.shmemEnabled = selected(this.readString(SHMEM_ENABLED));
    s.useZeroPage = this.readString(USE_ZERO_PAGE).trim();
    for (const p of KHUGEPAGED_PATHS) s.khugepaged.push(this.readString(p).trim());
    const orders = this.supportedOrders();
    for (let i = 0; i < NR_ORDERS; i++)
      s.hugepages.push(
        orders & (1 << i) ? selected(this.readString(sizePath(this.pageSizeKiB, i))) : 'never',
      );
    return s;
  }

  /** write_file(): a failure ends the program, each helper its own way. */
  private write(path: string, value: string): void {
    if (this.proc.writeFile(path, value) === 0) return;
    if (this.helper === 'thp_settings') {
      this.proc.printf(`open(${path})\n`);
      this.proc.exit(1);
    }
    this.ksft.exitFailMsg(`${path} open failed: ${strerror(this.proc.errno)}\n`);
  }

  /** thp_write_settings(): every file, in the C's order. */
  writeAll(s: ThpSettings): void {
    this.write(ENABLED, s.thpEnabled);
    this.write(DEFRAG, s.defrag);
    this.write(SHMEM_ENABLED, s.shmemEnabled);
    this.write(USE_ZERO_PAGE, s.useZeroPage);
    for (let i = 0; i < KHUGEPAGED_PATHS.length; i++)
      this.write(KHUGEPAGED_PATHS[i]!, s.khugepaged[i]!);
    const orders = this.supportedOrders();
    for (let i = 0; i < NR_ORDERS; i++)
      if (orders & (1 << i)) this.write(sizePath(this.pageSizeKiB, i), s.hugepages[i]!);
  }

  /**
   * thp_save_settings() (thp_settings.c) / __thp_save_settings() (hugepage_settings.c, which
   * saves once and only when THP exists; its caller registers the restore at exit).
   */
  save(): void {
    if (this.helper === 'hugepage_settings' && (this.saved || !this.available())) return;
    this.saved = this.read();
  }

  restore(): void {
    if (this.saved) this.writeAll(this.saved);
  }

  current(): ThpSettings {
    return this.stack[this.stack.length - 1]!;
  }

  push(s: ThpSettings): void {
    this.stack.push(s);
    this.writeAll(s);
  }

  pop(): void {
    this.stack.pop();
    this.writeAll(this.current());
  }

  /** Order of a size in bytes (sz2ord()). */
  order(sizeBytes: number): number {
    return Math.log2(sizeBytes / (this.pageSizeKiB * 1024));
  }
}

/** read_pmd_pagesize() (vm_util.c): hpage_pmd_size, 0 without THP. */
export function readPmdPagesize(proc: Process): number {
  const t = proc.readFile(THP_SYSFS + 'hpage_pmd_size');
  return t === null ? 0 : Number.parseInt(t, 10) || 0;
}

/** detect_huge_zeropage(): use_zero_page reads 1. */
export function detectHugeZeropage(proc: Process): boolean {
  const t = proc.readFile(USE_ZERO_PAGE);
  return t !== null && Number.parseInt(t, 10) === 1;
}
