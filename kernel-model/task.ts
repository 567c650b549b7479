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
import { unreserveHugePages } from './hugetlb.js';
import {
  hugepagesDirEntries,
  hugetlbReserve,
  readHugepageAttr,
  writeNrHugepages,
} from './hugetlbfs.js';
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
import { freeIfUnused } from './rmap.js';
import { VM_DONTCOPY } from './mm-types.js';
import { invalidateRangeEnd, invalidateRangeStart, type MmuSubscription } from './mmu-notifier.js';
import {
  ioUringClose,
  ioUringRegister,
  ioUringRelease,
  ioUringSetup,
  ioUringWriteFixed,
  type Ring,
} from './io-uring.js';
import type { AnonMm } from './anon-fault.js';
import { copyAnonVma } from './anon-fork.js';
import { gupAnon, PfnList } from './anon-gup.js';
import { getUserPagesRefs, putFolios } from './gup.js';
import { PageTable } from './pagetable.js';
import { Pipe, PipeEnd } from './pipe.js';
import {
  clearSoftDirty,
  exitAnon,
  madvise,
  MAP_ANONYMOUS,
  MAP_HUGE_SHIFT,
  MAP_HUGETLB,
  mmapAnonPrivate,
  mprotectAnon,
  mremap,
  munmapRange,
  pagemapAll,
  pagemapBits,
  touchesAnon,
  userLoad,
  userStore,
} from './mm-syscalls.js';
import { readSysfs, writeSysfs } from './sysfs.js';
import { gupTestRead } from './gup-test.js';

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

type FdEntry = OpenFile | RingFile | PipeEnd;

/** change_protection() to read-only, for the page table that is `this`. */
function writeProtect(this: SmallMap<number, Pte>, pte: Pte, index: number): void {
  this.set(index, { folio: pte.folio, writable: false, dirty: pte.dirty });
}

/**
 * zap_pte_range() of the page table that was `this`'s: an anonymous folio that nothing maps,
 * pins or references any more is freed (after fork() the other process may still map it).
 */
function freeUnmappedAnon(this: Kernel, pte: Pte): void {
  freeIfUnused(this, pte.folio);
}

/** Where anonymous private mappings start (see Task.reserveAnonAddr()). */
const ANON_BASE = 0x10000000;

export class Task implements AnonMm {
  readonly kernel: Kernel;
  /** mm->mm_id: names this address space in the memory map's rmap accounting. */
  readonly mmId: number;
  /** The anonymous page tables (pagetable.ts), made on the first anonymous mapping. */
  private pt: PageTable | undefined = undefined;
  /** exit() ran: the address space and the files are gone. */
  exited = false;
  /**
   * The fd table, indexed by fd (holes are free fds). An array, not a Map: fds are small
   * integers handed out lowest-first, and a Map costs a hash table per process plus a rehash
   * whenever a close shrinks it.
   */
  private readonly fds: (FdEntry | undefined)[] = emptyArray(); // not []: see kernel-model emptyArray()
  /** The VMAs a range syscall works on (anon-vma.ts vmasCovering()), reused call after call. */
  readonly scratchVmas: Vma[] = emptyArray(); // not []: see kernel-model emptyArray()
  /** The VMAs in address order (mm-syscalls.ts and anon-vma.ts split, merge and move them). */
  readonly vmas: Vma[] = emptyArray(); // not []: see kernel-model emptyArray()
  private nextAddr = 0x7f0000000000;
  /** mm->notifier_subscriptions (kernel-model/mmu-notifier.ts). */
  notifierSubscriptions: MmuSubscription[] | undefined = undefined;

  constructor(kernel: Kernel) {
    this.kernel = kernel;
    this.mmId = kernel.newMmId();
    // 0, 1, 2 are stdin, stdout, stderr.
    kernel.mms.push(this);
  }

  anonPt(): PageTable {
    if (this.pt === undefined) {
      const a = this.kernel.anon;
      this.pt = new PageTable(a.pool, a.pageSize, a.ptrs);
    }
    return this.pt;
  }

  /**
   * get_unmapped_area() for an anonymous private mapping: the lowest gap from ANON_BASE that
   * fits `length` bytes with a guard page on each side (so separate mmap()s never merge), as
   * the kernel reuses freed address space. Anonymous memory lives low so that its addresses
   * stay small integers to V8 (below 2^31): the loops over its pages pass addresses around,
   * and a 47-bit address is a boxed double at every call that is not inlined.
   */
  reserveAnonAddr(length: number): number {
    const ps = this.kernel.pageSize;
    let start = ANON_BASE;
    const vmas = this.vmas;
    for (let i = 0; i < vmas.length; i++) {
      const v = vmas[i]!;
      if (v.start + v.length + ps <= start) continue;
      if (v.start >= start + length + ps) break;
      start = v.start + v.length + ps;
    }
    return start;
  }

  /** Insert a VMA in address order. */
  insertVma(vma: Vma): void {
    const vmas = this.vmas;
    let at = vmas.length;
    while (at > 0 && vmas[at - 1]!.start > vma.start) at--;
    vmas.splice(at, 0, vma);
    // The anonymous placeholder file (Kernel.anonFile) is not counted: nothing frees it.
    if (!vma.anon) {
      vma.file.refs++;
      vma.file.inode.mapCount++;
    }
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
      if (f instanceof PipeEnd) {
        if (f.write) f.pipe.writers++;
        else f.pipe.readers++;
      } else if (!(f instanceof RingFile)) {
        f.refs++;
        f.inode.openCount++;
      }
    }
    for (const vma of this.vmas) {
      // MADV_DONTFORK: the child does not get the VMA.
      if (vma.flags & VM_DONTCOPY) continue;
      const copy = copyVmaForFork(this.kernel, vma);
      child.vmas.push(copy);
      if (vma.anon) {
        copyAnonVma(this.kernel, this, child, copy);
        continue;
      }
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
    const vma: Vma = {
      start,
      length,
      flags: vmFlags,
      file,
      pageSize: k.pageSize,
      ptes: new SmallMap(),
      privateResv: 0,
      anon: false,
    };
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
    // Only an OpenFile has an inode: one property check of three known shapes, where two
    // instanceof walks of the prototype chain were 3% of a sweep's samples.
    return f !== undefined && 'inode' in f ? f : undefined;
  }

  private pipeEnd(fd: number): PipeEnd | undefined {
    const f = this.entry(fd);
    return f instanceof PipeEnd ? f : undefined;
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
      if (k.tracing)
        k.note('memfd_create', 'MFD_HUGETLB without CONFIG_HUGETLBFS', { errno: 'EINVAL' });
      return -Errno.EINVAL;
    }
    const h = k.hstateBySize(hugetlbSizeKiB);
    if (!h) {
      if (k.tracing)
        k.note('hugetlb_file_setup', `no hstate for ${hugetlbSizeKiB} kB`, { errno: 'ENODEV' });
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
      if (k.tracing)
        k.note('do_tmpfile', `${mount.type.name} has no ->tmpfile`, { errno: 'EOPNOTSUPP' });
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
    if (!k.spec.config.DEBUG_FS || k.spec.mounts.debugfs === false) {
      // Without CONFIG_DEBUG_FS there is no /sys/kernel/debug at all; with it, debugfs_init()
      // made the mount point (sysfs_create_mount_point(): 0555, empty) and, unmounted, the
      // lookup fails there — for every user, before any permission check.
      if (k.tracing)
        k.note(
          'debugfs',
          k.spec.config.DEBUG_FS
            ? '/sys/kernel/debug is not mounted: an empty directory'
            : 'no /sys/kernel/debug: CONFIG_DEBUG_FS is not set',
          { errno: 'ENOENT' },
        );
      return -Errno.ENOENT;
    }
    if (!k.spec.user.root) {
      // /sys/kernel/debug is mode 0700: a non-root user cannot even look inside.
      if (k.tracing) k.note('debugfs', '/sys/kernel/debug is root-only', { errno: 'EACCES' });
      return -Errno.EACCES;
    }
    if (!k.spec.config.GUP_TEST || !k.flags.gup_test_debugfs) {
      if (!k.tracing) return -Errno.ENOENT;
      const why = !k.flags.gup_test_debugfs
        ? `gup_test debugfs file: ${k.describeAbsent('gup_test_debugfs')}`
        : 'CONFIG_GUP_TEST is not set';
      if (k.tracing)
        k.note('debugfs', `${GUP_TEST_PATH} does not exist: ${why}`, { errno: 'ENOENT' });
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
    // An open file first, told by its inode as in file(): the close of nearly every sub-test.
    if ('inode' in f) {
      if (f.special === 'gup_test') gupTestRelease(this.kernel);
      f.inode.openCount--;
      iputFinal(f.inode);
      return 0;
    }
    if (f instanceof RingFile) {
      ioUringClose(this.kernel, f.ring);
      return 0;
    }
    // A pipe end.
    if (f.write) f.pipe.writers--;
    else f.pipe.readers--;
    // The last close frees the buffers and their page references.
    if (f.pipe.readers + f.pipe.writers === 0) this.drainPipe(f.pipe, undefined, 0);
    return 0;
  }

  /**
   * fstatfs(2) → f_type, or -errno. A number, not a struct: f_type is the one field any
   * caller reads, and the magics are positive, so a negative errno cannot be taken for one.
   */
  fstatfs(fd: number): number {
    const f = this.file(fd);
    if (!f) return -Errno.EBADF;
    const fType = this.kernel.statfsType(f.inode.mount);
    if (fType === undefined) {
      if (this.kernel.tracing)
        this.kernel.note('v9fs_statfs', '9p server does not answer statfs', {
          errno: 'EOPNOTSUPP',
        });
      return -Errno.EOPNOTSUPP;
    }
    return fType;
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
      if (k.tracing)
        k.note(
          'v9fs_file_mmap',
          '9p cache=none: generic_file_readonly_mmap refuses a writable shared mapping',
          {
            errno: 'EINVAL',
          },
        );
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
    vmas[vmas.length] = {
      start,
      length,
      flags: vmFlags,
      file: f,
      pageSize,
      ptes: new SmallMap(),
      privateResv,
      anon: false,
    };
    f.refs++;
    inode.mapCount++;
    return start;
  }

  munmap(addr: number, length: number): number {
    if (touchesAnon(this, addr, length)) return munmapRange(this, addr, length);
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
    const sole = vma.ptes.sole();
    if (sole !== undefined) freeIfUnused(this.kernel, sole.folio);
    else vma.ptes.forEach(freeUnmappedAnon, this.kernel);
    if (vma.file.inode.hstate && vma.privateResv > 0)
      unreserveHugePages(vma.file.inode.hstate, vma.privateResv);
    vma.file.inode.mapCount--;
    vma.file.refs--;
    iputFinal(vma.file.inode);
    return 0;
  }

  mprotect(addr: number, length: number, prot: number): number {
    if (touchesAnon(this, addr, length)) return mprotectAnon(this, addr, length, prot);
    const vma = this.findVma(addr);
    if (!vma || vma.start !== addr || vma.length !== length) return -Errno.ENOMEM;
    if (prot & PROT_WRITE && (vma.flags & VM_MAYWRITE) === 0) return -Errno.EACCES;
    vma.flags &= ~(VM_READ | VM_WRITE);
    if (prot & PROT_READ) vma.flags |= VM_READ;
    if (prot & PROT_WRITE) vma.flags |= VM_WRITE;
    if ((prot & PROT_WRITE) === 0) {
      const sole = vma.ptes.sole();
      // The one entry's key is the only key: set() replaces it in place.
      if (sole !== undefined)
        vma.ptes.set(vma.ptes.soleKey()!, {
          folio: sole.folio,
          writable: false,
          dirty: sole.dirty,
        });
      else vma.ptes.forEach(writeProtect, vma.ptes);
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

  /** An IORING_OP_WRITE_FIXED submitted and completed: cqe->res (bytes) or -errno. */
  ioUringWriteFixed(
    ringFd: number,
    fileFd: number,
    addr: number,
    len: number,
    offset: number,
    bufIndex: number,
  ): number {
    const ring = this.ring(ringFd);
    const f = this.file(fileFd);
    if (!ring || !f) return -Errno.EBADF;
    return ioUringWriteFixed(this.kernel, ring, bufIndex, f.inode, addr, len, offset);
  }

  /** pread(2) of whole pages: one label per page into `out`; the bytes read or -errno. */
  pread(fd: number, len: number, offset: number, out: Int32Array, outAt = 0): number {
    const k = this.kernel;
    const f = this.file(fd);
    if (!f) return -Errno.EBADF;
    const first = Math.floor(offset / k.pageSize);
    const pages = Math.ceil(len / k.pageSize);
    for (let i = 0; i < pages; i++)
      out[outAt + i] = f.inode.readData(first + i, (d) => k.labels.id(d));
    return len;
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

  /**
   * mmap() of anonymous memory (fd -1, MAP_ANONYMOUS): private memory lives in the memory
   * map; MAP_HUGETLB maps an unlinked hugetlbfs file of the size MAP_HUGE_SHIFT names (the
   * default hstate without one), as hugetlb_file_setup() does; MAP_SHARED maps a shmem file.
   */
  mmapAnon(length: number, prot: number, flags: number): number {
    const k = this.kernel;
    if ((flags & MAP_ANONYMOUS) === 0) return -Errno.EINVAL;
    if (flags & MAP_HUGETLB) {
      const shift = (flags >>> MAP_HUGE_SHIFT) & 0x3f;
      const h = shift === 0 ? k.hstates[0] : k.hstateBySize(2 ** shift / 1024);
      if (!k.spec.config.HUGETLBFS || !h) {
        if (k.tracing) k.note('hugetlb_file_setup', 'no hstate of that size', { errno: 'EINVAL' });
        return -Errno.EINVAL;
      }
      const hsize = h.sizeKiB * 1024;
      const inode = k.newUnlinkedInode(k.hugetlbMount, h);
      inode.size = Math.ceil(length / hsize) * hsize;
      return this.mapInode(inode, inode.size, prot, flags);
    }
    if (flags & MAP_SHARED) {
      const inode = k.newUnlinkedInode(k.shmMount);
      inode.size = length;
      return this.mapInode(inode, length, prot, flags);
    }
    return mmapAnonPrivate(this, length, prot);
  }

  /** mmap() of an inode no file descriptor refers to (the anonymous hugetlb and shmem files). */
  private mapInode(inode: Inode, length: number, prot: number, flags: number): number {
    const fd = this.allocFd({ inode, special: undefined, refs: 1 });
    inode.openCount++;
    const r = this.mmap(length, prot, flags, fd);
    this.close(fd);
    return r;
  }

  madvise(addr: number, length: number, advice: number): number {
    return madvise(this, addr, length, advice);
  }

  mremap(oldAddr: number, oldLen: number, newLen: number, flags: number, newAddr: number): number {
    return mremap(this, oldAddr, oldLen, newLen, flags, newAddr);
  }

  /** A user-space store of `label` (labels.ts) into every page of the range (memset()), or into part of each. */
  store(addr: number, length: number, label: number, partial = false): AccessResult {
    return userStore(this, addr, length, label, partial);
  }

  /** A user-space load of the range: one label per page of the mapping into `out`; the count or the signal. */
  load(addr: number, length: number, out: Int32Array, outAt = 0): number | AccessResult {
    return userLoad(this, addr, length, out, outAt);
  }

  /** /proc/self/pagemap of the page at `addr`: bit 0 PM_PRESENT, bit 1 PM_SWAP. */
  pagemap(addr: number): number {
    return pagemapBits(this, addr);
  }

  /** Whether every page of [addr, addr+length) has `bit` (pagemap()'s bits) in its pagemap entry. */
  pagemapRange(addr: number, length: number, bit: number): boolean {
    return pagemapAll(this, addr, length, bit);
  }

  /** A write to /proc/self/clear_refs: "4" (CLEAR_REFS_SOFT_DIRTY) is the only value modelled. */
  clearRefs(value: string): number {
    if (value !== '4') return -Errno.EINVAL;
    clearSoftDirty(this);
    return 0;
  }

  /** read() of a sysfs file (sysfs.ts): its text, or -errno. */
  readSysfs(path: string): string | number {
    return readSysfs(this.kernel, path);
  }

  /** open(O_WRONLY) + write() of a sysfs file: 0 or -errno (-EACCES at the open for a non-root user). */
  writeSysfs(path: string, value: string): number {
    return writeSysfs(this.kernel, path, value);
  }

  /** pipe(2): [read fd, write fd]. */
  pipe(): [number, number] {
    const p = new Pipe();
    return [this.allocFd(new PipeEnd(p, false)), this.allocFd(new PipeEnd(p, true))];
  }

  /**
   * vmsplice(2) of [addr, addr+length) into a pipe: each page, while the pipe has room, becomes
   * a buffer holding a FOLL_GET reference on it (iov_iter_get_pages2(): get_user_pages_fast()
   * without FOLL_PIN, so no unsharing). The bytes moved, or -errno.
   */
  vmsplice(fd: number, addr: number, length: number): number {
    const k = this.kernel;
    const end = this.pipeEnd(fd);
    if (!end || !end.write) return -Errno.EBADF;
    const pipe = end.pipe;
    let bytes = 0;
    const list = new PfnList();
    for (let off = 0; off < length && !pipe.full; off += k.pageSize) {
      const at = addr + off;
      const vma = this.findVma(at);
      let err = 0;
      if (!vma) err = -Errno.EFAULT;
      else if (vma.anon) {
        list.length = 0;
        const r = gupAnon(k, this, vma, at, 1, 0, list);
        if (r < 0) err = r;
        else {
          pipe.pfns.push(list.at(0));
          pipe.folios.push(undefined);
        }
      } else {
        const r = getUserPagesRefs(k, this, at, 1, 0);
        if (r.ret < 0) err = r.ret;
        else {
          pipe.pfns.push(-1);
          pipe.folios.push(r.folios[0]!);
        }
      }
      if (err) return bytes > 0 ? bytes : err;
      const len = Math.min(k.pageSize, length - off);
      pipe.lens.push(len);
      bytes += len;
    }
    if (k.tracing)
      k.note(
        'vmsplice_to_pipe',
        `${pipe.pfns.length} page(s) in pipe buffers, each a FOLL_GET reference (not a pin)`,
      );
    return bytes;
  }

  /**
   * read(2) of up to `max` bytes from a pipe: the content of each buffer's page (one label per
   * buffer) into `out` from `outAt`; the references are dropped. The bytes read, or -errno.
   */
  readPipe(fd: number, max: number, out: Int32Array, outAt = 0): number {
    const end = this.pipeEnd(fd);
    if (!end || end.write) return -Errno.EBADF;
    return this.drainPipe(end.pipe, out, outAt, max);
  }

  private drainPipe(
    pipe: Pipe,
    out: Int32Array | undefined,
    outAt: number,
    max = Infinity,
  ): number {
    const k = this.kernel;
    let bytes = 0;
    let o = outAt;
    let n = 0;
    while (n < pipe.pfns.length && bytes + pipe.lens[n]! <= max) {
      const pfn = pipe.pfns[n]!;
      const folio = pipe.folios[n];
      if (pfn >= 0) {
        const mem = k.anon.memmap;
        const h = mem.headOf[pfn]!;
        if (out) out[o++] = mem.data[pfn]!;
        if (pfn !== 0 && h !== mem.hugeZero) {
          mem.refs[h] = mem.refs[h]! - 1;
          mem.putIfUnused(h);
        }
      } else if (folio) {
        if (out) out[o++] = k.labels.id(folio.data);
        putFolios([folio]);
        // The pipe may have held the last reference of a folio nothing maps any more.
        freeIfUnused(k, folio);
      }
      bytes += pipe.lens[n]!;
      n++;
    }
    pipe.pfns.splice(0, n);
    pipe.folios.splice(0, n);
    pipe.lens.splice(0, n);
    return bytes;
  }

  /** PIN_LONGTERM_TEST_READ: the pinned pages' content, one label per pinned page, into `out`. */
  gupTestRead(fd: number, out: Int32Array): number {
    const f = this.file(fd);
    if (!f) return -Errno.EBADF;
    if (f.special !== 'gup_test') return -Errno.ENOTTY;
    return gupTestRead(this.kernel, out);
  }

  /** exit(2): the address space and every file go (exit_mmap(), exit_files()); the mm leaves the rmap. */
  exit(): void {
    if (this.exited) return;
    this.exited = true;
    const k = this.kernel;
    for (let fd = 0; fd < this.fds.length; fd++) if (this.fds[fd] !== undefined) this.close(fd);
    if (this.pt !== undefined) exitAnon(k, this);
    for (let i = this.vmas.length - 1; i >= 0; i--) {
      const v = this.vmas[i]!;
      if (v.anon) this.vmas.splice(i, 1);
      else this.munmap(v.start, v.length);
    }
    const mms = k.mms;
    const at = mms.indexOf(this);
    if (at >= 0) mms.splice(at, 1);
  }
}
