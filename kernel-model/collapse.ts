/**
 * MADV_COLLAPSE (7d8faaf15545, 6.1; mm/khugepaged.c madvise_collapse() → collapse_huge_page()):
 * every PMD-aligned range of the advised range is made one PMD-mapped THP. The range must lie
 * in one VMA that may hold a THP (the sysfs `enabled` is not enforced, VM_NOHUGEPAGE is);
 * already a PMD leaf is success. Otherwise the pages (none, zeropage, swapped-in, anonymous)
 * are copied into a new folio the VMA maps exclusively and writable, and the old pages lose
 * this mapping — a page also mapped by a fork()ed child stays the child's (the "collapse after
 * fork" tests). A page with references beyond its mappings (a pin) makes the collapse fail.
 */
import { anonFault, type AnonMm } from './anon-fault.js';
import { Errno } from './errno.js';
import type { Kernel } from './kernel.js';
import { PG_ANON_EXCLUSIVE, ZERO_PFN } from './memmap.js';
import { VM_NOHUGEPAGE, VM_WRITE, type Vma } from './mm-types.js';
import { B_DIRTY, B_SOFTDIRTY, B_WRITE } from './pagetable.js';

export function madviseCollapse(
  k: Kernel,
  mm: AnonMm,
  findVma: (addr: number) => Vma | undefined,
  start: number,
  end: number,
): number {
  const a = k.anon;
  const mem = a.memmap;
  const pt = mm.anonPt();
  const hstart = Math.ceil(start / a.pmdSize) * a.pmdSize;
  const hend = Math.floor(end / a.pmdSize) * a.pmdSize;
  let last = 0;
  for (let addr = hstart; addr < hend; addr += a.pmdSize) {
    const vma = findVma(addr);
    // hugepage_vma_revalidate(): one anonymous VMA covers the whole PMD range.
    if (
      !vma ||
      !vma.anon ||
      a.thp === undefined ||
      (vma.flags & VM_NOHUGEPAGE) !== 0 ||
      vma.start > addr ||
      vma.start + vma.length < addr + a.pmdSize
    ) {
      if (k.tracing)
        k.note('hugepage_vma_revalidate', 'no VMA that may hold a THP covers the PMD range', {
          errno: 'EINVAL',
        });
      return -Errno.EINVAL;
    }
    const pmd = Math.floor(addr / a.pmdSize);
    let t = pt.get(pmd);
    if (t !== undefined && t.leaf >= 0 && t.leaf !== mem.hugeZero) {
      if (k.tracing)
        k.note('madvise_collapse', 'already PMD-mapped (SCAN_PMD_MAPPED)', { by: 'madv_collapse' });
      continue;
    }
    // __collapse_huge_page_swapin(): swap entries are faulted in first.
    if (t !== undefined) {
      for (let i = 0; i < a.ptrs; i++) {
        if (t.entries[i]! < 0 && anonFault(k, mm, vma, addr + i * a.pageSize, 'read') !== 'ok')
          return -Errno.ENOMEM;
      }
      t = pt.get(pmd)!;
      // __collapse_huge_page_isolate(): every page's references must be its mappings.
      for (let i = 0; i < a.ptrs; i++) {
        const e = t.entries[i]!;
        if (e <= 1) continue;
        const h = mem.headOf[e - 1]!;
        if (mem.pins[h]! > 0 || mem.refs[h]! > 0) {
          if (k.tracing)
            k.note(
              '__collapse_huge_page_isolate',
              'a page has references beyond its mappings (SCAN_PAGE_COUNT)',
              { errno: 'EAGAIN' },
            );
          last = -Errno.EAGAIN;
          break;
        }
      }
      if (last < 0) continue;
    }
    const h = mem.alloc(a.pmdOrder);
    if (t !== undefined) {
      // __collapse_huge_page_copy(): copy, then drop this VMA's mappings of the old pages.
      for (let i = 0; i < a.ptrs; i++) {
        const e = t.entries[i]!;
        if (e === 0) continue;
        const pfn = e - 1;
        if (t.leaf >= 0 || pfn === ZERO_PFN) continue;
        mem.data[h + i] = mem.data[pfn]!;
        mem.removePteMaps(pfn, 1, mm.mmId);
      }
    } else {
      t = pt.ensure(pmd);
    }
    mem.pflags.fill(PG_ANON_EXCLUSIVE, h, h + a.ptrs);
    for (let i = 0; i < a.ptrs; i++) t.entries[i] = h + i + 1;
    t.bits.fill(0);
    t.leaf = h;
    t.leafBits =
      (vma.flags & VM_WRITE) !== 0 ? B_WRITE | B_DIRTY | B_SOFTDIRTY : B_DIRTY | B_SOFTDIRTY;
    t.used = a.ptrs;
    mem.addPmdMap(h, mm.mmId);
    if (k.tracing)
      k.note(
        'collapse_huge_page',
        `collapsed into a new ${a.pmdSize / 1024} kB THP, mapped by the PMD, exclusive`,
        { by: 'madv_collapse' },
      );
  }
  return last;
}
