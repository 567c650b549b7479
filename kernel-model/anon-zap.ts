/**
 * Tearing down anonymous mappings (mm/memory.c zap_pte_range(), zap_huge_pmd()): munmap(),
 * MADV_DONTNEED, exit and mremap()'s source. Each PTE drops its page's mapping (the folio is
 * freed with its last mapping and reference), each swap PTE its swap count; a PMD leaf only
 * partly covered is split first. munmap and exit free emptied page tables (free_pgtables());
 * MADV_DONTNEED keeps them, so a later fault there finds the PMD populated.
 */
import { splitPmd, type AnonMm } from './anon-fault.js';
import type { Kernel } from './kernel.js';
import { ZERO_PFN } from './memmap.js';

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
    const i0 = Math.floor((Math.max(start, base) - base) / pageSize);
    const i1 = Math.ceil((chunkEnd - base) / pageSize);
    if (t.leaf >= 0) {
      if (i0 === 0 && i1 === a.ptrs) {
        // zap_huge_pmd(): the whole PMD goes.
        const head = t.leaf;
        t.leaf = -1;
        t.leafBits = 0;
        t.entries.fill(0);
        t.bits.fill(0);
        t.used = 0;
        if (head !== mem.hugeZero) mem.removePmdMap(head, mm.mmId);
        if (freeTables) pt.release(pmd);
        continue;
      }
      splitPmd(k, mm, t);
    }
    for (let i = i0; i < i1; i++) {
      const e = t.entries[i]!;
      if (e === 0) continue;
      t.entries[i] = 0;
      t.bits[i] = 0;
      t.used--;
      if (e > 0) {
        if (e - 1 !== ZERO_PFN) mem.removePteMaps(e - 1, 1, mm.mmId);
      } else {
        // free_swap_and_cache(): the swap count drops; a cached folio nobody maps leaves the cache.
        const swap = a.swap!;
        const slot = -e - 1;
        swap.put(slot);
        const cached = swap.cached(slot);
        if (cached >= 0 && swap.swapCount(slot) === 0 && mem.total[mem.headOf[cached]!] === 0)
          swap.dropFromCache(mem, cached);
      }
    }
    if (freeTables) pt.release(pmd);
  }
}
