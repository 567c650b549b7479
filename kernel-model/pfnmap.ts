/**
 * VM_PFNMAP mappings (remap_pfn_range): page-table entries that point at raw page frames with
 * no struct page a pin could hold (pte_special). GUP refuses them (check_vma_flags: -EFAULT);
 * a driver that still wants the frame takes its number with follow_pfnmap_start() under
 * mmap_lock, and nothing keeps the frame its own once the lock is dropped. Frames are tracked
 * here by owner and contents so a scenario can see whose memory a DMA reached.
 */
import { Errno } from './errno.js';
import type { Kernel } from './kernel.js';
import {
  VM_IO,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_PFNMAP,
  VM_READ,
  VM_SHARED,
  VM_WRITE,
  type Vma,
} from './mm-types.js';
import { withInvalidation } from './mmu-notifier.js';
import type { Task } from './task.js';

export interface Frame {
  owner: string;
  data: string;
}

const frames = new WeakMap<Kernel, Map<number, Frame>>();

export function physFrame(k: Kernel, pfn: number): Frame {
  let m = frames.get(k);
  if (!m) frames.set(k, (m = new Map()));
  let f = m.get(pfn);
  if (!f) m.set(pfn, (f = { owner: 'free', data: 'zeroes' }));
  return f;
}

/** The frame is handed to someone else (freed and reallocated, or a BAR reassigned). */
export function reassignFrame(k: Kernel, pfn: number, owner: string, data: string): void {
  const f = physFrame(k, pfn);
  if (k.tracing) k.note('reassign_frame', `pfn 0x${pfn.toString(16)}: ${f.owner} → ${owner}`);
  f.owner = owner;
  f.data = data;
}

/** A driver's ->mmap calling remap_pfn_range(): one shared VM_IO|VM_PFNMAP VMA over `nr` frames. */
export function remapPfnRange(
  k: Kernel,
  task: Task,
  firstPfn: number,
  nr: number,
  owner: string,
): Vma {
  const inode = k.newInode(k.shmMount);
  inode.openCount++;
  const file = { inode, special: undefined, refs: 0 };
  const flags =
    VM_READ | VM_WRITE | VM_SHARED | VM_MAYREAD | VM_MAYWRITE | VM_MAYSHARE | VM_IO | VM_PFNMAP;
  const vma = task.mapSpecial(nr * k.pageSize, flags, file);
  vma.pfns = new Map();
  for (let i = 0; i < nr; i++) {
    vma.pfns.set(i, firstPfn + i);
    physFrame(k, firstPfn + i).owner = owner;
  }
  if (k.tracing) k.note(
    'remap_pfn_range',
    `${owner}: ${nr} frame(s) from pfn 0x${firstPfn.toString(16)} mapped VM_IO|VM_PFNMAP at 0x${vma.start.toString(16)}`,
  );
  return vma;
}

/** follow_pfnmap_start(): the frame behind a special PTE (valid only under mmap_lock), or -EFAULT. */
export function followPfn(k: Kernel, task: Task, addr: number): number {
  const vma = task.findVma(addr);
  const pfn = vma?.pfns?.get(Math.floor((addr - vma.start) / vma.pageSize));
  if (pfn === undefined) {
    if (k.tracing) k.note('follow_pfnmap_start', 'no special PTE at that address', { errno: 'EFAULT' });
    return -Errno.EFAULT;
  }
  if (k.tracing) k.note(
    'follow_pfnmap_start',
    `pfn 0x${pfn.toString(16)} read under mmap_lock; no reference is taken on it`,
  );
  return pfn;
}

/** The VMA owner revokes the mapping (unmap_mapping_range / zap_vma_ptes): notifiers hear it first. */
export function zapPfnRange(k: Kernel, task: Task, vma: Vma): void {
  withInvalidation(k, task, vma.start, vma.length, 'zap_vma_ptes', () => {
    vma.pfns?.clear();
  });
  if (k.tracing) k.note('zap_vma_ptes', 'special PTEs cleared: the process no longer reaches the frames');
}
