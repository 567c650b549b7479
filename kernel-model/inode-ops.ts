/**
 * What a file's system calls do to its inode once Task (task.ts) has found the open file:
 * setting its size, fallocate(), and the final iput that frees an unlinked inode's page cache.
 */
import { Errno } from './errno.js';
import { fallocateRefusalWords, mountFallocate } from './fs.js';
import { freeHugePage, unreserveHugePages } from './hugetlb.js';
import { hugetlbfsFallocate } from './hugetlbfs.js';
import type { Kernel } from './kernel.js';
import type { Folio, Inode } from './mm-types.js';

/** notify_change() → ->setattr of ATTR_SIZE (ftruncate). 0 or a negative errno. */
export function truncateInode(k: Kernel, inode: Inode, length: number): number {
  if (inode.mount.type.setattrByPath && inode.nlink === 0) {
    // v9fs setattr by path on an unlinked file: the QEMU 9p server answers ENOENT (QEMU issue 103).
    if (k.tracing) k.note('v9fs_vfs_setattr_dotl', 'setattr of an unlinked file fails on the 9p server', { errno: 'ENOENT' });
    return -Errno.ENOENT;
  }
  if (inode.hstate && length % (inode.hstate.sizeKiB * 1024) !== 0) {
    // hugetlbfs_setattr: size must be huge-page aligned.
    return -Errno.EINVAL;
  }
  inode.size = length;
  return 0;
}

/** vfs_fallocate() → the filesystem's ->fallocate (mode 0 only). 0 or a negative errno. */
export function fallocateInode(k: Kernel, inode: Inode, mode: number, offset: number, length: number): number {
  if (mode !== 0) return -Errno.EOPNOTSUPP;
  if (inode.hstate) {
    const r = hugetlbfsFallocate(k, inode, inode.hstate, offset, length);
    if (r < 0) return r;
  } else {
    const refusal = mountFallocate(inode.mount);
    if (refusal !== undefined) {
      if (k.tracing) {
        const w = fallocateRefusalWords(inode.mount, refusal);
        k.note(w.fn, w.why, { errno: 'EOPNOTSUPP' });
      }
      return -Errno.EOPNOTSUPP;
    }
  }
  inode.size = Math.max(inode.size, offset + length);
  return 0;
}

/** truncate_inode_pages_final() of an evicted inode: a folio nobody pins is freed. */
function evictFolio(inode: Inode, folio: Folio): void {
  if (folio.pincount === 0) {
    folio.freed = true;
    if (inode.hstate) freeHugePage(inode.hstate);
  }
}

/** evictFolio() as a forEach() callback, the inode its `this`. */
function freeEvictedFolio(this: Inode, folio: Folio): void {
  evictFolio(this, folio);
}

/** iputFinal()'s count of an inode's reservations for pages never faulted in. */
interface UnusedReservations {
  inode: Inode;
  unused: number;
}

function countUnusedReservation(this: UnusedReservations, _reserved: true, index: number): void {
  if (!this.inode.pages.has(index)) this.unused++;
}

/** iput_final(): an unlinked inode with no opener and no mapping frees its page cache. */
export function iputFinal(inode: Inode): void {
  if (inode.openCount > 0 || inode.nlink > 0 || inode.mapCount > 0) return;
  if (inode.pages.size === 0 && inode.resvSize() === 0) return;
  // Reservations of pages that were never faulted in are given back to the pool.
  let unused = 0;
  if (inode.resvSize() > 0) {
    const count: UnusedReservations = { inode, unused: 0 };
    inode.resv.forEach(countUnusedReservation, count);
    unused = count.unused;
  }
  // forEach with a function that closes over nothing (the inode is its `this`): no closure
  // or context per eviction, and no [index, folio] entry array per page as for-of makes.
  const sole = inode.pages.sole();
  if (sole !== undefined) evictFolio(inode, sole);
  else inode.pages.forEach(freeEvictedFolio, inode);
  inode.pages.clear();
  if (inode.hstate) unreserveHugePages(inode.hstate, unused);
  // Only when non-empty (a SmallMap's clear() drops any Map it made).
  if (inode.resvSize() > 0) inode.resv.clear();
}
