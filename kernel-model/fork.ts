/**
 * fork()'s copy of one VMA (dup_mmap → copy_page_range). Task.fork() (task.ts) shares the
 * open files and takes the references; this decides what the child's page table holds.
 */
import type { Kernel } from './kernel.js';
import { VM_WRITE, isCowMapping, type Vma } from './mm-types.js';
import { SmallMap } from './small-map.js';
import { allocHugePage } from './hugetlb.js';

/**
 * In a COW mapping both page tables map the same folios write-protected, and an anonymous
 * folio stops being exclusive (page_dup_anon_rmap). Shared file VMAs copy no PTEs: the child
 * faults them in (vma_needs_copy() is false without an anon_vma). From 70e806e4e645 (5.9) a
 * pinned anonymous page is copied for the child at once (copy_present_page()), so the parent
 * keeps it exclusive and writable.
 */
export function copyVmaForFork(k: Kernel, vma: Vma): Vma {
  const copy: Vma = { ...vma, ptes: new SmallMap(), privateResv: 0 };
  if (vma.pfns) copy.pfns = new Map(vma.pfns);
  if (!isCowMapping(vma)) return copy;
  for (const [i, pte] of vma.ptes) {
    const f = pte.folio;
    if (f.kind === 'anon' && !f.hugetlb && f.pincount > 0 && k.flags.fork_copies_pinned) {
      const own = k.newFolio('anon', f.size, { data: f.data });
      if (k.tracing) k.note('copy_present_page', `fork: folio ${f.id} may be pinned: the child gets copy ${own.id}`, { by: 'fork_copies_pinned' });
      copy.ptes.set(i, { folio: own, writable: (vma.flags & VM_WRITE) !== 0, dirty: true });
      continue;
    }
    if (f.kind === 'anon' && f.hugetlb && f.pincount > 0 && k.flags.hugetlb_fork_copies_pinned) {
      // copy_hugetlb_page_range(): a maybe-pinned anon hugetlb folio is copied for the child
      // at once, from the free pool (not the parent's reservation); with no free page the
      // fork fails (-ENOMEM), which this model does not reach: cow.c keeps a second page free.
      if (allocHugePage(f.hugetlb, false)) {
        const own = k.newFolio('anon', f.size, { data: f.data, hugetlb: f.hugetlb, movable: f.hugetlb.movable });
        if (k.tracing) k.note('copy_hugetlb_page_range', `fork: hugetlb folio ${f.id} may be pinned: the child gets copy ${own.id}`, { by: 'hugetlb_fork_copies_pinned' });
        copy.ptes.set(i, { folio: own, writable: (vma.flags & VM_WRITE) !== 0, dirty: true });
        continue;
      }
    }
    if (f.kind === 'anon') f.anonExclusive = false;
    vma.ptes.set(i, { ...pte, writable: false });
    copy.ptes.set(i, { ...pte, writable: false });
  }
  return copy;
}
