/**
 * cow.c's test functions: what each does to memory a run_with_*() set up (`mem`, `size`). A
 * fork()ed child is a second Process; the comm pipes of the C only sequence parent and child,
 * so the steps here run in the order those pipes force.
 */
import { Errno } from '../../../kernel-model/errno.js';
import {
  PIN_LONGTERM_TEST_FLAG_USE_FAST,
  PIN_LONGTERM_TEST_START,
  PIN_LONGTERM_TEST_STOP,
} from '../../../kernel-model/gup-test.js';
import { MADV_COLLAPSE, MADV_DOFORK, MADV_DONTFORK } from '../../../kernel-model/mm-syscalls.js';
import { PIPE_BUFFERS } from '../../../kernel-model/pipe.js';
import { PROT_READ, PROT_WRITE } from '../../../kernel-model/task.js';
import type { Process } from '../../libc/process.js';
import { strerror } from '../../libc/strerror.js';
import { sameLabels, type CowCtx } from './context.js';

/** The fill the parent or child writes to detect a leak: memset(mem, 0xff, size). */
const MODIFIED = 0xff;

export type TestFn = (c: CowCtx, mem: number, size: number, hugetlb: boolean) => void;

/** child_memcmp_fn() / child_vmsplice_memcmp_fn(): the child's two halves, around the parent's write. */
interface ChildFn {
  /** Before signalling the parent; a non-zero return is the child's exit status. */
  before(child: Process, c: CowCtx, mem: number, size: number, hugetlb: boolean): number;
  /** After the parent modified the page: the exit status (0: no leak). */
  after(child: Process, c: CowCtx, mem: number, size: number, hugetlb: boolean): number;
}

const childMemcmp: ChildFn = {
  before(child, c, mem, size, hugetlb) {
    child.loadLabels(mem, size, c.buf(0, c.units(size, hugetlb)));
    return 0;
  },
  after(child, c, mem, size, hugetlb) {
    const n = c.units(size, hugetlb);
    child.loadLabels(mem, size, c.buf(1, n));
    return sameLabels(c.buf(0, n), c.buf(1, n), n) ? 0 : 1;
  },
};

const childVmspliceMemcmp: ChildFn = {
  before(child, c, mem, size, hugetlb) {
    child.loadLabels(mem, size, c.buf(0, c.units(size, hugetlb)));
    const fds = child.pipe()!;
    c.childPipe = fds[0];
    // Trigger a read-only pin.
    const transferred = child.vmsplice(fds[1], mem, size);
    if (transferred < 0) return -child.errno & 0xff;
    if (transferred === 0) return -Errno.EINVAL & 0xff;
    c.childPipeBytes = transferred;
    // Unmap it from our page tables.
    if (child.munmap(mem, size) < 0) return -child.errno & 0xff;
    return 0;
  },
  after(child, c, mem, size, hugetlb) {
    const got = c.buf(1, PIPE_BUFFERS);
    child.readPipe(c.childPipe, c.childPipeBytes, got);
    return pipeMatches(c, got, c.childPipeBytes, size, hugetlb) ? 0 : 1;
  },
};

/** memcmp(old, new, transferred): buffer j held page j; `old` has one label per mapping page. */
function pipeMatches(
  c: CowCtx,
  got: Int32Array,
  bytes: number,
  size: number,
  hugetlb: boolean,
): boolean {
  const old = c.buf(0, c.units(size, hugetlb));
  const unit = hugetlb ? size : c.pagesize;
  const buffers = Math.ceil(bytes / c.pagesize);
  for (let j = 0; j < buffers; j++)
    if (got[j] !== old[Math.floor((j * c.pagesize) / unit)]) return false;
  return true;
}

/** do_test_cow_in_parent(): the child checks that the parent's write did not reach it. */
function cowInParent(
  c: CowCtx,
  mem: number,
  size: number,
  hugetlb: boolean,
  mprotect: boolean,
  fn: ChildFn,
  xfail: boolean,
): void {
  const proc = c.proc;
  const child = proc.fork();
  let status = fn.before(child, c, mem, size, hugetlb);
  if (status === 0) {
    if (mprotect) {
      // mprotect() optimizations might try avoiding write-faults by directly mapping pages writable.
      if (proc.mprotect(mem, size, PROT_READ) || proc.mprotect(mem, size, PROT_READ | PROT_WRITE)) {
        child.endChild(c.v.childExit);
        return c.failPerror('mprotect() failed');
      }
    }
    proc.memsetByte(mem, size, MODIFIED);
    status = fn.after(child, c, mem, size, hugetlb);
  }
  child.endChild(c.v.childExit);
  c.verdict(status === 0, 'No leak from parent into child', 'Leak from parent into child', xfail);
}

/** do_test_vmsplice_in_parent(): the parent's pipe must keep the old content while the child writes. */
function vmspliceInParent(
  c: CowCtx,
  mem: number,
  size: number,
  hugetlb: boolean,
  beforeFork: boolean,
): void {
  const proc = c.proc;
  const old = c.buf(0, c.units(size, hugetlb));
  proc.loadLabels(mem, size, old);
  const fds = proc.pipe()!;
  let transferred = 0;
  if (beforeFork) {
    transferred = proc.vmsplice(fds[1], mem, size);
    if (transferred <= 0) {
      proc.close(fds[0]);
      proc.close(fds[1]);
      return c.failPerror('vmsplice() failed\n', 'vmsplice() failed');
    }
  }
  const child = proc.fork();
  if (!beforeFork) {
    transferred = proc.vmsplice(fds[1], mem, size);
    if (transferred <= 0) {
      child.endChild(c.v.childExit);
      proc.close(fds[0]);
      proc.close(fds[1]);
      return c.failPerror('vmsplice() failed');
    }
  }
  proc.munmap(mem, size);
  // Modify page content in the child.
  child.memsetByte(mem, size, MODIFIED);
  child.endChild(c.v.childExit);
  const got = c.buf(1, PIPE_BUFFERS);
  proc.readPipe(fds[0], transferred, got);
  proc.close(fds[0]);
  proc.close(fds[1]);
  c.verdict(
    pipeMatches(c, got, transferred, size, hugetlb),
    'No leak from child into parent',
    'Leak from child into parent',
    hugetlb,
  );
}

/** do_test_iouring(): a R/W long-term pin must keep seeing what the process writes. */
function iouring(c: CowCtx, mem: number, size: number, hugetlb: boolean, useFork: boolean): void {
  const proc = c.proc;
  const uring = c.liburing!;
  const file = proc.tmpfile();
  if (!file) return c.failPerror('tmpfile() failed');
  const fd = proc.fileno(file);
  const init = uring.io_uring_queue_init(1);
  if (init.ret < 0 || !init.ring) {
    proc.fclose(file);
    return c.skipMsg('io_uring_queue_init() failed');
  }
  // FOLL_WRITE | FOLL_PIN | FOLL_LONGTERM the range; skip on errors (support, MEMLOCK).
  if (uring.io_uring_register_buffers(init.ring, [{ base: mem, len: size }])) {
    uring.io_uring_queue_exit(init.ring);
    proc.fclose(file);
    return c.skipMsg('io_uring_register_buffers() failed');
  }
  let child: Process | undefined;
  if (useFork) {
    // fork() and keep the child alive until we're done.
    child = proc.fork();
  } else {
    // Map the page R/O; soft-dirty tracking stops mprotect() from mapping it R/W again at once.
    if (proc.mprotect(mem, size, PROT_READ))
      return endIouring(c, file, init.ring, child, () => c.failPerror('mprotect() failed'));
    proc.clearSoftdirty();
    if (proc.mprotect(mem, size, PROT_READ | PROT_WRITE))
      return endIouring(c, file, init.ring, child, () => c.failPerror('mprotect() failed'));
  }
  // Modify the page and write what the fixed buffer's pin sees to the file.
  proc.memsetByte(mem, size, MODIFIED);
  const res = uring.writeFixed(init.ring, fd, mem, size, 0, 0);
  if (res !== size)
    return endIouring(c, file, init.ring, child, () => c.failMsg('write_fixed failed'));
  const n = c.units(size, hugetlb);
  const tmp = c.buf(2, n);
  readBack(c, fd, size, hugetlb, tmp);
  const now = c.buf(1, n);
  proc.loadLabels(mem, size, now);
  endIouring(c, file, init.ring, child, () =>
    c.verdict(
      sameLabels(now, tmp, n),
      'Longterm R/W pin is reliable',
      'Longtom R/W pin is not reliable',
      false,
      true,
    ),
  );
}

/** pread() of the file, one label per page of the mapping (a huge page reads as its first page). */
function readBack(c: CowCtx, fd: number, size: number, hugetlb: boolean, out: Int32Array): void {
  if (!hugetlb) {
    c.proc.pread(fd, size, 0, out);
    return;
  }
  const one = new Int32Array(1);
  c.proc.pread(fd, c.pagesize, 0, one);
  out[0] = one[0]!;
}

function endIouring(
  c: CowCtx,
  file: { fd: number },
  ring: { fd: number },
  child: Process | undefined,
  report: () => void,
): void {
  report();
  child?.endChild(c.v.childExit);
  c.liburing!.io_uring_unregister_buffers(ring);
  c.liburing!.io_uring_queue_exit(ring);
  c.proc.fclose(file);
}

export type RoPinTest = 'plain' | 'shared' | 'previously-shared' | 'ro-exclusive';

/** do_test_ro_pin(): a R/O long-term pin must see what the process writes afterwards. */
export function roPin(
  c: CowCtx,
  mem: number,
  size: number,
  hugetlb: boolean,
  test: RoPinTest,
  fast: boolean,
): void {
  const proc = c.proc;
  if (c.gupFd < 0) return c.skipMsg('gup_test not available');
  let child: Process | undefined;
  if (test === 'shared' || test === 'previously-shared') {
    // Share the pages with our child. As the pages are not pinned, this should just work.
    child = proc.fork();
    if (test === 'previously-shared') {
      // The pages stay mapped R/O in our page tables, but are no longer shared.
      child.endChild(c.v.childExit);
      child = undefined;
    }
  } else if (test === 'ro-exclusive') {
    let ret = proc.mprotect(mem, size, PROT_READ);
    proc.clearSoftdirty();
    ret |= proc.mprotect(mem, size, PROT_READ | PROT_WRITE);
    if (ret) return c.failPerror('mprotect() failed');
  }
  // Take a R/O pin. This should trigger unsharing.
  const flags = fast ? PIN_LONGTERM_TEST_FLAG_USE_FAST : 0;
  if (proc.ioctl(c.gupFd, PIN_LONGTERM_TEST_START, { addr: mem, size, flags })) {
    const skip = proc.errno === Errno.EINVAL;
    if (skip) c.skipPerror('PIN_LONGTERM_TEST_START failed');
    else c.failPerror('PIN_LONGTERM_TEST_START failed');
    child?.endChild(c.v.childExit);
    return;
  }
  proc.memsetByte(mem, size, MODIFIED);
  const n = c.units(size, hugetlb);
  const tmp = c.buf(2, n);
  if (proc.gupTestRead(c.gupFd, tmp)) c.failPerror('PIN_LONGTERM_TEST_READ failed');
  else {
    const now = c.buf(1, n);
    proc.loadLabels(mem, size, now);
    c.verdict(
      sameLabels(now, tmp, n),
      'Longterm R/O pin is reliable',
      'Longterm R/O pin is not reliable',
      false,
      true,
    );
  }
  if (proc.ioctl(c.gupFd, PIN_LONGTERM_TEST_STOP)) {
    if (c.v.uniqueNames) c.ksft.perror('PIN_LONGTERM_TEST_STOP failed');
    else c.ksft.printMsg('[INFO] PIN_LONGTERM_TEST_STOP failed\n');
  }
  child?.endChild(c.v.childExit);
}

/** anon_test_cases[] in order: the test function of each family. */
export const ANON_TESTS: readonly TestFn[] = [
  (c, m, s, h) => cowInParent(c, m, s, h, false, childMemcmp, false),
  (c, m, s, h) => cowInParent(c, m, s, h, true, childMemcmp, false),
  (c, m, s, h) => cowInParent(c, m, s, h, false, childVmspliceMemcmp, h),
  (c, m, s, h) => cowInParent(c, m, s, h, true, childVmspliceMemcmp, h),
  (c, m, s, h) => vmspliceInParent(c, m, s, h, true),
  (c, m, s, h) => vmspliceInParent(c, m, s, h, false),
  (c, m, s, h) => iouring(c, m, s, h, false),
  (c, m, s, h) => iouring(c, m, s, h, true),
  (c, m, s, h) => roPin(c, m, s, h, 'shared', false),
  (c, m, s, h) => roPin(c, m, s, h, 'shared', true),
  (c, m, s, h) => roPin(c, m, s, h, 'previously-shared', false),
  (c, m, s, h) => roPin(c, m, s, h, 'previously-shared', true),
  (c, m, s, h) => roPin(c, m, s, h, 'ro-exclusive', false),
  (c, m, s, h) => roPin(c, m, s, h, 'ro-exclusive', true),
];

export type CollapseTest = 'unshared' | 'fully-shared' | 'lower-shared' | 'upper-shared';

/** do_test_anon_thp_collapse(): COW must hold whether the THP was collapsed before or after fork(). */
export function collapse(c: CowCtx, mem: number, size: number, test: CollapseTest): void {
  const proc = c.proc;
  const ps = c.pagesize;
  // PTE-map the THP by mapping one subpage R/O for a moment, so it can be collapsed later.
  if (proc.mprotect(mem + ps, ps, PROT_READ)) return c.failPerror('mprotect() failed');
  if (proc.mprotect(mem + ps, ps, PROT_READ | PROT_WRITE)) return c.failPerror('mprotect() failed');
  const collapseFailed = (): void =>
    c.skipPerror('MADV_COLLAPSE failed', `MADV_COLLAPSE failed: ${errText(proc)}`);
  if (test === 'unshared') {
    if (proc.madvise(mem, size, MADV_COLLAPSE)) return collapseFailed();
  } else if (test === 'lower-shared') {
    if (proc.madvise(mem + size / 2, size / 2, MADV_DONTFORK))
      return c.failPerror('MADV_DONTFORK failed');
  } else if (test === 'upper-shared') {
    if (proc.madvise(mem, size / 2, MADV_DONTFORK)) return c.failPerror('MADV_DONTFORK failed');
  }
  const child = proc.fork();
  const [cmem, csize] =
    test === 'lower-shared'
      ? [mem, size / 2]
      : test === 'upper-shared'
        ? [mem + size / 2, size / 2]
        : [mem, size];
  childMemcmp.before(child, c, cmem, csize, false);
  if (test !== 'unshared') {
    // Revert MADV_DONTFORK so the VMAs merge and the range can be collapsed.
    if (test !== 'fully-shared' && proc.madvise(mem, size, MADV_DOFORK)) {
      child.endChild(c.v.childExit);
      return c.failPerror('MADV_DOFORK failed');
    }
    // Collapse before anyone modified the COW-shared page.
    if (proc.madvise(mem, size, MADV_COLLAPSE)) {
      child.endChild(c.v.childExit);
      return collapseFailed();
    }
  }
  proc.memsetByte(mem, size, MODIFIED);
  const status = childMemcmp.after(child, c, cmem, csize, false);
  child.endChild(c.v.childExit);
  c.verdict(
    status === 0,
    'No leak from parent into child',
    'Leak from parent into child',
    false,
    true,
  );
}

function errText(proc: Process): string {
  return strerror(proc.errno);
}
