/**
 * The hugetlbfs side of the system calls (fs/hugetlbfs/inode.c, mm/hugetlb.c): fallocate()
 * into a huge page cache, the reservation an mmap() takes, and the /sys/kernel/mm/hugepages
 * files the selftests read and write. The pools themselves are hugetlb.ts; Task (task.ts)
 * calls these from its system calls.
 */
import { Errno } from './errno.js';
import { allocHugePage, reserveHugePages, setNrHugePages, type Hstate } from './hugetlb.js';
import type { Kernel } from './kernel.js';
import type { Inode } from './mm-types.js';

/**
 * hugetlbfs_fallocate(): allocate each huge page of [offset, offset+length) the page cache
 * lacks and add it there, a reserved one first where the inode holds a reservation for it.
 * 0, or -ENOSPC when the pool has no page to give.
 */
export function hugetlbfsFallocate(k: Kernel, inode: Inode, h: Hstate, offset: number, length: number): number {
  const hsize = h.sizeKiB * 1024;
  for (let idx = Math.floor(offset / hsize); idx * hsize < offset + length; idx++) {
    if (inode.pages.has(idx)) continue;
    const reserved = inode.resvHas(idx);
    if (!allocHugePage(h, reserved)) {
      if (k.tracing) k.note('hugetlbfs_fallocate', `no free ${h.sizeKiB} kB huge page (free ${h.free}, reserved ${h.resv})`, { errno: 'ENOSPC' });
      return -Errno.ENOSPC;
    }
    inode.resv.set(idx, true);
    inode.pages.set(idx, k.newFolio('hugetlb', hsize, { hugetlb: h, movable: h.movable }));
  }
  if (k.tracing) k.note('hugetlbfs_fallocate', `allocated a ${h.sizeKiB} kB huge page into the page cache`);
  return 0;
}

/**
 * hugetlb_reserve_pages() at mmap() of `nr` huge pages: a shared mapping reserves the pages
 * the inode holds no reservation for (and the inode then holds them all); a private one
 * reserves every page for itself. The private mapping's count (0 for a shared one), or
 * -ENOMEM when hugetlb_acct_memory() cannot take them.
 */
export function hugetlbReserve(k: Kernel, inode: Inode, h: Hstate, nr: number, shared: boolean): number {
  let chg = 0;
  for (let i = 0; i < nr; i++) if (!shared || !inode.resvHas(i)) chg++;
  if (chg > 0 && !reserveHugePages(h, chg)) {
    if (k.tracing) k.note('hugetlb_reserve_pages', `cannot reserve ${chg} ${h.sizeKiB} kB page(s): hugetlb_acct_memory() fails (free ${h.free}, reserved ${h.resv})`, { errno: 'ENOMEM' });
    return -Errno.ENOMEM;
  }
  if (chg > 0 && k.tracing) k.note('hugetlb_reserve_pages', `reserved ${chg} ${h.sizeKiB} kB page(s) for the ${shared ? 'shared' : 'private'} mapping`);
  if (!shared) return chg;
  for (let i = 0; i < nr; i++) inode.resv.set(i, true);
  return 0;
}

/** getdents of /sys/kernel/mm/hugepages: one `hugepages-<N>kB` directory per hstate. */
export function hugepagesDirEntries(k: Kernel): string[] | number {
  if (!k.spec.config.HUGETLBFS || k.hstates.length === 0) return -Errno.ENOENT;
  // A loop, not a spread of a map(): every prediction's selftest lists this directory.
  const names = ['.', '..'];
  for (const h of k.hstates) names.push(`hugepages-${h.sizeKiB}kB`);
  return names;
}

/** Read /sys/kernel/mm/hugepages/hugepages-<N>kB/<attr>. */
export function readHugepageAttr(k: Kernel, sizeKiB: number, attr: 'nr_hugepages' | 'free_hugepages'): number {
  const h = k.hstateBySize(sizeKiB);
  if (!h) return -Errno.ENOENT;
  return attr === 'nr_hugepages' ? h.nr : h.free;
}

/** nr_hugepages_store() (root only): the pool grows by what can be allocated. */
export function writeNrHugepages(k: Kernel, sizeKiB: number, value: number): number {
  const h = k.hstateBySize(sizeKiB);
  if (!h) return -Errno.ENOENT;
  if (!k.spec.user.root) return -Errno.EACCES;
  const before = h.nr;
  setNrHugePages(h, value);
  if (k.tracing) k.note('nr_hugepages_store', `${sizeKiB} kB pool: asked for ${value}, have ${h.nr} (was ${before})`);
  return 0;
}
