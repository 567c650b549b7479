/**
 * io_uring's RLIMIT_MEMLOCK accounting (io_uring/rsrc.c __io_account_mem() /
 * __io_unaccount_mem()): pages are charged to the user's `user_struct->locked_vm`, which every
 * process of that uid shares, when the ring was created by a task without CAP_IPC_LOCK
 * (io_uring_create(): `if (!capable(CAP_IPC_LOCK)) ctx->user = get_uid(current_user())`).
 *
 * What is charged, and when it is given back:
 * - registered buffers: io_buffer_account_pin() → io_account_mem() charges user->locked_vm
 *   (checked against the limit) and ctx->mm_account->pinned_vm (never checked by io_uring),
 *   after the pages are pinned; IORING_UNREGISTER_BUFFERS gives both back at once
 *   (io_buffer_unmap() on the node's last reference), a failed registration never kept them;
 * - the SQ/CQ rings and SQEs (ringCharge()): user->locked_vm only, at io_uring_setup(); given
 *   back when the ring is freed, which is after the process has moved on (ioUringClose()).
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
    if (k.tracing)
      k.note(
        '__io_account_mem',
        `${what}: ${pages} page(s) on top of ${k.lockedVmPages} already locked exceed RLIMIT_MEMLOCK (${String(k.spec.user.memlockKiB)} KiB) without CAP_IPC_LOCK`,
        { errno: 'ENOMEM' },
      );
    return -Errno.ENOMEM;
  }
  k.lockedVmPages += pages;
  if (k.tracing)
    k.note(
      '__io_account_mem',
      `${what}: ${pages} page(s) charged to user locked_vm (now ${k.lockedVmPages})`,
    );
  return 0;
}

export function ioUnaccountMem(k: Kernel, pages: number): void {
  k.lockedVmPages -= pages;
}

/** Which code charges the rings, for the trace. */
export interface RingCharge {
  fn: string;
  by?: 'io_uring_ring_region_accounted';
}
const CHARGED_BY_ACCOUNT_MEM: RingCharge = { fn: 'io_account_mem' };
const CHARGED_AS_REGION: RingCharge = {
  fn: 'io_create_region',
  by: 'io_uring_ring_region_accounted',
};

/**
 * Whether the SQ/CQ rings and SQEs are charged to the user's locked_vm: until 5.11
 * (io_uring_create() → io_account_mem(ring_pages())), not once 26bfa89e25f4 (5.12) moved them
 * under memcg, again when 81a4058e0cd0 and 8078486e1d53 (6.14) made them
 * io_create_region(ctx, …) regions (charged to ctx->user; io_rings_free() →
 * io_free_region(ctx->user, …) gives the charge back), and not since the regions are created
 * without a user (io_create_region(NULL, …), the 7.2 tree).
 */
export function ringCharge(k: Kernel): RingCharge | undefined {
  if (!ioUringChargesUser(k)) return undefined;
  if (!k.flags.io_uring_rings_memcg) return CHARGED_BY_ACCOUNT_MEM;
  if (k.flags.io_uring_ring_region_accounted && !k.flags.io_uring_ring_region_unaccounted)
    return CHARGED_AS_REGION;
  return undefined;
}

/**
 * Charged ring pages are uncharged as close() queues the exit work from 309fc03a3284 (5.8)
 * until the rings left RLIMIT_MEMLOCK (5.12); before 5.8, and for the 6.14+ regions, only
 * the deferred io_ring_ctx_free() uncharges them.
 */
export function ringUnchargedAtClose(k: Kernel): boolean {
  return !k.flags.io_uring_rings_memcg && k.flags.io_uring_unaccount_at_exit_queue;
}

/**
 * From a ring's close() to io_ring_ctx_free() (io_uring_release() → io_ring_ctx_wait_and_kill()
 * → io_ring_exit_work(), from 85faa7b8346e, 5.7): percpu_ref_kill() lets the last reference
 * drop only after an RCU grace period; then the work queues io_tctx_exit_cb() on the ring's
 * task (task_work_add(…, TWA_SIGNAL)) and waits for it to run at that task's next return to
 * user mode. Measured on the 6.18.44 host: a non-root ring's charge comes back 17–32 ms after
 * close() (io_uring_queue_init() retried under an 8 KiB limit until it fits): 20 ms.
 */
export const RING_EXIT_NS = 20_000_000;
