/**
 * cow.c's run_with_*(): each maps and prepares one kind of memory, then runs a test function
 * on it — base pages (swapped out or not), THPs of a size in six shapes (PMD-mapped,
 * PTE-mapped, a single PTE left, half mremap()ed, partly shared with a child that exited;
 * swapped-out variants), anonymous hugetlb, and the non-anonymous backings: the shared
 * zeropage, a memfd, a tmpfile, the huge zeropage, a hugetlb memfd.
 */
import { Errno } from '../../../kernel-model/errno.js';
import {
  MADV_DOFORK,
  MADV_DONTFORK,
  MADV_DONTNEED,
  MADV_HUGEPAGE,
  MADV_NOHUGEPAGE,
  MADV_PAGEOUT,
  MAP_ANONYMOUS,
  MAP_HUGE_SHIFT,
  MAP_HUGETLB,
  MREMAP_FIXED,
  MREMAP_MAYMOVE,
} from '../../../kernel-model/mm-syscalls.js';
import { MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from '../../../kernel-model/task.js';
import type { CowCtx } from './context.js';
import type { TestFn } from './tests.js';

const PROT_NONE = 0;
const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;

/** do_run_with_base_page(). */
export function runWithBasePage(c: CowCtx, fn: TestFn, swapout: boolean): void {
  const proc = c.proc;
  const ps = c.pagesize;
  const mem = proc.mmapAnon(ps, RW, ANON);
  if (mem === -1) return c.failPerror('mmap() failed');
  // Ignore if not around on a kernel.
  if (proc.madvise(mem, ps, MADV_NOHUGEPAGE) && proc.errno !== Errno.EINVAL) {
    proc.munmap(mem, ps);
    return c.failPerror('MADV_NOHUGEPAGE failed');
  }
  // Populate a base page.
  proc.memsetByte(mem, ps, c.v.fill);
  if (swapout) {
    proc.madvise(mem, ps, MADV_PAGEOUT);
    if (!proc.pagemapIsSwapped(mem)) {
      proc.munmap(mem, ps);
      return c.skipMsg('MADV_PAGEOUT did not work, is swap enabled?');
    }
  }
  fn(c, mem, ps, false);
  proc.munmap(mem, ps);
}

export type ThpRun =
  | 'pmd'
  | 'pmd-swapout'
  | 'pte'
  | 'pte-swapout'
  | 'single-pte'
  | 'single-pte-swapout'
  | 'partial-mremap'
  | 'partial-shared';

/** do_run_with_thp(): a THP of `thpsize` in the shape `run`, then `fn` on it (or on its remaining part). */
export function runWithThp(c: CowCtx, fn: TestFn, run: ThpRun, thpsize: number): void {
  const proc = c.proc;
  const ps = c.pagesize;
  // For alignment purposes, we need twice the thp size.
  const mmapSize = 2 * thpsize;
  const mmapMem = proc.mmapAnon(mmapSize, RW, ANON);
  if (mmapMem === -1) return c.failPerror('mmap() failed');
  // The extra mapping of the partial-mremap shape (-1: none); unmapped with the THP's.
  c.mremapMem = -1;
  c.mremapSize = 0;
  const unmap = unmapThp;
  // We need a THP-aligned memory area.
  const mem = Math.floor((mmapMem + thpsize) / thpsize) * thpsize;
  if (proc.madvise(mem, thpsize, MADV_HUGEPAGE)) {
    unmap(c, mmapMem, mmapSize);
    return c.failPerror('MADV_HUGEPAGE failed');
  }
  // Touch the first sub-page and test if we get another (v6.8: the last) sub-page populated automatically.
  proc.storeByte(mem, c.v.fill);
  if (!proc.pagemapIsPopulated(c.v.mthp ? mem + thpsize - ps : mem + ps)) {
    unmap(c, mmapMem, mmapSize);
    return c.skipMsg('Did not get a THP populated');
  }
  proc.memsetByte(mem, thpsize, c.v.fill);
  let size = thpsize;
  switch (run) {
    case 'pte':
    case 'pte-swapout':
      // PTE-map the THP by mapping one subpage R/O for a moment (a noop below the PMD size).
      if (proc.mprotect(mem + ps, ps, PROT_READ) || proc.mprotect(mem + ps, ps, RW)) {
        unmap(c, mmapMem, mmapSize);
        return c.failPerror('mprotect() failed');
      }
      break;
    case 'single-pte':
    case 'single-pte-swapout':
      // Discard all but a single subpage of that PTE-mapped THP.
      if (proc.madvise(mem + ps, thpsize - ps, MADV_DONTNEED)) {
        unmap(c, mmapMem, mmapSize);
        return c.failPerror('MADV_DONTNEED failed');
      }
      size = ps;
      break;
    case 'partial-mremap': {
      // Remap half of the THP to new memory.
      const mremapSize = thpsize / 2;
      const mremapMem = proc.mmapAnon(mremapSize, PROT_NONE, ANON);
      c.mremapSize = mremapSize;
      if (mremapMem === -1) {
        unmap(c, mmapMem, mmapSize);
        return c.failPerror('mmap() failed');
      }
      c.mremapMem = mremapMem;
      const tmp = proc.mremap(
        mem + mremapSize,
        mremapSize,
        mremapSize,
        MREMAP_MAYMOVE | MREMAP_FIXED,
        mremapMem,
      );
      if (tmp !== mremapMem) {
        unmap(c, mmapMem, mmapSize);
        return c.failPerror('mremap() failed');
      }
      size = mremapSize;
      break;
    }
    case 'partial-shared': {
      // Share the first page with a child that quits: parts of the THP were never shared.
      if (proc.madvise(mem + ps, thpsize - ps, MADV_DONTFORK)) {
        unmap(c, mmapMem, mmapSize);
        return c.failPerror('MADV_DONTFORK failed');
      }
      proc.fork().endChild(c.v.childExit);
      // Allow for sharing all pages again.
      if (proc.madvise(mem + ps, thpsize - ps, MADV_DOFORK)) {
        unmap(c, mmapMem, mmapSize);
        return c.failPerror('MADV_DOFORK failed');
      }
      break;
    }
    default:
      break;
  }
  if (run === 'pmd-swapout' || run === 'pte-swapout' || run === 'single-pte-swapout') {
    proc.madvise(mem, size, MADV_PAGEOUT);
    // range_is_swapped(): every page's pagemap entry has the swap bit.
    if (!proc.pagemapRangeIsSwapped(mem, size)) {
      unmap(c, mmapMem, mmapSize);
      return c.skipMsg('MADV_PAGEOUT did not work, is swap enabled?');
    }
  }
  fn(c, mem, size, false);
  unmap(c, mmapMem, mmapSize);
}

/** munmap() of the THP's mapping and, for the partial-mremap shape, of where half of it went. */
function unmapThp(c: CowCtx, mmapMem: number, mmapSize: number): void {
  c.proc.munmap(mmapMem, mmapSize);
  if (c.mremapMem !== -1) c.proc.munmap(c.mremapMem, c.mremapSize);
}

/** run_with_hugetlb(): a private anonymous hugetlb page, and a second free one for COW. */
export function runWithHugetlb(c: CowCtx, fn: TestFn, hugetlbsize: number): void {
  const proc = c.proc;
  const flags =
    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (Math.log2(hugetlbsize) << MAP_HUGE_SHIFT);
  const mem = proc.mmapAnon(hugetlbsize, RW, flags);
  if (mem === -1) return c.skipPerror('need more free huge pages');
  // Populate a huge page.
  proc.memsetByte(mem, hugetlbsize, c.v.fill);
  // We need a total of two hugetlb pages to handle COW/unsharing properly.
  const dummy = proc.mmapAnon(hugetlbsize, RW, flags);
  if (dummy === -1) {
    proc.munmap(mem, hugetlbsize);
    return c.skipPerror('need more free huge pages');
  }
  proc.munmap(dummy, hugetlbsize);
  fn(c, mem, hugetlbsize, true);
  proc.munmap(mem, hugetlbsize);
}

// ---- Non-anonymous memory: `mem` is a private mapping, `smem` a second view of the same page.

export type NonAnonFn = (
  c: CowCtx,
  mem: number,
  smem: number,
  size: number,
  hugetlb: boolean,
) => void;

/** populate_page_checked() (7.2): read the page, check the pagemap; older trees just read it. */
function populate(c: CowCtx, addr: number): boolean {
  const one = c.buf(0, 1);
  c.proc.loadLabels(addr, 1, one);
  if (!c.v.populateChecked) return true;
  const ok = c.proc.pagemapIsPopulated(addr);
  if (!ok) c.ksft.printMsg('Failed to populate page\n');
  return ok;
}

function populateBoth(c: CowCtx, mem: number, smem: number): boolean {
  if (populate(c, mem) && populate(c, smem)) return true;
  c.failQuiet('Failed to populate page');
  return false;
}

/** run_with_zeropage(): two private anonymous pages, both reading the shared zeropage. */
export function runWithZeropage(c: CowCtx, fn: NonAnonFn): void {
  const proc = c.proc;
  const ps = c.pagesize;
  const mem = proc.mmapAnon(ps, RW, ANON);
  if (mem === -1) return c.failPerror('mmap() failed');
  const smem = proc.mmapAnon(ps, PROT_READ, ANON);
  if (smem === -1) {
    proc.munmap(mem, ps);
    return c.failPerror('mmap() failed');
  }
  if (populateBoth(c, mem, smem)) fn(c, mem, smem, ps, false);
  proc.munmap(mem, ps);
  proc.munmap(smem, ps);
}

/** run_with_huge_zeropage(): two PMD-aligned MADV_HUGEPAGE areas reading the huge zeropage. */
export function runWithHugeZeropage(c: CowCtx, fn: NonAnonFn): void {
  const proc = c.proc;
  const pmd = c.pmdsize;
  if (!c.hasHugeZeropage) return c.skipMsg('Huge zeropage not enabled');
  const mmapSize = 2 * pmd;
  const mmapMem = proc.mmapAnon(mmapSize, RW, ANON);
  if (mmapMem === -1) return c.failPerror('mmap() failed');
  const mmapSmem = proc.mmapAnon(mmapSize, PROT_READ, ANON);
  const unmap = (): void => {
    proc.munmap(mmapMem, mmapSize);
    if (mmapSmem !== -1) proc.munmap(mmapSmem, mmapSize);
  };
  if (mmapSmem === -1) {
    unmap();
    return c.failPerror('mmap() failed');
  }
  const mem = Math.floor((mmapMem + pmd) / pmd) * pmd;
  const smem = Math.floor((mmapSmem + pmd) / pmd) * pmd;
  if (proc.madvise(mem, pmd, MADV_HUGEPAGE) || proc.madvise(smem, pmd, MADV_HUGEPAGE)) {
    unmap();
    return c.failPerror('madvise()', 'MADV_HUGEPAGE failed');
  }
  // Read the first sub-page and check that another one got populated too.
  if (!populateBoth(c, mem, smem)) return unmap();
  if (!proc.pagemapIsPopulated(mem + c.pagesize) || !proc.pagemapIsPopulated(smem + c.pagesize)) {
    // The 7.2 tree still reports this one in the old style.
    c.ksft.skip('Did not get THPs populated\n');
    return unmap();
  }
  fn(c, mem, smem, pmd, false);
  unmap();
}

/** Map `fd` privately (R/W) and shared (R/O), fault both in, run `fn`. */
function runWithFile(c: CowCtx, fn: NonAnonFn, fd: number, size: number, hugetlb: boolean): void {
  const proc = c.proc;
  const mem = proc.mmap(size, RW, MAP_PRIVATE, fd);
  if (mem === -1) {
    if (hugetlb) c.skipPerror('need more free huge pages');
    else c.failPerror('mmap() failed');
    return;
  }
  const smem = proc.mmap(size, PROT_READ, MAP_SHARED, fd);
  if (smem === -1) {
    proc.munmap(mem, size);
    return c.failPerror('mmap() failed');
  }
  if (populateBoth(c, mem, smem)) fn(c, mem, smem, size, hugetlb);
  proc.munmap(mem, size);
  proc.munmap(smem, size);
}

/** run_with_memfd(): one page of a memfd. */
export function runWithMemfd(c: CowCtx, fn: NonAnonFn): void {
  const proc = c.proc;
  const fd = proc.memfd_create('test');
  if (fd < 0) return c.failPerror('memfd_create() failed');
  // File consists of a single page filled with zeroes.
  if (proc.fallocate(fd, 0, 0, c.pagesize)) c.failPerror('fallocate() failed');
  else runWithFile(c, fn, fd, c.pagesize, false);
  proc.close(fd);
}

/** run_with_tmpfile(): one page of a tmpfile() (O_TMPFILE in /tmp). */
export function runWithTmpfile(c: CowCtx, fn: NonAnonFn): void {
  const proc = c.proc;
  const file = proc.tmpfile();
  if (!file) return c.failPerror('tmpfile() failed');
  const fd = proc.fileno(file);
  if (proc.fallocate(fd, 0, 0, c.pagesize)) {
    if (c.v.fallocateSkip && proc.errno === Errno.EOPNOTSUPP)
      c.skipMsg('fallocate() not supported by filesystem');
    else c.failPerror('fallocate() failed');
  } else runWithFile(c, fn, fd, c.pagesize, false);
  proc.fclose(file);
}

/** run_with_memfd_hugetlb(): one huge page of a hugetlb memfd. */
export function runWithMemfdHugetlb(c: CowCtx, fn: NonAnonFn, hugetlbsize: number): void {
  const proc = c.proc;
  const fd = proc.memfd_create('test', hugetlbsize / 1024);
  if (fd < 0) return c.skipPerror('memfd_create() failed');
  // File consists of a single page filled with zeroes.
  if (proc.fallocate(fd, 0, 0, hugetlbsize)) c.skipPerror('need more free huge pages');
  else runWithFile(c, fn, fd, hugetlbsize, true);
  proc.close(fd);
}
