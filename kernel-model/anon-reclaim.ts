/**
 * MADV_PAGEOUT of anonymous memory (mm/madvise.c madvise_cold_or_pageout_pte_range() →
 * reclaim_pages() → shrink_folio_list(): add_to_swap(), try_to_unmap(), pageout()). A folio
 * is paged out whole when this range maps all of it (a THP goes to contiguous swap slots, a
 * PMD mapping is split into swap PTEs); a large folio only partly mapped here is split first.
 * Folios maybe mapped by another process are skipped, and without a swap device nothing
 * moves: the PTEs stay present and /proc/self/pagemap shows no swap bit — cow.c's "MADV_PAGEOUT
 * did not work, is swap enabled?".
 *
 * What the model leaves out: only this address space's PTEs in the range are looked at (no
 * rmap walk), so a folio also mapped elsewhere in the process is left alone; a pinned or
 * otherwise referenced folio is left alone too (the kernel would fail to unmap or free it).
 */
import { splitPmd, type AnonMm } from './anon-fault.js';
import type { Kernel } from './kernel.js';
import { ZERO_LABEL } from './labels.js';
import { PG_ANON_EXCLUSIVE, ZERO_PFN, type MemMap } from './memmap.js';
import { B_SOFTDIRTY, B_SWP_EXCLUSIVE, type PteTable } from './pagetable.js';

export function pageoutAnonRange(k: Kernel, mm: AnonMm, start: number, end: number): void {
  const a = k.anon;
  const mem = a.memmap;
  const pt = mm.anonPt();
  let out = 0;
  const mapcountRegression = k.flags.pageout_folio_mapcount && !k.flags.pageout_estimated_sharers;
  for (let addr = start; addr < end;) {
    const pmd = Math.floor(addr / a.pmdSize);
    const base = pmd * a.pmdSize;
    const chunkEnd = Math.min(end, base + a.pmdSize);
    const i0 = Math.floor((addr - base) / a.pageSize);
    const i1 = Math.ceil((chunkEnd - base) / a.pageSize);
    addr = chunkEnd;
    const t = pt.get(pmd);
    if (t === undefined) continue;
    // A PMD-mapped THP is reclaimed by the PMD branch, which never had the mapcount regression.
    let wholePmd = false;
    if (t.leaf >= 0) {
      const head = t.leaf;
      if (head === mem.hugeZero || mem.maybeMappedShared(head)) continue;
      if (i0 !== 0 || i1 !== a.ptrs) {
        // The range covers part of the PMD: split the PMD (the folio is split below).
        splitPmd(k, mm, t);
      } else {
        if (!swapOutable(mem, head) || a.swap === undefined) continue;
        // try_to_unmap(TTU_SPLIT_HUGE_PMD): the PMD becomes PTEs, then swap entries.
        splitPmd(k, mm, t);
        wholePmd = true;
      }
    }
    for (let i = i0; i < i1;) {
      const e = t.entries[i]!;
      if (e <= 0 || e - 1 === ZERO_PFN) {
        i++;
        continue;
      }
      const pfn = e - 1;
      let head = mem.headOf[pfn]!;
      const n = mem.nrPages(head);
      if (n > 1) {
        if (mem.maybeMappedShared(head)) {
          i++;
          continue;
        }
        if (mapcountRegression && !wholePmd && mem.total[head] !== 1) {
          // 07e8c82b5eff (6.3): `if (folio_mapcount(folio) != 1) break;` — a PTE-mapped THP
          // counts every PTE, so it looks shared and the rest of the PMD is left alone.
          if (k.tracing)
            k.note(
              'madvise_cold_or_pageout_pte_range',
              `a PTE-mapped large folio with folio_mapcount() ${mem.total[head]} looks shared: the rest of the PMD is not paged out (${k.describeAbsent('pageout_estimated_sharers')})`,
              { by: 'pageout_folio_mapcount' },
            );
          break;
        }
        if (k.flags.thp_split_remap_zero && a.swap !== undefined && swapOutable(mem, head)) {
          const left = remapZeroPages(k, mm, t, i - (pfn - head), head);
          if (left === 0) {
            // Every page was zero-filled: the folio is gone, nothing to swap.
            i = i - (pfn - head) + n;
            continue;
          }
          if (t.entries[i] === ZERO_PFN + 1) continue;
        }
        // Does this range map the whole folio, in order (folio_pte_batch())?
        const first = i - (pfn - head);
        let whole = first >= i0 && first + n <= i1;
        for (let j = 0; whole && j < n; j++)
          if (t.entries[first + j] !== head + j + 1) whole = false;
        if (!whole || mem.total[head] !== n) {
          if (!swapOutable(mem, head) || mem.entire[head] !== 0) {
            i++;
            continue;
          }
          // split_folio(): the pages go on as order-0 folios (unmapped ones are freed).
          mem.split(head);
          head = pfn;
        }
      } else if (mem.total[head]! > 1) {
        i++;
        continue;
      }
      const nr = mem.nrPages(head);
      const firstIndex = i - (pfn - head);
      if (
        !swapOutable(mem, head) ||
        mem.total[head] !== nr ||
        a.swap === undefined ||
        !swapOut(k, mm, t, firstIndex, head, nr)
      ) {
        i = firstIndex + nr;
        continue;
      }
      out += nr;
      i = firstIndex + nr;
    }
  }
  if (k.tracing)
    k.note(
      'madvise_pageout',
      a.swap === undefined
        ? 'no swap device: anonymous folios stay in memory'
        : `${out} page(s) written to swap; their PTEs are swap entries now`,
    );
}

/**
 * b1f202060afe (6.12): splitting an anonymous THP maps each zero-filled page it maps to the
 * shared zeropage instead (remap_page(RMP_USE_SHARED_ZEROPAGE) → try_to_map_unused_to_zeropage()).
 * Reclaim splits a THP it cannot swap out whole — on the 6.18 host's swap file every THP and
 * mTHP (6.18-host-recon6.10-zerofill-cow-root-swap.log) — so the model applies it to every
 * large folio MADV_PAGEOUT reaches: those pages are not swapped, and cow.c's zero-filled
 * swapped-out THP rows SKIP. The folio's pages this table maps from entry `first`; how many
 * stay mapped.
 */
function remapZeroPages(k: Kernel, mm: AnonMm, t: PteTable, first: number, head: number): number {
  const mem = k.anon.memmap;
  const n = mem.nrPages(head);
  const from = Math.max(0, first);
  const to = Math.min(t.entries.length, first + n);
  let left = 0;
  let zeroed = 0;
  for (let j = from; j < to; j++) {
    const p = head + (j - first);
    if (t.entries[j] !== p + 1) continue;
    if (mem.data[p] !== ZERO_LABEL) {
      left++;
      continue;
    }
    t.entries[j] = ZERO_PFN + 1;
    t.bits[j] = t.bits[j]! & B_SOFTDIRTY;
    // The folio is freed with its last mapping, after which no entry names it any more.
    mem.removePteMaps(p, 1, mm.mmId);
    zeroed++;
  }
  if (zeroed > 0) {
    if (k.tracing)
      k.note(
        'remap_page',
        `split of the large folio: ${zeroed} zero-filled page(s) mapped to the shared zeropage instead of swapped`,
        { by: 'thp_split_remap_zero' },
      );
  }
  return left;
}

/** Nothing but its mappings holds the folio: try_to_unmap() and the final put can succeed. */
function swapOutable(mem: MemMap, head: number): boolean {
  return mem.pins[head] === 0 && mem.refs[head] === 0 && mem.swapSlot[head] === -1;
}

/**
 * add_to_swap() + try_to_unmap() + pageout() of folio `head`, mapped by entries
 * first … first+nr-1 of `t`: each PTE becomes a swap entry (exclusive if the page was,
 * 1493a1913e34), the content goes to the slot, the folio is freed.
 */
function swapOut(
  k: Kernel,
  mm: AnonMm,
  t: PteTable,
  first: number,
  head: number,
  nr: number,
): boolean {
  const a = k.anon;
  const mem = a.memmap;
  const swap = a.swap!;
  const slot = swap.alloc(nr);
  if (slot < 0) return false;
  const keepExclusive = k.flags.swp_exclusive;
  for (let j = 0; j < nr; j++) {
    const p = head + j;
    swap.write(slot + j, mem.data[p]!);
    swap.dup(slot + j);
    const i = first + j;
    const excl = keepExclusive && (mem.pflags[p]! & PG_ANON_EXCLUSIVE) !== 0;
    t.bits[i] = (t.bits[i]! & B_SOFTDIRTY) | (excl ? B_SWP_EXCLUSIVE : 0);
    t.entries[i] = -(slot + j) - 1;
  }
  mem.removePteMaps(head, nr, mm.mmId);
  return true;
}
