/**
 * gup_longterm's known defects and how its results are read: which SKIP reasons are the
 * machine's, which rows are the kernel's pin decisions, and the test's own bugs — the
 * stale-errno io_uring verdicts, the v6.16–v6.18 results missing on an unknown filesystem,
 * v6.16-rc1's memfd FAIL.
 */
import type { TraceEvent } from '../../../kernel-model/trace.js';
import type { KnownDefects } from '../plugin.js';

/** SKIP reasons that are facts about the machine (pool, debugfs, io_uring setup, fs quirks). */
const ENVIRONMENT_SKIP =
  /need more free huge pages|gup_test not available|io_uring_queue_init\(\) failed|memfd_create\(\) failed|Unknown filesystem|Filesystem might be buggy|not supported by filesystem|io_uring_register_buffers\(\) failed/;

const STALE = /returned -(\w+); errno left at (\w+)/;
const IOURING_ERRNOS = new Set(['ENOSPC', 'EOPNOTSUPP', 'EFAULT']);

/**
 * The io_uring verdict was taken on a stale errno (liburing ≥ 2.2 does not set it) and a test
 * reading -ret would have taken the other branch.
 */
export function staleErrnoChangedBranch(
  trace: readonly TraceEvent[],
): { returned: string; stale: string } | undefined {
  for (const e of trace) {
    // Only the registration's result goes through errno; queue_init is judged on its return.
    if (e.fn !== 'liburing:io_uring_register_buffers') continue;
    const m = STALE.exec(e.detail);
    if (!m) continue;
    const returned = m[1]!;
    const stale = m[2]!;
    if (IOURING_ERRNOS.has(returned) !== IOURING_ERRNOS.has(stale)) return { returned, stale };
  }
  return undefined;
}

export const GUP_LONGTERM_DEFECTS: KnownDefects = {
  environmentSkip: ENVIRONMENT_SKIP,
  // Every row is a long-term pin the kernel grants or refuses.
  kernelDecides: (id) => /^(rw|ro)\/|^iouring\//.test(id),
  testBug(o, p, selftest) {
    const stale = staleErrnoChangedBranch(p.trace);
    if (stale) {
      return `io_uring_register_buffers() returned -${stale.returned} but the test reads errno, still ${stale.stale} from an earlier call (liburing ≥ 2.2 does not set errno), so it took the wrong branch; the verdict is the test's, not the kernel's`;
    }
    if (o.verdict === 'missing') {
      return 'the v6.16–v6.18 test returns without a result for R/W MAP_SHARED pins on a filesystem it does not know (66bce7afbaca; fixed by 21c68ad1d977 in v6.19 and 6.18.y)';
    }
    if (
      (o.verdict === 'fail' || o.verdict === 'error') &&
      selftest === '6.16-rc1' &&
      p.diagnostics.some((d) => d.startsWith('memfd_create() failed'))
    ) {
      return 'v6.16-rc1 reports a failed memfd_create() as FAIL (fixed by b1a529bdb964 "skip failed memfd setups")';
    }
    return undefined;
  },
  missingResults(predictedMissing, mm, env) {
    if (predictedMissing === 0) return undefined;
    return `planned ${mm?.planned ?? '?'}, ran ${mm?.run ?? '?'}: the v6.16–v6.18 test prints no result for ${predictedMissing} R/W MAP_SHARED pin sub-test(s) on an unknown filesystem (/tmp ${env.fs.tmp.type}, cwd ${env.fs.cwd.type}); 66bce7afbaca, fixed by 21c68ad1d977`;
  },
};
