/**
 * The memory map of anonymous memory (the kernel's `struct page` array, mm/mm_init.c, and the
 * folio fields of include/linux/mm_types.h): one slot per base page frame (pfn), fields as
 * typed arrays. A transparent huge page of 2 MiB is 512 consecutive pfns and one folio, so
 * nothing here makes an object per page (or per folio): a COW of a whole THP, which the
 * kernel does one 4 KiB page at a time, is a few typed-array stores per page.
 *
 * Page-cache, shmem and hugetlb folios stay `Folio` objects (mm-types.ts): the selftests map
 * one page or one huge page of those. This map holds what anonymous VMAs map (anon.ts): anon
 * folios of every order, the shared zeropage (pfn 0) and the huge zeropage.
 *
 * Per page:  data (content label, labels.ts), PG_anon_exclusive, the per-page mapcount
 *            (PTE mappings: the folio's mapBase plus the page's own count, so that mapping
 *            or unmapping every page of a large folio at once is one store), and the head
 *            pfn of its folio.
 * Per folio (at the head pfn): order, flags, the entire (PMD) mapcount, the total mapcount
 *            (folio_large_mapcount(): PTE mappings plus one per PMD mapping), FOLL_GET
 *            references (pipes, vmsplice), FOLL_PIN pins, the swap slot of a folio in the
 *            swap cache, and the two MM-ID slots of 6.15's "mapped shared" tracking.
 * folio_ref_count() is not stored: it is the mappings plus the references plus the pins plus
 * one per page while in the swap cache (refcount()).
 */

/** PG_anon_exclusive (6c287605fd56): only this page table maps the page. */
export const PG_ANON_EXCLUSIVE = 1;

/** Folio flags (at the head pfn). */
export const F_ALLOCATED = 1;
export const F_ANON = 2;
/** The shared zeropage (ZERO_PAGE(0)): never freed, never written. */
export const F_ZERO = 4;
/** The huge zeropage (mm/huge_memory.c huge_zero_folio). */
export const F_HUGE_ZERO = 8;
/** PG_swapcache: the folio is in the swap cache, holding one reference per page. */
export const F_SWAPCACHE = 16;
/** FOLIO_MM_IDS_SHARED_BIT: more than one MM maps this large folio. */
export const F_MM_SHARED = 32;

/** The shared zeropage's pfn. */
export const ZERO_PFN = 0;

/** Memory maps of kernels whose run ended (MemMap.retire()), for the next kernels. */
const SPARE_MAPS: MemMap[] = [];

export class MemMap {
  private cap = 0;
  /** Content label of each page (labels.ts). */
  data = new Int32Array(0);
  /** Page flags: PG_ANON_EXCLUSIVE. */
  pflags = new Uint8Array(0);
  /**
   * PTE mappings of each page (page->_mapcount + 1) beyond its folio's mapBase: read them
   * with pageMapcount(). A whole large folio mapped or unmapped by PTEs in one step (a fault
   * that maps a THP by PTEs, fork() copying them, a zap) moves mapBase alone, where a store
   * per page was most of what zapping a PTE-mapped THP cost; a partial range moves the pages.
   */
  mapcount = new Int32Array(0);
  /** Head pfn of each page's folio. */
  headOf = new Int32Array(0);
  /** PTE mappings every page of the folio has (at the head pfn; see mapcount). */
  mapBase = new Int32Array(0);
  order = new Uint8Array(0);
  fflags = new Uint8Array(0);
  /** PMD mappings (folio->_entire_mapcount + 1). */
  entire = new Int32Array(0);
  /** folio_large_mapcount() (order 0: folio_mapcount()). */
  total = new Int32Array(0);
  /** FOLL_GET references and other plain references (pipe buffers). */
  refs = new Int32Array(0);
  /** FOLL_PIN pins (GUP_PIN_COUNTING_BIAS collapsed to one per pinned page). */
  pins = new Int32Array(0);
  /** First swap slot of a folio in the swap cache. */
  swapSlot = new Int32Array(0);
  /** The two MM ids a large folio remembers (0: free slot) and their mapcounts. */
  mm0 = new Int32Array(0);
  mm1 = new Int32Array(0);
  mmc0 = new Int32Array(0);
  mmc1 = new Int32Array(0);

  /** Next never-used pfn (pfn 0 is the zeropage). */
  private top = 1;
  /** Freed folios by order: head pfns for reuse, so a long run stays small. */
  private readonly freeLists: number[][] = [];
  /** Head of the huge zeropage, once allocated (mm_get_huge_zero_folio). */
  hugeZero = -1;
  /** Pages in allocated folios (for tests and traces). */
  allocatedPages = 0;

  constructor() {
    // A cow run peaks near 16k pages (split THPs go back as order-0 pages): allocated once.
    this.grow(16384);
    this.headOf[ZERO_PFN] = ZERO_PFN;
    this.fflags[ZERO_PFN] = F_ALLOCATED | F_ZERO;
  }

  /**
   * A memory map for a new kernel: a retired one (retire()) cleared back to boot state, or a
   * new one. Fifteen typed arrays of 16k pages are ~800 kB that a new map allocates and
   * zeroes, and a cow sweep boots a kernel every 20 ms: 4% of its time, and external memory
   * that hurried the garbage collector. Clearing a retired map touches only the pages its
   * kernel used.
   */
  static take(): MemMap {
    const m = SPARE_MAPS.pop();
    if (m === undefined) return new MemMap();
    m.reset();
    return m;
  }

  /** Its kernel is gone (nothing reads this map again): keep it for the next kernel. */
  retire(): void {
    if (SPARE_MAPS.length < 2 && !SPARE_MAPS.includes(this)) SPARE_MAPS.push(this);
  }

  /** Back to the state of a new map: every slot a used pfn touched is zero again. */
  private reset(): void {
    const n = this.top;
    this.data.fill(0, 0, n);
    this.pflags.fill(0, 0, n);
    this.mapcount.fill(0, 0, n);
    this.headOf.fill(0, 0, n);
    this.mapBase.fill(0, 0, n);
    this.order.fill(0, 0, n);
    this.fflags.fill(0, 0, n);
    this.entire.fill(0, 0, n);
    this.total.fill(0, 0, n);
    this.refs.fill(0, 0, n);
    this.pins.fill(0, 0, n);
    this.swapSlot.fill(0, 0, n);
    this.mm0.fill(0, 0, n);
    this.mm1.fill(0, 0, n);
    this.mmc0.fill(0, 0, n);
    this.mmc1.fill(0, 0, n);
    this.top = 1;
    this.freeLists.length = 0;
    this.hugeZero = -1;
    this.allocatedPages = 0;
    this.headOf[ZERO_PFN] = ZERO_PFN;
    this.fflags[ZERO_PFN] = F_ALLOCATED | F_ZERO;
  }

  private grow(min: number): void {
    let cap = this.cap || 1024;
    while (cap < min) cap *= 2;
    if (cap === this.cap) return;
    const i32 = (a: Int32Array): Int32Array<ArrayBuffer> => {
      const n = new Int32Array(cap);
      n.set(a);
      return n;
    };
    const u8 = (a: Uint8Array): Uint8Array<ArrayBuffer> => {
      const n = new Uint8Array(cap);
      n.set(a);
      return n;
    };
    this.data = i32(this.data);
    this.pflags = u8(this.pflags);
    this.mapcount = i32(this.mapcount);
    this.headOf = i32(this.headOf);
    this.mapBase = i32(this.mapBase);
    this.order = u8(this.order);
    this.fflags = u8(this.fflags);
    this.entire = i32(this.entire);
    this.total = i32(this.total);
    this.refs = i32(this.refs);
    this.pins = i32(this.pins);
    this.swapSlot = i32(this.swapSlot);
    this.mm0 = i32(this.mm0);
    this.mm1 = i32(this.mm1);
    this.mmc0 = i32(this.mmc0);
    this.mmc1 = i32(this.mmc1);
    this.cap = cap;
  }

  /**
   * A new anonymous folio of 2^order pages, unmapped and unreferenced; its pages zero-filled
   * when `zero` (a caller that writes every page at once passes false). Page flags are the
   * caller's to set: it maps the folio (exclusive, or not) right away. A freed folio's pages
   * all had mapcount 0 (its total was 0), and a folio reused from its order's free list still
   * has its head in every page, so neither is written again.
   */
  alloc(order: number, zero = true): number {
    const n = 1 << order;
    const list = this.freeLists[order];
    let h: number;
    if (list !== undefined && list.length > 0) {
      h = list.pop()!;
    } else {
      h = this.top;
      if (h + n > this.cap) this.grow(h + n);
      this.top = h + n;
      if (n === 1) this.headOf[h] = h;
      else this.headOf.fill(h, h, h + n);
    }
    if (zero) {
      if (n === 1) this.data[h] = 0;
      else this.data.fill(0, h, h + n);
    }
    this.order[h] = order;
    this.fflags[h] = F_ALLOCATED | F_ANON;
    this.entire[h] = 0;
    this.total[h] = 0;
    this.refs[h] = 0;
    this.pins[h] = 0;
    this.swapSlot[h] = -1;
    this.mm0[h] = 0;
    this.mm1[h] = 0;
    this.mmc0[h] = 0;
    this.mmc1[h] = 0;
    this.allocatedPages += n;
    return h;
  }

  /** page_mapcount(): the PTE mappings of page `pfn`. */
  pageMapcount(pfn: number): number {
    return this.mapBase[this.headOf[pfn]!]! + this.mapcount[pfn]!;
  }

  nrPages(head: number): number {
    return 1 << this.order[head]!;
  }

  isLarge(head: number): boolean {
    return this.order[head]! > 0;
  }

  /** folio_ref_count(). */
  refcount(head: number): number {
    const swapcache = (this.fflags[head]! & F_SWAPCACHE) !== 0 ? 1 << this.order[head]! : 0;
    return this.total[head]! + this.refs[head]! + this.pins[head]! + swapcache;
  }

  /** folio_maybe_dma_pinned(). */
  maybePinned(head: number): boolean {
    return this.pins[head]! > 0;
  }

  /** Free the folio once nothing maps or references it (folio_put() reaching zero). */
  putIfUnused(head: number): boolean {
    const f = this.fflags[head]!;
    if ((f & F_ALLOCATED) === 0 || (f & (F_ZERO | F_HUGE_ZERO)) !== 0) return false;
    if (this.refcount(head) !== 0) return false;
    this.fflags[head] = 0;
    const order = this.order[head]!;
    // Nothing maps it, so every page's count is 0: a folio-wide base goes back into the pages
    // (a new folio of these pages starts from base 0 and counts 0).
    if (this.mapBase[head] !== 0) {
      this.mapcount.fill(0, head, head + (1 << order));
      this.mapBase[head] = 0;
    }
    this.allocatedPages -= 1 << order;
    let list = this.freeLists[order];
    if (list === undefined) {
      list = [];
      this.freeLists[order] = list;
    }
    list.push(head);
    return true;
  }

  isFreed(head: number): boolean {
    return (this.fflags[head]! & F_ALLOCATED) === 0;
  }

  /** The huge zeropage (mm_get_huge_zero_folio()): allocated on first use, never freed. */
  hugeZeroFolio(pmdOrder: number): number {
    if (this.hugeZero < 0) {
      const h = this.alloc(pmdOrder);
      this.fflags[h] = F_ALLOCATED | F_HUGE_ZERO;
      this.hugeZero = h;
    }
    return this.hugeZero;
  }

  // --- rmap accounting (mm/rmap.c folio_add_*_rmap_*, folio_remove_rmap_*) -------------------

  /** `n` PTEs now map pages pfn … pfn+n-1 of one folio in the MM `mmId`. */
  addPteMaps(pfn: number, n: number, mmId: number): void {
    const h = this.headOf[pfn]!;
    if (n > 1 && pfn === h && n === 1 << this.order[h]!) this.mapBase[h] = this.mapBase[h]! + 1;
    else {
      const mc = this.mapcount;
      for (let p = pfn; p < pfn + n; p++) mc[p] = mc[p]! + 1;
    }
    this.total[h] = this.total[h]! + n;
    if (this.order[h]! > 0) this.addLargeMapcount(h, n, mmId);
  }

  /** `n` PTEs no longer map pages pfn … pfn+n-1 of one folio. Frees the folio if unused. */
  removePteMaps(pfn: number, n: number, mmId: number): void {
    const h = this.headOf[pfn]!;
    if (n > 1 && pfn === h && n === 1 << this.order[h]!) this.mapBase[h] = this.mapBase[h]! - 1;
    else {
      const mc = this.mapcount;
      for (let p = pfn; p < pfn + n; p++) mc[p] = mc[p]! - 1;
    }
    this.total[h] = this.total[h]! - n;
    if (this.order[h]! > 0) this.subLargeMapcount(h, n, mmId);
    this.putIfUnused(h);
  }

  addPmdMap(head: number, mmId: number): void {
    this.entire[head] = this.entire[head]! + 1;
    this.total[head] = this.total[head]! + 1;
    if (this.order[head]! > 0) this.addLargeMapcount(head, 1, mmId);
  }

  removePmdMap(head: number, mmId: number): void {
    this.entire[head] = this.entire[head]! - 1;
    this.total[head] = this.total[head]! - 1;
    if (this.order[head]! > 0) this.subLargeMapcount(head, 1, mmId);
    this.putIfUnused(head);
  }

  /** folio_add_return_large_mapcount() with CONFIG_MM_ID (counts here start at 0, not -1). */
  private addLargeMapcount(h: number, diff: number, mmId: number): void {
    const total = this.total[h]!;
    if (this.mm0[h] === mmId) this.mmc0[h] = this.mmc0[h]! + diff;
    else if (this.mm1[h] === mmId) this.mmc1[h] = this.mmc1[h]! + diff;
    else if (this.mm0[h] === 0) {
      this.mm0[h] = mmId;
      this.mmc0[h] = diff;
      // We might have other mappings already.
      if (total !== diff) this.fflags[h] = this.fflags[h]! | F_MM_SHARED;
    } else if (this.mm1[h] === 0) {
      this.mm1[h] = mmId;
      this.mmc1[h] = diff;
      this.fflags[h] = this.fflags[h]! | F_MM_SHARED;
    }
  }

  /** folio_sub_return_large_mapcount(). */
  private subLargeMapcount(h: number, diff: number, mmId: number): void {
    const total = this.total[h]!;
    if (this.mm0[h] === mmId) {
      this.mmc0[h] = this.mmc0[h]! - diff;
      if (this.mmc0[h]! > 0) return;
      this.mmc0[h] = 0;
      this.mm0[h] = 0;
    } else if (this.mm1[h] === mmId) {
      this.mmc1[h] = this.mmc1[h]! - diff;
      if (this.mmc1[h]! > 0) return;
      this.mmc1[h] = 0;
      this.mm1[h] = 0;
    }
    // If one MM slot owns all mappings, the folio is mapped exclusively.
    if (this.mmc0[h] === total || this.mmc1[h] === total)
      this.fflags[h] = this.fflags[h]! & ~F_MM_SHARED;
  }

  /**
   * folio_maybe_mapped_shared(): a small folio mapped more than once; a large one whose MM
   * slots saw a second MM (6.15's MM ids; before them the kernel estimated it from the first
   * page's mapcount, folio_likely_mapped_shared()).
   */
  maybeMappedShared(head: number): boolean {
    if (this.order[head] === 0) return this.total[head]! > 1;
    return (this.fflags[head]! & F_MM_SHARED) !== 0 || this.entire[head]! > 1;
  }

  /**
   * split_folio() (mm/huge_memory.c __split_huge_page): every page becomes an order-0 folio
   * keeping its mapcount and exclusive bit; pages nothing maps are freed. The caller has
   * checked that no PMD maps it and nothing pins or references it beyond its mappings.
   */
  split(head: number): void {
    const n = this.nrPages(head);
    const swapcache = (this.fflags[head]! & F_SWAPCACHE) !== 0;
    const slot = this.swapSlot[head]!;
    // Each page's count is its own from now on: the folio's base goes into every page.
    const base = this.mapBase[head]!;
    for (let p = head; p < head + n; p++) {
      this.mapcount[p] = this.mapcount[p]! + base;
      this.mapBase[p] = 0;
      this.headOf[p] = p;
      this.order[p] = 0;
      this.fflags[p] = F_ALLOCATED | F_ANON | (swapcache ? F_SWAPCACHE : 0);
      this.entire[p] = 0;
      this.total[p] = this.mapcount[p]!;
      this.refs[p] = 0;
      this.pins[p] = 0;
      this.swapSlot[p] = swapcache ? slot + (p - head) : -1;
      this.mm0[p] = 0;
      this.mm1[p] = 0;
      this.mmc0[p] = 0;
      this.mmc1[p] = 0;
    }
    // The order-0 folios are counted on their own from now on.
    this.allocatedPages -= n;
    for (let p = head; p < head + n; p++) {
      this.allocatedPages++;
      this.putIfUnused(p);
    }
  }
}
