/**
 * Model-based test (fast-check) of an anonymous page under fork(), writes and R/O long-term
 * pins: which kernels keep a pin from showing another process's data, and which keep it on
 * the page its own process maps — and that the older kernels really break each property.
 */
import t from 'tap';
import fc from 'fast-check';
import { Kernel } from '../kernel-model/kernel.js';
import { FOLL_LONGTERM, pinUserPages, unpinFolios } from '../kernel-model/gup.js';
import type { Folio } from '../kernel-model/mm-types.js';
import { MAP_PRIVATE, PROT_READ, PROT_WRITE, Task } from '../kernel-model/task.js';
import { folioAt, userWrite } from '../kernel-model/uaccess.js';
import { kernelSpecFor } from '../cases/machine.js';
import { env } from './helpers.js';

// ---------------------------------------------------------------------------------------
// An anonymous page under fork, writes and R/O long-term pins.

interface CowReal {
  k: Kernel;
  tasks: Task[];
  addr: number;
  pins: { task: number; folio: Folio; at: number }[];
  /** Write clock and who wrote each label. */
  clock: number;
  writer: Map<string, { task: number; at: number }>;
}

type CowCmd = fc.Command<object, CowReal>;

class Fork implements CowCmd {
  constructor(readonly parent: number) {}
  check = () => true;
  run(_m: object, r: CowReal): void {
    const p = r.tasks[this.parent % r.tasks.length]!;
    if (r.tasks.length < 4) r.tasks.push(p.fork());
  }
  toString = () => `fork(${this.parent})`;
}

class Write implements CowCmd {
  constructor(readonly task: number) {}
  check = () => true;
  run(_m: object, r: CowReal): void {
    const i = this.task % r.tasks.length;
    const label = `t${i}-${++r.clock}`;
    r.writer.set(label, { task: i, at: r.clock });
    userWrite(r.tasks[i]!, r.addr, label);
  }
  toString = () => `write(${this.task})`;
}

class PinRO implements CowCmd {
  constructor(readonly task: number) {}
  check = () => true;
  run(_m: object, r: CowReal): void {
    const i = this.task % r.tasks.length;
    const p = pinUserPages(r.k, r.tasks[i]!, r.addr, 1, FOLL_LONGTERM);
    if (p.ret === 1) r.pins.push({ task: i, folio: p.folios[0]!, at: r.clock });
  }
  toString = () => `pin(${this.task})`;
}

class Unpin implements CowCmd {
  check = () => true;
  run(_m: object, r: CowReal): void {
    const p = r.pins.shift();
    if (p) unpinFolios([p.folio]);
  }
  toString = () => 'unpin';
}

function cowRun(rel: string, property: (r: CowReal) => boolean) {
  const cmds = [
    fc.nat(3).map((i) => new Fork(i)),
    fc.nat(3).map((i) => new Write(i)),
    fc.nat(3).map((i) => new PinRO(i)),
    fc.constant(new Unpin()),
  ];
  return fc.property(fc.commands(cmds, { maxCommands: 12 }), (run) => {
    const k = new Kernel(kernelSpecFor(env({ kernel: { release: rel } })));
    const task = new Task(k);
    const fd = task.memfdCreate();
    task.ftruncate(fd, 4096);
    const addr = task.mmap(4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd);
    const real: CowReal = { k, tasks: [task], addr, pins: [], clock: 0, writer: new Map() };
    userWrite(task, addr, 't0-0');
    real.writer.set('t0-0', { task: 0, at: 0 });
    let ok = true;
    fc.modelRun(
      () => ({ model: {}, real }),
      [...run].map((c) => ({
        check: () => true,
        run: (m: object, r: CowReal) => {
          c.run(m, r);
          ok &&= property(r);
        },
        toString: () => c.toString(),
      })),
    );
    return ok;
  });
}

/** No pin shows data another process wrote after the pin was taken. */
const noLeak = (r: CowReal): boolean =>
  r.pins.every((p) => {
    const w = r.writer.get(p.folio.data);
    return !w || w.task === p.task || w.at <= p.at;
  });

/** Every pin is on the folio its process maps. */
const followsPinner = (r: CowReal): boolean =>
  r.pins.every((p) => folioAt(r.tasks[p.task]!, r.addr) === p.folio);

t.test(
  'R/O pins after fork: no kernel from 5.9 lets a pin show another process’s later writes',
  async (t) => {
    for (const rel of ['5.10', '5.19', '6.12']) fc.assert(cowRun(rel, noLeak), { numRuns: 200 });
    const found = fc.check(cowRun('5.4', noLeak), { numRuns: 2000, seed: 1 });
    t.ok(
      found.failed,
      `5.4 (mapcount reuse): the leak of CVE-2020-29374 is found (${String(found.counterexample)})`,
    );
  },
);

t.test(
  'R/O pins after fork: from 5.19 a pin always stays on the page its process maps',
  async (t) => {
    for (const rel of ['5.19', '6.2', '6.18.7'])
      fc.assert(cowRun(rel, followsPinner), { numRuns: 200 });
    const found = fc.check(cowRun('5.10', followsPinner), { numRuns: 2000, seed: 1 });
    t.ok(
      found.failed,
      `5.10 (page_count reuse): a pin that diverges from its process is found (${String(found.counterexample)})`,
    );
  },
);
