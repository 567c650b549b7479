/**
 * A swap device (mm/swapfile.c, mm/swap_state.c): slots holding what was paged out, each
 * with its swap count (swap_map: how many swap PTEs name it) and, while a folio for it is in
 * the swap cache, that folio's pfn. `swapon` of a file or partition of `sizeKiB` is the
 * environment's `swap`; without it MADV_PAGEOUT cannot move anonymous memory anywhere.
 *
 * What the model simplifies: writeback to the device is immediate, so reclaim frees a paged-out
 * folio at once instead of leaving it in the swap cache until its writeback ends; swap-in reads
 * one page at a time (no large-folio swap-in: that needs a SWP_SYNCHRONOUS_IO device).
 */
import { F_SWAPCACHE, type MemMap } from './memmap.js';

export class SwapDevice {
  /** Content label of each slot. */
  private data = new Int32Array(0);
  /** swap_map[]: swap PTEs naming the slot (0 = free, unless the swap cache holds it). */
  private count = new Int32Array(0);
  /** Swap-cache folio (head pfn) caching the slot, or -1. */
  private cache = new Int32Array(0);
  private cap = 0;
  private top = 0;
  private readonly freeSlots: number[] = [];
  usedSlots = 0;

  constructor(
    /** Slots (pages) of the device. */
    readonly slots: number,
  ) {}

  private grow(min: number): void {
    let cap = this.cap || 2048;
    while (cap < min) cap *= 2;
    const d = new Int32Array(cap);
    d.set(this.data);
    const c = new Int32Array(cap);
    c.set(this.count);
    const s = new Int32Array(cap).fill(-1);
    s.set(this.cache);
    this.data = d;
    this.count = c;
    this.cache = s;
    this.cap = cap;
  }

  /** get_swap_pages(): `n` contiguous free slots (a large folio swapped out whole), or -1. */
  alloc(n: number): number {
    if (this.usedSlots + n > this.slots) return -1;
    if (this.usedSlots === 0 && this.top > 0) {
      // Nothing in use: allocate from the start again (the cluster allocator reuses freed clusters).
      this.top = 0;
      this.freeSlots.length = 0;
    }
    let first: number;
    if (n === 1 && this.freeSlots.length > 0) first = this.freeSlots.pop()!;
    else {
      if (this.top + n > this.slots) return -1;
      first = this.top;
      this.top += n;
      if (this.top > this.cap) this.grow(this.top);
    }
    for (let s = first; s < first + n; s++) {
      this.count[s] = 0;
      this.cache[s] = -1;
    }
    this.usedSlots += n;
    return first;
  }

  write(slot: number, label: number): void {
    this.data[slot] = label;
  }

  read(slot: number): number {
    return this.data[slot]!;
  }

  swapCount(slot: number): number {
    return this.count[slot]!;
  }

  /** swap_duplicate(): one more swap PTE names the slot (fork, try_to_unmap of a second mapping). */
  dup(slot: number): void {
    this.count[slot] = this.count[slot]! + 1;
  }

  cached(slot: number): number {
    return this.cache[slot]!;
  }

  setCache(slot: number, pfn: number): void {
    this.cache[slot] = pfn;
  }

  /**
   * swap_free(): a swap PTE naming the slot is gone (swap-in, zap). The slot is freed once
   * nothing names it and no swap-cache folio caches it.
   */
  put(slot: number): void {
    this.count[slot] = this.count[slot]! - 1;
    this.maybeFree(slot);
  }

  private maybeFree(slot: number): void {
    if (this.count[slot]! > 0 || this.cache[slot]! >= 0) return;
    this.usedSlots--;
    this.freeSlots.push(slot);
  }

  /**
   * folio_free_swap() of an order-0 swap-cache folio: drop it from the swap cache when no swap
   * PTE names its slot any more (folio_swapped() is false). True when it left the cache.
   */
  freeSwapOf(mm: MemMap, pfn: number): boolean {
    if ((mm.fflags[pfn]! & F_SWAPCACHE) === 0) return false;
    const slot = mm.swapSlot[pfn]!;
    if (this.count[slot]! > 0) return false;
    this.dropFromCache(mm, pfn);
    return true;
  }

  /** delete_from_swap_cache(): the folio leaves the swap cache; its slot may become free. */
  dropFromCache(mm: MemMap, pfn: number): void {
    const slot = mm.swapSlot[pfn]!;
    mm.fflags[pfn] = mm.fflags[pfn]! & ~F_SWAPCACHE;
    mm.swapSlot[pfn] = -1;
    this.cache[slot] = -1;
    this.maybeFree(slot);
    mm.putIfUnused(pfn);
  }
}
