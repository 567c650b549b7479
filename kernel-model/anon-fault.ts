/**
 * Page faults in anonymous private mappings (mm/memory.c, mm/huge_memory.c): the first touch
 * (do_anonymous_page(): the shared zeropage for a read, a new folio for a write — of a THP
 * order when the policy allows: alloc_anon_folio(), do_huge_pmd_anonymous_page(), the huge
 * zeropage), write faults on write-protected pages (do_wp_page(), do_huge_pmd_wp_page():
 * reuse or copy, cow.ts decides), FAULT_FLAG_UNSHARE for R/O pins (a7f226604170, 5.19), and
 * swap-in (do_swap_page()). Works on the memory map (memmap.ts) and the address space's page
 * table (pagetable.ts); the page-cache world is fault.ts.
 */
import type { AnonState } from './anon-state.js';
import { wpReusesLargeAnon, wpReusesSmallAnon } from './cow.js';
import type { FaultKind, FaultResult } from './fault.js';
import type { Kernel } from './kernel.js';
import { F_SWAPCACHE, PG_ANON_EXCLUSIVE, ZERO_PFN, type MemMap } from './memmap.js';
import { VM_HUGEPAGE, VM_NOHUGEPAGE, VM_SOFTDIRTY, VM_WRITE, type Vma } from './mm-types.js';
import {
  B_DIRTY,
  B_SOFTDIRTY,
  B_SWP_EXCLUSIVE,
  B_WRITE,
  type PageTable,
  type PteTable,
} from './pagetable.js';

/** An address space as anonymous memory sees it (Task implements it). */
export interface AnonMm {
  readonly mmId: number;
  /** Its anonymous page tables (made on first use). */
  anonPt(): PageTable;
}

/** The bits of a PTE a write fault makes writable: pte_mkwrite(pte_mkdirty()) (x86 sets soft-dirty with dirty). */
const WRITABLE = B_WRITE | B_DIRTY | B_SOFTDIRTY;

/** thp_vma_allowable_orders() for a fault in `vma`: a bit per order (0 without THP or with VM_NOHUGEPAGE). */
export function thpOrders(a: AnonState, vma: Vma): number {
  const thp = a.thp;
  if (thp === undefined || (vma.flags & VM_NOHUGEPAGE) !== 0) return 0;
  return thp.allowedOrders((vma.flags & VM_HUGEPAGE) !== 0);
}

/**
 * pte_needs_soft_dirty_wp(): with soft-dirty tracking on (clear_refs cleared VM_SOFTDIRTY), a
 * PTE not yet soft-dirty must stay write-protected so the next write is seen.
 */
export function needsSoftDirtyWp(vma: Vma, bits: number): boolean {
  return (vma.flags & VM_SOFTDIRTY) === 0 && (bits & B_SOFTDIRTY) === 0;
}

/** The fault at `addr` of the given kind; on 'ok' the page is present (and writable for 'write'). */
export function anonFault(
  k: Kernel,
  mm: AnonMm,
  vma: Vma,
  addr: number,
  kind: FaultKind,
): FaultResult {
  const a = k.anon;
  return anonFaultAt(
    k,
    mm,
    vma,
    Math.floor(addr / a.pmdSize),
    Math.floor(addr / a.pageSize) % a.ptrs,
    kind,
  );
}

/**
 * anonFault() of entry `i` of PMD `pmd` (PMD index = address / PMD size): the loops over pages
 * call this one, with small integers, rather than passing 47-bit addresses (V8 boxes a double
 * passed to a call it does not inline).
 */
export function anonFaultAt(
  k: Kernel,
  mm: AnonMm,
  vma: Vma,
  pmd: number,
  i: number,
  kind: FaultKind,
): FaultResult {
  if (kind === 'write' && (vma.flags & VM_WRITE) === 0) {
    if (k.tracing) k.note('handle_mm_fault', 'write fault on a VMA without VM_WRITE');
    return 'sigsegv';
  }
  const a = k.anon;
  const pt = mm.anonPt();
  const t = pt.get(pmd);
  if (t !== undefined && t.leaf >= 0) {
    if (kind === 'read') return 'ok';
    if (hugePmdWp(k, mm, vma, t, kind === 'unshare')) return 'ok';
    // Fell back: the PMD is split, handle the PTE.
  }
  if (t === undefined || t.entries[i] === 0) {
    if (kind === 'unshare') return 'ok';
    return anonNoPage(k, mm, vma, pmd, t, i, kind === 'write');
  }
  if (t.entries[i]! < 0) {
    const r = swapIn(k, mm, vma, t, i, kind === 'write');
    if (r !== 'ok' || kind === 'read') return r;
    if (kind === 'write' && (t.bits[i]! & B_WRITE) !== 0) return 'ok';
    if (
      kind === 'unshare' &&
      (a.memmap.pflags[t.entries[i]! - 1]! & PG_ANON_EXCLUSIVE) !== 0 &&
      k.flags.anon_exclusive
    )
      return 'ok';
  }
  if (kind === 'read') return 'ok';
  if (kind === 'write' && (t.bits[i]! & B_WRITE) !== 0) return 'ok';
  wpPage(k, mm, vma, t, i, kind === 'unshare');
  return 'ok';
}

/** do_anonymous_page() / do_huge_pmd_anonymous_page(): the first touch of an unmapped page. */
function anonNoPage(
  k: Kernel,
  mm: AnonMm,
  vma: Vma,
  pmd: number,
  t: PteTable | undefined,
  i: number,
  write: boolean,
): FaultResult {
  const a = k.anon;
  const mem = a.memmap;
  const orders = thpOrders(a, vma);
  const pmdStart = pmd * a.pmdSize;
  const vmaEnd = vma.start + vma.length;
  if (t === undefined) {
    // pmd_none(): a PMD-sized THP fits if the policy allows it and the VMA covers the range.
    if (
      (orders & (1 << a.pmdOrder)) !== 0 &&
      pmdStart >= vma.start &&
      pmdStart + a.pmdSize <= vmaEnd
    ) {
      const nt = mm.anonPt().ensure(pmd);
      if (!write && a.thp!.useZeroPage) {
        // do_huge_pmd_anonymous_page(): a read fault maps the huge zeropage (use_zero_page).
        const hz = mem.hugeZeroFolio(a.pmdOrder);
        mapLeaf(nt, hz, 0);
        if (k.tracing)
          k.note(
            'do_huge_pmd_anonymous_page',
            'read fault: the huge zeropage mapped by the PMD (use_zero_page)',
          );
        return 'ok';
      }
      const h = mem.alloc(a.pmdOrder);
      mem.pflags.fill(PG_ANON_EXCLUSIVE, h, h + a.ptrs);
      mapLeaf(nt, h, (vma.flags & VM_WRITE) !== 0 ? WRITABLE : B_DIRTY | B_SOFTDIRTY);
      mem.addPmdMap(h, mm.mmId);
      if (k.tracing)
        k.note(
          'do_huge_pmd_anonymous_page',
          `a ${a.pmdSize / 1024} kB THP mapped by the PMD, exclusive`,
        );
      return 'ok';
    }
    t = mm.anonPt().ensure(pmd);
  }
  if (!write) {
    // Use the zero-page for reads.
    t.entries[i] = ZERO_PFN + 1;
    t.bits[i] = 0;
    t.used++;
    return 'ok';
  }
  // alloc_anon_folio(): the highest allowed order below the PMD's whose naturally aligned
  // range lies in the VMA with every PTE still none (pte_range_none()).
  let order = 0;
  const small = orders & ((1 << a.pmdOrder) - 1);
  if (small !== 0) {
    for (let o = a.pmdOrder - 1; o >= 2; o--) {
      if ((small & (1 << o)) === 0) continue;
      const n = 1 << o;
      const i0 = i - (i % n);
      const start = pmdStart + i0 * a.pageSize;
      if (start < vma.start || start + n * a.pageSize > vmaEnd) continue;
      let none = true;
      for (let j = i0; j < i0 + n; j++) {
        if (t.entries[j] !== 0) {
          none = false;
          break;
        }
      }
      if (none) {
        order = o;
        break;
      }
    }
  }
  const n = 1 << order;
  const i0 = i - (i % n);
  const h = mem.alloc(order);
  mem.pflags.fill(PG_ANON_EXCLUSIVE, h, h + n);
  const bits = (vma.flags & VM_WRITE) !== 0 ? WRITABLE : B_DIRTY | B_SOFTDIRTY;
  for (let j = 0; j < n; j++) {
    t.entries[i0 + j] = h + j + 1;
    t.bits[i0 + j] = bits;
  }
  t.used += n;
  mem.addPteMaps(h, n, mm.mmId);
  if (k.tracing && order > 0)
    k.note(
      'alloc_anon_folio',
      `a ${(n * a.pageSize) / 1024} kB mTHP mapped by ${n} PTEs, exclusive`,
      { by: 'mthp_anon' },
    );
  return 'ok';
}

/** set_pmd_at() of a huge mapping: the entries mirror the folio's pfns (see pagetable.ts). */
function mapLeaf(t: PteTable, head: number, bits: number): void {
  const n = t.entries.length;
  for (let j = 0; j < n; j++) t.entries[j] = head + j + 1;
  t.leaf = head;
  t.leafBits = bits;
  t.used = n;
}

/**
 * __split_huge_pmd(): the PMD becomes a table of PTEs mapping the same pages (the huge zeropage
 * becomes the small one in every PTE), each with the PMD's protection and PageAnonExclusive.
 */
export function splitPmd(k: Kernel, mm: AnonMm, t: PteTable): void {
  const mem = k.anon.memmap;
  const head = t.leaf;
  const n = t.entries.length;
  if (head === mem.hugeZero) {
    t.entries.fill(ZERO_PFN + 1);
    t.bits.fill(t.leafBits & B_SOFTDIRTY);
  } else {
    t.bits.fill(t.leafBits);
    mem.addPteMaps(head, n, mm.mmId);
    t.leaf = -1;
    mem.removePmdMap(head, mm.mmId);
  }
  t.leaf = -1;
  t.leafBits = 0;
  if (k.tracing)
    k.note(
      '__split_huge_pmd',
      `the PMD mapping of ${head === mem.hugeZero ? 'the huge zeropage' : `a ${(n * k.anon.pageSize) / 1024} kB THP`} split into ${n} PTEs`,
    );
}

/**
 * do_huge_pmd_wp_page(): reuse the PMD-mapped folio when the era's rule allows; otherwise
 * (and always for the huge zeropage) split the PMD and let the PTE fault handle the page —
 * from 3917c80280c9 (5.8); before, the whole THP was copied. True when the fault was handled
 * at the PMD.
 *   ≤5.17  reuse_swap_page(): the PMD's mapcount (the highest of any page, plus the PMD
 *          mappings) is 1 — references such as a vmsplice() pipe's are not counted: the THP
 *          variant of CVE-2020-29374 ("COW fixes part 1", 2021-12-17)
 *   5.18   3bff7e3f1f16: folio_ref_count() == 1, like do_wp_page()
 *   5.19   PageAnonExclusive first
 */
function hugePmdWp(k: Kernel, mm: AnonMm, vma: Vma, t: PteTable, unshare: boolean): boolean {
  const mem = k.anon.memmap;
  const head = t.leaf;
  if (!k.flags.thp_cow_split_pmd) return hugePmdWpCopy(k, mm, vma, t);
  if (head !== mem.hugeZero) {
    const exclusive = k.flags.anon_exclusive && (mem.pflags[head]! & PG_ANON_EXCLUSIVE) !== 0;
    let reuse = exclusive;
    if (!reuse && !k.flags.thp_wp_page_count && !k.flags.anon_exclusive) {
      const count = thpMapcount(mem, head);
      reuse = count === 1;
      if (k.tracing)
        k.note(
          'do_huge_pmd_wp_page',
          `reuse_swap_page(): THP mapcount ${count}${mem.refcount(head) > count ? ', other references not counted' : ''}: ${reuse ? 'reuse' : 'split the PMD, fall back to the PTE'}; ${k.describeAbsent('thp_wp_page_count')}`,
          { by: 'thp_cow_split_pmd' },
        );
      if (reuse && (vma.flags & VM_WRITE) !== 0) t.leafBits |= WRITABLE;
      if (!reuse) splitPmd(k, mm, t);
      return reuse;
    }
    if (!reuse && mem.refcount(head) === 1) {
      // folio_ref_count() == 1: only this PMD maps it; now exclusive.
      mem.pflags.fill(PG_ANON_EXCLUSIVE, head, head + mem.nrPages(head));
      reuse = true;
    }
    if (reuse) {
      if (k.tracing && exclusive)
        k.note(
          'do_huge_pmd_wp_page',
          `${unshare ? 'unshare' : 'write'}: the PMD-mapped THP is PageAnonExclusive: reuse`,
          { by: 'anon_exclusive' },
        );
      else if (k.tracing)
        k.note(
          'do_huge_pmd_wp_page',
          `${unshare ? 'unshare' : 'write'}: nothing else holds the PMD-mapped THP (refcount 1): reuse`,
          k.flags.anon_exclusive ? {} : { by: 'thp_wp_page_count' },
        );
      if (!unshare && (vma.flags & VM_WRITE) !== 0) t.leafBits |= WRITABLE;
      return true;
    }
    if (k.tracing)
      k.note(
        'do_huge_pmd_wp_page',
        `the PMD-mapped THP is shared (refcount ${mem.refcount(head)}): split the PMD, fall back to the PTE`,
      );
  }
  splitPmd(k, mm, t);
  return false;
}

/** page_trans_huge_mapcount(): the most PTE mappings of any page plus the PMD mappings. */
function thpMapcount(mem: MemMap, head: number): number {
  const end = head + mem.nrPages(head);
  const mc = mem.mapcount;
  let most = mc[head]!;
  for (let p = head + 1; p < end; p++) if (mc[p]! > most) most = mc[p]!;
  // Every page's count is the folio's base plus its own.
  return mem.mapBase[head]! + most + mem.entire[head]!;
}

/**
 * do_huge_pmd_wp_page() before 3917c80280c9 (≤5.7): reuse when mapped once (reuse_swap_page(),
 * references not counted); otherwise a new THP gets a copy of all of it (the huge zeropage: a
 * zeroed one) — or, when THP is not allowed for the VMA, do_huge_pmd_wp_page_fallback() copies
 * it into small pages. Always handled at the PMD or in the PTEs it leaves.
 */
function hugePmdWpCopy(k: Kernel, mm: AnonMm, vma: Vma, t: PteTable): boolean {
  const a = k.anon;
  const mem = a.memmap;
  const head = t.leaf;
  const zero = head === mem.hugeZero;
  const bits = (vma.flags & VM_WRITE) !== 0 ? WRITABLE : B_DIRTY | B_SOFTDIRTY;
  if (!zero) {
    const count = thpMapcount(mem, head);
    if (count === 1) {
      if (k.tracing)
        k.note(
          'do_huge_pmd_wp_page',
          `reuse_swap_page(): THP mapcount 1${mem.refcount(head) > 1 ? ', other references not counted' : ''}: reuse; ${k.describeAbsent('thp_cow_split_pmd')}`,
        );
      t.leafBits |= bits;
      return true;
    }
  }
  if ((thpOrders(a, vma) & (1 << a.pmdOrder)) !== 0) {
    const n = mem.alloc(a.pmdOrder, zero);
    if (!zero) mem.data.copyWithin(n, head, head + a.ptrs);
    mem.pflags.fill(PG_ANON_EXCLUSIVE, n, n + a.ptrs);
    mapLeaf(t, n, bits);
    mem.addPmdMap(n, mm.mmId);
    if (!zero) mem.removePmdMap(head, mm.mmId);
    if (k.tracing)
      k.note(
        'do_huge_pmd_wp_page',
        `${zero ? 'the huge zeropage' : 'a shared THP'}: a new THP gets a copy of all of it; ${k.describeAbsent('thp_cow_split_pmd')}`,
      );
    return true;
  }
  if (zero) {
    splitPmd(k, mm, t);
    return false;
  }
  // do_huge_pmd_wp_page_fallback(): a small page each, the PMD replaced by a table of them.
  t.leaf = -1;
  for (let j = 0; j < a.ptrs; j++) {
    const p = mem.alloc(0, false);
    mem.data[p] = mem.data[head + j]!;
    mem.pflags[p] = PG_ANON_EXCLUSIVE;
    t.entries[j] = p + 1;
    t.bits[j] = bits;
    mem.addPteMaps(p, 1, mm.mmId);
  }
  mem.removePmdMap(head, mm.mmId);
  if (k.tracing)
    k.note(
      'do_huge_pmd_wp_page_fallback',
      `THP not allowed here: the shared THP copied into ${a.ptrs} small pages`,
    );
  return true;
}

/**
 * do_wp_page() on a present, write-protected PTE (FAULT_FLAG_WRITE or FAULT_FLAG_UNSHARE):
 * reuse an exclusive anonymous page, or one the era's rule lets us (cow.ts); otherwise copy
 * it into a new exclusive order-0 folio (wp_page_copy(); the shared zeropage always copies).
 * An unshare leaves the page mapped read-only.
 */
export function wpPage(
  k: Kernel,
  mm: AnonMm,
  vma: Vma,
  t: PteTable,
  i: number,
  unshare: boolean,
): WpOutcome {
  const a = k.anon;
  const mem = a.memmap;
  const pfn = t.entries[i]! - 1;
  if (pfn !== ZERO_PFN && k.flags.anon_exclusive && (mem.pflags[pfn]! & PG_ANON_EXCLUSIVE) !== 0) {
    // "If we encounter a page that is marked exclusive, we must reuse the page without further checks."
    if (k.tracing)
      k.note('do_wp_page', `${unshare ? 'unshare' : 'write'}: PageAnonExclusive: reuse`, {
        by: 'anon_exclusive',
      });
    if (!unshare) t.bits[i] = t.bits[i]! | WRITABLE;
    return WP_REUSED_EXCLUSIVE;
  }
  if (pfn !== ZERO_PFN && anonReusable(k, a, mem, pfn)) {
    mem.pflags[pfn] = mem.pflags[pfn]! | PG_ANON_EXCLUSIVE;
    if (!unshare) t.bits[i] = t.bits[i]! | WRITABLE;
    return WP_REUSED;
  }
  const n = mem.alloc(0, false);
  mem.data[n] = pfn === ZERO_PFN ? 0 : mem.data[pfn]!;
  mem.pflags[n] = PG_ANON_EXCLUSIVE;
  t.entries[i] = n + 1;
  const old = t.bits[i]!;
  t.bits[i] = unshare
    ? old & B_SOFTDIRTY
    : (vma.flags & VM_WRITE) !== 0
      ? WRITABLE
      : B_DIRTY | B_SOFTDIRTY;
  mem.addPteMaps(n, 1, mm.mmId);
  if (pfn !== ZERO_PFN) mem.removePteMaps(pfn, 1, mm.mmId);
  if (k.tracing) traceCopy(k, pfn, unshare);
  return WP_COPIED;
}

function traceCopy(k: Kernel, pfn: number, unshare: boolean): void {
  if (k.tracing) {
    const what = pfn === ZERO_PFN ? 'the shared zeropage' : 'the page';
    k.note(
      'wp_page_copy',
      `${unshare ? 'unshare' : 'write'}: ${what} copied into an exclusive anonymous folio${unshare ? ' (stays R/O)' : ''}`,
    );
  }
}

export type WpOutcome = 0 | 1 | 2;
export const WP_REUSED_EXCLUSIVE = 0;
export const WP_REUSED = 1;
export const WP_COPIED = 2;

/**
 * do_wp_page() over the pages of a loop (a memset(), a GUP of a range): the first page's
 * decision is traced in full, the rest counted and told once at the end (a THP is 512 of them).
 */
export class WpTally {
  private excl = 0;
  private reused = 0;
  private copied = 0;

  /** Start a new loop (one tally per kernel is reused: the loops do not nest). */
  reset(): this {
    this.excl = 0;
    this.reused = 0;
    this.copied = 0;
    return this;
  }

  wp(k: Kernel, mm: AnonMm, vma: Vma, t: PteTable, i: number, unshare: boolean): void {
    const quiet = k.tracing && this.excl + this.reused + this.copied > 0;
    if (quiet) k.tracing = false;
    const r = wpPage(k, mm, vma, t, i, unshare);
    if (quiet) k.tracing = true;
    if (r === WP_REUSED_EXCLUSIVE) this.excl++;
    else if (r === WP_REUSED) this.reused++;
    else this.copied++;
  }

  /** The summary note, when more than one page went through do_wp_page(). */
  done(k: Kernel, what: string): void {
    const n = this.excl + this.reused + this.copied;
    if (!k.tracing || n < 2) return;
    const parts = [
      this.excl ? `${this.excl} reused (PageAnonExclusive)` : '',
      this.reused ? `${this.reused} reused` : '',
      this.copied ? `${this.copied} copied` : '',
    ].filter(Boolean);
    k.note(
      'do_wp_page',
      `${what}: ${n} page(s), ${parts.join(', ')}`,
      this.excl ? { by: 'anon_exclusive' } : {},
    );
  }
}

/** Whether do_wp_page() may reuse anonymous page `pfn` (not the zeropage) in place. */
function anonReusable(k: Kernel, a: AnonState, mem: MemMap, pfn: number): boolean {
  if (k.flags.anon_exclusive && (mem.pflags[pfn]! & PG_ANON_EXCLUSIVE) !== 0) return true;
  const h = mem.headOf[pfn]!;
  if (mem.order[h]! > 0 && k.flags.anon_exclusive)
    return wpReusesLargeAnon(k, mem.total[h]!, mem.refcount(h), mem.maybeMappedShared(h));
  // A swap-cache folio no swap PTE names any more leaves the cache first (folio_free_swap()).
  if ((mem.fflags[h]! & F_SWAPCACHE) !== 0 && a.swap !== undefined) a.swap.freeSwapOf(mem, h);
  // ≤5.8 reuse_swap_page(): this page's own mappings (plus the PMD's) and the swap PTEs still
  // naming it — per page, even in a large folio; references are not counted.
  const mapcount = k.flags.do_wp_page_page_count
    ? mem.total[h]!
    : mem.pageMapcount(pfn) + mem.entire[h]! + swapCountOf(a, mem, pfn);
  return wpReusesSmallAnon(k, mapcount, mem.refcount(h), mem.maybePinned(h));
}

/** The swap PTEs still naming page `pfn` of a swap-cache folio (0 when not in the swap cache). */
function swapCountOf(a: AnonState, mem: MemMap, pfn: number): number {
  const h = mem.headOf[pfn]!;
  if ((mem.fflags[h]! & F_SWAPCACHE) === 0 || a.swap === undefined) return 0;
  return a.swap.swapCount(mem.swapSlot[h]! + (pfn - h));
}

/**
 * do_swap_page(): read the page back (or find it in the swap cache), map it, and make it
 * exclusive and writable when the swap PTE says it was exclusive (1493a1913e34, 5.19) or
 * nothing else holds the folio.
 */
function swapIn(
  k: Kernel,
  mm: AnonMm,
  vma: Vma,
  t: PteTable,
  i: number,
  write: boolean,
): FaultResult {
  const a = k.anon;
  const mem = a.memmap;
  const swap = a.swap;
  const slot = -t.entries[i]! - 1;
  /* c8 ignore next */
  if (swap === undefined) return 'sigbus';
  let pfn = swap.cached(slot);
  const fresh = pfn < 0;
  if (fresh) {
    pfn = mem.alloc(0, false);
    mem.data[pfn] = swap.read(slot);
    mem.pflags[pfn] = 0;
    mem.fflags[pfn] = mem.fflags[pfn]! | F_SWAPCACHE;
    mem.swapSlot[pfn] = slot;
    swap.setCache(slot, pfn);
  }
  const h = mem.headOf[pfn]!;
  // The reference do_swap_page() holds from the swap-cache lookup (or the fresh allocation)
  // until the page is mapped: freeing the swap cache below must not free the page.
  mem.refs[h] = mem.refs[h]! + 1;
  const swpExclusive = k.flags.swp_exclusive && (t.bits[i]! & B_SWP_EXCLUSIVE) !== 0;
  const softDirty = t.bits[i]! & B_SOFTDIRTY;
  // ≤5.17: a write fault reuses the page when reuse_swap_page() — counted before swap_free(),
  // so our own swap PTE is the 1 — finds no other mapping or swap PTE; a pipe's reference is
  // not counted (c145e0b47c77, 5.18, made it page_count()).
  const oldRule = !k.flags.swapin_reuse_page_count;
  const reuseOld =
    oldRule && write && mem.pageMapcount(pfn) + mem.entire[h]! + swap.swapCount(slot) <= 1;
  swap.put(slot);
  // should_try_to_free_swap(): a write fault frees the swap cache if we are its only user.
  if (reuseOld || (!oldRule && write && mem.refcount(h) === mem.nrPages(h) + 1))
    swap.freeSwapOf(mem, h);
  const alone = oldRule ? reuseOld : mem.refcount(h) === 1;
  t.entries[i] = pfn + 1;
  let bits = softDirty;
  if (swpExclusive || alone) {
    mem.pflags[pfn] = mem.pflags[pfn]! | PG_ANON_EXCLUSIVE;
    // A read fault maps it writable only once the page is known exclusive (5.19).
    if ((vma.flags & VM_WRITE) !== 0 && !needsSoftDirtyWp(vma, softDirty))
      bits |= write ? WRITABLE : k.flags.anon_exclusive ? B_WRITE : 0;
  }
  t.bits[i] = bits;
  mem.addPteMaps(pfn, 1, mm.mmId);
  mem.refs[h] = mem.refs[h]! - 1;
  if (k.tracing)
    k.note(
      'do_swap_page',
      `${fresh ? 'read back from swap' : 'found in the swap cache'}; ${swpExclusive ? 'the swap PTE says exclusive' : reuseOld ? 'reuse_swap_page(): no other mapping or swap PTE (references not counted): reused writable' : alone ? 'no other user: exclusive' : 'may be shared: mapped R/O'}`,
      swpExclusive ? { by: 'swp_exclusive' } : {},
    );
  return 'ok';
}
