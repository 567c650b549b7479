/**
 * The anonymous-memory mechanisms cow.c exercises, one at a time on the simulated kernel (not
 * through a log): THP and mTHP faults and the sysfs policy, the huge zeropage, PMD splitting,
 * fork()'s sharing and its copy of pinned pages, do_wp_page()'s reuse rule per release,
 * vmsplice() references against pins, FAULT_FLAG_UNSHARE, swap-out and swap-in with the
 * exclusive bit, MADV_COLLAPSE, mremap(), soft-dirty and mprotect()'s write-upgrade, pagemap,
 * and the sysfs permission a non-root user lacks.
 */
import t from 'tap';
import { kernelSpecFor } from '../cases/machine.js';
import { Errno } from '../kernel-model/errno.js';
import { FOLL_LONGTERM, pinUserPages, pinUserPagesFast, unpinAll } from '../kernel-model/gup.js';
import { Kernel } from '../kernel-model/kernel.js';
import { PG_ANON_EXCLUSIVE } from '../kernel-model/memmap.js';
import {
  MADV_COLLAPSE,
  MADV_DONTFORK,
  MADV_DONTNEED,
  MADV_HUGEPAGE,
  MADV_NOHUGEPAGE,
  MADV_PAGEOUT,
  MAP_ANONYMOUS,
  MAP_HUGETLB,
  MAP_HUGE_SHIFT,
  MREMAP_FIXED,
  MREMAP_MAYMOVE,
} from '../kernel-model/mm-syscalls.js';
import { MAP_PRIVATE, PROT_READ, PROT_WRITE, Task } from '../kernel-model/task.js';
import { env } from './helpers.js';

const KB = 1024;
const MB = 1024 * KB;
const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;

function boot(release: string, extra: Record<string, unknown> = {}): { k: Kernel; task: Task } {
  const k = new Kernel(
    kernelSpecFor(env({ kernel: { release }, hugetlb: [{ sizeKiB: 2048, free: 4 }], ...extra })),
  );
  return { k, task: new Task(k) };
}

/** A size-aligned THP-eligible range of `size` bytes inside a mapping twice as large. */
function thpArea(task: Task, size: number): number {
  const m = task.mmapAnon(2 * size, RW, ANON);
  const mem = Math.ceil((m + 1) / size) * size;
  task.madvise(mem, size, MADV_HUGEPAGE);
  return mem;
}

function labels(task: Task, addr: number, len: number): number[] {
  const out = new Int32Array(Math.ceil(len / 4096));
  const n = task.load(addr, len, out);
  return [...out.subarray(0, typeof n === 'number' ? n : 0)];
}

/** The memory-map pfn task maps at addr (-1: none; < -1: a swap entry). */
function pfnAt(task: Task, addr: number): number {
  const a = task.kernel.anon;
  const tbl = task.anonPt().get(Math.floor(addr / a.pmdSize));
  const e = tbl?.entries[Math.floor(addr / a.pageSize) % a.ptrs] ?? 0;
  return e - 1;
}

t.test(
  'THP faults follow the sysfs policy: PMD size by the top level, mTHP sizes by their own file',
  async (t) => {
    const { k, task } = boot('6.18.44');
    const mem = thpArea(task, 2 * MB);
    task.store(mem, 1, 1, true);
    t.equal(
      task.pagemap(mem + 2 * MB - 4096),
      1,
      'madvise + MADV_HUGEPAGE: one touch maps the whole 2 MiB THP',
    );
    t.ok(task.anonPt().get(Math.floor(mem / (2 * MB)))!.leaf >= 0, 'mapped by the PMD');
    // No MADV_HUGEPAGE under `madvise`: a base page.
    const plain = task.mmapAnon(4 * MB, RW, ANON);
    const p2 = Math.ceil((plain + 1) / (2 * MB)) * 2 * MB;
    task.store(p2, 1, 1, true);
    t.equal(
      task.pagemap(p2 + 4096),
      0,
      'without MADV_HUGEPAGE the neighbour page stays unpopulated',
    );
    // 64 kB `always` through sysfs (root), PMD never: a 64 kB mTHP.
    t.equal(
      task.writeSysfs('/sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled', 'always'),
      0,
    );
    t.equal(
      task.writeSysfs('/sys/kernel/mm/transparent_hugepage/hugepages-2048kB/enabled', 'never'),
      0,
    );
    const m64 = thpArea(task, 64 * KB);
    task.store(m64, 1, 1, true);
    t.equal(task.pagemap(m64 + 64 * KB - 4096), 1, '16 PTEs of one 64 kB folio');
    t.equal(task.pagemap(m64 + 64 * KB), 0, 'and not beyond it');
    const pfn = pfnAt(task, m64);
    t.equal(k.anon.memmap.nrPages(k.anon.memmap.headOf[pfn]!), 16);
    // MADV_NOHUGEPAGE wins.
    const nh = task.mmapAnon(64 * KB, RW, ANON);
    task.madvise(nh, 64 * KB, MADV_NOHUGEPAGE);
    task.store(nh, 1, 1, true);
    t.equal(task.pagemap(nh + 4096), 0, 'VM_NOHUGEPAGE: order 0');
    // Before mTHP (6.8) there are no per-size files.
    const old = boot('6.7');
    t.equal(
      old.task.readSysfs('/sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled'),
      -Errno.ENOENT,
    );
    t.match(
      String(old.task.readSysfs('/sys/kernel/mm/transparent_hugepage/enabled')),
      /\[madvise\]/,
    );
    // Without CONFIG_TRANSPARENT_HUGEPAGE neither the files nor MADV_HUGEPAGE exist.
    const none = boot('6.18.44', {
      kernel: { release: '6.18.44', config: { TRANSPARENT_HUGEPAGE: false } },
    });
    t.equal(
      none.task.readSysfs('/sys/kernel/mm/transparent_hugepage/hpage_pmd_size'),
      -Errno.ENOENT,
    );
    t.equal(
      none.task.madvise(none.task.mmapAnon(4096, RW, ANON), 4096, MADV_HUGEPAGE),
      -Errno.EINVAL,
    );
  },
);

t.test('THP sysfs: world-readable, written only by root', async (t) => {
  const { task } = boot('6.18.44', { user: { root: false, memlockKiB: 8192 } });
  t.equal(task.readSysfs('/sys/kernel/mm/transparent_hugepage/hpage_pmd_size'), '2097152\n');
  t.equal(task.writeSysfs('/sys/kernel/mm/transparent_hugepage/enabled', 'always'), -Errno.EACCES);
  t.equal(task.readSysfs('/sys/kernel/mm/transparent_hugepage/use_zero_page'), '1\n');
});

t.test(
  'the huge zeropage serves reads with use_zero_page, a write splits it and copies',
  async (t) => {
    const { k, task } = boot('6.18.44');
    const mem = thpArea(task, 2 * MB);
    t.same(labels(task, mem, 4096), [0]);
    const tbl = task.anonPt().get(Math.floor(mem / (2 * MB)))!;
    t.equal(tbl.leaf, k.anon.memmap.hugeZero, 'a read maps the huge zeropage by the PMD');
    task.store(mem, 4096, 0xff);
    t.equal(tbl.leaf, -1, 'the write split the PMD');
    t.same(
      labels(task, mem, 2 * 4096),
      [0xff, 0],
      'the written page is a copy; the next still reads zero',
    );
    const off = boot('6.18.44', { thp: { useZeroPage: false } });
    const m2 = thpArea(off.task, 2 * MB);
    off.task.load(m2, 4096, new Int32Array(1));
    t.not(
      off.task.anonPt().get(Math.floor(m2 / (2 * MB)))!.leaf,
      off.k.anon.memmap.hugeZero,
      'use_zero_page 0: a read allocates a THP',
    );
  },
);

t.test('mprotect() of one subpage PTE-maps a THP and keeps every page exclusive', async (t) => {
  const { k, task } = boot('6.18.44');
  const mem = thpArea(task, 2 * MB);
  task.store(mem, 2 * MB, 1);
  t.equal(task.mprotect(mem + 4096, 4096, PROT_READ), 0);
  t.equal(task.mprotect(mem + 4096, 4096, RW), 0);
  const tbl = task.anonPt().get(Math.floor(mem / (2 * MB)))!;
  t.equal(tbl.leaf, -1, 'PTE-mapped now');
  const mm = k.anon.memmap;
  const head = mm.headOf[pfnAt(task, mem)]!;
  t.equal(mm.nrPages(head), 512, 'still one 2 MiB folio');
  t.equal(mm.total[head], 512, 'mapped by 512 PTEs');
  t.ok(
    (mm.pflags[pfnAt(task, mem + 100 * 4096)]! & PG_ANON_EXCLUSIVE) !== 0,
    'PageAnonExclusive kept',
  );
  const vma = task.findVma(mem)!;
  t.same(
    [vma.start, vma.length],
    [mem, 2 * MB],
    'the three VMAs mprotect() made merged back into the MADV_HUGEPAGE one',
  );
});

t.test(
  'fork() shares pages write-protected; the writer gets a copy, the other keeps its content',
  async (t) => {
    for (const release of ['5.4', '5.10', '6.18.44']) {
      const { k, task } = boot(release);
      const mem = thpArea(task, 2 * MB);
      task.store(mem, 2 * MB, 1);
      const child = task.fork();
      const shared = pfnAt(task, mem);
      t.equal(pfnAt(child, mem), shared, `${release}: both map one page after fork()`);
      task.store(mem, 2 * MB, 0xff);
      t.not(pfnAt(task, mem), shared, `${release}: the parent's write copied`);
      t.same(
        labels(child, mem, 2 * 4096),
        [1, 1],
        `${release}: the child still reads the old content`,
      );
      child.exit();
      task.exit();
      t.equal(k.anon.memmap.allocatedPages, 0, `${release}: every page freed once both exited`);
    }
  },
);

t.test(
  'vmsplice() holds references, not pins: from 5.9 do_wp_page() copies, before it reuses (CVE-2020-29374)',
  async (t) => {
    for (const [release, leaks] of [
      ['5.4', true],
      // 5.8 (17839856fd58): the child's vmsplice() GUP breaks COW first, so it holds its own copy.
      ['5.8', false],
      ['5.10', false],
      ['6.18.44', false],
    ] as const) {
      const { task } = boot(release);
      const mem = task.mmapAnon(4096, RW, ANON);
      task.store(mem, 4096, 1);
      const child = task.fork();
      const [r, w] = child.pipe();
      t.equal(child.vmsplice(w, mem, 4096), 4096);
      child.munmap(mem, 4096);
      task.store(mem, 4096, 0xff);
      const got = new Int32Array(1);
      t.equal(child.readPipe(r, 4096, got), 4096);
      t.equal(
        got[0] === 0xff,
        leaks,
        `${release}: the pipe ${leaks ? 'shows' : 'does not show'} the parent's later write`,
      );
    }
  },
);

t.test(
  'hugetlb_wp() reuses by mapcount alone: the hugetlb vmsplice leak of every release',
  async (t) => {
    for (const release of ['5.10', '6.18.44', '7.2.13']) {
      const { task } = boot(release);
      const flags = ANON | MAP_HUGETLB | (21 << MAP_HUGE_SHIFT);
      const mem = task.mmapAnon(2 * MB, RW, flags);
      t.ok(mem > 0);
      task.store(mem, 2 * MB, 1);
      const child = task.fork();
      const [r, w] = child.pipe();
      t.equal(child.vmsplice(w, mem, 2 * MB), 16 * 4096, 'the pipe takes its 16 buffers');
      child.munmap(mem, 2 * MB);
      task.store(mem, 2 * MB, 0xff);
      const got = new Int32Array(16);
      child.readPipe(r, 16 * 4096, got);
      t.equal(got[0], 0xff, `${release}: the pipe shows the parent's write`);
    }
  },
);

t.test(
  'R/O long-term pins unshare a shared page from 5.19 (a7f226604170), GUP-fast leaves it to the slow path',
  async (t) => {
    for (const [release, follows] of [
      ['5.15', false],
      ['6.18.44', true],
    ] as const) {
      for (const fast of [false, true]) {
        const { k, task } = boot(release);
        const mem = thpArea(task, 2 * MB);
        task.store(mem, 2 * MB, 1);
        const child = task.fork();
        const r = fast
          ? pinUserPagesFast(k, task, mem, 512, FOLL_LONGTERM)
          : pinUserPages(k, task, mem, 512, FOLL_LONGTERM);
        t.equal(r.ret, 512);
        task.store(mem, 2 * MB, 0xff);
        const pinnedSees = k.anon.memmap.data[r.pfns!.at(0)]!;
        t.equal(
          pinnedSees === 0xff,
          follows,
          `${release}${fast ? ' (fast)' : ''}: the pin ${follows ? 'sees' : 'misses'} the process's write`,
        );
        unpinAll(k, r);
        child.exit();
      }
    }
  },
);

t.test(
  'fork() copies a pinned page for the child from 5.9; the R/W pin keeps following the parent',
  async (t) => {
    for (const [release, copies] of [
      ['5.4', false],
      ['5.10', true],
      ['6.18.44', true],
    ] as const) {
      const { k, task } = boot(release);
      const mem = task.mmapAnon(4096, RW, ANON);
      task.store(mem, 4096, 1);
      const r = pinUserPages(k, task, mem, 1, FOLL_LONGTERM | 1);
      const pinned = r.pfns!.at(0);
      const child = task.fork();
      t.equal(
        pfnAt(child, mem) !== pinned,
        copies,
        `${release}: the child ${copies ? 'gets its own copy' : 'shares the pinned page'}`,
      );
      task.store(mem, 4096, 0xff);
      t.equal(
        pfnAt(task, mem) === pinned,
        copies,
        `${release}: the parent ${copies ? 'still maps' : 'COWed away from'} the pinned page`,
      );
      unpinAll(k, r);
      child.exit();
    }
  },
);

t.test(
  'MADV_PAGEOUT: nothing moves without swap; with swap the PTEs become exclusive swap entries',
  async (t) => {
    const none = boot('6.18.44');
    const m0 = none.task.mmapAnon(4096, RW, ANON);
    none.task.store(m0, 4096, 1);
    none.task.madvise(m0, 4096, MADV_PAGEOUT);
    t.equal(none.task.pagemap(m0), 1, 'still present: no swap device');
    const { k, task } = boot('6.18.44', { swap: { sizeKiB: 1024 * 1024 } });
    const mem = thpArea(task, 2 * MB);
    task.store(mem, 2 * MB, 7);
    task.madvise(mem, 2 * MB, MADV_PAGEOUT);
    t.ok(task.pagemapRange(mem, 2 * MB, 2), 'every page of the THP swapped out');
    t.equal(k.anon.memmap.allocatedPages, 0, 'the folio was freed');
    t.same(labels(task, mem, 2 * 4096), [7, 7], 'swap-in brings the content back');
    t.ok(
      (k.anon.memmap.pflags[pfnAt(task, mem)]! & PG_ANON_EXCLUSIVE) !== 0,
      'exclusive again (the swap PTE said so)',
    );
    // A fork() shares the swap entry and it loses its exclusive bit: the next write copies.
    task.madvise(mem + 4 * 4096, 4096, MADV_PAGEOUT);
    const child = task.fork();
    task.store(mem + 4 * 4096, 4096, 9);
    t.same(
      labels(child, mem + 4 * 4096, 4096),
      [7],
      'the child still reads the swapped-out content',
    );
    child.exit();
    task.exit();
    t.equal(k.anon.swap!.usedSlots, 0, 'no swap slot left in use');
  },
);

t.test(
  'MADV_COLLAPSE makes a PTE-mapped range one PMD-mapped THP (6.1+); the child keeps the old pages',
  async (t) => {
    const old = boot('6.0');
    const m = thpArea(old.task, 2 * MB);
    old.task.store(m, 2 * MB, 1);
    t.equal(old.task.madvise(m, 2 * MB, MADV_COLLAPSE), -Errno.EINVAL, '6.0: no MADV_COLLAPSE');
    const { task } = boot('6.18.44');
    const mem = thpArea(task, 2 * MB);
    task.store(mem, 2 * MB, 1);
    task.mprotect(mem + 4096, 4096, PROT_READ);
    task.mprotect(mem + 4096, 4096, RW);
    const child = task.fork();
    t.equal(task.madvise(mem, 2 * MB, MADV_COLLAPSE), 0);
    t.ok(task.anonPt().get(Math.floor(mem / (2 * MB)))!.leaf >= 0, 'PMD-mapped again');
    task.store(mem, 2 * MB, 0xff);
    t.same(labels(child, mem, 4096), [1], 'the collapse copied: the child kept the shared pages');
    // MADV_DONTFORK splits the VMA: a collapse across two VMAs fails.
    task.madvise(mem, MB, MADV_DONTFORK);
    task.mprotect(mem + 4096, 4096, PROT_READ);
    t.equal(
      task.madvise(mem, 2 * MB, MADV_COLLAPSE),
      -Errno.EINVAL,
      'no single VMA covers the PMD range',
    );
  },
);

t.test('mremap() of half a THP moves its PTEs; DONTNEED leaves a single PTE', async (t) => {
  const { task } = boot('6.18.44');
  const mem = thpArea(task, 2 * MB);
  task.store(mem, 2 * MB, 3);
  const dst = task.mmapAnon(MB, 0, ANON);
  t.equal(task.mremap(mem + MB, MB, MB, MREMAP_MAYMOVE | MREMAP_FIXED, dst), dst);
  t.equal(task.pagemap(mem + MB), 0, 'the upper half left');
  t.same(labels(task, dst, 4096), [3], 'and is readable at its new address');
  t.equal(task.madvise(mem + 4096, MB - 4096, MADV_DONTNEED), 0);
  t.equal(task.pagemap(mem), 1);
  t.equal(task.pagemap(mem + 4096), 0, 'only the first PTE is left');
});

t.test(
  'clear_refs soft-dirty keeps mprotect() from mapping an exclusive page writable again',
  async (t) => {
    const { task } = boot('6.18.44');
    const mem = task.mmapAnon(4096, RW, ANON);
    task.store(mem, 4096, 1);
    const a = task.kernel.anon;
    const bit = (): number =>
      task.anonPt().get(Math.floor(mem / a.pmdSize))!.bits[Math.floor(mem / a.pageSize) % a.ptrs]! &
      1;
    task.mprotect(mem, 4096, PROT_READ);
    task.mprotect(mem, 4096, RW);
    t.equal(bit(), 1, 'without soft-dirty tracking: the exclusive page is writable at once');
    task.mprotect(mem, 4096, PROT_READ);
    t.equal(task.clearRefs('4'), 0);
    task.mprotect(mem, 4096, RW);
    t.equal(bit(), 0, 'with it: the next write has to fault');
  },
);

/** fork(), the child vmsplice()s [mem, mem+len) and unmaps it, the parent writes: does the pipe see it? */
function vmspliceLeak(task: Task, mem: number, len: number): boolean {
  const child = task.fork();
  const [r, w] = child.pipe();
  child.vmsplice(w, mem, len);
  child.munmap(mem, len);
  task.store(mem, len, 0xff);
  const got = new Int32Array(len / 4096);
  child.readPipe(r, len, got);
  child.exit();
  return got[0] === 0xff;
}

t.test(
  'a PMD-mapped THP: reused by its mapcount until 5.18 (3bff7e3f1f16), so the vmsplice leak came back on 5.9–5.17',
  async (t) => {
    for (const [release, leaks] of [
      ['5.4', true],
      ['5.8', false],
      ['5.10', true],
      ['5.17', true],
      ['5.18', false],
      ['6.18.44', false],
    ] as const) {
      const { task } = boot(release);
      const mem = thpArea(task, 2 * MB);
      task.store(mem, 2 * MB, 1);
      t.equal(vmspliceLeak(task, mem, 2 * MB), leaks, `${release}: ${leaks ? 'leaks' : 'no leak'}`);
    }
  },
);

t.test(
  'a write to a shared PMD-mapped THP: a whole new THP until 5.8, then the PMD splits and one page is copied (3917c80280c9)',
  async (t) => {
    for (const [release, whole] of [
      ['5.7', true],
      ['5.8', false],
      ['6.18.44', false],
    ] as const) {
      const { k, task } = boot(release);
      const mem = thpArea(task, 2 * MB);
      task.store(mem, 2 * MB, 1);
      const child = task.fork();
      child.store(mem, 4096, 2);
      const tbl = child.anonPt().get(Math.floor(mem / (2 * MB)))!;
      t.equal(
        tbl.leaf >= 0,
        whole,
        `${release}: the child ${whole ? 'maps a new THP by its PMD' : 'is PTE-mapped'}`,
      );
      t.same(
        labels(child, mem, 2 * 4096),
        [2, 1],
        `${release}: the child sees its write and the old rest`,
      );
      t.same(labels(task, mem, 4096), [1], `${release}: the parent keeps its content`);
      const mm = k.anon.memmap;
      t.equal(
        mm.nrPages(mm.headOf[pfnAt(child, mem + 4096)]!),
        512,
        `${release}: the child's other pages are ${whole ? 'its new' : 'the shared'} THP's`,
      );
      t.equal(
        pfnAt(child, mem + 4096) === pfnAt(task, mem + 4096),
        !whole,
        `${release}: ${whole ? 'nothing' : 'the rest'} shared with the parent`,
      );
      child.exit();
      task.exit();
      t.equal(mm.allocatedPages, 0, `${release}: everything freed`);
    }
  },
);

t.test(
  'a write swap-in reused the page by reuse_swap_page() until 5.18 (c145e0b47c77): a pipe reference did not count',
  async (t) => {
    for (const [release, leaks] of [
      ['5.10', true],
      ['5.18', false],
      ['6.18.44', false],
    ] as const) {
      const { task } = boot(release, { swap: { sizeKiB: 1024 * 1024 } });
      const mem = task.mmapAnon(4096, RW, ANON);
      task.store(mem, 4096, 1);
      task.madvise(mem, 4096, MADV_PAGEOUT);
      t.ok(task.pagemapRange(mem, 4096, 2), `${release}: swapped out`);
      t.equal(vmspliceLeak(task, mem, 4096), leaks, `${release}: ${leaks ? 'leaks' : 'no leak'}`);
    }
  },
);

t.test(
  'mprotect() maps an exclusive anonymous page writable again only from 6.2 (64fe24a3e05e; 6.1.y backport)',
  async (t) => {
    for (const [release, upgrades] of [
      ['5.19', false],
      ['6.1', false],
      ['6.1.192', true],
      ['6.2', true],
    ] as const) {
      const { task } = boot(release);
      const mem = task.mmapAnon(4096, RW, ANON);
      task.store(mem, 4096, 1);
      task.mprotect(mem, 4096, PROT_READ);
      task.mprotect(mem, 4096, RW);
      const a = task.kernel.anon;
      const bits = task.anonPt().get(Math.floor(mem / a.pmdSize))!.bits[
        Math.floor(mem / a.pageSize) % a.ptrs
      ]!;
      t.equal(
        (bits & 1) !== 0,
        upgrades,
        `${release}: ${upgrades ? 'writable at once' : 'the next write faults'}`,
      );
    }
  },
);

t.test(
  'MADV_PAGEOUT skips a PTE-mapped THP on 6.3–6.5 (07e8c82b5eff: folio_mapcount() counts every PTE), fixed in 6.6 (2f406263e3e9)',
  async (t) => {
    for (const [release, swapped] of [
      ['6.2', true],
      ['6.3', false],
      ['6.5', false],
      ['6.6', true],
    ] as const) {
      const { task } = boot(release, { swap: { sizeKiB: 1024 * 1024 } });
      const mem = thpArea(task, 2 * MB);
      task.store(mem, 2 * MB, 1);
      task.mprotect(mem + 4096, 4096, PROT_READ);
      task.mprotect(mem + 4096, 4096, RW);
      task.madvise(mem, 2 * MB, MADV_PAGEOUT);
      t.equal(
        task.pagemapRange(mem, 2 * MB, 2),
        swapped,
        `${release}: PTE-mapped THP ${swapped ? '' : 'not '}swapped out`,
      );
      // A PMD-mapped THP goes through the PMD branch, which never had the regression.
      const pmd = thpArea(task, 2 * MB);
      task.store(pmd, 2 * MB, 1);
      task.madvise(pmd, 2 * MB, MADV_PAGEOUT);
      t.ok(task.pagemapRange(pmd, 2 * MB, 2), `${release}: PMD-mapped THP swapped out`);
    }
  },
);

t.test(
  'from 6.12 (b1f202060afe) a zero-filled THP that reclaim splits maps the shared zeropage instead of going to swap',
  async (t) => {
    for (const [release, fill, swapped] of [
      ['6.11', 0, true],
      ['6.12', 0, false],
      ['6.12', 1, true],
    ] as const) {
      const { k, task } = boot(release, { swap: { sizeKiB: 1024 * 1024 } });
      const mem = thpArea(task, 2 * MB);
      task.store(mem, 2 * MB, fill);
      task.madvise(mem, 2 * MB, MADV_PAGEOUT);
      t.equal(
        task.pagemapRange(mem, 2 * MB, 2),
        swapped,
        `${release}, fill ${fill}: ${swapped ? 'swapped' : 'not swapped'}`,
      );
      if (!swapped) {
        t.equal(pfnAt(task, mem), 0, `${release}: the shared zeropage is mapped`);
        t.equal(k.anon.memmap.allocatedPages, 0, `${release}: the THP was freed`);
        t.same(labels(task, mem, 4096), [0], `${release}: still reads zeroes`);
      }
    }
  },
);
