/**
 * The simulated machine's time, for the one kind of kernel work whose effect a selftest can
 * see depending on how long it ran: work queued behind an RCU grace period (an io_uring
 * ring's teardown, kernel-model/io-uring-account.ts). A process's syscalls take microseconds,
 * so such work does not finish between two sub-tests — unless one of them makes the machine
 * clear or write memory for longer than a grace period takes, as a 1 GiB huge page does.
 *
 * Only bulk memory work moves the clock: clearing a huge folio the kernel hands out
 * (folio_zero_user(), clear_huge_page() before 6.9) and user-space writes over a range (the
 * test's memset()). Everything else counts as no time. Both rates are measured, on the 6.18.44
 * host the live logs come from (test/fixtures/logs/live/INDEX.md): a 2 MiB hugetlb
 * fallocate() takes ~130 µs, a 1 GiB memset() 50–75 ms: ~16 bytes per ns. Against the 20 ms a
 * ring's teardown takes there (RING_EXIT_NS), a 2 MiB page (0.13 ms) never lets it finish and
 * a 1 GiB one (67 ms) always does; sizes in between (arm64's 32 MiB: 2 ms, 512 MiB: 33 ms)
 * fall where the rates put them.
 */
import type { Kernel } from './kernel.js';

/** Bytes cleared or written per nanosecond by a CPU of the measured host. */
export const MEMORY_BYTES_PER_NS = 16;

const ms = (ns: number): string => (ns / 1e6).toFixed(ns < 1e6 ? 2 : 1);

/** Time passes on the machine: queued work whose time has come runs (on another CPU). */
export function elapse(k: Kernel, ns: number): void {
  k.nowNs += ns;
  const q = k.deferredWork;
  while (q.length && q[0]!.readyAtNs <= k.nowNs) {
    const w = q.shift()!;
    if (k.tracing)
      k.note(
        w.fn,
        `ran: due ${ms(w.readyAtNs - w.queuedAtNs)} ms after it was queued, within ${ms(ns)} ms of memory work`,
      );
    w.run();
  }
}

/**
 * The kernel fills a folio of `bytes` before it maps or caches it: zeroes a new one
 * (folio_zero_user(), clear_huge_page() before 6.9) or copies the old one into a COW copy.
 */
export function fillFolio(k: Kernel, bytes: number): void {
  elapse(k, bytes / MEMORY_BYTES_PER_NS);
}

/** The process writes every byte of a range from user space (memset()). */
export function userWrite(k: Kernel, bytes: number): void {
  elapse(k, bytes / MEMORY_BYTES_PER_NS);
}
