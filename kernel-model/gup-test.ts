/**
 * /sys/kernel/debug/gup_test (mm/gup_test.c, CONFIG_GUP_TEST): the PIN_LONGTERM_TEST_START /
 * _STOP ioctls that gup_longterm drives (c77369b437f9, 6.2). Earlier kernels have the file
 * (since 5.11) but answer every unknown command with -EINVAL.
 */
import { Errno } from './errno.js';
import { FOLL_LONGTERM, FOLL_WRITE, pinUserPages, pinUserPagesFast, unpinFolios } from './gup.js';
import { PfnList, releasePfns } from './anon-gup.js';
import { freeIfUnused } from './rmap.js';
import type { Kernel } from './kernel.js';
import type { Folio } from './mm-types.js';
import type { Task } from './task.js';

/** _IOW('g', 7, struct pin_longterm_test) and _IO('g', 8) in mm/gup_test.h. */
export const PIN_LONGTERM_TEST_START = 0x40186707;
export const PIN_LONGTERM_TEST_STOP = 0x6708;
/** _IOW('g', 9, __u64): copy the pinned pages' content to a user buffer. */
export const PIN_LONGTERM_TEST_READ = 0x40086709;
export const PIN_LONGTERM_TEST_FLAG_USE_WRITE = 1;
export const PIN_LONGTERM_TEST_FLAG_USE_FAST = 2;

/** The older gup_test commands: _IOWR('g', nr, struct gup_test) (80 bytes) in mm/gup_test.h. */
export type GupTestCommand =
  | 'GUP_FAST_BENCHMARK'
  | 'PIN_FAST_BENCHMARK'
  | 'PIN_LONGTERM_BENCHMARK'
  | 'GUP_BASIC_TEST'
  | 'PIN_BASIC_TEST'
  | 'DUMP_USER_PAGES_TEST';

const gupTestIowr = (nr: number): number => ((3 << 30) | (0x50 << 16) | (0x67 << 8) | nr) >>> 0;

export const GUP_TEST_COMMANDS: Record<GupTestCommand, { nr: number; benchmark: boolean }> = {
  GUP_FAST_BENCHMARK: { nr: gupTestIowr(1), benchmark: true },
  PIN_FAST_BENCHMARK: { nr: gupTestIowr(2), benchmark: true },
  PIN_LONGTERM_BENCHMARK: { nr: gupTestIowr(3), benchmark: true },
  GUP_BASIC_TEST: { nr: gupTestIowr(4), benchmark: false },
  PIN_BASIC_TEST: { nr: gupTestIowr(5), benchmark: false },
  DUMP_USER_PAGES_TEST: { nr: gupTestIowr(6), benchmark: false },
};
const GUP_TEST_BY_NR = new Map(Object.entries(GUP_TEST_COMMANDS).map(([name, c]) => [c.nr, name]));

/**
 * The module-global pinned pages (pin_longterm_test_pages) live on the Kernel
 * (k.gupTestPinned): a WeakMap keyed by each booted kernel made every short-lived kernel an
 * ephemeron the garbage collector had to trace.
 */
export function gupTestRelease(k: Kernel): void {
  // gup_test_release(): pin_longterm_test_stop().
  const folios = k.gupTestPinned;
  if (folios) {
    unpinFolios(folios);
    for (const f of folios) freeIfUnused(k, f);
  }
  k.gupTestPinned = undefined;
  const pfns = k.gupTestPinnedPfns;
  if (pfns) releasePfns(k, pfns, true);
  k.gupTestPinnedPfns = undefined;
}

/**
 * pin_longterm_test_read(): copy_to_user() of every pinned page, in order — here one label per
 * pinned page (a huge page of a hugetlb mapping is one) into `out`. 0, or -EINVAL with
 * nothing pinned.
 */
export function gupTestRead(k: Kernel, out: Int32Array): number {
  const folios = k.gupTestPinned;
  const pfns = k.gupTestPinnedPfns;
  if (!folios && !pfns) return -Errno.EINVAL;
  let o = 0;
  if (pfns) {
    const mem = k.anon.memmap;
    for (let i = 0; i < pfns.length; i++) out[o++] = mem.data[pfns.at(i)]!;
  }
  if (folios) for (const f of folios) out[o++] = k.labels.id(f.data);
  if (k.tracing)
    k.note('pin_longterm_test_read', `copied ${o} pinned page(s) to user space`, {
      by: 'pin_longterm_test',
    });
  return 0;
}

export function gupTestIoctl(
  k: Kernel,
  task: Task,
  cmd: number,
  arg?: { addr: number; size: number; flags: number },
): number {
  // The two PIN_LONGTERM_TEST commands are none of the older ones: they skip the lookup (a
  // Map lookup of a key beyond the Smi range, twice per gup_longterm sub-test).
  const pinLongterm =
    cmd === PIN_LONGTERM_TEST_START ||
    cmd === PIN_LONGTERM_TEST_STOP ||
    cmd === PIN_LONGTERM_TEST_READ;
  const older = pinLongterm ? undefined : GUP_TEST_BY_NR.get(cmd);
  if (older) {
    // __gup_test_ioctl(): pins the program's buffer in nr_pages_per_call chunks and releases
    // it, timing both. The buffer is private /dev/zero memory the program faulted in, which
    // every GUP flavour pins; it is not modelled page by page.
    if (k.tracing) k.note('__gup_test_ioctl', `${older}: ${arg ? `${arg.size / k.pageSize} page(s), ${arg.flags} per call` : 'no buffer'}; pinned and released`, {
      by: 'gup_test_debugfs',
    });
    return 0;
  }
  if (!k.flags.pin_longterm_test || !pinLongterm) {
    if (k.tracing) k.note('gup_test_ioctl', `unknown command: PIN_LONGTERM_TEST_* is ${k.describeAbsent('pin_longterm_test')}`, {
      errno: 'EINVAL',
    });
    return -Errno.EINVAL;
  }
  if (cmd === PIN_LONGTERM_TEST_STOP) {
    gupTestRelease(k);
    return 0;
  }
  /* c8 ignore next */
  if (cmd === PIN_LONGTERM_TEST_READ) return -Errno.EFAULT; // needs a buffer: Task.gupTestRead()
  if (!arg) return -Errno.EFAULT;
  // pin_longterm_test_start()
  if (k.gupTestPinned || k.gupTestPinnedPfns) return -Errno.EINVAL;
  if (arg.flags & ~(PIN_LONGTERM_TEST_FLAG_USE_WRITE | PIN_LONGTERM_TEST_FLAG_USE_FAST)) return -Errno.EINVAL;
  if ((arg.addr | arg.size) % k.pageSize !== 0) return -Errno.EINVAL;
  const nrPages = arg.size / k.pageSize;
  if (!nrPages) return -Errno.EINVAL;
  let gupFlags = FOLL_LONGTERM;
  if (arg.flags & PIN_LONGTERM_TEST_FLAG_USE_WRITE) gupFlags |= FOLL_WRITE;
  const fast = (arg.flags & PIN_LONGTERM_TEST_FLAG_USE_FAST) !== 0;
  if (k.tracing) k.note(
    'pin_longterm_test_start',
    `${fast ? 'pin_user_pages_fast' : 'pin_user_pages'}(FOLL_LONGTERM${gupFlags & FOLL_WRITE ? '|FOLL_WRITE' : ''}) of ${nrPages} page(s)`,
    { by: 'pin_longterm_test' },
  );
  // What is held: the first call's folios (one call pins the whole range, usually), with any
  // later call's appended. Nothing the pinning does looks at k.gupTestPinned meanwhile.
  let held: Folio[] | undefined;
  let heldPfns: PfnList | undefined;
  let done = 0;
  while (done < nrPages) {
    const addr = arg.addr + done * k.pageSize;
    const r = fast
      ? pinUserPagesFast(k, task, addr, nrPages - done, gupFlags)
      : pinUserPages(k, task, addr, nrPages - done, gupFlags);
    if (r.pfns) {
      if (heldPfns === undefined) heldPfns = r.pfns;
      else heldPfns.append(r.pfns);
    }
    if (r.ret < 0) {
      k.gupTestPinned = held;
      k.gupTestPinnedPfns = heldPfns;
      gupTestRelease(k);
      return r.ret;
    }
    if (held === undefined) held = r.folios;
    else for (const f of r.folios) held.push(f);
    done += r.ret;
  }
  k.gupTestPinned = held;
  k.gupTestPinnedPfns = heldPfns;
  return 0;
}
