/**
 * Model-based test (fast-check) of a dirty-tracked file page under user writes, pins, GUP
 * references, device writes, writeback and reclaim: the test keeps its own small model of
 * what the filesystem was told and checks the kernel model against it after every command.
 * Also: mmu notifiers hear every PTE change around it.
 */
import t from 'tap';
import fc from 'fast-check';
import { Kernel } from '../kernel-model/kernel.js';
import { FOLL_WRITE, getUserPagesRefs, pinUserPages, putFolios } from '../kernel-model/gup.js';
import type { Folio } from '../kernel-model/mm-types.js';
import { kernelLog } from '../kernel-model/printk.js';
import { mmuNotifierRegister } from '../kernel-model/mmu-notifier.js';
import { MAP_SHARED, PROT_READ, PROT_WRITE, Task } from '../kernel-model/task.js';
import { userWrite } from '../kernel-model/uaccess.js';
import {
  reclaimFolio,
  unpinUserPagesDirtyLock,
  unpreparedWritebacks,
  writebackFolio,
} from '../kernel-model/writeback.js';
import { kernelSpecFor } from '../cases/machine.js';
import { env } from './helpers.js';

// ---------------------------------------------------------------------------------------
// A shared file page: a folio the filesystem never prepared is never written back silently;
// a pinned or referenced folio is never freed; a writable PTE always went through page_mkwrite.

interface FileModel {
  /** ->page_mkwrite ran since the folio was last cleaned. */
  prepared: boolean;
  dirty: boolean;
  /** The user PTE is present and writable. */
  writable: boolean;
  /** What the page holds now. */
  data: string;
  pins: number;
  refs: number;
  bug: boolean;
}

interface FileReal {
  k: Kernel;
  task: Task;
  addr: number;
  pins: Folio[];
  refs: Folio[];
  /** Every folio ever pinned or referenced, to check none of them was freed while held. */
  held: Set<Folio>;
}

type FileCmd = fc.Command<FileModel, FileReal>;

/** A broken invariant fails the property (and fast-check shrinks the command sequence). */
function expect(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}

function inode(r: FileReal) {
  return r.task.findVma(r.addr)!.file.inode;
}

function invariants(m: FileModel, r: FileReal): void {
  for (const f of r.held)
    if (f.pincount > 0 || f.refs > 0) expect(!f.freed, `folio ${f.id} is held but was freed`);
  const vma = r.task.findVma(r.addr)!;
  for (const pte of vma.ptes.values()) {
    if (pte.writable && pte.folio.kind === 'pagecache' && vma.file.inode.mount.type.pageMkwrite) {
      expect(pte.folio.fsPrepared, 'a writable PTE whose folio ->page_mkwrite never prepared');
    }
  }
  expect(
    m.writable === Boolean(vma.ptes.get(0)?.writable),
    `model says PTE writable=${m.writable}`,
  );
}

const touch = (m: FileModel): void => {
  // A write fault (when the PTE is not writable) goes through ->page_mkwrite.
  m.prepared = true;
  m.dirty = true;
  m.writable = true;
};

class UserWrite implements FileCmd {
  constructor(readonly label: string) {}
  check = (m: Readonly<FileModel>) => !m.bug;
  run(m: FileModel, r: FileReal): void {
    expect(userWrite(r.task, r.addr, this.label) === 'ok', 'the store succeeds');
    touch(m);
    m.data = this.label;
    invariants(m, r);
  }
  toString = () => `write(${this.label})`;
}

class Grab implements FileCmd {
  constructor(readonly pin: boolean) {}
  check = (m: Readonly<FileModel>) => !m.bug;
  run(m: FileModel, r: FileReal): void {
    const g = this.pin
      ? pinUserPages(r.k, r.task, r.addr, 1, FOLL_WRITE)
      : getUserPagesRefs(r.k, r.task, r.addr, 1, FOLL_WRITE);
    expect(g.ret === 1, 'a short-term R/W GUP of a shared file succeeds');
    (this.pin ? r.pins : r.refs).push(g.folios[0]!);
    r.held.add(g.folios[0]!);
    touch(m);
    if (this.pin) m.pins++;
    else m.refs++;
    invariants(m, r);
  }
  toString = () => (this.pin ? 'pin' : 'get');
}

class DeviceWrite implements FileCmd {
  constructor(readonly label: string) {}
  check = (m: Readonly<FileModel>) => !m.bug && m.pins > 0;
  run(m: FileModel, r: FileReal): void {
    r.pins[r.pins.length - 1]!.data = this.label;
    m.data = this.label;
    invariants(m, r);
  }
  toString = () => `dma(${this.label})`;
}

class Release implements FileCmd {
  constructor(readonly pin: boolean) {}
  check = (m: Readonly<FileModel>) => !m.bug && (this.pin ? m.pins > 0 : m.refs > 0);
  run(m: FileModel, r: FileReal): void {
    if (this.pin) {
      unpinUserPagesDirtyLock(r.k, [r.pins.pop()!], true);
      m.pins--;
    } else {
      putFolios([r.refs.pop()!]);
      m.refs--;
    }
    if (this.pin) m.dirty = true;
    invariants(m, r);
  }
  toString = () => (this.pin ? 'unpin_dirty' : 'put');
}

class Writeback implements FileCmd {
  check = (m: Readonly<FileModel>) => !m.bug;
  run(m: FileModel, r: FileReal): void {
    const noisyBefore =
      unpreparedWritebacks(r.k).length +
      kernelLog(r.k).filter((l) => l.fn !== 'ext4_dirty_folio').length;
    const res = writebackFolio(r.k, inode(r), 0);
    const noisyAfter =
      unpreparedWritebacks(r.k).length +
      kernelLog(r.k).filter((l) => l.fn !== 'ext4_dirty_folio').length;
    const writesBack = inode(r).mount.type.writeback;
    if (m.dirty && writesBack) {
      // The invariant: an unprepared folio never goes through writeback silently, a prepared one always does.
      expect(
        noisyAfter > noisyBefore === !m.prepared,
        `writeback of a ${m.prepared ? 'prepared folio is reported' : 'never prepared folio is silent'}`,
      );
      if (m.prepared)
        expect(inode(r).disk.get(0) === m.data, 'a prepared folio reaches the disk with its data');
      m.bug = res === 'bug';
      if (!m.bug) m.dirty = false;
      m.prepared = false;
      m.writable = false;
    } else expect(noisyAfter === noisyBefore, 'a clean folio is not reported');
    invariants(m, r);
  }
  toString = () => 'writeback';
}

class Reclaim implements FileCmd {
  check = (m: Readonly<FileModel>) => !m.bug;
  run(m: FileModel, r: FileReal): void {
    const res = reclaimFolio(r.k, inode(r), 0);
    if (res === 'freed')
      expect(m.pins === 0 && m.refs === 0, 'only an unreferenced folio is freed');
    if (!m.dirty && res !== 'not-pagecache') m.writable = false;
    if (res === 'freed')
      m.data = inode(r).mount.type.writeback ? (inode(r).disk.get(0) ?? 'zeroes') : 'zeroes';
    invariants(m, r);
  }
  toString = () => 'reclaim';
}

t.test(
  'a dirty-tracked file page: never written back silently unprepared, never freed while held',
  async () => {
    const label = fc.constantFrom('a', 'b', 'c');
    const cmds = [
      label.map((l) => new UserWrite(l)),
      fc.boolean().map((p) => new Grab(p)),
      label.map((l) => new DeviceWrite(`dev-${l}`)),
      fc.boolean().map((p) => new Release(p)),
      fc.constant(new Writeback()),
      fc.constant(new Reclaim()),
    ];
    fc.assert(
      fc.property(
        fc.constantFrom('5.15', '6.1', '6.4', '6.12'),
        fc.constantFrom('ext4', 'xfs', 'btrfs', 'tmpfs'),
        fc.commands(cmds, { maxCommands: 25 }),
        (rel, fs, run) => {
          const k = new Kernel(
            kernelSpecFor(env({ kernel: { release: rel }, fs: { tmp: 'tmpfs', cwd: fs } })),
          );
          const task = new Task(k);
          const fd = task.openCreateExcl('f');
          task.ftruncate(fd, 4096);
          const addr = task.mmap(4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
          const real: FileReal = { k, task, addr, pins: [], refs: [], held: new Set() };
          const model: FileModel = {
            prepared: false,
            dirty: false,
            writable: false,
            data: 'zeroes',
            pins: 0,
            refs: 0,
            bug: false,
          };
          fc.modelRun(() => ({ model, real }), run);
        },
      ),
      { numRuns: 1000 },
    );
  },
);

t.test(
  'mmu notifiers hear folio_mkclean, reclaim and munmap before the PTEs change, and again after',
  async (t) => {
    const k = new Kernel(kernelSpecFor(env({ kernel: { release: '6.12' } })));
    const task = new Task(k);
    const fd = task.openCreateExcl('ring');
    task.ftruncate(fd, 4096);
    const addr = task.mmap(4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
    userWrite(task, addr, 'x');
    const heard: string[] = [];
    mmuNotifierRegister(k, task, {
      owner: 'test',
      start: addr,
      length: 4096,
      invalidate: (phase, reason) => {
        const pte = task.findVma(addr)?.ptes.get(0);
        heard.push(`${reason}:${phase}:${pte ? (pte.writable ? 'rw' : 'ro') : 'none'}`);
      },
    });
    const ino = task.findVma(addr)!.file.inode;
    writebackFolio(k, ino, 0);
    reclaimFolio(k, ino, 0);
    userWrite(task, addr, 'y');
    task.munmap(addr, 4096);
    t.same(heard, [
      'folio_mkclean:start:rw',
      'folio_mkclean:end:ro',
      'reclaim:start:ro',
      'reclaim:end:none',
      'munmap:start:rw',
      'munmap:end:none',
    ]);
  },
);
