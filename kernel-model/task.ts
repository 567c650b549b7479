/**
 * A process on the simulated kernel and the system calls gup_longterm makes. Every call
 * returns the kernel's convention (a value, or a negative errno); turning that into a libc
 * return value and `errno` is the C library's job (cases/libc).
 */
import { userWrite } from './clock.js';
import { emptyArray } from './empty-array.js';
import { Errno } from './errno.js';
import { handleFault } from './fault.js';
import { copyVmaForFork } from './fork.js';
import { freeHugePage, unreserveHugePages } from './hugetlb.js';
import { hugepagesDirEntries, hugetlbReserve, readHugepageAttr, writeNrHugepages } from './hugetlbfs.js';
import { fallocateInode, iputFinal, truncateInode } from './inode-ops.js';
import type { Kernel } from './kernel.js';
import {
  VM_HUGETLB,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_READ,
  VM_SHARED,
  VM_WRITE,
  type Inode,
  type OpenFile,
  type Pte,
  type Vma,
} from './mm-types.js';
import { gupTestIoctl, gupTestRelease } from './gup-test.js';
import { SmallMap } from './small-map.js';
import { invalidateRangeEnd, invalidateRangeStart, type MmuSubscription } from './mmu-notifier.js';
import { ioUringClose, ioUringRegister, ioUringRelease, ioUringSetup, type Ring } from './io-uring.js';

export const PROT_READ = 0x1;
export const PROT_WRITE = 0x2;
export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const O_RDWR = 0x2;

export const GUP_TEST_PATH = '/sys/kernel/debug/gup_test';
export const HUGEPAGES_DIR = '/sys/kernel/mm/hugepages';

/** The outcome of a user-space memory access: fine, or the signal that kills the process. */
export type AccessResult = 'ok' | 'SIGBUS' | 'SIGSEGV';

/** An io_uring instance's file (anon_inode:[io_uring]): a class, not a literal (see emptyArray() in trace.ts). */
class RingFile {
  constructor(readonly ring: Ring) {}
}

type FdEntry = OpenFile | RingFile;

/** change_protection() to read-only, for the page table that is `this`. */
function writeProtect(this: SmallMap<number, Pte>, pte: Pte, index: number): void {
  this.set(index, { folio: pte.folio, writable: false, dirty: pte.dirty });
}

/** zap_pte_range(): an unmapped anonymous folio nobody pins is freed. */
function freeUnmappedAnon(pte: Pte): void {
  const folio = pte.folio;
  if (folio.kind === 'anon' && folio.pincount === 0) {
    folio.freed = true;
    if (folio.hugetlb) freeHugePage(folio.hugetlb);
  }
}

export class Task {
  readonly kernel: Kernel;
  /**
   * The fd table, indexed by fd (holes are free fds). An array, not a Map: fds are small
   * integers handed out lowest-first, and a Map costs a hash table per process plus a rehash
   * whenever a close shrinks it.
   */
  private readonly fds: (FdEntry | undefined)[] = emptyArray(); // not []: see kernel-model emptyArray()
  private readonly vmas: Vma[] = emptyArray(); // not []: see kernel-model emptyArray()
  private nextAddr = 0x7f0000000000;
  /** mm->notifier_subscriptions (kernel-model/mmu-notifier.ts). */
  notifierSubscriptions: MmuSubscription[] | undefined = undefined;

  constructor(kernel: Kernel) {
    this.kernel = kernel;
    // 0, 1, 2 are stdin, stdout, stderr.
    kernel.mms.push(this);
  }

  vmaList(): readonly Vma[] {
    return this.vmas;
  }

  /** fork(): the child shares every open file and every VMA, each copied by copyVmaForFork() (fork.ts). */
  fork(): Task {
    const child = new Task(this.kernel);
    for (let fd = 0; fd < this.fds.length; fd++) {
      const f = this.fds[fd];
      if (f === undefined) continue;
      child.fds[fd] = f;
      if (!(f instanceof RingFile)) {
        f.refs++;
        f.inode.openCount++;
      }
    }
    for (const vma of this.vmas) {
      child.vmas.push(copyVmaForFork(this.kernel, vma));
      vma.file.refs++;
      vma.file.inode.mapCount++;
    }
    child.nextAddr = this.nextAddr;
    return child;
  }

  /** A driver's ->mmap that inserts a VMA of its own making (remap_pfn_range, special files). */
  mapSpecial(length: number, vmFlags: number, file: OpenFile): Vma {
    const k = this.kernel;
    const start = Math.ceil(this.nextAddr / k.pageSize) * k.pageSize;
    this.nextAddr = start + length + k.pageSize;
    const vma: Vma = { start, length, flags: vmFlags, file, pageSize: k.pageSize, ptes: new SmallMap(), privateResv: 0 };
    this.vmas.push(vma);
    file.refs++;
    file.inode.mapCount++;
    return vma;
  }

  private allocFd(file: FdEntry): number {
    // 0, 1, 2 are stdin, stdout, stderr; the lowest free fd above them.
    let fd = 3;
    while (this.fds[fd] !== undefined) fd++;
    this.fds[fd] = file;
    return fd;
  }

  private entry(fd: number): FdEntry | undefined {
    // A negative fd (a failed open passed on) is no array index: never look it up.
    return fd >= 0 ? this.fds[fd] : undefined;
  }

  private file(fd: number): OpenFile | undefined {
    const f = this.entry(fd);
    return f === undefined || f instanceof RingFile ? undefined : f;
  }

  ring(fd: number): Ring | undefined {
    const f = this.entry(fd);
    return f instanceof RingFile ? f.ring : undefined;
  }

  findVma(addr: number): Vma | undefined {
    // Loops, not find()/findIndex() with a closure: these run on every fault and pin.
    const vmas = this.vmas;
    for (let i = 0; i < vmas.length; i++) {
      const v = vmas[i]!;
      if (addr >= v.start && addr < v.start + v.length) return v;
    }
    return undefined;
  }

  private openInode(inode: Inode, special?: OpenFile['special']): number {
    inode.openCount++;
    return this.allocFd({ inode, special, refs: 1 });
  }

  /** memfd_create(2): a shmem file on the internal mount, or hugetlbfs with MFD_HUGETLB. */
  memfdCreate(hugetlbSizeKiB?: number): number {
    const k = this.kernel;
    // memfd inodes live on an internal mount with no directory entry: unlinked from birth,
    // so the last close frees their pages.
    if (hugetlbSizeKiB === undefined) return this.openInode(k.newUnlinkedInode(k.shmMount));
    if (!k.spec.config.HUGETLBFS) {
      if (k.tracing) k.note('memfd_create', 'MFD_HUGETLB without CONFIG_HUGETLBFS', { errno: 'EINVAL' });
      return -Errno.EINVAL;
    }
    const h = k.hstateBySize(hugetlbSizeKiB);
    if (!h) {
      if (k.tracing) k.note('hugetlb_file_setup', `no hstate for ${hugetlbSizeKiB} kB`, { errno: 'ENODEV' });
      return -Errno.ENODEV;
    }
    return this.openInode(k.newUnlinkedInode(k.hugetlbMount, h));
  }

  /** open(dir, O_TMPFILE): needs the filesystem's ->tmpfile. */
  openTmpfile(dir: '/tmp' | '.'): number {
    const k = this.kernel;
    const mount = dir === '/tmp' ? k.spec.mounts.tmp : k.spec.mounts.cwd;
    if (mount.type.readOnly) return -Errno.EROFS;
    if (!mount.type.tmpfile) {
      if (k.tracing) k.note('do_tmpfile', `${mount.type.name} has no ->tmpfile`, { errno: 'EOPNOTSUPP' });
      return -Errno.EOPNOTSUPP;
    }
    return this.openInode(k.newUnlinkedInode(mount));
  }

  /** open(path, O_RDWR|O_CREAT|O_EXCL) of a regular file, or open() of the files the test reads. */
  openCreateExcl(path: string): number {
    const k = this.kernel;
    const { mount, dir, name } = k.mountFor(path);
    if (mount.type.readOnly) return -Errno.EROFS;
    if (dir.has(name)) return -Errno.EEXIST;
    const inode = k.newInode(mount);
    dir.set(name, inode);
    return this.openInode(inode);
  }

  /** open(2) of a special file: debugfs gup_test. */
  openSpecial(path: string): number {
    const k = this.kernel;
    if (path !== GUP_TEST_PATH) return -Errno.ENOENT;
    if (!k.spec.user.root) {
      // /sys/kernel/debug is mode 0700: a non-root user cannot even look inside.
      if (k.tracing) k.note('debugfs', '/sys/kernel/debug is root-only', { errno: 'EACCES' });
      return -Errno.EACCES;
    }
    const { GUP_TEST, DEBUG_FS } = k.spec.config;
    if (!GUP_TEST || !DEBUG_FS || !k.flags.gup_test_debugfs) {
      if (!k.tracing) return -Errno.ENOENT;
      const why = !k.flags.gup_test_debugfs
        ? `gup_test debugfs file: ${k.describeAbsent('gup_test_debugfs')}`
        : !DEBUG_FS
          ? 'CONFIG_DEBUG_FS is not set'
          : 'CONFIG_GUP_TEST is not set';
      if (k.tracing) k.note('debugfs', `${GUP_TEST_PATH} does not exist: ${why}`, { errno: 'ENOENT' });
      return -Errno.ENOENT;
    }
    return this.openInode(k.newInode(k.shmMount), 'gup_test');
  }

  unlink(path: string): number {
    const { dir, name } = this.kernel.mountFor(path);
    const inode = dir.get(name);
    if (!inode) return -Errno.ENOENT;
    dir.delete(name);
    inode.nlink = 0;
    return 0;
  }

  close(fd: number): number {
    const f = this.entry(fd);
    if (!f) return -Errno.EBADF;
    this.fds[fd] = undefined;
    if (f instanceof RingFile) {
      ioUringClose(this.kernel, f.ring);
      return 0;
    }
    if (f.special === 'gup_test') gupTestRelease(this.kernel);
    f.inode.openCount--;
    iputFinal(f.inode);
    return 0;
  }

  /** fstatfs(2) → f_type. */
  fstatfs(fd: number): { ret: number; fType: number } {
    const f = this.file(fd);
    if (!f) return { ret: -Errno.EBADF, fType: 0 };
    const fType = this.kernel.statfsType(f.inode.mount);
    if (fType === undefined) {
      if (this.kernel.tracing) this.kernel.note('v9fs_statfs', '9p server does not answer statfs', { errno: 'EOPNOTSUPP' });
      return { ret: -Errno.EOPNOTSUPP, fType: 0 };
    }
    return { ret: 0, fType };
  }

  ftruncate(fd: number, length: number): number {
    const k = this.kernel;
    const f = this.file(fd);
    if (!f) return -Errno.EBADF;
    return truncateInode(k, f.inode, length);
  }

  fallocate(fd: number, mode: number, offset: number, length: number): number {
    const k = this.kernel;
    const f = this.file(fd);
    if (!f) return -Errno.EBADF;
    return fallocateInode(k, f.inode, mode, offset, length);
  }

  mmap(length: number, prot: number, flags: number, fd: number): number {
    const k = this.kernel;
    const f = this.file(fd);
    if (!f) return -Errno.EBADF;
    const inode = f.inode;
    const shared = (flags & MAP_SHARED) !== 0;
    const pageSize = inode.hstate ? inode.hstate.sizeKiB * 1024 : k.pageSize;
    if (length === 0 || length % pageSize !== 0) return -Errno.EINVAL;
    if (shared && prot & PROT_WRITE && inode.mount.cacheNone) {
      if (k.tracing) k.note('v9fs_file_mmap', '9p cache=none: generic_file_readonly_mmap refuses a writable shared mapping', {
        errno: 'EINVAL',
      });
      return -Errno.EINVAL;
    }
    let vmFlags = VM_MAYREAD | VM_MAYWRITE;
    if (prot & PROT_READ) vmFlags |= VM_READ;
    if (prot & PROT_WRITE) vmFlags |= VM_WRITE;
    if (shared) vmFlags |= VM_SHARED | VM_MAYSHARE;
    let privateResv = 0;
    if (inode.hstate) {
      vmFlags |= VM_HUGETLB;
      privateResv = hugetlbReserve(k, inode, inode.hstate, length / pageSize, shared);
      if (privateResv < 0) return privateResv;
    }
    const align = Math.max(pageSize, k.pageSize);
    const start = Math.ceil(this.nextAddr / align) * align;
    this.nextAddr = start + length + k.pageSize;
    // An indexed append, not push(): TurboFan left this push a call of the generic builtin
    // (1% of a sweep's samples in perf), and compiles the append inline.
    const vmas = this.vmas;
    vmas[vmas.length] = { start, length, flags: vmFlags, file: f, pageSize, ptes: new SmallMap(), privateResv };
    f.refs++;
    inode.mapCount++;
    return start;
  }

  munmap(addr: number, length: number): number {
    const vmas = this.vmas;
    let i = 0;
    while (i < vmas.length && (vmas[i]!.start !== addr || vmas[i]!.length !== length)) i++;
    if (i === vmas.length) return 0;
    const vma = vmas[i]!;
    // Secondary MMUs (an IOMMU following the range, vhost) hear of the unmap first.
    const hit = invalidateRangeStart(this.kernel, this, addr, length, 'munmap');
    // Shift down by hand: splice() would return an array of the removed VMA.
    for (let j = i + 1; j < vmas.length; j++) vmas[j - 1] = vmas[j]!;
    vmas.pop();
    invalidateRangeEnd(this.kernel, hit, 'munmap');
    vma.ptes.forEach(freeUnmappedAnon);
    if (vma.file.inode.hstate && vma.privateResv > 0) unreserveHugePages(vma.file.inode.hstate, vma.privateResv);
    vma.file.inode.mapCount--;
    vma.file.refs--;
    iputFinal(vma.file.inode);
    return 0;
  }

  mprotect(addr: number, length: number, prot: number): number {
    const vma = this.findVma(addr);
    if (!vma || vma.start !== addr || vma.length !== length) return -Errno.ENOMEM;
    if (prot & PROT_WRITE && (vma.flags & VM_MAYWRITE) === 0) return -Errno.EACCES;
    vma.flags &= ~(VM_READ | VM_WRITE);
    if (prot & PROT_READ) vma.flags |= VM_READ;
    if (prot & PROT_WRITE) vma.flags |= VM_WRITE;
    if ((prot & PROT_WRITE) === 0) {
      vma.ptes.forEach(writeProtect, vma.ptes);
    }
    return 0;
  }

  /** A user-space access (memset, read) of [addr, addr+length): faults pages in or kills. */
  access(addr: number, length: number, write: boolean): AccessResult {
    const vma = this.findVma(addr);
    if (!vma) return 'SIGSEGV';
    for (let off = 0; off < length; off += vma.pageSize) {
      const index = Math.floor((addr + off - vma.start) / vma.pageSize);
      const pte = vma.ptes.get(index);
      if (pte && (!write || pte.writable)) continue;
      const r = handleFault(this.kernel, vma, index, write ? 'write' : 'read');
      if (r === 'sigsegv') return 'SIGSEGV';
      if (r !== 'ok') return 'SIGBUS';
    }
    if (write) userWrite(this.kernel, length);
    return 'ok';
  }

  ioctl(fd: number, cmd: number, arg?: { addr: number; size: number; flags: number }): number {
    const f = this.file(fd);
    if (!f) return -Errno.EBADF;
    if (f.special !== 'gup_test') return -Errno.ENOTTY;
    return gupTestIoctl(this.kernel, this, cmd, arg);
  }

  ioUringSetup(entries: number): number {
    const r = ioUringSetup(this.kernel, entries);
    if (typeof r === 'number') return r;
    return this.allocFd(new RingFile(r));
  }

  ioUringRegisterBuffers(fd: number, iovs: readonly { base: number; len: number }[]): number {
    const ring = this.ring(fd);
    if (!ring) return -Errno.EBADF;
    return ioUringRegister(this.kernel, this, ring, iovs);
  }

  ioUringUnregisterBuffers(fd: number): number {
    const ring = this.ring(fd);
    if (!ring) return -Errno.EBADF;
    ioUringRelease(this.kernel, ring);
    return 0;
  }

  /** getdents of /sys/kernel/mm/hugepages (hugetlbfs.ts). */
  listHugepagesDir(): string[] | number {
    return hugepagesDirEntries(this.kernel);
  }

  /** Read /sys/kernel/mm/hugepages/hugepages-<N>kB/<attr> (hugetlbfs.ts). */
  readHugepageAttr(sizeKiB: number, attr: 'nr_hugepages' | 'free_hugepages'): number {
    return readHugepageAttr(this.kernel, sizeKiB, attr);
  }

  /** Write nr_hugepages (hugetlbfs.ts). */
  writeNrHugepages(sizeKiB: number, value: number): number {
    return writeNrHugepages(this.kernel, sizeKiB, value);
  }
}
