/**
 * /sys/kernel/debug/gup_test (mm/gup_test.c, CONFIG_GUP_TEST): the PIN_LONGTERM_TEST_START /
 * _STOP ioctls that gup_longterm drives (c77369b437f9, 6.2). Earlier kernels have the file
 * (since 5.11) but answer every unknown command with -EINVAL.
 */
import { Errno } from './errno.js';
import { FOLL_LONGTERM, FOLL_WRITE, pinUserPages, pinUserPagesFast, unpinFolios } from './gup.js';
import type { Kernel } from './kernel.js';
import type { Folio } from './mm-types.js';
import type { Task } from './task.js';

/** _IOW('g', 7, struct pin_longterm_test) and _IO('g', 8) in mm/gup_test.h. */
export const PIN_LONGTERM_TEST_START = 0x40186707;
export const PIN_LONGTERM_TEST_STOP = 0x6708;
export const PIN_LONGTERM_TEST_FLAG_USE_WRITE = 1;
export const PIN_LONGTERM_TEST_FLAG_USE_FAST = 2;

/** The module-global pinned pages (pin_longterm_test_pages). */
const pinned = new WeakMap<Kernel, Folio[]>();

export function gupTestRelease(k: Kernel): void {
  // gup_test_release(): pin_longterm_test_stop().
  const folios = pinned.get(k);
  if (folios) unpinFolios(folios);
  pinned.delete(k);
}

export function gupTestIoctl(
  k: Kernel,
  task: Task,
  cmd: number,
  arg?: { addr: number; size: number; flags: number },
): number {
  if (!k.has('pin_longterm_test') || (cmd !== PIN_LONGTERM_TEST_START && cmd !== PIN_LONGTERM_TEST_STOP)) {
    k.note('gup_test_ioctl', `unknown command: PIN_LONGTERM_TEST_* is ${k.describeAbsent('pin_longterm_test')}`, {
      errno: 'EINVAL',
    });
    return -Errno.EINVAL;
  }
  if (cmd === PIN_LONGTERM_TEST_STOP) {
    gupTestRelease(k);
    return 0;
  }
  if (!arg) return -Errno.EFAULT;
  // pin_longterm_test_start()
  if (pinned.has(k)) return -Errno.EINVAL;
  if (arg.flags & ~(PIN_LONGTERM_TEST_FLAG_USE_WRITE | PIN_LONGTERM_TEST_FLAG_USE_FAST)) return -Errno.EINVAL;
  if ((arg.addr | arg.size) % k.pageSize !== 0) return -Errno.EINVAL;
  const nrPages = arg.size / k.pageSize;
  if (!nrPages) return -Errno.EINVAL;
  let gupFlags = FOLL_LONGTERM;
  if (arg.flags & PIN_LONGTERM_TEST_FLAG_USE_WRITE) gupFlags |= FOLL_WRITE;
  const fast = (arg.flags & PIN_LONGTERM_TEST_FLAG_USE_FAST) !== 0;
  k.note(
    'pin_longterm_test_start',
    `${fast ? 'pin_user_pages_fast' : 'pin_user_pages'}(FOLL_LONGTERM${gupFlags & FOLL_WRITE ? '|FOLL_WRITE' : ''}) of ${nrPages} page(s)`,
    { by: 'pin_longterm_test' },
  );
  const held: Folio[] = [];
  pinned.set(k, held);
  let done = 0;
  while (done < nrPages) {
    const addr = arg.addr + done * k.pageSize;
    const r = fast
      ? pinUserPagesFast(k, task, addr, nrPages - done, gupFlags)
      : pinUserPages(k, task, addr, nrPages - done, gupFlags);
    if (r.ret < 0) {
      gupTestRelease(k);
      return r.ret;
    }
    held.push(...r.folios);
    done += r.ret;
  }
  return 0;
}
