/**
 * Turning the model's trace for one sub-test into the sentence a kernel developer reads:
 * which kernel function decided, why, and the commit behind it.
 */
import type { TraceEvent } from '../../kernel-model/trace.js';
import { BEHAVIOURS } from '../../kernel-model/behaviours.js';

/** Functions whose failures are facts about the machine, not about GUP's rules. */
const ENVIRONMENT_FUNCTIONS = new Set([
  'v9fs_vfs_setattr_dotl',
  'v9fs_statfs',
  'v9fs_file_mmap',
  'vfs_fallocate',
  '__io_account_mem',
  'check_and_migrate_movable_pages',
  'io_uring_setup',
  'io_uring_allowed',
  'io_allocate_scq_urings',
  'nfs42_fallocate',
  'fuse_file_fallocate',
  'debugfs',
  'hugetlbfs_fallocate',
  'hugetlb_reserve_pages',
  'hugetlb_file_setup',
  'memfd_create',
]);

const ABSENT = /([0-9a-f]{12}) \(([\d.]+)\) not in this kernel/;

function titleOf(commit: string): string {
  return BEHAVIOURS.find((b) => b.commit === commit)?.title ?? '';
}

export function cite(commit: string, release?: string): string {
  const t = titleOf(commit);
  return `${commit}${release ? ` (${release})` : ''}${t ? ` "${t}"` : ''}`;
}

/** The kernel event that decided the outcome: the last failure, else the last cited decision. */
export function decisiveEvent(trace: readonly TraceEvent[]): TraceEvent | undefined {
  const kernel = trace.filter((e) => !e.fn.startsWith('libc:') && !e.fn.startsWith('liburing:'));
  return [...kernel].reverse().find((e) => e.errno) ?? [...kernel].reverse().find((e) => e.commit) ?? kernel[kernel.length - 1];
}

export function describeEvent(e: TraceEvent): string {
  const err = e.errno ? ` (${e.errno})` : '';
  const c = e.commit ? ` [${cite(e.commit, e.release)}]` : '';
  return `${e.fn}(): ${e.detail}${err}${c}`;
}

/** A behaviour the trace says this kernel lacks, with its commit (the "fixed in" pointer). */
export function absentBehaviour(trace: readonly TraceEvent[]): { commit: string; release: string } | undefined {
  for (const e of [...trace].reverse()) {
    const m = ABSENT.exec(e.detail);
    if (m) return { commit: m[1]!, release: m[2]! };
  }
  return undefined;
}

/** The machine fact behind a failure (9p, NFS, hugetlb pool, memlock, sysctl …), if any. */
export function environmentCause(trace: readonly TraceEvent[]): TraceEvent | undefined {
  return [...trace].reverse().find((e) => e.errno && ENVIRONMENT_FUNCTIONS.has(e.fn));
}

export function commitsIn(trace: readonly TraceEvent[]): string[] {
  const out = new Set<string>();
  for (const e of trace) {
    if (e.commit) out.add(e.commit);
    const m = ABSENT.exec(e.detail);
    if (m) out.add(m[1]!);
  }
  return [...out];
}
