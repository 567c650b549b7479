/**
 * gup_longterm.c as shipped in v6.5 … v6.14 (versions A1, A2, A3), and the May 2023
 * prototype `pin_longterm` (version P), which has the same control flow with other words.
 * Result lines carry the *reason*; main() ends with ksft_exit_fail_msg() on any failure.
 *
 *   A1 v6.5   first release (with the liburing cases)
 *   A2 v6.7   "fix a resource leak": fclose() on the fileno() error path
 *   A3 v6.10  "test unsharing logic when R/O pinning": mprotect(PROT_READ) before R/O pins
 */
import { upstreamCaseDescription, type TestCase } from './ids.js';
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
import { detectHugetlbPageSizes } from '../../kselftest/vm-util.js';
import type { Kselftest } from '../../kselftest/kselftest.js';
import type { Liburing } from '../../libc/liburing.js';
import type { CFile, Process, ProcessExit } from '../../libc/process.js';
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

export interface VariantA {
  /** [INFO] wording of the hugetlb size detection. */
  hugetlbWording: 'hugetlb size' | 'hugetlb page size';
  /** Result text when the pin succeeded / failed with the expected error (printed as a line: "%s\n"). */
  workedText: string;
  failedText: string;
  /** The prototype spells the io_uring cases "iouring". */
  caseDescription(c: TestCase): string;
  /** A2+: fclose() the FILE when fileno() fails. */
  fcloseOnFilenoFailure: boolean;
  /** A3+: R/O cases mprotect(PROT_READ) the page first. */
  mprotectReadOnly: boolean;
}

export const A1: VariantA = {
  hugetlbWording: 'hugetlb page size',
  workedText: 'Should have worked',
  failedText: 'Should have failed',
  caseDescription: upstreamCaseDescription,
  fcloseOnFilenoFailure: false,
  mprotectReadOnly: false,
};
export const A2: VariantA = { ...A1, fcloseOnFilenoFailure: true };
export const A3: VariantA = { ...A2, mprotectReadOnly: true };
export const PROTOTYPE: VariantA = {
  ...A1,
  hugetlbWording: 'hugetlb size',
  workedText: 'Pinning succeeded as expected',
  failedText: 'Pinning failed as expected',
  caseDescription: (c) => upstreamCaseDescription(c).replace(/^io_uring /, 'iouring '),
};

export function runGupLongtermA(ctx: SelftestContext, v: VariantA): ProcessExit {
  const { proc, ksft, liburing } = ctx;
  const pagesize = proc.getpagesize();
  const hugetlbsizes = detectHugetlbPageSizes(proc, ksft, 10, v.hugetlbWording);
  const cases = compiledTestCases(liburing !== undefined);
  ksft.printHeader();
  ksft.setPlan(cases.length * (3 + hugetlbsizes.length));

  const gupFd = proc.open(GUP_TEST_PATH);

  runTestCases(ctx, cases, hugetlbsizes, v.caseDescription, new ProgramA(ctx, v, pagesize, gupFd));

  const err = ksft.getFailCnt();
  if (err) return ksft.exitFailMsgReturning(`${err} out of ${ksft.testNum()} tests failed\n`);
  return ksft.exitPassReturning();
}

/** do_test() and the run_with_*() as methods (common.ts RunWith: no closures per run). */
class ProgramA implements RunWith {
  private readonly proc: Process;
  private readonly ksft: Kselftest;
  private readonly liburing: Liburing | undefined;
  private readonly args = new PinLongtermTest();

  constructor(
    ctx: SelftestContext,
    private readonly v: VariantA,
    private readonly pagesize: number,
    private readonly gupFd: number,
  ) {
    this.proc = ctx.proc;
    this.ksft = ctx.ksft;
    this.liburing = ctx.liburing;
  }

  announce(label: SubtestLabel): void {
    this.ksft.printMsg(label.runMessage);
  }

  private doTest(fd: number, size: number, type: TestType, shared: boolean): void {
    const { proc, ksft, liburing, v, pagesize, gupFd } = this;
    const fsType = getFsType(proc, fd);

    if (proc.ftruncate(fd, size)) {
      ksft.fail('ftruncate() failed\n');
      return;
    }
    if (proc.fallocate(fd, 0, 0, size)) {
      if (size === pagesize) ksft.fail('fallocate() failed\n');
      else ksft.skip('need more free huge pages\n');
      return;
    }
    const mem = proc.mmap(size, PROT_READ | PROT_WRITE, shared ? MAP_SHARED : MAP_PRIVATE, fd);
    if (mem === -1) {
      if (size === pagesize || shared) ksft.fail('mmap() failed\n');
      else ksft.skip('need more free huge pages\n');
      return;
    }
    // Fault in the page writable such that GUP-fast can eventually pin it immediately.
    proc.memset(mem, size);

    munmap: {
      if (type !== 'iouring') {
        if (v.mprotectReadOnly && (type === 'ro' || type === 'ro-fast')) {
          if (proc.mprotect(mem, size, PROT_READ)) {
            ksft.fail('mprotect() failed\n');
            break munmap;
          }
        }
        const fast = type === 'ro-fast' || type === 'rw-fast';
        const rw = type === 'rw' || type === 'rw-fast';
        if (gupFd < 0) {
          ksft.skip('gup_test not available\n');
          break munmap;
        }
        if (rw && shared && fsIsUnknown(fsType)) {
          ksft.skip('Unknown filesystem\n');
          return;
        }
        const shouldWork = !shared || !rw || fsSupportsWritableLongtermPinning(fsType);
        const flags =
          (fast ? PIN_LONGTERM_TEST_FLAG_USE_FAST : 0) |
          (rw ? PIN_LONGTERM_TEST_FLAG_USE_WRITE : 0);
        const ret = proc.ioctl(gupFd, PIN_LONGTERM_TEST_START, this.args.set(mem, size, flags));
        if (ret && proc.errno === Errno.EINVAL) {
          ksft.skip('PIN_LONGTERM_TEST_START failed\n');
          break munmap;
        } else if (ret && proc.errno === Errno.EFAULT) {
          ksft.testResultLine(!shouldWork, v.failedText);
          break munmap;
        } else if (ret) {
          ksft.fail('PIN_LONGTERM_TEST_START failed\n');
          break munmap;
        }
        if (proc.ioctl(gupFd, PIN_LONGTERM_TEST_STOP))
          ksft.printMsg('[INFO] PIN_LONGTERM_TEST_STOP failed\n');
        ksft.testResultLine(shouldWork, v.workedText);
        break munmap;
      }
      /* c8 ignore next */
      if (!liburing) throw new Error('io_uring case compiled without liburing');
      // io_uring always pins pages writable.
      if (shared && fsIsUnknown(fsType)) {
        ksft.skip('Unknown filesystem\n');
        return;
      }
      const shouldWork = !shared || fsSupportsWritableLongtermPinning(fsType);
      // Skip on errors, as we might just lack kernel support.
      const init = liburing.io_uring_queue_init(1);
      if (init.ret < 0 || !init.ring) {
        ksft.skip('io_uring_queue_init() failed\n');
        break munmap;
      }
      const ret = liburing.io_uring_register_buffers(init.ring, [{ base: mem, len: size }]);
      // Only new kernels return EFAULT. (The test reads errno, not -ret.)
      const e = proc.errno;
      if (ret && (e === Errno.ENOSPC || e === Errno.EOPNOTSUPP || e === Errno.EFAULT)) {
        ksft.testResultLine(!shouldWork, v.failedText);
      } else if (ret) {
        // We might just lack support or have insufficient MEMLOCK limits.
        ksft.skip('io_uring_register_buffers() failed\n');
      } else {
        ksft.testResultLine(shouldWork, v.workedText);
        liburing.io_uring_unregister_buffers(init.ring);
      }
      liburing.io_uring_queue_exit(init.ring);
    }
    proc.munmap(mem, size);
  }

  memfd(type: TestType, shared: boolean): void {
    const { proc, ksft, pagesize } = this;
    const fd = proc.memfd_create('test');
    if (fd < 0) {
      ksft.fail('memfd_create() failed\n');
      return;
    }
    this.doTest(fd, pagesize, type, shared);
    proc.close(fd);
  }

  tmpfile(type: TestType, shared: boolean): void {
    const { proc, ksft, v, pagesize } = this;
    const file: CFile | null = proc.tmpfile();
    if (!file) {
      ksft.fail('tmpfile() failed\n');
      return;
    }
    const fd = proc.fileno(file);
    /* c8 ignore next 5 */
    if (fd < 0) {
      ksft.fail('fileno() failed\n');
      if (v.fcloseOnFilenoFailure) proc.fclose(file);
      return;
    }
    this.doTest(fd, pagesize, type, shared);
    proc.fclose(file);
  }

  localTmpfile(type: TestType, shared: boolean): void {
    const { proc, ksft, pagesize } = this;
    const { fd, path } = proc.mkstemp('gup_longterm.c_tmpfile_XXXXXX');
    if (fd < 0) {
      ksft.fail('mkstemp() failed\n');
      return;
    }
    if (proc.unlink(path)) {
      ksft.fail('unlink() failed\n');
    } else {
      this.doTest(fd, pagesize, type, shared);
    }
    proc.close(fd);
  }

  memfdHugetlb(type: TestType, shared: boolean, hugetlbsize: number): void {
    const { proc, ksft } = this;
    const fd = proc.memfd_create('test', hugetlbsize / 1024);
    if (fd < 0) {
      ksft.skip('memfd_create() failed\n');
      return;
    }
    this.doTest(fd, hugetlbsize, type, shared);
    proc.close(fd);
  }
}
