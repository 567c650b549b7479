/**
 * User-space loads and stores on anonymous memory, page by page as the CPU does them: a store
 * to a present writable PTE (or writable PMD) lands in the page it maps and sets the dirty
 * and soft-dirty bits; anything else faults first (anon-fault.ts). A store writes a label
 * (labels.ts), a load collects them. memset() and memcmp() of whole THPs are loops over typed
 * arrays, with the PMD-mapped case a single fill.
 */
import { anonFaultAt, type AnonMm } from './anon-fault.js';
import type { FaultResult } from './fault.js';
import type { Kernel } from './kernel.js';
import { ZERO_PFN } from './memmap.js';
import { VM_WRITE, type Vma } from './mm-types.js';
import { B_DIRTY, B_SOFTDIRTY, B_WRITE } from './pagetable.js';

/**
 * Store `label` into every page of [start, end) (page-aligned, inside `vma`). With `partial`
 * the store covers only part of each page: the page's content becomes a mix (Labels.mixed()).
 */
export function anonStore(
  k: Kernel,
  mm: AnonMm,
  vma: Vma,
  start: number,
  end: number,
  label: number,
  partial: boolean,
): FaultResult {
  const a = k.anon;
  const mem = a.memmap;
  const pt = mm.anonPt();
  const pageSize = a.pageSize;
  const tally = a.tally.reset();
  for (let addr = start; addr < end;) {
    const pmd = Math.floor(addr / a.pmdSize);
    const base = pmd * a.pmdSize;
    const chunkEnd = Math.min(end, base + a.pmdSize);
    const iEnd = Math.ceil((chunkEnd - base) / pageSize);
    let i = Math.floor((addr - base) / pageSize);
    let tries = 0;
    // The table is looked up again only after a fault (which may have made or split it).
    let t = pt.get(pmd);
    while (i < iEnd) {
      if (t !== undefined) {
        if (t.leaf >= 0) {
          if ((t.leafBits & B_WRITE) !== 0) {
            const h = t.leaf;
            if (partial)
              for (let j = i; j < iEnd; j++)
                mem.data[h + j] = k.labels.mixed(mem.data[h + j]!, label);
            else mem.data.fill(label, h + i, h + iEnd);
            t.leafBits |= B_DIRTY | B_SOFTDIRTY;
            i = iEnd;
            continue;
          }
        } else {
          const entries = t.entries;
          const bits = t.bits;
          const e = entries[i]!;
          if (e > 0 && (bits[i]! & B_WRITE) !== 0) {
            // The run of present writable PTEs from here, stored in one tight loop (a THP
            // mapped by PTEs is 512 of them) rather than a turn of the outer loop each.
            const data = mem.data;
            let x = i;
            let ex = e;
            do {
              const pfn = ex - 1;
              data[pfn] = partial ? k.labels.mixed(data[pfn]!, label) : label;
              bits[x] = bits[x]! | B_DIRTY | B_SOFTDIRTY;
              x++;
            } while (x < iEnd && (ex = entries[x]!) > 0 && (bits[x]! & B_WRITE) !== 0);
            i = x;
            tries = 0;
            continue;
          }
          if (e > 1 && (vma.flags & VM_WRITE) !== 0) {
            // A present, write-protected anonymous page: do_wp_page() straight away.
            tally.wp(k, mm, vma, t, i, false);
            continue;
          }
        }
      }
      /* c8 ignore next */
      if (++tries > 3) return 'sigbus';
      const r = anonFaultAt(k, mm, vma, pmd, i, 'write');
      if (r !== 'ok') return r;
      t = pt.get(pmd);
    }
    addr = chunkEnd;
  }
  tally.done(k, 'user-space write');
  return 'ok';
}

/**
 * Load every page of [start, end) into `out` from `outAt` on (one label per page): a page
 * never touched reads as the zeropage (and is mapped to it), a swapped one is swapped in.
 */
export function anonLoad(
  k: Kernel,
  mm: AnonMm,
  vma: Vma,
  start: number,
  end: number,
  out: Int32Array,
  outAt: number,
): FaultResult {
  const a = k.anon;
  const mem = a.memmap;
  const pt = mm.anonPt();
  const pageSize = a.pageSize;
  let o = outAt;
  for (let addr = start; addr < end;) {
    const pmd = Math.floor(addr / a.pmdSize);
    const base = pmd * a.pmdSize;
    const chunkEnd = Math.min(end, base + a.pmdSize);
    const iEnd = Math.ceil((chunkEnd - base) / pageSize);
    let i = Math.floor((addr - base) / pageSize);
    // The table is looked up again only after a fault (which may have made or split it), not
    // once per page: a Map lookup per page was most of a THP's read.
    let t = pt.get(pmd);
    while (i < iEnd) {
      const e = t === undefined ? 0 : t.entries[i]!;
      if (e > 0) {
        const pfn = e - 1;
        out[o++] = pfn === ZERO_PFN ? 0 : mem.data[pfn]!;
        i++;
        continue;
      }
      const r = anonFaultAt(k, mm, vma, pmd, i, 'read');
      if (r !== 'ok') return r;
      t = pt.get(pmd);
    }
    addr = chunkEnd;
  }
  return 'ok';
}
