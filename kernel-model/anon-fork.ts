/**
 * fork()'s copy of an anonymous VMA's page tables (mm/memory.c copy_page_range(),
 * copy_present_ptes(), copy_nonpresent_pte(); mm/huge_memory.c copy_huge_pmd()). Parent and
 * child map the same folios write-protected and the pages stop being PageAnonExclusive —
 * except a page that may be pinned: from 70e806e4e645 (5.9) the child gets its own copy at
 * once (copy_present_page()), and 5.19 makes that folio_try_dup_anon_rmap() failing on an
 * exclusive, maybe-pinned page. A pinned PMD-mapped THP is split first and copied page by
 * page. Swap PTEs are duplicated (swap_duplicate()) and lose their exclusive bit.
 */
import { splitPmd, type AnonMm } from './anon-fault.js';
import type { Kernel } from './kernel.js';
import { PG_ANON_EXCLUSIVE, ZERO_PFN } from './memmap.js';
import { VM_WRITE, type Vma } from './mm-types.js';
import { B_DIRTY, B_SOFTDIRTY, B_SWP_EXCLUSIVE, B_WRITE } from './pagetable.js';

/** Whether fork() must give the child its own copy of anonymous page `pfn` of folio `head`. */
function mustCopyForChild(k: Kernel, exclusive: boolean, pinned: boolean): boolean {
  if (!k.flags.fork_copies_pinned || !pinned) return false;
  // 5.19: only an exclusive page can be pinned reliably, so only it is copied.
  return !k.flags.anon_exclusive || exclusive;
}

export function copyAnonVma(k: Kernel, parent: AnonMm, child: AnonMm, vma: Vma): void {
  const a = k.anon;
  const mem = a.memmap;
  const src = parent.anonPt();
  const dst = child.anonPt();
  const end = vma.start + vma.length;
  let copiedPinned = 0;
  for (let addr = vma.start; addr < end;) {
    const pmd = Math.floor(addr / a.pmdSize);
    const base = pmd * a.pmdSize;
    const chunkEnd = Math.min(end, base + a.pmdSize);
    const i0 = Math.floor((addr - base) / a.pageSize);
    const i1 = Math.ceil((chunkEnd - base) / a.pageSize);
    addr = chunkEnd;
    const s = src.get(pmd);
    if (s === undefined) continue;
    if (s.leaf >= 0) {
      const head = s.leaf;
      const n = a.ptrs;
      if (
        head === mem.hugeZero ||
        !mustCopyForChild(k, (mem.pflags[head]! & PG_ANON_EXCLUSIVE) !== 0, mem.maybePinned(head))
      ) {
        const d = dst.ensure(pmd);
        if (head !== mem.hugeZero) {
          mem.pflags.fill(0, head, head + n);
          s.leafBits &= ~B_WRITE;
          mem.addPmdMap(head, child.mmId);
        }
        d.entries.set(s.entries);
        d.leaf = head;
        d.leafBits = s.leafBits;
        d.used = n;
        continue;
      }
      // copy_huge_pmd(): a maybe-pinned THP is split and copied PTE by PTE.
      splitPmd(k, parent, s);
    }
    let d = dst.get(pmd);
    // The walk ends once it has met every entry the table holds: an mTHP of 16 kB is 4 of
    // 512, and the rest of the range is pte_none.
    const used = s.used;
    let seen = 0;
    for (let i = i0; i < i1 && seen < used; i++) {
      const e = s.entries[i]!;
      if (e === 0) continue;
      seen++;
      d ??= dst.ensure(pmd);
      const bits = s.bits[i]!;
      if (e < 0) {
        // copy_nonpresent_pte(): a swap entry is shared, and no longer known exclusive.
        a.swap!.dup(-e - 1);
        s.bits[i] = bits & ~B_SWP_EXCLUSIVE;
        d.entries[i] = e;
        d.bits[i] = bits & ~B_SWP_EXCLUSIVE;
        d.used++;
        continue;
      }
      const pfn = e - 1;
      if (pfn === ZERO_PFN) {
        d.entries[i] = e;
        d.bits[i] = bits & ~B_WRITE;
        d.used++;
        continue;
      }
      const head = mem.headOf[pfn]!;
      if (
        mustCopyForChild(k, (mem.pflags[pfn]! & PG_ANON_EXCLUSIVE) !== 0, mem.maybePinned(head))
      ) {
        // copy_present_page(): the child gets a fresh copy, the parent keeps its page as it is.
        const n = mem.alloc(0, false);
        mem.data[n] = mem.data[pfn]!;
        mem.pflags[n] = PG_ANON_EXCLUSIVE;
        d.entries[i] = n + 1;
        d.bits[i] =
          (vma.flags & VM_WRITE) !== 0 ? B_WRITE | B_DIRTY | B_SOFTDIRTY : B_DIRTY | B_SOFTDIRTY;
        d.used++;
        mem.addPteMaps(n, 1, child.mmId);
        copiedPinned++;
        continue;
      }
      // A run of PTEs mapping consecutive pages of one unpinned folio is shared in one step
      // (copy_present_ptes() with folio_pte_batch()).
      let j = i + 1;
      if (mem.order[head]! > 0 && !mem.maybePinned(head)) {
        // Up to the folio's last page (an order-0 folio is a run of one).
        const lim = Math.min(i1, i + head + mem.nrPages(head) - pfn);
        const entries = s.entries;
        while (j < lim && entries[j] === e + (j - i)) j++;
      }
      const n = j - i;
      mem.pflags.fill(0, pfn, pfn + n);
      for (let x = i; x < j; x++) {
        const b = s.bits[x]! & ~B_WRITE;
        s.bits[x] = b;
        d.bits[x] = b;
      }
      for (let x = i; x < j; x++) d.entries[x] = s.entries[x]!;
      d.used += n;
      mem.addPteMaps(pfn, n, child.mmId);
      seen += n - 1;
      i = j - 1;
    }
  }
  if (copiedPinned > 0 && k.tracing) {
    k.note(
      'copy_present_page',
      `fork: ${copiedPinned} maybe-pinned page(s) copied for the child; the parent keeps them exclusive and writable`,
      { by: 'fork_copies_pinned' },
    );
  }
}
