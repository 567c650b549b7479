/**
 * The page tables of anonymous memory: per address space, one PTE table per PMD-sized range
 * (a "pmd"), created on the first fault in it. An entry is a typed-array slot:
 *
 *   entries[i]   0 = pte_none; > 0 = present, pfn + 1 (memmap.ts); < 0 = swap entry, -(slot + 1)
 *   bits[i]      B_WRITE, B_DIRTY, B_SOFTDIRTY (present); B_SWP_EXCLUSIVE, B_SOFTDIRTY (swap)
 *
 * A PMD leaf (a PMD-mapped THP or the huge zeropage) is `leaf` = its head pfn with `leafBits`;
 * its entries are kept filled with the folio's pfns so that lookups and /proc/self/pagemap
 * read one representation. Splitting the PMD (__split_huge_pmd) turns those into real PTEs.
 *
 * Tables are recycled through a per-kernel pool: a cow run maps and unmaps a few hundred
 * megabytes one THP at a time, and a table is two typed arrays.
 */
export const B_WRITE = 1;
export const B_DIRTY = 2;
export const B_SOFTDIRTY = 4;
/** pte_swp_exclusive() (1493a1913e34, 5.19): the swapped-out page was PageAnonExclusive. */
export const B_SWP_EXCLUSIVE = 8;

export class PteTable {
  readonly entries: Int32Array;
  readonly bits: Uint8Array;
  /** Head pfn of the folio a PMD leaf maps, or -1. */
  leaf = -1;
  leafBits = 0;
  /** Non-none entries. */
  used = 0;

  constructor(ptrs: number) {
    this.entries = new Int32Array(ptrs);
    this.bits = new Uint8Array(ptrs);
  }

  reset(): void {
    this.entries.fill(0);
    this.bits.fill(0);
    this.leaf = -1;
    this.leafBits = 0;
    this.used = 0;
  }
}

/** One address space's anonymous page tables, keyed by PMD index (address / PMD size). */
export class PageTable {
  private readonly tables = new Map<number, PteTable>();

  constructor(
    private readonly pool: PteTablePool,
    readonly pageSize: number,
    readonly ptrs: number,
  ) {}

  get pmdSize(): number {
    return this.pageSize * this.ptrs;
  }

  /** The PTE table covering PMD index `pmd`, if one exists (!pmd_none). */
  get(pmd: number): PteTable | undefined {
    return this.tables.get(pmd);
  }

  /** pte_alloc(): the table, made when absent. */
  ensure(pmd: number): PteTable {
    let t = this.tables.get(pmd);
    if (t === undefined) {
      t = this.pool.take(this.ptrs);
      this.tables.set(pmd, t);
    }
    return t;
  }

  /** free_pgtables(): drop an empty table (munmap, exit). */
  release(pmd: number): void {
    const t = this.tables.get(pmd);
    if (t === undefined || t.used !== 0 || t.leaf >= 0) return;
    this.tables.delete(pmd);
    this.pool.give(t);
  }

  pmds(): IterableIterator<[number, PteTable]> {
    return this.tables.entries();
  }
}

export class PteTablePool {
  private readonly free: PteTable[] = [];

  take(ptrs: number): PteTable {
    const t = this.free.pop();
    if (t !== undefined && t.entries.length === ptrs) return t;
    return new PteTable(ptrs);
  }

  give(t: PteTable): void {
    t.reset();
    if (this.free.length < 64) this.free.push(t);
  }
}
