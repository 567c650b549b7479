/**
 * gup_longterm.c from v6.16 on (Mark Brown's "unique test names" rework, versions C0–C3) and
 * v7.2's hugetlb_setup() variant (D). Every sub-test prints `# [RUN] <name>`, its
 * reasons as `# ` lines, and one result line whose text is the name; main() ends with
 * ksft_finished().
 *
 *   C0 v6.16-rc1  66bce7afbaca: memfd_create() failure still runs do_test(-1) → FAIL;
 *                 "Unknown filesystem" on the GUP path returns without a result line
 *   C1 v6.16      b1a529bdb964 "skip failed memfd setups": memfd_create() failure → SKIP
 *   C2 v6.17      "skip if fallocate() is unsupported": EOPNOTSUPP → SKIP
 *   C3 v6.19      21c68ad1d977 "fix gup_longterm for unknown fs" (6.18.y too): SKIP result
 *   D  v7.2       6b7cabce32fc hugetlb_setup(2, …): the test reserves its own huge pages
 */
import { upstreamCaseDescription } from './ids.js';
import {
  PIN_LONGTERM_TEST_FLAG_USE_FAST,
  PIN_LONGTERM_TEST_FLAG_USE_WRITE,
  PIN_LONGTERM_TEST_START,
  PIN_LONGTERM_TEST_STOP,
} from '../../../kernel-model/gup-test.js';
import { Errno } from '../../../kernel-model/errno.js';
import {
  GUP_TEST_PATH,
  MAP_PRIVATE,
  MAP_SHARED,
  PROT_READ,
  PROT_WRITE,
} from '../../../kernel-model/task.js';
import { KSFT_FAIL, KSFT_PASS, KSFT_SKIP, type Kselftest } from '../../kselftest/kselftest.js';
import { detectHugetlbPageSizes, skipTestDodgyFs, TestLog } from '../../kselftest/vm-util.js';
import { hugetlbSetup } from '../../kselftest/hugepage-settings.js';
import type { Liburing } from '../../libc/liburing.js';
import type { Process, ProcessExit } from '../../libc/process.js';
import { strerror } from '../../libc/strerror.js';
import {
  compiledTestCases,
  fsIsUnknown,
  fsSupportsWritableLongtermPinning,
  PinLongtermTest,
  getFsType,
  runTestCases,
  type RunWith,
  type SelftestContext,
  type SubtestLabel,
  type TestType,
} from '../common.js';

export interface VariantC {
  /** C1+: a failed memfd_create() reports SKIP and returns (C0 runs the test with fd -1). */
  memfdFailureSkips: boolean;
  /** C2+: fallocate() EOPNOTSUPP is a SKIP ("not supported by filesystem"). */
  fallocateUnsupportedSkips: boolean;
  /** C3+: the GUP "Unknown filesystem" path reports its SKIP (and unmaps). */
  unknownFsReportsResult: boolean;
  /** D: hugetlb_setup(2, …) instead of detect_hugetlb_page_sizes(). */
  reservesHugePages: boolean;
}

export const C0: VariantC = {
  memfdFailureSkips: false,
  fallocateUnsupportedSkips: false,
  unknownFsReportsResult: false,
  reservesHugePages: false,
};
export const C1: VariantC = { ...C0, memfdFailureSkips: true };
export const C2: VariantC = { ...C1, fallocateUnsupportedSkips: true };
export const C3: VariantC = { ...C2, unknownFsReportsResult: true };
export const D: VariantC = { ...C3, reservesHugePages: true };

export function runGupLongtermC(ctx: SelftestContext, v: VariantC): ProcessExit {
  const { proc, ksft, liburing } = ctx;
  const pagesize = proc.getpagesize();
  const hugetlbsizes = v.reservesHugePages
    ? hugetlbSetup(proc, ksft, 2, 10)
    : detectHugetlbPageSizes(proc, ksft, 10, 'hugetlb page size');
  const cases = compiledTestCases(liburing !== undefined);

  ksft.printHeader();
  ksft.setPlan(cases.length * (3 + hugetlbsizes.length));
  const gupFd = proc.open(GUP_TEST_PATH);

  runTestCases(
    ctx,
    cases,
    hugetlbsizes,
    upstreamCaseDescription,
    new ProgramC(ctx, v, pagesize, gupFd),
  );
  return ksft.finishedReturning();
}

/**
 * The C functions main() calls per sub-test (do_test() and the run_with_*()), as methods
 * sharing what main() set up (common.ts RunWith: no closures per run).
 */
class ProgramC implements RunWith {
  private readonly proc: Process;
  private readonly ksft: Kselftest;
  private readonly liburing: Liburing | undefined;
  private readonly args = new PinLongtermTest();
  private readonly log: TestLog;

  constructor(
    ctx: SelftestContext,
    private readonly v: VariantC,
    private readonly pagesize: number,
    private readonly gupFd: number,
  ) {
    this.proc = ctx.proc;
    this.ksft = ctx.ksft;
    this.liburing = ctx.liburing;
    this.log = new TestLog(ctx.ksft);
  }

  private err(): string {
    return strerror(this.proc.errno);
  }

  announce(label: SubtestLabel): void {
    this.log.start(label.name, label.runMessage);
  }

  private doTest(fd: number, size: number, type: TestType, shared: boolean): void {
    const { proc, ksft, liburing, log, v, pagesize, gupFd } = this;
    const fsType = getFsType(proc, fd);
    let result = KSFT_PASS;

    report: {
      if (fd < 0) {
        result = KSFT_FAIL;
        break report;
      }
      if (proc.ftruncate(fd, size)) {
        if (proc.errno === Errno.ENOENT) {
          skipTestDodgyFs(ksft, 'ftruncate()');
          return;
        }
        ksft.printMsg(`ftruncate() failed (${this.err()})\n`);
        result = KSFT_FAIL;
        break report;
      }
      if (proc.fallocate(fd, 0, 0, size)) {
        // Some filesystems (eg, NFSv3) don't support fallocate().
        if (v.fallocateUnsupportedSkips && proc.errno === Errno.EOPNOTSUPP) {
          ksft.printMsg('fallocate() not supported by filesystem\n');
          result = KSFT_SKIP;
        } else if (size === pagesize) {
          ksft.printMsg(`fallocate() failed (${this.err()})\n`);
          result = KSFT_FAIL;
        } else {
          ksft.printMsg('need more free huge pages\n');
          result = KSFT_SKIP;
        }
        break report;
      }
      const mem = proc.mmap(size, PROT_READ | PROT_WRITE, shared ? MAP_SHARED : MAP_PRIVATE, fd);
      if (mem === -1) {
        if (size === pagesize || shared) {
          ksft.printMsg(`mmap() failed (${this.err()})\n`);
          result = KSFT_FAIL;
        } else {
          ksft.printMsg('need more free huge pages\n');
          result = KSFT_SKIP;
        }
        break report;
      }
      // Fault in the page such that GUP-fast can pin it directly.
      proc.memset(mem, size);

      munmap: {
        if (type !== 'iouring') {
          if (type === 'ro' || type === 'ro-fast') {
            if (proc.mprotect(mem, size, PROT_READ)) {
              ksft.printMsg(`mprotect() failed (${this.err()})\n`);
              result = KSFT_FAIL;
              break munmap;
            }
          }
          const fast = type === 'ro-fast' || type === 'rw-fast';
          const rw = type === 'rw' || type === 'rw-fast';
          if (gupFd < 0) {
            ksft.printMsg('gup_test not available\n');
            result = KSFT_SKIP;
            break munmap;
          }
          if (rw && shared && fsIsUnknown(fsType)) {
            ksft.printMsg('Unknown filesystem\n');
            result = KSFT_SKIP;
            if (!v.unknownFsReportsResult) return; // 66bce7afbaca: no result, no munmap
            break munmap;
          }
          const shouldWork = !shared || !rw || fsSupportsWritableLongtermPinning(fsType);
          const flags =
            (fast ? PIN_LONGTERM_TEST_FLAG_USE_FAST : 0) |
            (rw ? PIN_LONGTERM_TEST_FLAG_USE_WRITE : 0);
          const ret = proc.ioctl(gupFd, PIN_LONGTERM_TEST_START, this.args.set(mem, size, flags));
          if (ret && proc.errno === Errno.EINVAL) {
            ksft.printMsg('PIN_LONGTERM_TEST_START failed (EINVAL)n');
            result = KSFT_SKIP;
            break munmap;
          } else if (ret && proc.errno === Errno.EFAULT) {
            result = shouldWork ? KSFT_FAIL : KSFT_PASS;
            break munmap;
          } else if (ret) {
            ksft.printMsg(`PIN_LONGTERM_TEST_START failed (${this.err()})\n`);
            result = KSFT_FAIL;
            break munmap;
          }
          if (proc.ioctl(gupFd, PIN_LONGTERM_TEST_STOP)) {
            ksft.printMsg(`[INFO] PIN_LONGTERM_TEST_STOP failed (${this.err()})\n`);
          }
          result = shouldWork ? KSFT_PASS : KSFT_FAIL;
          break munmap;
        }
        /* c8 ignore next */
        if (!liburing) throw new Error('io_uring case compiled without liburing');
        // io_uring always pins pages writable.
        if (shared && fsIsUnknown(fsType)) {
          ksft.printMsg('Unknown filesystem\n');
          result = KSFT_SKIP;
          break report; // goto report: the mapping is never unmapped
        }
        const shouldWork = !shared || fsSupportsWritableLongtermPinning(fsType);
        const init = liburing.io_uring_queue_init(1);
        if (init.ret < 0 || !init.ring) {
          ksft.printMsg(`io_uring_queue_init() failed (${strerror(-init.ret)})\n`);
          result = KSFT_SKIP;
          break munmap;
        }
        const ret = liburing.io_uring_register_buffers(init.ring, [{ base: mem, len: size }]);
        const e = proc.errno;
        if (ret && (e === Errno.ENOSPC || e === Errno.EOPNOTSUPP || e === Errno.EFAULT)) {
          if (shouldWork) {
            ksft.printMsg(`Should have failed (${strerror(e)})\n`);
            result = KSFT_FAIL;
          } else {
            result = KSFT_PASS;
          }
        } else if (ret) {
          // We might just lack support or have insufficient MEMLOCK limits.
          ksft.printMsg(`io_uring_register_buffers() failed (${strerror(-ret)})\n`);
          result = KSFT_SKIP;
        } else {
          if (shouldWork) {
            result = KSFT_PASS;
          } else {
            ksft.printMsg('Should have worked\n');
            result = KSFT_FAIL;
          }
          liburing.io_uring_unregister_buffers(init.ring);
        }
        liburing.io_uring_queue_exit(init.ring);
      }
      proc.munmap(mem, size);
    }
    log.result(result);
  }

  memfd(type: TestType, shared: boolean): void {
    const { proc, ksft, v, pagesize, log } = this;
    const fd = proc.memfd_create('test');
    if (fd < 0) {
      ksft.printMsg(`memfd_create() failed (${this.err()})\n`);
      if (v.memfdFailureSkips) {
        log.result(KSFT_SKIP);
        return;
      }
    }
    this.doTest(fd, pagesize, type, shared);
    proc.close(fd);
  }

  tmpfile(type: TestType, shared: boolean): void {
    const { proc, ksft, pagesize } = this;
    const file = proc.tmpfile();
    let fd: number;
    if (!file) {
      ksft.printMsg(`tmpfile() failed (${this.err()})\n`);
      fd = -1;
    } else {
      fd = proc.fileno(file);
    }
    this.doTest(fd, pagesize, type, shared);
    if (file) proc.fclose(file);
  }

  localTmpfile(type: TestType, shared: boolean): void {
    const { proc, ksft, pagesize } = this;
    const template = 'gup_longterm.c_tmpfile_XXXXXX';
    const made = proc.mkstemp(template);
    let fd = made.fd;
    if (fd < 0) ksft.printMsg(`mkstemp() failed (${this.err()})\n`);
    if (proc.unlink(made.path)) {
      ksft.printMsg(`unlink() failed (${this.err()})\n`);
      proc.close(fd);
      fd = -1;
    }
    this.doTest(fd, pagesize, type, shared);
    if (fd >= 0) proc.close(fd);
  }

  memfdHugetlb(type: TestType, shared: boolean, hugetlbsize: number): void {
    const { proc, ksft, v, log } = this;
    const fd = proc.memfd_create('test', hugetlbsize / 1024);
    if (fd < 0) {
      ksft.printMsg(`memfd_create() failed (${this.err()})\n`);
      if (v.memfdFailureSkips) {
        log.result(KSFT_SKIP);
        return;
      }
    }
    this.doTest(fd, hugetlbsize, type, shared);
    proc.close(fd);
  }
}
