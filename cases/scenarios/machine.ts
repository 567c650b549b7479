/**
 * A scenario's machine: the simulated kernel an environment describes, a process on it, and
 * the memory the story maps (a file in the test directory or /tmp, a memfd, a hugetlb memfd).
 */
import { Kernel } from '../../kernel-model/kernel.js';
import type { Folio, Inode } from '../../kernel-model/mm-types.js';
import { MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE, Task } from '../../kernel-model/task.js';
import { kernelLog, type LogLine } from '../../kernel-model/printk.js';
import {
  unpreparedWritebacks,
  type ReclaimResult,
  type UnpreparedWriteback,
  type WritebackResult,
} from '../../kernel-model/writeback.js';
import type { Environment } from '../env.js';
import { kernelSpecFor } from '../machine.js';
import type { ScenarioLog } from './scenario.js';

export const BACKINGS = ['cwd', 'tmp', 'memfd', 'hugetlb'] as const;
export type BackingName = (typeof BACKINGS)[number];

export function boot(env: Environment): { k: Kernel; task: Task } {
  const k = new Kernel(kernelSpecFor(env));
  return { k, task: new Task(k) };
}

export interface Mapped {
  addr: number;
  size: number;
  inode: Inode;
  /** How the step log names it, e.g. "a file in . (ext4)". */
  what: string;
}

/** Create the backing object, size it to one page (or huge page) and mmap it R/W. */
export function mapBacking(
  k: Kernel,
  task: Task,
  backing: BackingName,
  shared: boolean,
): Mapped | { error: string } {
  let fd: number;
  let size = k.pageSize;
  let what: string;
  if (backing === 'memfd') {
    fd = task.memfdCreate();
    what = 'a memfd (shmem)';
  } else if (backing === 'hugetlb') {
    const h = k.hstates[0];
    if (!h) return { error: 'no hugetlb page size on this machine (see --hugetlb)' };
    fd = task.memfdCreate(h.sizeKiB);
    size = h.sizeKiB * 1024;
    what = `a hugetlb memfd (${h.sizeKiB} kB pages)`;
  } else {
    const path = backing === 'tmp' ? '/tmp/scenario-file' : 'scenario-file';
    fd = task.openCreateExcl(path);
    what = `a file in ${backing === 'tmp' ? '/tmp' : '.'} (${k.mountFor(path).mount.type.name})`;
  }
  if (fd < 0) return { error: `cannot create ${what} (errno ${-fd})` };
  if (task.ftruncate(fd, size) < 0 || task.fallocate(fd, 0, 0, size) < 0) {
    return {
      error: `cannot size ${what}: the hugetlb pool or the filesystem refuses (see --hugetlb, --cwd-fs)`,
    };
  }
  const addr = task.mmap(size, PROT_READ | PROT_WRITE, shared ? MAP_SHARED : MAP_PRIVATE, fd);
  if (addr < 0)
    return {
      error: `cannot mmap ${what} (errno ${-addr}; a private hugetlb mapping needs a second free page)`,
    };
  const inode = task.findVma(addr)!.file.inode;
  return { addr, size, inode, what: `${what}, ${shared ? 'MAP_SHARED' : 'MAP_PRIVATE'}` };
}

/** A folio as --json shows it. */
export function folioState(f: Folio | undefined): Record<string, unknown> | null {
  if (!f) return null;
  return {
    id: f.id,
    kind: f.kind,
    data: f.data,
    dirty: f.dirty,
    fsPrepared: f.fsPrepared,
    fsPrivate: f.fsPrivate,
    pincount: f.pincount,
    refs: f.refs,
    anonExclusive: f.anonExclusive,
    freed: f.freed,
  };
}

const WRITEBACK_WORDS: Record<WritebackResult, string> = {
  written: 'written to disk, the folio is clean and its PTEs read-only',
  dropped: 'the filesystem warned and dropped the folio without writing it',
  bug: 'kernel BUG in the filesystem’s writeback',
  clean: 'nothing to write (the folio is clean)',
  'no-writeback': 'the mapping never writes back',
};

const RECLAIM_WORDS: Record<ReclaimResult, string> = {
  freed: 'the folio was freed',
  'kept-dirty': 'dirty: left for the flusher',
  'kept-pinned': 'unmapped; pinned, so kept with its buffers',
  'kept-referenced': 'unmapped, buffers stripped, but referenced: it cannot be freed',
  'not-pagecache': 'not a page-cache folio (swap is not modelled)',
};

export function writebackWords(r: readonly WritebackResult[]): string {
  return r.length ? r.map((x) => WRITEBACK_WORDS[x]).join('; ') : 'nothing cached';
}

export function reclaimWords(r: ReclaimResult): string {
  return RECLAIM_WORDS[r];
}

/** The two checks every writeback story ends with: the kernel log is clean, the filesystem never bypassed. */
export function checkWritebackHealth(
  log: ScenarioLog,
  k: Kernel,
): { klog: readonly LogLine[]; untracked: readonly UnpreparedWriteback[] } {
  const klog = kernelLog(k);
  const untracked = unpreparedWritebacks(k);
  log.check('no kernel WARN or BUG', klog.length === 0);
  log.check(
    'every folio written back had been prepared by the filesystem since it was last cleaned',
    untracked.length === 0,
  );
  return { klog, untracked };
}
