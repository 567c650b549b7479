/**
 * Page faults on the simulated address space (mm/memory.c, mm/hugetlb.c): read and write
 * faults on file mappings, COW into anonymous folios for MAP_PRIVATE, page_mkwrite for shared
 * mappings of filesystems that track dirtying, and GUP's FAULT_FLAG_UNSHARE.
 */
import { Errno } from './errno.js';
import { hugetlbWpReuses, wpReusesSharedAnon } from './cow.js';
import { fillFolio } from './clock.js';
import { folioMapcount } from './rmap.js';
import { allocHugePage } from './hugetlb.js';
import type { Kernel } from './kernel.js';
import {
  VM_SHARED,
  VM_WRITE,
  vmaBackingFs,
  vmaIsHugetlb,
  type Folio,
  type Pte,
  type Vma,
} from './mm-types.js';
import { sharedWriteFault } from './writeback.js';

export type FaultKind = 'read' | 'write' | 'unshare';

/** VM_FAULT_* collapsed: ok, out of memory (GUP: -ENOMEM), SIGBUS (GUP: -EFAULT), SIGSEGV. */
export type FaultResult = 'ok' | 'oom' | 'sigbus' | 'sigsegv';

export function faultResultErrno(r: FaultResult): number {
  return r === 'oom' ? Errno.ENOMEM : Errno.EFAULT;
}

/** The page-cache folio at `index`, read in (or allocated for hugetlb) when absent. */
function pageCacheFolio(k: Kernel, vma: Vma, index: number): Folio | undefined {
  const inode = vma.file.inode;
  const present = inode.pages.get(index);
  if (present) return present;
  if (inode.hstate) {
    const h = inode.hstate;
    const reserved = inode.resvHas(index);
    if (!allocHugePage(h, reserved)) {
      if (k.tracing)
        k.note('hugetlb_no_page', `no free ${h.sizeKiB} kB huge page for the page cache`);
      return undefined;
    }
    inode.resv.set(index, true);
    fillFolio(k, h.sizeKiB * 1024);
    const f = k.newFolio('hugetlb', h.sizeKiB * 1024, {
      hugetlb: h,
      movable: h.movable,
      mapping: inode,
    });
    inode.pages.set(index, f);
    return f;
  }
  const fs = inode.mount.type;
  // Read from disk: a page evicted after writeback comes back with what writeback wrote.
  const data = inode.diskAt(index) ?? 'zeroes';
  const f = k.newFolio(fs.shmem ? 'shmem' : 'pagecache', k.pageSize, {
    dax: fs.dax,
    mapping: inode,
    data,
  });
  inode.pages.set(index, f);
  return f;
}

/** A fresh exclusive anonymous folio for a COW (hugetlb: taken from the VMA's reservation). */
function cowFolio(k: Kernel, vma: Vma): Folio | undefined {
  const h = vma.file.inode.hstate;
  if (h && vmaIsHugetlb(vma)) {
    const withResv = vma.privateResv > 0;
    if (!allocHugePage(h, withResv)) {
      if (k.tracing) k.note('hugetlb_wp', `no ${h.sizeKiB} kB huge page to COW into`);
      return undefined;
    }
    if (withResv) vma.privateResv--;
    fillFolio(k, h.sizeKiB * 1024);
    return k.newFolio('anon', h.sizeKiB * 1024, {
      hugetlb: h,
      movable: h.movable,
      anonExclusive: true,
    });
  }
  return k.newFolio('anon', k.pageSize, { anonExclusive: true });
}

/**
 * A shared anonymous folio's COW: hugetlb_wp() looks at the mapcount alone, do_wp_page() at the
 * era's rule. At module level, not nested in handleFault(): a nested declaration is a new
 * closure per fault (and, compiled with keepNames as tsx does, a defineProperty of its name).
 */
function anonReusable(k: Kernel, f: Folio): boolean {
  return f.hugetlb ? hugetlbWpReuses(k, folioMapcount(k, f), f.refs) : wpReusesSharedAnon(k, f);
}

export function handleFault(k: Kernel, vma: Vma, index: number, kind: FaultKind): FaultResult {
  const shared = (vma.flags & VM_SHARED) !== 0;
  const pte = vma.ptes.get(index);

  if (kind === 'write' && (vma.flags & VM_WRITE) === 0) {
    if (k.tracing) k.note('handle_mm_fault', 'write fault on a VMA without VM_WRITE');
    return 'sigsegv';
  }

  if (kind === 'unshare') {
    // FAULT_FLAG_UNSHARE: replace a possibly shared page by an exclusive anon copy, keep it R/O.
    if (!pte || shared) return 'ok';
    if (pte.folio.kind === 'anon' && pte.folio.anonExclusive) return 'ok';
    if (
      pte.folio.kind === 'anon' &&
      pte.folio.hugetlb &&
      hugetlbWpReuses(k, folioMapcount(k, pte.folio), pte.folio.refs)
    ) {
      pte.folio.anonExclusive = true;
      return 'ok';
    }
    const copy = cowFolio(k, vma);
    if (!copy) return vmaIsHugetlb(vma) ? 'sigbus' : 'oom';
    copy.data = pte.folio.data;
    if (k.tracing)
      k.note(
        'do_wp_page',
        'unshare: copied the page into an exclusive anonymous folio (stays R/O)',
      );
    vma.ptes.set(index, { folio: copy, writable: false, dirty: false });
    return 'ok';
  }

  if (shared) {
    const folio = pte?.folio ?? pageCacheFolio(k, vma, index);
    if (!folio) return 'sigbus';
    let writable = pte?.writable ?? false;
    if (kind === 'write') {
      const fs = vmaBackingFs(vma);
      if (fs.pageMkwrite && k.tracing)
        k.note('do_shared_fault', `${fs.name} ->page_mkwrite() makes the page writable and dirty`);
      sharedWriteFault(vma, folio);
      writable = true;
    } else if (!vmaBackingFs(vma).pageMkwrite && (vma.flags & VM_WRITE) !== 0) {
      // No writenotify needed (shmem/hugetlb): the PTE is writable from the first fault.
      writable = true;
    }
    const next: Pte = { folio, writable, dirty: kind === 'write' || (pte?.dirty ?? false) };
    vma.ptes.set(index, next);
    return 'ok';
  }

  // MAP_PRIVATE
  if (kind === 'read') {
    if (pte) return 'ok';
    const folio = pageCacheFolio(k, vma, index);
    if (!folio) return 'sigbus';
    vma.ptes.set(index, { folio, writable: false, dirty: false });
    return 'ok';
  }
  if (pte && pte.folio.kind === 'anon' && (pte.folio.anonExclusive || anonReusable(k, pte.folio))) {
    // do_wp_page() / hugetlb_wp(): reuse an exclusive anonymous page (or, after fork, one the era's rule lets us).
    pte.folio.anonExclusive = true;
    vma.ptes.set(index, { ...pte, writable: true, dirty: true });
    return 'ok';
  }
  // do_cow_fault() reads the page-cache page it copies. hugetlb copies a page already in the
  // page cache (hugetlb_wp) or, when there is none, allocates the private page directly.
  const source = pte?.folio ?? (vmaIsHugetlb(vma) ? undefined : pageCacheFolio(k, vma, index));
  if (!pte && !vmaIsHugetlb(vma) && !source) return 'sigbus';
  const copy = cowFolio(k, vma);
  if (!copy) return vmaIsHugetlb(vma) ? 'sigbus' : 'oom';
  if (source) copy.data = source.data;
  if (k.tracing)
    k.note(
      pte ? 'wp_page_copy' : 'do_cow_fault',
      `MAP_PRIVATE write: page copied into an exclusive anonymous ${copy.hugetlb ? 'hugetlb ' : ''}folio`,
    );
  vma.ptes.set(index, { folio: copy, writable: true, dirty: true });
  return 'ok';
}
