/**
 * dirty-after-writeback: a device keeps writing through a R/W long-term pin of a MAP_SHARED
 * file page after the filesystem has written it back, write-protected it and (under memory
 * pressure) dropped its buffers; unpin then dirties a folio the filesystem never prepared.
 * The story of Lorenzo Stoakes' "mm/gup: disallow FOLL_LONGTERM GUP-nonfast writing to
 * file-backed mappings" cover letters (v5–v9) and Jason Gunthorpe's and Jan Kara's replies.
 */
import { errnoName } from '../../kernel-model/errno.js';
import { FOLL_LONGTERM, FOLL_WRITE, pinUserPages } from '../../kernel-model/gup.js';
import { dmaWrite, iommuDomain, iommuMap } from '../../kernel-model/iommu.js';
import { ioUringRegister, ioUringRelease, ioUringSetup } from '../../kernel-model/io-uring.js';
import type { Folio } from '../../kernel-model/mm-types.js';
import { folioMappings } from '../../kernel-model/rmap.js';
import { folioAt, userWrite } from '../../kernel-model/uaccess.js';
import {
  fileContents,
  folioMarkDirty,
  reclaimFolio,
  unpinUserPagesDirtyLock,
  writebackFolio,
  writebackInode,
} from '../../kernel-model/writeback.js';
import {
  BACKINGS,
  boot,
  checkWritebackHealth,
  folioState,
  mapBacking,
  reclaimWords,
  writebackWords,
  type BackingName,
} from './machine.js';
import { ScenarioLog, type Outcome, type Scenario } from './scenario.js';

const IOVA = 0x100000;
const DEVICE = 'device-data';

export const dirtyAfterWriteback: Scenario = {
  name: 'dirty-after-writeback',
  summary:
    'a R/W long-term pin of a MAP_SHARED file outlives writeback and reclaim; unpin dirties it behind the filesystem',
  story: `A process maps a file MAP_SHARED and writes it (->page_mkwrite prepares the folio).
A driver pins the page R/W long-term (an RDMA memory region: pin_user_pages(FOLL_WRITE |
FOLL_LONGTERM), or io_uring fixed buffers). Writeback cleans the folio and write-protects
its PTEs; reclaim unmaps it and strips its buffers but cannot free it (it is pinned); the
device writes through the pin; unpin_user_pages_dirty_lock() dirties the folio with no
->page_mkwrite. The filesystem meets a dirty folio it never prepared: ext4 BUG()s (before
5.18), or warns and drops the data; from 6.4 reclaim keeps a pinned folio's buffers and the
data reaches the disk untracked; from 6.5 the pin itself is refused (EFAULT).
shmem, hugetlbfs and MAP_PRIVATE never write back a pinned page: nothing goes wrong.`,
  options: [
    {
      name: 'backing',
      values: BACKINGS,
      default: 'cwd',
      help: 'what is mapped: a file in the test directory (--cwd-fs), in /tmp (--tmp-fs), a memfd, a hugetlb memfd',
    },
    {
      name: 'mapping',
      values: ['shared', 'private'],
      default: 'shared',
      help: 'MAP_SHARED or MAP_PRIVATE',
    },
    {
      name: 'via',
      values: ['gup', 'io_uring'],
      default: 'gup',
      help: 'pin_user_pages(FOLL_WRITE|FOLL_LONGTERM) (an RDMA MR) or io_uring fixed buffers',
    },
  ],
  shows: [
    'gup_longterm_write_file_denied',
    'gup_fast_longterm_write_file_denied',
    'io_uring_gup_decides_file_backed',
  ],

  run(env, o) {
    const { k, task } = boot(env);
    const log = new ScenarioLog(k);
    const shared = o.mapping === 'shared';
    const m = mapBacking(k, task, o.backing as BackingName, shared);
    if ('error' in m) return m;
    const fsName = m.inode.mount.type.name;
    log.step(`map ${m.what}`, `0x${m.addr.toString(16)}`);

    userWrite(task, m.addr, 'process-data');
    const folio = folioAt(task, m.addr)!;
    log.step(
      'the process writes the page (first write fault)',
      `${folio.kind} folio ${folio.id}, dirty=${folio.dirty}, prepared by ->page_mkwrite=${folio.fsPrepared}`,
    );
    const mkwrite = '->page_mkwrite prepared the folio on the first write';
    if (folio.kind === 'pagecache') log.check(mkwrite, folio.fsPrepared);
    else
      log.skip(
        mkwrite,
        shared
          ? `${fsName} has no ->page_mkwrite`
          : 'MAP_PRIVATE: the write went to an anonymous copy',
      );

    // The pin, and the device's view of it.
    const dev = iommuDomain(o.via === 'io_uring' ? 'io_uring fixed buffer' : 'RDMA MR');
    let pinned: Folio[] = [];
    let ret: number;
    const ring = o.via === 'io_uring' ? ioUringSetup(k, 1) : undefined;
    if (typeof ring === 'number')
      return { error: `io_uring_setup failed (errno ${-ring}); see --io-uring-disabled` };
    if (ring) {
      ret = ioUringRegister(k, task, ring, [{ base: m.addr, len: m.size }]);
      pinned = [...ring.buffers];
    } else {
      const r = pinUserPages(k, task, m.addr, m.size / k.pageSize, FOLL_WRITE | FOLL_LONGTERM);
      ret = r.ret;
      pinned = r.ret > 0 ? r.folios : [];
    }
    const refused = ret < 0;
    const target = pinned[0];
    if (!refused && target) iommuMap(k, dev, IOVA, { kind: 'folio', folio: target });
    log.step(
      o.via === 'io_uring'
        ? 'io_uring_register_buffers()'
        : 'pin_user_pages(FOLL_WRITE|FOLL_LONGTERM)',
      refused ? `refused: ${errnoName(-ret) ?? ret}` : `granted: folio ${target?.id} pinned`,
    );

    const written = 'writeback cleaned the folio and write-protected its PTEs';
    const kept = 'reclaim did not free the pinned folio';
    if (refused || !target) {
      log.skip(written, 'the pin was refused');
      log.skip(kept, 'the pin was refused');
    } else {
      const wb = writebackFolio(k, m.inode, 0);
      log.step('writeback (the flusher)', writebackWords([wb]));
      if (wb === 'written')
        log.check(
          written,
          !target.dirty &&
            folioMappings(k, target).every((x) => !x.vma.ptes.get(x.index)?.writable),
        );
      else
        log.skip(
          written,
          wb === 'no-writeback'
            ? `${fsName} does not write back`
            : 'the pinned folio is not in the page cache',
        );
      const rc = reclaimFolio(k, m.inode, 0);
      log.step('memory pressure: reclaim the file page', reclaimWords(rc));
      log.check(kept, !target.freed);

      dmaWrite(k, dev, IOVA, DEVICE);
      if (ring) folioMarkDirty(k, target, 'bio_set_pages_dirty');
      log.step(
        'the device writes through the pin',
        `folio ${target.id} now holds "${target.data}"`,
      );
      if (ring) ioUringRelease(k, ring);
      else unpinUserPagesDirtyLock(k, pinned, true);
      log.step(
        ring ? 'io_uring_unregister_buffers()' : 'unpin_user_pages_dirty_lock(make_dirty)',
        `dirty=${target.dirty}, buffers=${target.fsPrivate}`,
      );
      const synced = writebackInode(k, m.inode);
      log.step('sync', writebackWords(synced));
    }

    const onDisk = fileContents(m.inode, 0);
    const { klog, untracked } = checkWritebackHealth(log, k);
    const arrived = 'after sync the file holds the data the device wrote';
    const isolated = 'the file does not hold the device data (it wrote a private anonymous copy)';
    if (refused) log.skip(shared ? arrived : isolated, 'the device never had the page');
    else if (shared) log.check(arrived, onDisk === DEVICE);
    else log.check(isolated, onDisk !== DEVICE);

    let outcome: Outcome;
    let summary: string;
    const bug = klog.find((l) => l.level === 'bug');
    if (refused) {
      outcome = 'refused';
      summary = `the kernel refused the long-term R/W pin (${errnoName(-ret) ?? ret})`;
    } else if (bug) {
      outcome = 'crashed';
      summary = `${bug.fn}: ${bug.text}`;
    } else if (shared ? onDisk !== DEVICE : onDisk === DEVICE) {
      outcome = 'corrupted';
      summary = `the file holds "${onDisk}" after sync, not the device's data${klog.length ? ` (${klog.map((l) => l.fn).join(', ')} warned)` : ''}`;
    } else if (untracked.length) {
      outcome = 'untracked';
      summary = `the device's data reached the disk, but ${untracked[0]?.fs} wrote back a folio it never prepared`;
    } else {
      outcome = 'safe';
      summary = shared
        ? `${fsName}: the device's data is in the file and the filesystem was never bypassed`
        : 'the device wrote a private copy; the file was never involved';
    }
    return log.result(env, this.name, o, outcome, summary, {
      pinnedFolio: folioState(target),
      pageCacheFolio: folioState(m.inode.pages.get(0)),
      file: onDisk ?? null,
      kernelLog: klog,
      unpreparedWritebacks: untracked,
    });
  },
};
