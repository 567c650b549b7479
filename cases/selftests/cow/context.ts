/**
 * The state cow.c keeps in globals (pagesize, pmdsize, the THP and hugetlb sizes, the gup_test
 * fd, whether the huge zeropage is on) and the reporting every test shares, in both wordings:
 *
 *   E1 (≤ v6.15)  ksft_test_result_*("<reason or verdict text>")
 *   E2 (v6.16+)   reasons as `# ` lines (ksft_print_msg()/ksft_perror()), then
 *                 log_test_result(): the result line repeats the [RUN] name
 *
 * User-space buffers the C malloc()s (the `old`, `new` and `tmp` copies) are not simulated
 * memory: they are label arrays (one label per page of the mapping, labels.ts) the program
 * copies into and compares.
 */
import {
  KSFT_FAIL,
  KSFT_PASS,
  KSFT_SKIP,
  KSFT_XFAIL,
  type Kselftest,
} from '../../kselftest/kselftest.js';
import type { ThpSettingsHelper } from '../../kselftest/thp-settings.js';
import { TestLog } from '../../kselftest/vm-util.js';
import type { Liburing } from '../../libc/liburing.js';
import type { Process } from '../../libc/process.js';
import type { SubtestLabel, SubtestHooks } from '../common.js';
import type { CowVariant } from './variant.js';

export class CowCtx {
  pagesize = 0;
  pmdsize = 0;
  readonly thpsizes: number[] = [];
  hugetlbsizes: number[] = [];
  gupFd = -1;
  hasHugeZeropage = false;
  thp: ThpSettingsHelper | undefined = undefined;
  /** The vmsplice() pipe a child test function keeps between its two halves, and the bytes in it. */
  childPipe = -1;
  childPipeBytes = 0;
  /** do_run_with_thp()'s second mapping (partial mremap), -1 when there is none. */
  mremapMem = -1;
  mremapSize = 0;
  private readonly log: TestLog;
  /** Scratch label buffers (the C's malloc()ed copies), grown on demand. */
  private bufs: Int32Array[] = [new Int32Array(512), new Int32Array(512), new Int32Array(512)];

  constructor(
    readonly proc: Process,
    readonly ksft: Kselftest,
    readonly liburing: Liburing | undefined,
    readonly hooks: SubtestHooks,
    readonly v: CowVariant,
  ) {
    this.log = new TestLog(ksft);
  }

  /** A scratch buffer `which` (0 old, 1 new, 2 tmp) of at least `n` labels. */
  buf(which: number, n: number): Int32Array {
    let b = this.bufs[which]!;
    if (b.length < n) {
      b = new Int32Array(Math.max(n, b.length * 2));
      this.bufs[which] = b;
    }
    return b;
  }

  /** Labels per page of a mapping of `size` bytes: one per base page, one per huge page of hugetlb. */
  units(size: number, hugetlb: boolean): number {
    return hugetlb ? 1 : Math.max(1, Math.ceil(size / this.pagesize));
  }

  /**
   * log_test_start() / ksft_print_msg("[RUN] …"): the same line in every era.
   *
   * Between two tests time passes (the last one's munmap()s and waits, this one's mmap() and
   * fill of up to 2 MiB): the queued io_ring_exit_work of the previous test's ring has run, so
   * its ring pages no longer count against RLIMIT_MEMLOCK. Real runs without CAP_IPC_LOCK show
   * this nearly always — a 6.18 run at 64 KiB had 3 of 110 io_uring rows where the work had not
   * finished yet and io_uring_queue_init() failed.
   */
  start(label: SubtestLabel): void {
    this.proc.kernel.runDeferredWork();
    if (this.v.uniqueNames) this.log.start(label.name, label.runMessage);
    else this.ksft.printMsg(label.runMessage);
    this.hooks.begin(label.id, label.name);
  }

  end(): void {
    this.hooks.end();
  }

  // The results, each with its E1 text and its E2 form.

  pass(e1: string): void {
    if (this.v.uniqueNames) this.log.result(KSFT_PASS);
    else this.ksft.pass(e1 + '\n');
  }

  /** A reason printed as is (E2 ksft_print_msg) or as the result text (E1). */
  skipMsg(text: string): void {
    if (this.v.uniqueNames) {
      this.ksft.printMsg(text + '\n');
      this.log.result(KSFT_SKIP);
    } else this.ksft.skip(text + '\n');
  }

  /** A reason through ksft_perror() in E2 (": <strerror> (<errno>)"), the plain text in E1. */
  skipPerror(text: string, e1 = text): void {
    if (this.v.uniqueNames) {
      this.ksft.perror(text);
      this.log.result(KSFT_SKIP);
    } else this.ksft.skip(e1 + '\n');
  }

  failMsg(text: string, e1 = text): void {
    if (this.v.uniqueNames) {
      this.ksft.printMsg(text + '\n');
      this.log.result(KSFT_FAIL);
    } else this.ksft.fail(e1 + '\n');
  }

  /** log_test_result(KSFT_FAIL) with the reason already printed (E2 only: E1 has no such path). */
  failQuiet(e1: string): void {
    if (this.v.uniqueNames) this.log.result(KSFT_FAIL);
    else this.ksft.fail(e1 + '\n');
  }

  failPerror(text: string, e1 = text): void {
    if (this.v.uniqueNames) {
      this.ksft.perror(text);
      this.log.result(KSFT_FAIL);
    } else this.ksft.fail(e1 + '\n');
  }

  /**
   * A verdict: `e1Pass` is the E1 text (a failure reuses it until v6.10: ksft_test_result(cond,
   * text)), `leak` the failure's words from v6.10 (E1 result, E2 `#` line); `xfail` the
   * hugetlb vmsplice rows.
   */
  verdict(ok: boolean, e1Pass: string, leak: string, xfail = false, e1FailKeepsText = false): void {
    if (ok) return this.pass(e1Pass);
    const expected = xfail && this.v.xfail;
    if (this.v.uniqueNames) {
      if (this.v.failReasons) this.ksft.printMsg(leak + '\n');
      this.log.result(expected ? KSFT_XFAIL : KSFT_FAIL);
      return;
    }
    const text = (this.v.xfail && !e1FailKeepsText ? leak : e1Pass) + '\n';
    if (expected) this.ksft.xfail(text);
    else this.ksft.fail(text);
  }
}

/** memcmp() of two label arrays over `n` labels. */
export function sameLabels(a: Int32Array, b: Int32Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
