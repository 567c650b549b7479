/**
 * gup_longterm.c as shipped in v6.15 (version B, Brendan Jackman's "Report errno when things
 * fail" and "Skip gup_longterm tests on weird filesystems"): results still carry the reason,
 * now with ` (<strerror>)`; ftruncate() ENOENT becomes skip_test_dodgy_fs(); the EINVAL
 * skip lost its newline ("(EINVAL)n"); main() still ends with ksft_exit_fail_msg().
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
import { detectHugetlbPageSizes, skipTestDodgyFs } from '../../kselftest/vm-util.js';
import type { Kselftest } from '../../kselftest/kselftest.js';
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

export function runGupLongtermB(ctx: SelftestContext): ProcessExit {
  const { proc, ksft, liburing } = ctx;
  const pagesize = proc.getpagesize();
  const hugetlbsizes = detectHugetlbPageSizes(proc, ksft, 10, 'hugetlb page size');
  const cases = compiledTestCases(liburing !== undefined);

  ksft.printHeader();
  ksft.setPlan(cases.length * (3 + hugetlbsizes.length));
  const gupFd = proc.open(GUP_TEST_PATH);

  runTestCases(
    ctx,
    cases,
    hugetlbsizes,
    upstreamCaseDescription,
    new ProgramB(ctx, pagesize, gupFd),
  );

  const fails = ksft.getFailCnt();
  if (fails) return ksft.exitFailMsgReturning(`${fails} out of ${ksft.testNum()} tests failed\n`);
  return ksft.exitPassReturning();
}

/** do_test() and the run_with_*() as methods (common.ts RunWith: no closures per run). */
class ProgramB implements RunWith {
  private readonly proc: Process;
  private readonly ksft: Kselftest;
  private readonly liburing: Liburing | undefined;
  private readonly args = new PinLongtermTest();

  constructor(
    ctx: SelftestContext,
    private readonly pagesize: number,
    private readonly gupFd: number,
  ) {
    this.proc = ctx.proc;
    this.ksft = ctx.ksft;
    this.liburing = ctx.liburing;
  }

  private err(): string {
    return strerror(this.proc.errno);
  }

  announce(label: SubtestLabel): void {
    this.ksft.printMsg(label.runMessage);
  }

  private doTest(fd: number, size: number, type: TestType, shared: boolean): void {
    const { proc, ksft, liburing, pagesize, gupFd } = this;
    const fsType = getFsType(proc, fd);

    if (proc.ftruncate(fd, size)) {
      if (proc.errno === Errno.ENOENT) skipTestDodgyFs(ksft, 'ftruncate()');
      else ksft.fail(`ftruncate() failed (${this.err()})\n`);
      return;
    }
    if (proc.fallocate(fd, 0, 0, size)) {
      if (size === pagesize) ksft.fail(`fallocate() failed (${this.err()})\n`);
      else ksft.skip('need more free huge pages\n');
      return;
    }
    const mem = proc.mmap(size, PROT_READ | PROT_WRITE, shared ? MAP_SHARED : MAP_PRIVATE, fd);
    if (mem === -1) {
      if (size === pagesize || shared) ksft.fail(`mmap() failed (${this.err()})\n`);
      else ksft.skip('need more free huge pages\n');
      return;
    }
    // Fault in the page such that GUP-fast can pin it directly.
    proc.memset(mem, size);

    munmap: {
      if (type !== 'iouring') {
        if (type === 'ro' || type === 'ro-fast') {
          // Cover more cases regarding unsharing decisions when long-term R/O pinning.
          if (proc.mprotect(mem, size, PROT_READ)) {
            ksft.fail(`mprotect() failed (${this.err()})\n`);
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
          ksft.skip('PIN_LONGTERM_TEST_START failed (EINVAL)n');
          break munmap;
        } else if (ret && proc.errno === Errno.EFAULT) {
          ksft.testResult(!shouldWork, 'Should have failed\n');
          break munmap;
        } else if (ret) {
          ksft.fail(`PIN_LONGTERM_TEST_START failed (${this.err()})\n`);
          break munmap;
        }
        if (proc.ioctl(gupFd, PIN_LONGTERM_TEST_STOP)) {
          ksft.printMsg(`[INFO] PIN_LONGTERM_TEST_STOP failed (${this.err()})\n`);
        }
        ksft.testResult(shouldWork, 'Should have worked\n');
        break munmap;
      }
      /* c8 ignore next */
      if (!liburing) throw new Error('io_uring case compiled without liburing');
      if (shared && fsIsUnknown(fsType)) {
        ksft.skip('Unknown filesystem\n');
        return;
      }
      const shouldWork = !shared || fsSupportsWritableLongtermPinning(fsType);
      const init = liburing.io_uring_queue_init(1);
      if (init.ret < 0 || !init.ring) {
        ksft.skip(`io_uring_queue_init() failed (${strerror(-init.ret)})\n`);
        break munmap;
      }
      const ret = liburing.io_uring_register_buffers(init.ring, [{ base: mem, len: size }]);
      const e = proc.errno;
      if (ret && (e === Errno.ENOSPC || e === Errno.EOPNOTSUPP || e === Errno.EFAULT)) {
        ksft.testResult(!shouldWork, `Should have failed (${strerror(e)})\n`);
      } else if (ret) {
        ksft.skip(`io_uring_register_buffers() failed (${strerror(-ret)})\n`);
      } else {
        ksft.testResult(shouldWork, 'Should have worked\n');
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
      ksft.fail(`memfd_create() failed (${this.err()})\n`);
      return;
    }
    this.doTest(fd, pagesize, type, shared);
    proc.close(fd);
  }

  tmpfile(type: TestType, shared: boolean): void {
    const { proc, ksft, pagesize } = this;
    const file = proc.tmpfile();
    if (!file) {
      ksft.fail(`tmpfile() failed (${this.err()})\n`);
      return;
    }
    this.doTest(proc.fileno(file), pagesize, type, shared);
    proc.fclose(file);
  }

  localTmpfile(type: TestType, shared: boolean): void {
    const { proc, ksft, pagesize } = this;
    const { fd, path } = proc.mkstemp('gup_longterm.c_tmpfile_XXXXXX');
    if (fd < 0) {
      ksft.fail(`mkstemp() failed (${this.err()})\n`);
      return;
    }
    if (proc.unlink(path)) ksft.fail(`unlink() failed (${this.err()})\n`);
    else this.doTest(fd, pagesize, type, shared);
    proc.close(fd);
  }

  memfdHugetlb(type: TestType, shared: boolean, hugetlbsize: number): void {
    const { proc, ksft } = this;
    const fd = proc.memfd_create('test', hugetlbsize / 1024);
    if (fd < 0) {
      ksft.skip(`memfd_create() failed (${this.err()})\n`);
      return;
    }
    this.doTest(fd, hugetlbsize, type, shared);
    proc.close(fd);
  }
}
