/**
 * io_uring's RLIMIT_MEMLOCK accounting (io_uring/rsrc.c __io_account_mem() /
 * __io_unaccount_mem()): pages are charged to the user's `user_struct->locked_vm`, which every
 * process of that uid shares, when the ring was created by a task without CAP_IPC_LOCK
 * (io_uring_create(): `if (!capable(CAP_IPC_LOCK)) ctx->user = get_uid(current_user())`).
 */
import { Errno } from './errno.js';
import type { Kernel } from './kernel.js';

/** Whether rings created by this user are charged at all (ctx->user is set). */
export function ioUringChargesUser(k: Kernel): boolean {
  return !(k.spec.user.ipcLock ?? k.spec.user.root);
}

function limitPages(k: Kernel): number {
  const limit = k.spec.user.memlockKiB;
  return limit === 'unlimited' ? Number.POSITIVE_INFINITY : Math.floor((limit * 1024) / k.pageSize);
}

/**
 * __io_account_mem(): `new_pages = cur_pages + nr_pages; if (new_pages > page_limit) return
 * -ENOMEM;` against rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT. Returns 0 or -ENOMEM.
 */
export function ioAccountMem(k: Kernel, pages: number, what: string): number {
  if (k.lockedVmPages + pages > limitPages(k)) {
    if (k.tracing) k.note(
      '__io_account_mem',
      `${what}: ${pages} page(s) on top of ${k.lockedVmPages} already locked exceed RLIMIT_MEMLOCK (${String(k.spec.user.memlockKiB)} KiB) without CAP_IPC_LOCK`,
      { errno: 'ENOMEM' },
    );
    return -Errno.ENOMEM;
  }
  k.lockedVmPages += pages;
  if (k.tracing) k.note('__io_account_mem', `${what}: ${pages} page(s) charged to user locked_vm (now ${k.lockedVmPages})`);
  return 0;
}

export function ioUnaccountMem(k: Kernel, pages: number): void {
  k.lockedVmPages -= pages;
}
