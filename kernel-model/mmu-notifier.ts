/**
 * mmu notifiers (include/linux/mmu_notifier.h, mm/mmu_notifier.c): a secondary MMU (an
 * IOMMU, vhost's kernel mapping, KVM) subscribes to a range of a process's address space and
 * is called before (`start`) and after (`end`) the primary page tables of that range change:
 * munmap/zap, folio_mkclean() write-protecting for writeback, reclaim unmapping.
 */
import type { Kernel } from './kernel.js';
import type { AddressSpace } from './mm-types.js';

export type InvalidatePhase = 'start' | 'end';

export interface MmuSubscription {
  /** Who subscribed, for the trace. */
  owner: string;
  start: number;
  length: number;
  invalidate(phase: InvalidatePhase, reason: string): void;
}

/** mmu_interval_notifier_insert(). */
export function mmuNotifierRegister(k: Kernel, mm: AddressSpace, sub: MmuSubscription): void {
  (mm.notifierSubscriptions ??= []).push(sub);
  if (k.tracing) k.note(
    'mmu_interval_notifier_insert',
    `${sub.owner} follows 0x${sub.start.toString(16)}+0x${sub.length.toString(16)}`,
  );
}

/**
 * mmu_notifier_invalidate_range_start() … _end() around `change`: every subscriber whose range
 * overlaps hears both phases, the PTEs change in between.
 */
export function withInvalidation(
  k: Kernel,
  mm: AddressSpace,
  start: number,
  length: number,
  reason: string,
  change: () => void,
): void {
  const hit = invalidateRangeStart(k, mm, start, length, reason);
  change();
  invalidateRangeEnd(k, hit, reason);
}

/**
 * mmu_notifier_invalidate_range_start(): tell every overlapping subscriber; returns them for
 * the matching _end() (undefined when the mm has none, the common case: no array is made).
 */
export function invalidateRangeStart(
  k: Kernel,
  mm: AddressSpace,
  start: number,
  length: number,
  reason: string,
): MmuSubscription[] | undefined {
  const subs = mm.notifierSubscriptions;
  if (!subs) return undefined;
  const hit = subs.filter((s) => s.start < start + length && start < s.start + s.length);
  for (const s of hit) {
    if (k.tracing) k.note('mmu_notifier_invalidate_range_start', `${reason}: calling ${s.owner}`);
    s.invalidate('start', reason);
  }
  return hit;
}

/** mmu_notifier_invalidate_range_end() for what invalidateRangeStart() returned. */
export function invalidateRangeEnd(k: Kernel, hit: readonly MmuSubscription[] | undefined, reason: string): void {
  if (!hit) return;
  for (const s of hit) {
    if (k.tracing) k.note('mmu_notifier_invalidate_range_end', `${reason}: calling ${s.owner}`);
    s.invalidate('end', reason);
  }
}
