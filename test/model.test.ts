/**
 * The simulated kernel's mechanisms, checked directly: the v6.5 dirty-tracking rule, GUP-fast
 * agreeing with the slow path, io_uring's eras, hugetlb pool accounting as a state machine
 * (fast-check model-based test), and the libc/liburing errno rules.
 */
import t from 'tap';
import fc from 'fast-check';
import { Kernel, type KernelSpec } from '../kernel-model/kernel.js';
import { FS_TYPES, FS_NAMES, type FsName } from '../kernel-model/fs.js';
import { isRelease, parseRelease } from '../kernel-model/release.js';
import { parsePatch, resolveBehaviours, type PatchSpec } from '../kernel-model/behaviours.js';
import { Task, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from '../kernel-model/task.js';
import { FOLL_LONGTERM, FOLL_WRITE, pinUserPages, pinUserPagesFast, unpinFolios, vmaNeedsDirtyTracking } from '../kernel-model/gup.js';
import { Errno } from '../kernel-model/errno.js';
import { Process } from '../cases/libc/process.js';
import { Liburing, liburingSetsErrno } from '../cases/libc/liburing.js';
import { Stdout } from '../cases/libc/stdout.js';

function spec(release: string, over: Partial<KernelSpec> = {}, patches: string[] = []): KernelSpec {
  const r = parseRelease(release);
  if (!isRelease(r)) throw new Error(r.error);
  return {
    release: r,
    patches: patches.map((p) => parsePatch(p) as PatchSpec),
    config: { GUP_TEST: true, IO_URING: true, HUGETLBFS: true, DEBUG_FS: true },
    arch: 'x86_64',
    pageSizeKiB: 4,
    hugetlb: [{ sizeKiB: 2048, free: 4, allocatable: 0, movable: false }],
    mounts: { tmp: { type: FS_TYPES.tmpfs }, cwd: { type: FS_TYPES.ext4 } },
    user: { root: true, memlockKiB: 8192, groups: [] },
    sysctl: { ioUringDisabled: 0, ioUringGroup: -1 },
    ...over,
  };
}

/** A file on `fs` in the test directory, mapped and written like the selftest does. */
function mappedFile(task: Task, shared: boolean): number {
  const fd = task.openCreateExcl('f');
  task.unlink('f');
  task.ftruncate(fd, 4096);
  task.fallocate(fd, 0, 0, 4096);
  const addr = task.mmap(4096, PROT_READ | PROT_WRITE, shared ? MAP_SHARED : MAP_PRIVATE, fd);
  t.equal(task.access(addr, 4096, true), 'ok');
  return addr;
}

const RELEASES = ['5.10', '5.15', '6.1', '6.2', '6.4', '6.5', '6.6', '6.10', '6.12.117', '6.18.44', 'next'];
const DIRTY_TRACKED: FsName[] = FS_NAMES.filter((n) => {
  const f = FS_TYPES[n];
  return !f.shmem && !f.hugetlbfs && !f.dax && !f.readOnly && (f.pageMkwrite || f.writeback);
});

t.test('R/W long-term pins of dirty-tracked MAP_SHARED files: EFAULT from 6.5, pinned before', async () => {
  fc.assert(
    fc.property(fc.constantFrom(...RELEASES), fc.constantFrom(...DIRTY_TRACKED), fc.boolean(), (rel, fs, fast) => {
      const k = new Kernel(spec(rel, { mounts: { tmp: { type: FS_TYPES.tmpfs }, cwd: { type: FS_TYPES[fs] } } }));
      const task = new Task(k);
      const addr = mappedFile(task, true);
      const pin = fast ? pinUserPagesFast : pinUserPages;
      const r = pin(k, task, addr, 1, FOLL_WRITE | FOLL_LONGTERM);
      const r65 = isRelease(parseRelease(rel)) && (rel === 'next' || Number(rel.split('.')[0]) * 100 + Number(rel.split('.')[1]) >= 605);
      return r65 ? r.ret === -Errno.EFAULT : r.ret === 1;
    }),
  );
});

t.test('the seed state: 6.4 plus the three GUP commits refuses the pin, io_uring still filters', async (t) => {
  const k = new Kernel(spec('6.4', {}, ['+54cbbbf3faf6', '+8ac268436e6d', '+a6e79df92e4a']));
  t.ok(k.has('gup_longterm_write_file_denied'));
  t.notOk(k.has('io_uring_gup_decides_file_backed'));
  const task = new Task(k);
  t.equal(pinUserPages(k, task, mappedFile(task, true), 1, FOLL_WRITE | FOLL_LONGTERM).ret, -Errno.EFAULT);
  const reverted = resolveBehaviours(k.spec.release, [parsePatch('-8ac268436e6d') as PatchSpec]);
  t.notOk(reverted.has('gup_longterm_write_file_denied'));
});

t.test('GUP-fast always ends where the slow path ends', async () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...RELEASES),
      fc.constantFrom<FsName>('tmpfs', 'ext4', 'xfs', 'nfs', 'ramfs', 'btrfs'),
      fc.boolean(),
      fc.boolean(),
      fc.boolean(),
      (rel, fs, shared, write, ro) => {
        const results = [false, true].map((fast) => {
          const k = new Kernel(spec(rel, { mounts: { tmp: { type: FS_TYPES.tmpfs }, cwd: { type: FS_TYPES[fs] } } }));
          const task = new Task(k);
          const addr = mappedFile(task, shared);
          if (ro) task.mprotect(addr, 4096, PROT_READ);
          const flags = FOLL_LONGTERM | (write && !ro ? FOLL_WRITE : 0);
          return (fast ? pinUserPagesFast : pinUserPages)(k, task, addr, 1, flags).ret;
        });
        return results[0] === results[1];
      },
    ),
  );
});

t.test('fsdax MAP_PRIVATE: GUP-fast pins the anonymous COW copy the slow path refuses by VMA', async (t) => {
  // The one place the fast path, which never looks at the VMA, can end differently:
  // check_vma_flags() refuses any FOLL_LONGTERM pin of an fsdax VMA, but after the selftest's
  // memset the PTE maps an ordinary anonymous folio that gup_fast_folio_allowed() accepts.
  const k = new Kernel(spec('6.12', { mounts: { tmp: { type: FS_TYPES.tmpfs }, cwd: { type: FS_TYPES['ext4-dax'] } } }));
  const task = new Task(k);
  const addr = mappedFile(task, false);
  t.equal(pinUserPages(k, task, addr, 1, FOLL_LONGTERM).ret, -Errno.EOPNOTSUPP);
  t.equal(pinUserPagesFast(k, task, addr, 1, FOLL_LONGTERM).ret, 1);
  const shared = mappedFile(task, true);
  t.equal(pinUserPagesFast(k, task, shared, 1, FOLL_LONGTERM).ret, -Errno.EOPNOTSUPP, 'devmap PTE: fast path bails');
});

t.test('vma_needs_dirty_tracking: shmem and hugetlb never, private never', async (t) => {
  const k = new Kernel(spec('6.5'));
  const task = new Task(k);
  const fd = task.memfdCreate();
  task.ftruncate(fd, 4096);
  const addr = task.mmap(4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
  t.notOk(vmaNeedsDirtyTracking(task.findVma(addr)!));
  const p = mappedFile(task, false);
  t.notOk(vmaNeedsDirtyTracking(task.findVma(p)!));
  const s = mappedFile(task, true);
  t.ok(vmaNeedsDirtyTracking(task.findVma(s)!));
});

t.test('fsdax refuses every long-term pin with EOPNOTSUPP, before (≤5.10) or after pinning', async (t) => {
  for (const rel of ['5.10', '6.12']) {
    const k = new Kernel(spec(rel, { mounts: { tmp: { type: FS_TYPES.tmpfs }, cwd: { type: FS_TYPES['ext4-dax'] } } }));
    const task = new Task(k);
    const addr = mappedFile(task, false);
    t.equal(pinUserPages(k, task, addr, 1, FOLL_LONGTERM).ret, -Errno.EOPNOTSUPP, rel);
  }
});

t.test('long-term pins migrate movable pages; gigantic CMA pages cannot move (ENOMEM)', async (t) => {
  for (const [sizeKiB, expect] of [
    [2048, 1],
    [1048576, -Errno.ENOMEM],
  ] as const) {
    const k = new Kernel(spec('6.12', { hugetlb: [{ sizeKiB, free: 2, allocatable: 0, movable: true }] }));
    const task = new Task(k);
    const fd = task.memfdCreate(sizeKiB);
    const size = sizeKiB * 1024;
    task.ftruncate(fd, size);
    t.equal(task.fallocate(fd, 0, 0, size), 0);
    const addr = task.mmap(size, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
    task.access(addr, size, true);
    const r = pinUserPages(k, task, addr, size / 4096, FOLL_LONGTERM | FOLL_WRITE);
    t.equal(r.ret > 0 ? 1 : r.ret, expect, `${sizeKiB} kB`);
  }
  // Before d1e153fea2a8 (5.13) nothing was migrated: the pin simply succeeds.
  const old = new Kernel(spec('5.10', { hugetlb: [{ sizeKiB: 1048576, free: 2, allocatable: 0, movable: true }] }));
  const task = new Task(old);
  const fd = task.memfdCreate(1048576);
  task.fallocate(fd, 0, 0, 1 << 30);
  const addr = task.mmap(1 << 30, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
  task.access(addr, 1 << 30, true);
  t.ok(pinUserPages(old, task, addr, 262144, FOLL_LONGTERM).ret > 0);
});

t.test('io_uring buffer registration across eras', async (t) => {
  const register = (rel: string, fs: FsName, shared: boolean, over: Partial<KernelSpec> = {}): number => {
    const k = new Kernel(spec(rel, { mounts: { tmp: { type: FS_TYPES.tmpfs }, cwd: { type: FS_TYPES[fs] } }, ...over }));
    const task = new Task(k);
    const addr = fs === 'tmpfs' && shared ? (() => {
      const fd = task.memfdCreate();
      task.ftruncate(fd, 4096);
      const a = task.mmap(4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
      task.access(a, 4096, true);
      return a;
    })() : mappedFile(task, shared);
    const ring = task.ioUringSetup(1);
    if (ring < 0) return ring;
    return task.ioUringRegisterBuffers(ring, [{ base: addr, len: 4096 }]);
  };
  t.equal(register('5.10', 'tmpfs', true), -Errno.EOPNOTSUPP, '≤5.13: shmem refused');
  t.equal(register('5.14', 'tmpfs', true), 0, '40dad765c045: shmem allowed');
  t.equal(register('6.1', 'ext4', false), -Errno.EOPNOTSUPP, '≤6.4: private file mapping refused');
  t.equal(register('6.1', 'ext4', true), -Errno.EOPNOTSUPP);
  t.equal(register('6.5', 'ext4', false), 0, '34ed8d0dcd69: GUP decides, private is fine');
  t.equal(register('6.5', 'ext4', true), -Errno.EFAULT, '… shared dirty-tracked is EFAULT');
  t.equal(register('6.18', 'ext4', false, { sysctl: { ioUringDisabled: 2, ioUringGroup: -1 } }), -Errno.EPERM, 'io_uring_disabled=2');
  t.equal(register('6.1', 'ext4', false, { sysctl: { ioUringDisabled: 2, ioUringGroup: -1 } }), -Errno.EOPNOTSUPP, 'no sysctl before 6.6');
  t.equal(register('6.18', 'ext4', false, { sysctl: { ioUringDisabled: 1, ioUringGroup: -1 }, user: { root: false, memlockKiB: 8192, groups: [] } }), -Errno.EPERM);
  t.equal(register('6.18', 'ext4', false, { config: { GUP_TEST: true, IO_URING: false, HUGETLBFS: true, DEBUG_FS: true } }), -Errno.ENOSYS);
});

t.test('io_uring accounts a 1 GiB page against RLIMIT_MEMLOCK for non-root', async (t) => {
  for (const [root, memlockKiB, expect] of [
    [true, 8192, 0],
    [false, 8192, -Errno.ENOMEM],
    [false, 'unlimited', 0],
  ] as const) {
    const k = new Kernel(spec('6.12', { hugetlb: [{ sizeKiB: 1048576, free: 2, allocatable: 0, movable: false }], user: { root, memlockKiB, groups: [] } }));
    const task = new Task(k);
    const fd = task.memfdCreate(1048576);
    task.fallocate(fd, 0, 0, 1 << 30);
    const addr = task.mmap(1 << 30, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
    task.access(addr, 1 << 30, true);
    const ring = task.ioUringSetup(1);
    t.equal(task.ioUringRegisterBuffers(ring, [{ base: addr, len: 1 << 30 }]), expect, `root=${root} memlock=${memlockKiB}`);
  }
});

t.test('hugetlb pool accounting as a state machine (fast-check model-based)', async () => {
  type Model = { free: number; files: { fd: number; shared: boolean; filled: boolean; maps: { addr: number; cow: boolean; resv: number }[] }[] };
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 4 }),
      fc.array(fc.tuple(fc.constantFrom('open', 'fallocate', 'mmap', 'touch', 'munmap', 'close'), fc.boolean(), fc.nat(5)), { maxLength: 30 }),
      (free, ops) => {
        const k = new Kernel(spec('6.12', { hugetlb: [{ sizeKiB: 2048, free, allocatable: 0, movable: false }] }));
        const h = k.hstates[0]!;
        const task = new Task(k);
        const size = 2 << 20;
        const m: Model = { free, files: [] };
        for (const [op, shared, pick] of ops) {
          const file = m.files[pick % Math.max(1, m.files.length)];
          if (op === 'open') m.files.push({ fd: task.memfdCreate(2048), shared, filled: false, maps: [] });
          else if (!file) continue;
          else if (op === 'fallocate') {
            const r = task.fallocate(file.fd, 0, 0, size);
            if (r === 0) file.filled = true;
          } else if (op === 'mmap') {
            const addr = task.mmap(size, PROT_READ | PROT_WRITE, file.shared ? MAP_SHARED : MAP_PRIVATE, file.fd);
            if (addr >= 0) file.maps.push({ addr, cow: !file.shared, resv: 0 });
          } else if (op === 'touch' && file.maps.length) {
            task.access(file.maps[pick % file.maps.length]!.addr, size, true);
          } else if (op === 'munmap' && file.maps.length) {
            const [mp] = file.maps.splice(pick % file.maps.length, 1);
            task.munmap(mp!.addr, size);
          } else if (op === 'close') {
            for (const mp of file.maps) task.munmap(mp.addr, size);
            task.close(file.fd);
            m.files.splice(m.files.indexOf(file), 1);
          }
          // Invariants: counts never go negative and reservations never exceed free pages.
          if (h.free < 0 || h.resv < 0 || h.resv > h.free) return false;
        }
        for (const file of [...m.files]) {
          for (const mp of file.maps) task.munmap(mp.addr, size);
          task.close(file.fd);
        }
        // Everything released: the pool is whole again.
        return h.free === free && h.resv === 0;
      },
    ),
  );
});

t.test('MAP_SHARED hugetlb needs one free page, MAP_PRIVATE two', async (t) => {
  for (const [free, shared, ok] of [
    [1, true, true],
    [1, false, false],
    [2, false, true],
    [0, true, false],
  ] as const) {
    const k = new Kernel(spec('6.12', { hugetlb: [{ sizeKiB: 2048, free, allocatable: 0, movable: false }] }));
    const task = new Task(k);
    const fd = task.memfdCreate(2048);
    const fa = task.fallocate(fd, 0, 0, 2 << 20);
    const addr = fa === 0 ? task.mmap(2 << 20, PROT_READ | PROT_WRITE, shared ? MAP_SHARED : MAP_PRIVATE, fd) : fa;
    t.equal(addr >= 0, ok, `free=${free} shared=${shared}`);
    if (addr >= 0) t.equal(task.access(addr, 2 << 20, true), 'ok');
    if (fa !== 0) t.equal(fa, -Errno.ENOSPC);
    else if (addr < 0) t.equal(addr, -Errno.ENOMEM);
  }
});

t.test('libc sets errno only on failure; liburing ≥2.2 on x86_64/arm64 never does', async (t) => {
  const k = new Kernel(spec('6.12'));
  const proc = new Process(k);
  t.equal(proc.open('/sys/kernel/debug/gup_test') >= 0, true);
  t.equal(proc.errno, 0);
  t.equal(proc.fallocate(proc.memfd_create('x', 2048), 0, 0, 16 << 20), -1);
  t.equal(proc.errno, Errno.ENOSPC);
  t.equal(proc.memfd_create('y') >= 0, true);
  t.equal(proc.errno, Errno.ENOSPC, 'a successful call leaves errno alone');
  t.ok(liburingSetsErrno({ version: '2.1', arch: 'x86_64' }));
  t.notOk(liburingSetsErrno({ version: '2.3', arch: 'x86_64' }));
  t.ok(liburingSetsErrno({ version: '2.5', arch: 'ppc64le' }));
  const raw = new Liburing(proc, { version: '2.3', arch: 'x86_64' });
  const kk = new Kernel(spec('6.18', { sysctl: { ioUringDisabled: 2, ioUringGroup: -1 } }));
  const p2 = new Process(kk);
  const raw2 = new Liburing(p2, { version: '2.3', arch: 'x86_64' });
  t.equal(raw2.io_uring_queue_init(1).ret, -Errno.EPERM);
  t.equal(p2.errno, 0, 'raw syscall: errno untouched');
  const viaLibc = new Liburing(p2, { version: '2.1', arch: 'x86_64' });
  viaLibc.io_uring_queue_init(1);
  t.equal(p2.errno, Errno.EPERM, 'libc syscall(): errno set');
  t.ok(raw);
});

t.test('glibc tmpfile() falls back when the filesystem has no O_TMPFILE, leaving EOPNOTSUPP', async (t) => {
  const k = new Kernel(spec('6.12', { mounts: { tmp: { type: FS_TYPES.nfs }, cwd: { type: FS_TYPES.ext4 } } }));
  const proc = new Process(k);
  const f = proc.tmpfile();
  t.ok(f);
  t.equal(proc.errno, Errno.EOPNOTSUPP);
  const ro = new Process(new Kernel(spec('6.12', { mounts: { tmp: { type: FS_TYPES.erofs }, cwd: { type: FS_TYPES.ext4 } } })));
  t.equal(ro.tmpfile(), null);
  t.equal(ro.errno, Errno.EROFS);
});

t.test('stdout: a crash loses what stdio had not flushed yet', async (t) => {
  const full = new Stdout();
  full.write('x'.repeat(5000));
  t.equal(full.written().length, 4096);
  full.flush();
  t.equal(full.written().length, 5000);
  const line = new Stdout();
  line.setLineBuffered();
  line.write('a\nb');
  t.equal(line.written(), 'a\n');
  t.equal(line.all(), 'a\nb');
});

t.test('pins are dropped again by unpin and by closing the gup_test file', async (t) => {
  const k = new Kernel(spec('6.12'));
  const task = new Task(k);
  const addr = mappedFile(task, false);
  const r = pinUserPages(k, task, addr, 1, FOLL_LONGTERM);
  t.equal(r.folios[0]!.pincount, 1);
  unpinFolios(r.folios);
  t.equal(r.folios[0]!.pincount, 0);
});
