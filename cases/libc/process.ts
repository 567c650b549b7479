/**
 * The C library view of a simulated process: libc calls return -1/NULL and set the
 * process-global `errno` only when they fail (and leave it alone when they succeed), exactly
 * what makes gup_longterm's io_uring verdict depend on an earlier failure. Kernel results
 * come from kernel-model's Task.
 */
import { emptyArray } from '../../kernel-model/empty-array.js';
import { Errno, errnoName } from '../../kernel-model/errno.js';
import type { Kernel } from '../../kernel-model/kernel.js';
import { GUP_TEST_PATH, Task } from '../../kernel-model/task.js';
import { Stdout } from './stdout.js';

/** Thrown to end the program: exit(code) or death by a signal. */
export class ProcessExit {
  constructor(
    readonly code: number,
    readonly signal?: 'SIGBUS' | 'SIGSEGV',
  ) {}
}

/** An exit() from inside an atexit handler: unwinds that handler only. */
class NestedExit {}

export interface CFile {
  fd: number;
}

/*
 * The n-th temporary name suffix is static text: the first few hundred (far more than a run
 * makes) are built once per process, not once per tmpfile()/mkstemp() of every run.
 */
const SUFFIXES: string[] = [];

function tempSuffix(n: number): string {
  let s = SUFFIXES[n];
  if (s === undefined) {
    s = `gs${n.toString(36).padStart(4, '0')}`;
    if (n < 512) SUFFIXES[n] = s;
  }
  return s;
}

/**
 * mkstemp() paths by template and suffix number: static text too (each version's template is
 * a constant), so built once; and then flat after their first use, where a path built afresh
 * was a concatenation that the file system's first look at it had to copy flat.
 */
const MKSTEMP_PATHS = new Map<string, string[]>();

function mkstempPath(template: string, n: number): string {
  let paths = MKSTEMP_PATHS.get(template);
  if (paths === undefined) {
    paths = [];
    if (MKSTEMP_PATHS.size < 16) MKSTEMP_PATHS.set(template, paths);
  }
  let path = paths[n];
  if (path === undefined) {
    // The n-th suffix as mkstemp's six X's take it.
    path = template.slice(0, -6) + tempSuffix(n).padEnd(6, 'x').slice(0, 6);
    if (n < 512) paths[n] = path;
  }
  return path;
}

export class Process {
  readonly kernel: Kernel;
  readonly task: Task;
  readonly stdout: Stdout;
  /** The process-global errno. */
  errno = 0;
  /** P_tmpdir of glibc. */
  readonly tmpdir = '/tmp';
  private tempCounter = 0;

  constructor(kernel: Kernel, task?: Task, stdout?: Stdout) {
    this.kernel = kernel;
    this.task = task ?? new Task(kernel);
    this.stdout = stdout ?? new Stdout();
  }

  /**
   * fork(): the child's copy of this process (its own address space, errno and stdio buffers;
   * the open files shared). The program runs the child's steps itself, in the order the
   * pipes between them force.
   */
  fork(): Process {
    const child = new Process(this.kernel, this.task.fork(), this.stdout.forkCopy());
    child.errno = this.errno;
    return child;
  }

  /**
   * The child ends: its address space and files go. exit() (`flush`) writes what its stdio
   * buffer holds — the copy of what the parent had not flushed at fork(), written a second
   * time; _exit() drops it. With kselftest.h's line buffering (v6.6) the buffer is empty.
   */
  endChild(flush = false): void {
    if (flush) this.stdout.exitFlush();
    this.task.exit();
  }

  /** Apply a kernel result the way a libc wrapper does: failure → errno and -1. */
  private sys(fn: string, r: number): number {
    if (r < 0) {
      this.errno = -r;
      if (this.kernel.tracing)
        this.kernel.note(`libc:${fn}`, `failed, errno = ${errnoName(-r) ?? -r}`);
      return -1;
    }
    return r;
  }

  printf(s: string): void {
    this.stdout.write(s);
  }

  private readonly atexitHandlers: (() => void)[] = emptyArray(); // not []: see kernel-model emptyArray()
  private exiting: { code: number } | undefined;

  atexit(fn: () => void): void {
    this.atexitHandlers.push(fn);
  }

  /**
   * exit(): run the atexit handlers (last registered first), flush stdio, end the process.
   * glibc lets a handler call exit() again: the remaining handlers still run and the last
   * status wins.
   */
  exit(code: number): never {
    throw this.exitReturning(code);
  }

  /**
   * exit()'s work when it is main()'s last statement: nothing is left to unwind, so the
   * ProcessExit is returned for main() to return rather than thrown (a throw walks the whole
   * stack, a few microseconds per run of a program that takes a hundred).
   */
  exitReturning(code: number): ProcessExit {
    if (this.exiting) {
      this.exiting.code = code;
      throw new NestedExit();
    }
    this.exiting = { code };
    while (this.atexitHandlers.length) {
      const fn = this.atexitHandlers.pop()!;
      try {
        fn();
      } catch (e) {
        if (!(e instanceof NestedExit)) throw e;
      }
    }
    this.stdout.flush();
    return new ProcessExit(this.exiting.code);
  }

  readNrHugepages(kb: number, attr: 'nr_hugepages' | 'free_hugepages'): number {
    const r = this.task.readHugepageAttr(kb, attr);
    // read_num() never sees an error (read_file() returns 0 on failure); treat as 0.
    return r < 0 ? 0 : r;
  }

  writeNrHugepages(kb: number, value: number): number {
    return this.sys('write(nr_hugepages)', this.task.writeNrHugepages(kb, value));
  }

  getpagesize(): number {
    return this.kernel.pageSize;
  }

  memfd_create(_name: string, hugetlbSizeKiB?: number): number {
    return this.sys('memfd_create', this.task.memfdCreate(hugetlbSizeKiB));
  }

  /**
   * glibc tmpfile(): open(P_tmpdir, O_TMPFILE) first; when the filesystem cannot, a named
   * file from __gen_tempname() that is unlinked at once. The failed O_TMPFILE open leaves
   * its errno behind even when the fallback succeeds.
   */
  tmpfile(): CFile | null {
    const fd = this.sys('open(O_TMPFILE)', this.task.openTmpfile('/tmp'));
    if (fd >= 0) return { fd };
    if (this.errno === Errno.EROFS) return null;
    const path = `${this.tmpdir}/tmpf${this.nextTempSuffix()}`;
    const fd2 = this.sys('open(O_CREAT|O_EXCL)', this.task.openCreateExcl(path));
    if (fd2 < 0) return null;
    this.sys('unlink', this.task.unlink(path));
    return { fd: fd2 };
  }

  fileno(f: CFile): number {
    return f.fd;
  }

  fclose(f: CFile): number {
    return this.sys('close', this.task.close(f.fd));
  }

  private nextTempSuffix(): string {
    return tempSuffix(this.nextTempNumber());
  }

  private nextTempNumber(): number {
    // __gen_tempname's random letters; deterministic here, never printed.
    return ++this.tempCounter;
  }

  /** mkstemp(): replaces the XXXXXX and creates the file O_EXCL; returns the fd and the name. */
  mkstemp(template: string): { fd: number; path: string } {
    if (!template.endsWith('XXXXXX')) {
      this.errno = Errno.EINVAL;
      return { fd: -1, path: template };
    }
    const path = mkstempPath(template, this.nextTempNumber());
    const fd = this.sys('mkstemp', this.task.openCreateExcl(path));
    return { fd, path: fd < 0 ? template : path };
  }

  unlink(path: string): number {
    return this.sys('unlink', this.task.unlink(path));
  }

  close(fd: number): number {
    return this.sys('close', this.task.close(fd));
  }

  open(path: string): number {
    return this.sys(
      `open(${path})`,
      path === GUP_TEST_PATH ? this.task.openSpecial(path) : -Errno.ENOENT,
    );
  }

  /** fstatfs() and the f_type it fills in (the only field the selftests read); -1 with errno set. */
  fstatfs(fd: number): number {
    return this.sys('fstatfs', this.task.fstatfs(fd));
  }

  ftruncate(fd: number, length: number): number {
    return this.sys('ftruncate', this.task.ftruncate(fd, length));
  }

  fallocate(fd: number, mode: number, offset: number, length: number): number {
    return this.sys('fallocate', this.task.fallocate(fd, mode, offset, length));
  }

  /** mmap(): MAP_FAILED is -1. */
  mmap(length: number, prot: number, flags: number, fd: number): number {
    return this.sys('mmap', this.task.mmap(length, prot, flags, fd));
  }

  munmap(addr: number, length: number): number {
    return this.sys('munmap', this.task.munmap(addr, length));
  }

  mprotect(addr: number, length: number, prot: number): number {
    return this.sys('mprotect', this.task.mprotect(addr, length, prot));
  }

  /** memset(): a user-space write; a fault the kernel cannot satisfy kills the process. */
  memset(addr: number, length: number): void {
    const r = this.task.access(addr, length, true);
    if (r !== 'ok') {
      if (this.kernel.tracing)
        this.kernel.note('memset', `page fault could not be satisfied: ${r}`);
      throw new ProcessExit(r === 'SIGBUS' ? 128 + 7 : 128 + 11, r);
    }
  }

  ioctl(fd: number, cmd: number, arg?: { addr: number; size: number; flags: number }): number {
    return this.sys('ioctl', this.task.ioctl(fd, cmd, arg));
  }

  /** mmap(NULL, length, prot, MAP_ANONYMOUS|…, -1, 0): the address, or -1 with errno set. */
  mmapAnon(length: number, prot: number, flags: number): number {
    return this.sys('mmap', this.task.mmapAnon(length, prot, flags));
  }

  madvise(addr: number, length: number, advice: number): number {
    return this.sys('madvise', this.task.madvise(addr, length, advice));
  }

  /** mremap(): the new address, or -1 (MAP_FAILED) with errno set. */
  mremap(oldAddr: number, oldLen: number, newLen: number, flags: number, newAddr: number): number {
    return this.sys('mremap', this.task.mremap(oldAddr, oldLen, newLen, flags, newAddr));
  }

  /** memset(addr, byte, length): every page of the range holds `byte`; a fault that fails kills. */
  memsetByte(addr: number, length: number, byte: number): void {
    this.killOn(this.task.store(addr, length, byte));
  }

  /** A single byte store (`mem[0] = byte`). */
  storeByte(addr: number, byte: number): void {
    this.killOn(this.task.store(addr, 1, byte, true));
  }

  /** memcpy() out of the range, one label per page of the mapping into `out`; the count. */
  loadLabels(addr: number, length: number, out: Int32Array, outAt = 0): number {
    const r = this.task.load(addr, length, out, outAt);
    if (typeof r === 'number') return r;
    return this.killOn(r);
  }

  private killOn(r: 'ok' | 'SIGBUS' | 'SIGSEGV'): never | 0 {
    if (r === 'ok') return 0;
    if (this.kernel.tracing) this.kernel.note('memset', `page fault could not be satisfied: ${r}`);
    throw new ProcessExit(r === 'SIGBUS' ? 128 + 7 : 128 + 11, r);
  }

  pipe(): [number, number] | null {
    return this.task.pipe();
  }

  /** vmsplice(): bytes moved, or -1 with errno set. */
  vmsplice(fd: number, addr: number, length: number): number {
    return this.sys('vmsplice', this.task.vmsplice(fd, addr, length));
  }

  /** read() of a pipe: bytes, one label per buffer into `out`, or -1 with errno set. */
  readPipe(fd: number, max: number, out: Int32Array, outAt = 0): number {
    return this.sys('read', this.task.readPipe(fd, max, out, outAt));
  }

  /** pagemap_is_populated() (vm_util.c): PM_PRESENT or PM_SWAP. */
  pagemapIsPopulated(addr: number): boolean {
    return this.task.pagemap(addr) !== 0;
  }

  /**
   * pagemap_is_swapped() of every page of [addr, addr+length) (cow.c's range_is_swapped()):
   * one pread() per page in the C; here one walk, with the same answer.
   */
  pagemapRangeIsSwapped(addr: number, length: number): boolean {
    return this.task.pagemapRange(addr, length, 2);
  }

  /** pagemap_is_swapped(). */
  pagemapIsSwapped(addr: number): boolean {
    return (this.task.pagemap(addr) & 2) !== 0;
  }

  /** clear_softdirty() (vm_util.c): "4" into /proc/self/clear_refs. */
  clearSoftdirty(): number {
    return this.sys('write(clear_refs)', this.task.clearRefs('4'));
  }

  /** read_file() (vm_util.c): the text, or null (errno set) when open or read fails. */
  readFile(path: string): string | null {
    const r = this.task.readSysfs(path);
    if (typeof r === 'number') {
      this.sys(`open(${path})`, r);
      return null;
    }
    return r;
  }

  /** open(O_WRONLY) + write(): 0, or -1 with errno set. */
  writeFile(path: string, value: string): number {
    return this.sys(`open(${path})`, this.task.writeSysfs(path, value));
  }

  /** PIN_LONGTERM_TEST_READ into a buffer of labels: 0, or -1 with errno set. */
  gupTestRead(fd: number, out: Int32Array): number {
    return this.sys('ioctl(PIN_LONGTERM_TEST_READ)', this.task.gupTestRead(fd, out));
  }

  pread(fd: number, length: number, offset: number, out: Int32Array): number {
    return this.sys('pread', this.task.pread(fd, length, offset, out));
  }

  /** opendir()+readdir() of a sysfs directory: the entry names, or null with errno set. */
  listDir(path: string): string[] | null {
    if (path !== '/sys/kernel/mm/hugepages') {
      this.errno = Errno.ENOENT;
      return null;
    }
    const r = this.task.listHugepagesDir();
    if (typeof r === 'number') {
      this.sys('opendir', r);
      return null;
    }
    return r;
  }
}
