/**
 * The life of a dirty page-cache folio: ->page_mkwrite on the first write fault, dirtying
 * (folio_mark_dirty), writeback that cleans it and write-protects every mapping
 * (folio_clear_dirty_for_io → folio_mkclean), reclaim that strips fs-private data but cannot
 * free a referenced folio, and unpin_user_pages_dirty_lock() dirtying behind the filesystem's
 * back. Filesystem quirks are FsType properties (fs.ts); era differences are behaviours.
 */
import { unpinFolios } from './gup.js';
import type { Kernel } from './kernel.js';
import { vmaBackingFs, type Folio, type Inode, type Vma } from './mm-types.js';
import { withInvalidation } from './mmu-notifier.js';
import { printk } from './printk.js';
import { folioMappings, tryToUnmap } from './rmap.js';

/** A folio written back although ->page_mkwrite never ran since it was last cleaned. */
export interface UnpreparedWriteback {
  ino: number;
  index: number;
  fs: string;
}

const unprepared = new WeakMap<Kernel, UnpreparedWriteback[]>();

export function unpreparedWritebacks(k: Kernel): readonly UnpreparedWriteback[] {
  return unprepared.get(k) ?? [];
}

/**
 * A write fault on a shared mapping (do_shared_fault / wp_page_shared → do_page_mkwrite):
 * the filesystem's ->page_mkwrite reserves blocks and, on ext4 and btrfs, attaches its
 * private state; then the folio is dirty. shmem and hugetlbfs have no ->page_mkwrite.
 */
export function sharedWriteFault(vma: Vma, folio: Folio): void {
  const fs = vmaBackingFs(vma);
  if (fs.pageMkwrite && folio.kind === 'pagecache') {
    folio.fsPrepared = true;
    if (fs.mkwriteAttachesPrivate) folio.fsPrivate = true;
  }
  folio.dirty = true;
}

/**
 * folio_mark_dirty() via the mapping's ->dirty_folio, as set_page_dirty_lock() calls it for
 * GUP users. ext4_dirty_folio() WARNs when the folio has no buffers (WARN_ON_ONCE in 6.12's
 * fs/ext4/inode.c; ext4_set_page_dirty() carried the same check in the page era).
 */
export function folioMarkDirty(k: Kernel, folio: Folio, caller: string): void {
  const fs = folio.mapping?.mount.type;
  if (folio.kind === 'pagecache' && fs?.writebackRequiresPrivate && !folio.fsPrivate) {
    printk(
      k,
      'warning',
      `${fs.name}_dirty_folio`,
      `${caller}: WARN_ON_ONCE(!folio_buffers(folio)): dirtied without ->page_mkwrite`,
    );
  } else {
    if (k.tracing) k.note(
      'folio_mark_dirty',
      `${caller}: ${folio.kind} folio marked dirty${folio.kind === 'pagecache' && !folio.fsPrepared ? ' without ->page_mkwrite' : ''}`,
    );
  }
  folio.dirty = true;
}

/** folio_mkclean(): write-protect and clean every PTE mapping the folio. */
export function folioMkclean(k: Kernel, folio: Folio): void {
  for (const m of folioMappings(k, folio)) {
    const addr = m.vma.start + m.index * m.vma.pageSize;
    withInvalidation(k, m.mm, addr, m.vma.pageSize, 'folio_mkclean', () => {
      const pte = m.vma.ptes.get(m.index);
      if (pte) m.vma.ptes.set(m.index, { ...pte, writable: false, dirty: false });
    });
  }
  if (k.tracing) k.note('folio_mkclean', 'PTEs write-protected: the next write faults into ->page_mkwrite');
}

export type WritebackResult = 'written' | 'dropped' | 'bug' | 'clean' | 'no-writeback';

/**
 * Write back one dirty page-cache folio (writeback_single_inode → ->writepages).
 * ext4_writepages() meets a dirty folio without buffers: BUG before cc5095747edf (5.18),
 * since then ext4_warning_inode() and the dirty bit is cleared without writing (the data is
 * lost). Other filesystems write it back; when ->page_mkwrite never ran since the last
 * clean, that is recorded (the filesystem reserved nothing for it).
 */
export function writebackFolio(k: Kernel, inode: Inode, index: number): WritebackResult {
  const folio = inode.pages.get(index);
  const fs = inode.mount.type;
  if (!folio || !folio.dirty) return 'clean';
  if (!fs.writeback || folio.kind !== 'pagecache') {
    if (k.tracing) k.note(
      'writeback_single_inode',
      `${fs.name}: the mapping cannot write back; the folio stays dirty in memory`,
    );
    return 'no-writeback';
  }
  // folio_clear_dirty_for_io(): folio_mkclean() moves any dirty PTE bit into the folio, which
  // is already dirty here, and the folio is then cleaned for the write.
  folioMkclean(k, folio);
  folio.dirty = false;
  if (fs.writebackRequiresPrivate && !folio.fsPrivate) {
    if (!k.flags.ext4_no_bug_on_unprepared_dirty) {
      printk(
        k,
        'bug',
        'ext4_writepages',
        `dirty page ${index} without buffers: BUG_ON(!page_has_buffers(page)); ${k.describeAbsent('ext4_no_bug_on_unprepared_dirty')}`,
      );
      folio.dirty = true;
      return 'bug';
    }
    printk(
      k,
      'warning',
      'mpage_prepare_extent_to_map',
      `page ${index} does not have buffers attached: dirty bit cleared, nothing written`,
    );
    if (k.tracing) k.note('ext4_writepages', 'the data in the folio never reaches the disk', {
      by: 'ext4_no_bug_on_unprepared_dirty',
    });
    return 'dropped';
  }
  if (!folio.fsPrepared) {
    let log = unprepared.get(k);
    if (!log) unprepared.set(k, (log = []));
    log.push({ ino: inode.ino, index, fs: fs.name });
    if (k.tracing) k.note(
      'writeback_single_inode',
      `${fs.name} writes back page ${index} although ->page_mkwrite never ran since it was last cleaned (no block reservation, no stable-page wait)`,
    );
  }
  inode.disk.set(index, folio.data);
  folio.fsPrepared = false;
  if (k.tracing) k.note('folio_end_writeback', `page ${index} ("${folio.data}") is on disk; the folio is clean`);
  return 'written';
}

/** sync(): every dirty folio of the inode. */
export function writebackInode(k: Kernel, inode: Inode): WritebackResult[] {
  return [...inode.pages.keys()].map((i) => writebackFolio(k, inode, i));
}

export type ReclaimResult =
  'freed' | 'kept-dirty' | 'kept-pinned' | 'kept-referenced' | 'not-pagecache';

/**
 * shrink_folio_list() for one clean page-cache folio: try_to_unmap(), then (unless
 * d824ec2a1546, 6.4, keeps a pinned folio whole) filemap_release_folio() strips its buffers,
 * and __remove_mapping() frees it only when nothing else holds a reference.
 */
export function reclaimFolio(k: Kernel, inode: Inode, index: number): ReclaimResult {
  const folio = inode.pages.get(index);
  if (!folio || folio.kind !== 'pagecache') {
    if (k.tracing) k.note(
      'shrink_folio_list',
      `${inode.mount.type.name}: not a page-cache folio with a backing store to drop`,
    );
    return 'not-pagecache';
  }
  if (folio.dirty) {
    if (k.tracing) k.note('shrink_folio_list', 'dirty folio: left for the flusher');
    return 'kept-dirty';
  }
  tryToUnmap(k, folio, 'reclaim');
  if (folio.pincount > 0 && k.flags.reclaim_keeps_pinned_private) {
    if (k.tracing) k.note('shrink_folio_list', 'folio_maybe_dma_pinned(): kept, with its private data', {
      by: 'reclaim_keeps_pinned_private',
    });
    return 'kept-pinned';
  }
  if (folio.fsPrivate) {
    folio.fsPrivate = false;
    const why = folio.pincount > 0 ? `; ${k.describeAbsent('reclaim_keeps_pinned_private')}` : '';
    if (k.tracing) k.note(
      'filemap_release_folio',
      `try_to_free_buffers(): the filesystem's private data is gone${why}`,
    );
  }
  if (folio.pincount > 0 || folio.refs > 0) {
    if (k.tracing) k.note(
      '__remove_mapping',
      `refcount raised by ${folio.pincount ? 'a pin' : 'a GUP reference'}: the folio cannot be freed`,
    );
    return 'kept-referenced';
  }
  inode.pages.delete(index);
  folio.freed = true;
  if (k.tracing) k.note('__remove_mapping', 'clean, unreferenced: freed');
  return 'freed';
}

/** unpin_user_pages_dirty_lock(): set_page_dirty_lock() on each folio when asked, then unpin. */
export function unpinUserPagesDirtyLock(
  k: Kernel,
  folios: readonly Folio[],
  makeDirty: boolean,
): void {
  if (makeDirty) for (const f of folios) folioMarkDirty(k, f, 'unpin_user_pages_dirty_lock');
  unpinFolios(folios);
}

/** What a reader finds after the page cache is dropped: the disk, or the page cache for shmem/hugetlbfs. */
export function fileContents(inode: Inode, index: number): string | undefined {
  if (inode.mount.type.writeback) return inode.diskAt(index) ?? 'zeroes';
  return inode.pages.get(index)?.data;
}
