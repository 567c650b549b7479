/**
 * Tearing down anonymous mappings (mm/memory.c zap_pte_range(), zap_huge_pmd()): munmap(),
 * MADV_DONTNEED, exit and mremap()'s source. Each PTE drops its page's mapping (the folio is
 * freed with its last mapping and reference), each swap PTE its swap count; a PMD leaf only
 * partly covered is split first. munmap and exit free emptied page tables (free_pgtables());
 * MADV_DONTNEED keeps them, so a later fault there finds the PMD populated.
 */
import { splitPmd, type AnonMm } from './anon-fault.js';
import type { Kernel } from './kernel.js';
import { F_SWAPCACHE, ZERO_PFN } from './memmap.js';

export function zapAnonRange(
  k: Kernel,
  mm: AnonMm,
  start: number,
  end: number,
  freeTables: boolean,
): void {
  const a = k.anon;
  const mem = a.memmap;
  const pt = mm.anonPt();
  const pageSize = a.pageSize;
  for (let addr = start; addr < end;) {
    const pmd = Math.floor(addr / a.pmdSize);
    const base = pmd * a.pmdSize;
    const chunkEnd = Math.min(end, base + a.pmdSize);
    addr = chunkEnd;
    const t = pt.get(pmd);
    if (t === undefined) continue;
    if (t.used === 0) {
      if (freeTables) pt.release(pmd);
      continue;
    }
    const i0 = Math.floor((Math.max(start, base) - base) / pageSize);
    const i1 = Math.ceil((chunkEnd - base) / pageSize);
    if (t.leaf >= 0) {
      if (i0 === 0 && i1 === a.ptrs) {
        // zap_huge_pmd(): the whole PMD goes.
        const head = t.leaf;
        t.leaf = -1;
        t.leafBits = 0;
        t.used = 0;
        // A table going back to the pool is cleared there.
        if (!freeTables) {
          t.entries.fill(0);
          t.bits.fill(0);
        }
        if (head !== mem.hugeZero) mem.removePmdMap(head, mm.mmId);
        if (freeTables) pt.release(pmd);
        continue;
      }
      splitPmd(k, mm, t);
    }
    for (let i = i0; i < i1 && t.used > 0;) {
      const e = t.entries[i]!;
      if (e === 0) {
        i++;
        continue;
      }
      if (e < 0) {
        // free_swap_and_cache(): the swap count drops; a cached folio nobody maps leaves the cache.
        t.entries[i] = 0;
        t.bits[i] = 0;
        t.used--;
        const swap = a.swap!;
        const slot = -e - 1;
        swap.put(slot);
        const cached = swap.cached(slot);
        if (cached >= 0 && swap.swapCount(slot) === 0 && mem.total[mem.headOf[cached]!] === 0)
          swap.dropFromCache(mem, cached);
        i++;
        continue;
      }
      const pfn = e - 1;
      // A run of PTEs mapping consecutive pages of one folio goes in one step (zap_present_ptes()).
      let j = i + 1;
      const h0 = mem.headOf[pfn]!;
      if (pfn !== ZERO_PFN && mem.order[h0]! > 0) {
        // Up to the folio's last page: an order-0 folio (every page after a COW) is its own run.
        const lim = Math.min(i1, i + h0 + mem.nrPages(h0) - pfn);
        const entries = t.entries;
        while (j < lim && entries[j] === e + (j - i)) j++;
      }
      // A few entries by hand: fill() is a builtin call that costs more than short runs.
      if (j - i < 32) {
        for (let x = i; x < j; x++) {
          t.entries[x] = 0;
          t.bits[x] = 0;
        }
      } else {
        t.entries.fill(0, i, j);
        t.bits.fill(0, i, j);
      }
      t.used -= j - i;
      if (pfn !== ZERO_PFN) {
        mem.removePteMaps(pfn, j - i, mm.mmId);
        // A clean swap-cache folio nothing maps and no swap PTE names is dropped at once
        // (the kernel leaves it to reclaim; nothing the selftests print can tell).
        const h = mem.headOf[pfn]!;
        if ((mem.fflags[h]! & F_SWAPCACHE) !== 0 && mem.total[h] === 0 && a.swap !== undefined)
          a.swap.freeSwapOf(mem, h);
      }
      i = j;
    }
    if (freeTables) pt.release(pmd);
  }
}
