/**
 * cow-either-way: after fork() a parent and child share a page copy-on-write; the parent
 * pins it read-only (vmsplice, an RDMA read MR). Whether the pin keeps following the parent,
 * gets stranded on a stale page, or ends up on the page the child writes its secrets to is
 * decided by do_wp_page()'s reuse rule and by whether GUP unshares first — the 2020–21
 * "COW can break either way" thread (CVE-2020-29374) and David Hildenbrand's COW summaries.
 */
import type { Environment } from '../env.js';
import { errnoName } from '../../kernel-model/errno.js';
import { FOLL_LONGTERM, pinUserPages, unpinAll, unpinFolios } from '../../kernel-model/gup.js';
import type { Kernel } from '../../kernel-model/kernel.js';
import { PG_ANON_EXCLUSIVE } from '../../kernel-model/memmap.js';
import { MAP_ANONYMOUS } from '../../kernel-model/mm-syscalls.js';
import { MAP_PRIVATE, PROT_READ, PROT_WRITE, type Task } from '../../kernel-model/task.js';
import { folioMapcount } from '../../kernel-model/rmap.js';
import { folioAt, userRead, userWrite } from '../../kernel-model/uaccess.js';
import { boot, folioState, mapBacking } from './machine.js';
import { ScenarioLog, type Outcome, type Scenario, type ScenarioResult } from './scenario.js';

const SECRET = 'child-secret';

export const cowEitherWay: Scenario = {
  name: 'cow-either-way',
  summary:
    'a R/O pin taken after fork(): does it follow the parent, go stale, or show the child’s data?',
  story: `A process writes a private page and forks; parent and child map it write-protected.
The parent pins it read-only long-term, then writes it again; the child writes its own data.
Before 5.8 do_wp_page() reuses a page mapped once (reuse_swap_page(): the pin is not counted):
the parent's write copies, the child's write reuses the pinned page, and the pin shows the
child's data (CVE-2020-29374). 17839856fd58 (5.8) made GUP break COW first. 09854ba94c6a
(5.9) reuses only with page_count() == 1 and a308c71bf1e6 dropped the forced break: no leak,
but the parent's own write copies away from its pin. 5.19 (PageAnonExclusive, R/O pins
unshare) keeps pin and parent together; a private file page not yet written waits for
84209e87c696 (6.2). MAP_SHARED has no COW: nothing can diverge.
(The parent's write stands in for the thread's "unmapped under memory pressure": both leave
the child as the page's only mapper.)`,
  options: [
    {
      name: 'backing',
      values: ['anon', 'anonymous', 'file', 'shared'],
      default: 'anon',
      help: "anon: private memory written before fork (a MAP_PRIVATE memfd page); anonymous: MAP_PRIVATE|MAP_ANONYMOUS memory, the same code as cow.c's rows; file: a MAP_PRIVATE file page only read before fork; shared: a MAP_SHARED memfd",
    },
  ],
  shows: [
    'gup_unshare_anon',
    'gup_reliable_ro_longterm_cow',
    'anon_exclusive',
    'do_wp_page_page_count',
    'gup_forces_cow_break',
  ],

  run(env, o) {
    const { k, task: parent } = boot(env);
    const log = new ScenarioLog(k);
    const backing = o.backing;
    if (backing === 'anonymous') return runAnonymous(env, o, log, k, parent);
    const m = mapBacking(k, parent, backing === 'file' ? 'cwd' : 'memfd', backing === 'shared');
    if ('error' in m) return m;
    if (backing === 'file') {
      const r = userRead(parent, m.addr);
      log.step(
        `map ${m.what} and read it`,
        `the parent maps page-cache folio ${folioAt(parent, m.addr)?.id} read-only ("${r.data}")`,
      );
    } else {
      userWrite(parent, m.addr, 'parent-v1');
      log.step(
        `map ${m.what} and write it`,
        `folio ${folioAt(parent, m.addr)?.id} holds "parent-v1"`,
      );
    }

    const child = parent.fork();
    const shared = folioAt(parent, m.addr)!;
    log.step(
      'fork()',
      `folio ${shared.id}: mapcount ${folioMapcount(k, shared)}, PageAnonExclusive=${shared.anonExclusive}`,
    );

    const pin = pinUserPages(k, parent, m.addr, 1, FOLL_LONGTERM);
    if (pin.ret < 0)
      return {
        error: `the R/O long-term pin failed (${errnoName(-pin.ret) ?? pin.ret}) on this machine`,
      };
    const pinned = pin.folios[0]!;
    log.step(
      'the parent pins the page read-only long-term',
      `folio ${pinned.id} pinned (${pinned === shared ? 'the shared folio' : 'a copy made for the parent first'})`,
    );

    userWrite(parent, m.addr, 'parent-v2');
    log.step(
      'the parent writes the page',
      `the parent now maps folio ${folioAt(parent, m.addr)?.id}`,
    );
    userWrite(child, m.addr, SECRET);
    log.step(
      'the child writes its own data',
      `the child now maps folio ${folioAt(child, m.addr)?.id}`,
    );

    const seenByParent = userRead(parent, m.addr).data;
    const seenByPin = pinned.data;
    const leak = seenByPin === SECRET && seenByParent !== SECRET;
    log.check('the pin does not show the child’s data to the parent', !leak);
    log.check('the pin shows what the parent process sees', seenByPin === seenByParent);
    log.check('the pinned folio was never freed', !pinned.freed);
    unpinFolios(pin.folios);

    const { outcome, summary } = judge(seenByPin, seenByParent);
    return log.result(env, this.name, o, outcome, summary, {
      pinnedFolio: folioState(pinned),
      parentFolio: folioState(folioAt(parent, m.addr)),
      childFolio: folioState(folioAt(child, m.addr)),
      parentSees: seenByParent ?? null,
      pinSees: seenByPin,
    });
  },
};

/**
 * The same story in MAP_PRIVATE|MAP_ANONYMOUS memory: the anonymous memory map cow.c's rows
 * run on (kernel-model/anon-*.ts), with its do_wp_page(), GUP and fork().
 */
function runAnonymous(
  env: Environment,
  o: Record<string, string>,
  log: ScenarioLog,
  k: Kernel,
  parent: Task,
): ScenarioResult | { error: string } {
  const mem = k.anon.memmap;
  const size = k.pageSize;
  const addr = parent.mmapAnon(size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
  if (addr < 0) return { error: `mmap() of anonymous memory failed (errno ${-addr})` };
  const one = new Int32Array(1);
  const read = (t: Task): string => {
    t.load(addr, size, one);
    return k.labels.text(one[0]!);
  };
  const write = (t: Task, text: string): void => {
    t.store(addr, size, k.labels.id(text));
  };
  const pfnOf = (t: Task): number => {
    const a = k.anon;
    const e =
      t.anonPt().get(Math.floor(addr / a.pmdSize))?.entries[
        Math.floor(addr / a.pageSize) % a.ptrs
      ] ?? 0;
    return e - 1;
  };
  const exclusive = (pfn: number): boolean =>
    k.flags.anon_exclusive && (mem.pflags[pfn]! & PG_ANON_EXCLUSIVE) !== 0;

  write(parent, 'parent-v1');
  log.step('map anonymous memory and write it', `page ${pfnOf(parent)} holds "parent-v1"`);
  const child = parent.fork();
  const shared = pfnOf(parent);
  log.step(
    'fork()',
    `page ${shared}: mapcount ${mem.pageMapcount(shared)}, PageAnonExclusive=${exclusive(shared)}`,
  );

  const pin = pinUserPages(k, parent, addr, 1, FOLL_LONGTERM);
  if (pin.ret < 0 || !pin.pfns)
    return {
      error: `the R/O long-term pin failed (${errnoName(-pin.ret) ?? pin.ret}) on this machine`,
    };
  const pinned = pin.pfns.at(0);
  log.step(
    'the parent pins the page read-only long-term',
    `page ${pinned} pinned (${pinned === shared ? 'the shared page' : 'a copy made for the parent first'})`,
  );
  write(parent, 'parent-v2');
  log.step('the parent writes the page', `the parent now maps page ${pfnOf(parent)}`);
  write(child, SECRET);
  log.step('the child writes its own data', `the child now maps page ${pfnOf(child)}`);

  const seenByParent = read(parent);
  const seenByPin = k.labels.text(mem.data[pinned]!);
  const leak = seenByPin === SECRET && seenByParent !== SECRET;
  log.check('the pin does not show the child’s data to the parent', !leak);
  log.check('the pin shows what the parent process sees', seenByPin === seenByParent);
  log.check('the pinned page was never freed', !mem.isFreed(mem.headOf[pinned]!));
  const final = {
    pinnedPage: pinned,
    parentPage: pfnOf(parent),
    childPage: pfnOf(child),
    parentSees: seenByParent,
    pinSees: seenByPin,
  };
  unpinAll(k, pin);

  const { outcome, summary } = judge(seenByPin, seenByParent);
  return log.result(env, cowEitherWay.name, o, outcome, summary, final);
}

/** What the pin and the parent read after the child's write: the same verdict for every backing. */
function judge(
  seenByPin: string | undefined,
  seenByParent: string | undefined,
): { outcome: Outcome; summary: string } {
  if (seenByPin === SECRET && seenByParent !== SECRET)
    return {
      outcome: 'leaked',
      summary: `the parent's pin reads "${seenByPin}", written by the child into the page it reused; the parent sees "${seenByParent}"`,
    };
  if (seenByPin !== seenByParent)
    return {
      outcome: 'diverged',
      summary: `the pin still reads "${seenByPin}" while the parent sees "${seenByParent}": its write copied away from the pinned page`,
    };
  return { outcome: 'safe', summary: `pin and parent both read "${seenByPin}"` };
}
