/**
 * Model-based test (fast-check) of anonymous memory under the operations cow.c combines:
 * fork(), writes and reads of page ranges of a THP, R/O long-term pins, the mprotect() pair
 * that PTE-maps a THP, MADV_DONTNEED, MADV_PAGEOUT to swap and exit. After every step the
 * memory map's accounting must agree with the page tables (mapcounts, PageAnonExclusive on
 * pages only one address space maps, swap counts), every process must read what it last
 * wrote (COW isolation), and from 5.19 every pin must stay on the page its process maps; when
 * everything exits, nothing is left allocated.
 */
import fc from 'fast-check';
import t from 'tap';
import { kernelSpecFor } from '../cases/machine.js';
import { FOLL_LONGTERM, pinUserPages, unpinAll, type PinResult } from '../kernel-model/gup.js';
import { Kernel } from '../kernel-model/kernel.js';
import { PG_ANON_EXCLUSIVE, ZERO_PFN } from '../kernel-model/memmap.js';
import {
  MADV_DONTNEED,
  MADV_HUGEPAGE,
  MADV_PAGEOUT,
  MAP_ANONYMOUS,
} from '../kernel-model/mm-syscalls.js';
import { MAP_PRIVATE, PROT_READ, PROT_WRITE, Task } from '../kernel-model/task.js';
import { env } from './helpers.js';
import { runs } from './helpers/property.js';

const PAGES = 512;
const PS = 4096;

interface Real {
  k: Kernel;
  tasks: (Task | undefined)[];
  mem: number;
  /** What each process must read per page. */
  expect: Map<number, number>[];
  pins: { task: number; page: number; n: number; r: PinResult }[];
  /** Pins no longer checked (their pages were zapped or their process exited), still held. */
  stale: PinResult[];
  label: number;
}

type Cmd = fc.Command<object, Real>;

const live = (r: Real): number[] => r.tasks.flatMap((x, i) => (x ? [i] : []));
const pick = (r: Real, i: number): number => {
  const l = live(r);
  return l[i % l.length]!;
};

class Fork implements Cmd {
  constructor(readonly from: number) {}
  check = (): boolean => true;
  run(_: object, r: Real): void {
    if (r.tasks.length >= 4) return;
    const p = pick(r, this.from);
    r.tasks.push(r.tasks[p]!.fork());
    r.expect.push(new Map(r.expect[p]));
  }
  toString = (): string => `fork(${this.from})`;
}

class Write implements Cmd {
  constructor(
    readonly who: number,
    readonly page: number,
    readonly n: number,
  ) {}
  check = (): boolean => true;
  run(_: object, r: Real): void {
    const i = pick(r, this.who);
    const label = 10 + (r.label++ % 200);
    const n = Math.min(this.n, PAGES - this.page);
    r.tasks[i]!.store(r.mem + this.page * PS, n * PS, label);
    for (let p = this.page; p < this.page + n; p++) r.expect[i]!.set(p, label);
  }
  toString = (): string => `write(${this.who}, ${this.page}+${this.n})`;
}

class Pin implements Cmd {
  constructor(
    readonly who: number,
    readonly page: number,
    readonly n: number,
  ) {}
  check = (): boolean => true;
  run(_: object, r: Real): void {
    const i = pick(r, this.who);
    const n = Math.min(this.n, PAGES - this.page);
    const res = pinUserPages(r.k, r.tasks[i]!, r.mem + this.page * PS, n, FOLL_LONGTERM);
    if (res.ret === n) r.pins.push({ task: i, page: this.page, n, r: res });
    else unpinAll(r.k, res);
  }
  toString = (): string => `pin(${this.who}, ${this.page}+${this.n})`;
}

class Unpin implements Cmd {
  check = (): boolean => true;
  run(_: object, r: Real): void {
    const p = r.pins.shift();
    if (p) unpinAll(r.k, p.r);
  }
  toString = (): string => 'unpin';
}

/** cow.c's PTE-mapping: one subpage R/O and back. */
class ProtectToggle implements Cmd {
  constructor(
    readonly who: number,
    readonly page: number,
  ) {}
  check = (): boolean => true;
  run(_: object, r: Real): void {
    const t0 = r.tasks[pick(r, this.who)]!;
    t0.mprotect(r.mem + this.page * PS, PS, PROT_READ);
    t0.mprotect(r.mem + this.page * PS, PS, PROT_READ | PROT_WRITE);
  }
  toString = (): string => `mprotect-toggle(${this.who}, ${this.page})`;
}

class DontNeed implements Cmd {
  constructor(
    readonly who: number,
    readonly page: number,
    readonly n: number,
  ) {}
  check = (): boolean => true;
  run(_: object, r: Real): void {
    const i = pick(r, this.who);
    const n = Math.min(this.n, PAGES - this.page);
    r.tasks[i]!.madvise(r.mem + this.page * PS, n * PS, MADV_DONTNEED);
    for (let p = this.page; p < this.page + n; p++) r.expect[i]!.set(p, 0);
    // Pins of those pages no longer follow the mapping: no longer checked (still held).
    r.pins = r.pins.filter((x) => {
      const keep = x.task !== i || x.page + x.n <= this.page || x.page >= this.page + n;
      if (!keep) r.stale.push(x.r);
      return keep;
    });
  }
  toString = (): string => `dontneed(${this.who}, ${this.page}+${this.n})`;
}

class Pageout implements Cmd {
  constructor(
    readonly who: number,
    readonly page: number,
    readonly n: number,
  ) {}
  check = (): boolean => true;
  run(_: object, r: Real): void {
    const i = pick(r, this.who);
    r.tasks[i]!.madvise(
      r.mem + this.page * PS,
      Math.min(this.n, PAGES - this.page) * PS,
      MADV_PAGEOUT,
    );
  }
  toString = (): string => `pageout(${this.who}, ${this.page}+${this.n})`;
}

class Exit implements Cmd {
  constructor(readonly who: number) {}
  check = (): boolean => true;
  run(_: object, r: Real): void {
    const i = pick(r, this.who);
    if (i === 0) return;
    r.tasks[i]!.exit();
    r.tasks[i] = undefined;
    r.pins = r.pins.filter((p) => {
      if (p.task === i) r.stale.push(p.r);
      return p.task !== i;
    });
  }
  toString = (): string => `exit(${this.who})`;
}

/** The memory map agrees with the page tables of every live process. */
function accountingHolds(r: Real): string | undefined {
  const a = r.k.anon;
  const mm = a.memmap;
  const ptes = new Map<number, number>();
  const pmds = new Map<number, number>();
  const mappers = new Map<number, Set<number>>();
  const swapRefs = new Map<number, number>();
  for (const i of live(r)) {
    for (const [, tbl] of r.tasks[i]!.anonPt().pmds()) {
      if (tbl.leaf >= 0) {
        if (tbl.leaf !== mm.hugeZero) pmds.set(tbl.leaf, (pmds.get(tbl.leaf) ?? 0) + 1);
        for (let j = 0; j < tbl.entries.length; j++)
          (
            mappers.get(tbl.leaf + j) ?? mappers.set(tbl.leaf + j, new Set()).get(tbl.leaf + j)!
          ).add(i);
        continue;
      }
      for (let j = 0; j < tbl.entries.length; j++) {
        const e = tbl.entries[j]!;
        if (e < 0) swapRefs.set(-e - 1, (swapRefs.get(-e - 1) ?? 0) + 1);
        if (e <= 1) continue;
        ptes.set(e - 1, (ptes.get(e - 1) ?? 0) + 1);
        (mappers.get(e - 1) ?? mappers.set(e - 1, new Set()).get(e - 1)!).add(i);
      }
    }
  }
  for (const [pfn, n] of ptes)
    if (mm.pageMapcount(pfn) !== n) return `pfn ${pfn}: mapcount ${mm.pageMapcount(pfn)} but ${n} PTEs`;
  const heads = new Set<number>(
    [...ptes.keys()].map((p) => mm.headOf[p]!).concat([...pmds.keys()]),
  );
  for (const h of heads) {
    let total = pmds.get(h) ?? 0;
    for (let p = h; p < h + mm.nrPages(h); p++) total += ptes.get(p) ?? 0;
    if (mm.total[h] !== total)
      return `folio ${h}: total mapcount ${mm.total[h]} but ${total} mappings`;
    if (mm.isFreed(h)) return `folio ${h} is mapped but freed`;
  }
  for (const [pfn, set] of mappers) {
    if (pfn !== ZERO_PFN && (mm.pflags[pfn]! & PG_ANON_EXCLUSIVE) !== 0 && set.size > 1)
      return `pfn ${pfn} PageAnonExclusive but mapped by ${set.size} processes`;
  }
  for (const [slot, n] of swapRefs)
    if (a.swap!.swapCount(slot) !== n)
      return `swap slot ${slot}: count ${a.swap!.swapCount(slot)} but ${n} swap PTEs`;
  return undefined;
}

/** Every process reads what it last wrote (or inherited at fork). */
function isolationHolds(r: Real): string | undefined {
  const out = new Int32Array(PAGES);
  for (const i of live(r)) {
    r.tasks[i]!.load(r.mem, PAGES * PS, out);
    for (let p = 0; p < PAGES; p++) {
      const want = r.expect[i]!.get(p) ?? 0;
      if (out[p] !== want) return `process ${i} page ${p} reads ${out[p]}, wrote ${want}`;
    }
  }
  return undefined;
}

/** Each pin holds the pages its process maps now. */
function pinsFollow(r: Real): string | undefined {
  const a = r.k.anon;
  for (const pin of r.pins) {
    const task = r.tasks[pin.task]!;
    for (let j = 0; j < pin.n; j++) {
      const addr = r.mem + (pin.page + j) * PS;
      const tbl = task.anonPt().get(Math.floor(addr / a.pmdSize));
      const e = tbl?.entries[Math.floor(addr / a.pageSize) % a.ptrs] ?? 0;
      if (e - 1 !== pin.r.pfns!.at(j))
        return `process ${pin.task} page ${pin.page + j}: pinned ${pin.r.pfns!.at(j)}, maps ${e - 1}`;
    }
  }
  return undefined;
}

const page = fc.nat(PAGES - 1);
const len = fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 64 }), fc.constant(PAGES));
const who = fc.nat(3);
const COMMANDS = [
  who.map((w) => new Fork(w)),
  fc.tuple(who, page, len).map(([w, p, n]) => new Write(w, p, n)),
  fc.tuple(who, page, len).map(([w, p, n]) => new Pin(w, p, n)),
  fc.constant(new Unpin()),
  fc.tuple(who, page).map(([w, p]) => new ProtectToggle(w, p)),
  fc.tuple(who, page, len).map(([w, p, n]) => new DontNeed(w, p, n)),
  fc.tuple(who, page, len).map(([w, p, n]) => new Pageout(w, p, n)),
  who.map((w) => new Exit(w)),
];

function lifecycle(release: string, properties: ((r: Real) => string | undefined)[]) {
  return fc.property(fc.commands(COMMANDS, { maxCommands: 14 }), (cmds) => {
    const k = new Kernel(kernelSpecFor(env({ kernel: { release }, swap: { sizeKiB: 64 * 1024 } })));
    const task = new Task(k);
    const m = task.mmapAnon(4 * 1024 * 1024, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    const mem = Math.ceil((m + 1) / (2 * 1024 * 1024)) * 2 * 1024 * 1024;
    task.madvise(mem, PAGES * PS, MADV_HUGEPAGE);
    const real: Real = {
      k,
      tasks: [task],
      mem,
      expect: [new Map()],
      pins: [],
      stale: [],
      label: 0,
    };
    task.store(mem, PAGES * PS, 1);
    for (let p = 0; p < PAGES; p++) real.expect[0]!.set(p, 1);
    let failure: string | undefined;
    fc.modelRun(
      () => ({ model: {}, real }),
      [...cmds].map((c) => ({
        check: () => true,
        run: (mdl: object, r: Real) => {
          c.run(mdl, r);
          for (const prop of properties) failure ??= prop(r);
        },
        toString: () => c.toString(),
      })),
    );
    // Everything exits: nothing stays allocated but the huge zeropage, no swap slot in use.
    for (const p of real.pins) unpinAll(k, p.r);
    for (const p of real.stale) unpinAll(k, p);
    for (const x of real.tasks) x?.exit();
    const left = k.anon.memmap.allocatedPages - (k.anon.memmap.hugeZero >= 0 ? PAGES : 0);
    if (!failure && left !== 0)
      failure = `${left} page(s) still allocated after every process exited`;
    if (!failure && k.anon.swap!.usedSlots !== 0)
      failure = `${k.anon.swap!.usedSlots} swap slot(s) still in use`;
    if (failure) throw new Error(failure);
    return true;
  });
}

t.test(
  '6.18: accounting, COW isolation and pins that follow their process, over any sequence',
  async () => {
    fc.assert(lifecycle('6.18.44', [accountingHolds, isolationHolds, pinsFollow]), {
      numRuns: runs(150),
    });
  },
);

t.test(
  '5.10: accounting and COW isolation hold; a pin that leaves its process is found',
  async (t) => {
    fc.assert(lifecycle('5.10', [accountingHolds, isolationHolds]), { numRuns: runs(100) });
    const found = fc.check(lifecycle('5.10', [pinsFollow]), { numRuns: 1000, seed: 1 });
    t.ok(found.failed, `5.10 (no FAULT_FLAG_UNSHARE): ${String(found.counterexample)}`);
  },
);
