/**
 * How cow's results are read: which SKIP reasons are the machine's, and which rows are the
 * kernel's decisions. Known defects of cow.c that change its output — the zero fill that made
 * swapped-out THP rows SKIP on kernels that remap zero-filled subpages (fixed by a32bf5bb7933),
 * the FORCE_READ() window in which the huge zeropage rows SKIP "Did not get THPs populated"
 * (fixed by Kevin Brodsky's "fix usage of FORCE_READ() in cow tests") — are in trees gupsim
 * does not model yet (/work/src/cow-history/HISTORY.md §2.10, §2.14): none is predicted, so
 * none is named here.
 */
import type { KnownDefects } from '../plugin.js';

/**
 * SKIP reasons that are facts about the machine: no swap, no THP (or the policy `never`), no
 * huge zeropage, huge pages, gup_test, io_uring set-up or memlock, a /tmp without fallocate().
 */
const ENVIRONMENT_SKIP =
  /MADV_PAGEOUT did not work|Did not get a THP populated|Did not get THPs populated|Huge zeropage not enabled|need more free huge pages|gup_test not available|PIN_LONGTERM_TEST_START failed|io_uring_queue_init\(\) failed|io_uring_register_buffers\(\) failed|memfd_create\(\) failed|not supported by filesystem|MADV_COLLAPSE failed/;

export const COW_DEFECTS: KnownDefects = {
  environmentSkip: ENVIRONMENT_SKIP,
  // Every row checks what COW or a pin leaves each process (a leak, an unreliable pin).
  kernelDecides: () => true,
  testBug: () => undefined,
  missingResults: () => undefined,
};
