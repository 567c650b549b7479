/**
 * kernel-va-access: vhost's 2019 "access vq metadata through kernel virtual address"
 * (GUP + vmap() of the ring pages, an mmu notifier to drop them). The kernel writes the used
 * ring through its own mapping, which sets no dirty bit in any PTE, so vhost must
 * set_page_dirty() itself: safe from invalidate_range_start (the user PTE is still writable,
 * the filesystem still knows the folio dirty), not after writeback cleaned and
 * write-protected it (Andrea Arcangeli and Jérôme Glisse / Jason Gunthorpe on the thread).
 */
import {
  FOLL_WRITE,
  getUserPagesRefs,
  pinUserPages,
  putFolios,
  unpinFolios,
  type PinResult,
} from '../../kernel-model/gup.js';
import type { Folio } from '../../kernel-model/mm-types.js';
import { mmuNotifierRegister } from '../../kernel-model/mmu-notifier.js';
import { userRead, userWrite } from '../../kernel-model/uaccess.js';
import {
  fileContents,
  folioMarkDirty,
  reclaimFolio,
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

const LAST = 'used-ring-2';

export const kernelVaAccess: Scenario = {
  name: 'kernel-va-access',
  summary:
    'vhost writes ring pages through vmap(); when it calls set_page_dirty() decides whether the filesystem keeps up',
  story: `A guest's vring lives in a MAP_SHARED mapping. vhost takes the ring pages with GUP
(FOLL_WRITE; FOLL_GET as in 2019, or FOLL_PIN), vmap()s them and registers an mmu notifier.
It writes the used ring through the kernel address: no PTE dirty bit is set. Writeback
write-protects the page (folio_mkclean() calls the notifier) and writes it out. With
--set-dirty start vhost dirties the page and drops its mapping in invalidate_range_start,
while the user PTE is still writable; its next access faults through ->page_mkwrite.
With --set-dirty after it keeps writing through the stale kernel mapping and dirties the page
at teardown: reclaim meanwhile stripped the buffers (a FOLL_GET reference is no pin), and the
filesystem meets a dirty folio it never prepared. Anonymous memory, tmpfs and hugetlbfs need
no writeback; MAP_SHARED on ext4 does.`,
  options: [
    {
      name: 'backing',
      values: [...BACKINGS, 'anon'],
      default: 'cwd',
      help: 'where the ring lives: a MAP_SHARED file in the test directory (--cwd-fs), in /tmp, a memfd, a hugetlb memfd, or anonymous memory',
    },
    {
      name: 'set-dirty',
      values: ['start', 'after'],
      default: 'after',
      help: 'set_page_dirty() in invalidate_range_start, or after the invalidation (at teardown)',
    },
    {
      name: 'ref',
      values: ['get', 'pin'],
      default: 'get',
      help: 'FOLL_GET references (the 2019 code) or FOLL_PIN',
    },
  ],
  shows: [],

  run(env, o) {
    const { k, task } = boot(env);
    const log = new ScenarioLog(k);
    const anon = o.backing === 'anon';
    const m = mapBacking(k, task, anon ? 'memfd' : (o.backing as BackingName), !anon);
    if ('error' in m) return m;
    const nr = m.size / k.pageSize;
    userWrite(task, m.addr, 'used-ring-0');
    log.step(`the guest's ring: ${m.what}, written once`, 'first write fault');

    const pin = o.ref === 'pin';
    const grab = (): PinResult =>
      pin
        ? pinUserPages(k, task, m.addr, nr, FOLL_WRITE)
        : getUserPagesRefs(k, task, m.addr, nr, FOLL_WRITE);
    const release = (folios: readonly Folio[]): void =>
      pin ? unpinFolios(folios) : putFolios(folios);
    let map: Folio[] | undefined = grab().folios;
    /** Was the filesystem prepared (or not involved) every time vhost dirtied the page? */
    let dirtiedUnprepared = false;
    const setDirty = (f: Folio, when: string): void => {
      if (f.kind === 'pagecache' && !f.fsPrepared) dirtiedUnprepared = true;
      folioMarkDirty(k, f, `vhost ${when}: set_page_dirty`);
    };
    const kvaWrite = (label: string): void => {
      const f = map![0]!;
      f.data = label;
      k.note(
        'vhost_put_used',
        `"${label}" written through the vmap() address: no PTE, no dirty bit`,
      );
    };
    mmuNotifierRegister(k, task, {
      owner: 'vhost (vq metadata map)',
      start: m.addr,
      length: m.size,
      invalidate: (phase) => {
        if (phase !== 'start' || o['set-dirty'] !== 'start' || !map) return;
        setDirty(map[0]!, 'invalidate_range_start');
        release(map);
        map = undefined;
        k.note(
          'vhost_invalidate_vq_start',
          'ring pages dirtied and released; the next access maps them again',
        );
      },
    });
    log.step(
      `vhost: ${pin ? 'pin_user_pages' : 'get_user_pages_fast'}(FOLL_WRITE) + vmap() + mmu notifier`,
      `folio ${map[0]?.id}`,
    );

    kvaWrite('used-ring-1');
    log.step('vhost updates the used ring', 'through the kernel mapping');
    log.step('writeback of the ring page', writebackWords([writebackFolio(k, m.inode, 0)]));
    if (!map) {
      map = grab().folios;
      log.step(
        'vhost maps the ring again',
        `a write fault${map[0]?.fsPrepared ? ' through ->page_mkwrite' : ''}`,
      );
    }
    kvaWrite(LAST);
    log.step(
      'vhost updates the used ring again',
      map[0]!.kind === 'pagecache' && !map[0]!.dirty
        ? 'the folio is clean and write-protected: nobody told the filesystem'
        : 'the folio is dirty',
    );
    log.step('memory pressure: reclaim the ring page', reclaimWords(reclaimFolio(k, m.inode, 0)));
    const last = map[0]!;
    setDirty(last, 'teardown');
    release(map);
    log.step(
      'vhost stops the ring: set_page_dirty() and release the pages',
      `dirty=${last.dirty}, buffers=${last.fsPrivate}`,
    );
    log.step('sync', writebackWords(writebackInode(k, m.inode)));

    const onDisk = fileContents(m.inode, 0);
    const seen = userRead(task, m.addr).data;
    log.check('vhost dirtied the page only while the filesystem knew it dirty', !dirtiedUnprepared);
    const { klog, untracked } = checkWritebackHealth(log, k);
    log.check('the guest reads the used ring vhost wrote last', seen === LAST);
    const persisted = 'after sync the file holds the used ring vhost wrote last';
    if (anon) log.skip(persisted, 'anonymous memory has no file');
    else log.check(persisted, onDisk === LAST);

    let outcome: Outcome;
    let summary: string;
    const bug = klog.find((l) => l.level === 'bug');
    if (bug) {
      outcome = 'crashed';
      summary = `${bug.fn}: ${bug.text}`;
    } else if (seen !== LAST || (!anon && onDisk !== LAST)) {
      outcome = 'corrupted';
      summary =
        seen !== LAST
          ? `the guest reads "${seen}", not vhost's last used-ring update`
          : `the file holds "${onDisk}" after sync, not vhost's last used-ring update`;
    } else if (untracked.length) {
      outcome = 'untracked';
      summary = `the ring reached the disk, but ${untracked[0]?.fs} wrote back a folio it never prepared`;
    } else {
      outcome = 'safe';
      summary = anon
        ? 'anonymous memory is never written back'
        : m.inode.mount.type.writeback
          ? 'the filesystem saw every dirtying while the page was writable'
          : `${m.inode.mount.type.name} never writes the ring back`;
    }
    return log.result(env, this.name, o, outcome, summary, {
      ringFolio: folioState(last),
      file: anon ? null : (onDisk ?? null),
      guestSees: seen ?? null,
      kernelLog: klog,
      unpreparedWritebacks: untracked,
    });
  },
};
