/**
 * The versions of cow.c gupsim runs, and which `selftest.tree` ships which. Dated from the
 * sources at hand (Debian's linux-source-6.12 and -7.2 trees); where a change between them is
 * not dated, the version is taken as first shipped in the first tree known to have it, and
 * `gupsim versions` says so.
 */
import { atLeast, type Release } from '../../../kernel-model/release.js';
import type { ProcessExit } from '../../libc/process.js';
import type { SelftestContext } from '../common.js';
import { runCow } from './main.js';
import { COW_612, COW_72, type CowVariant } from './variant.js';

export type CowVersionId = 'cow-6.12' | 'cow-7.2';

export interface CowVersion {
  id: CowVersionId;
  firstShipped: string;
  summary: string;
  program: (ctx: SelftestContext) => ProcessExit;
}

function version(
  v: CowVariant & { id: CowVersionId },
  firstShipped: string,
  summary: string,
): CowVersion {
  return { id: v.id, firstShipped, summary, program: (ctx) => runCow(ctx, v) };
}

export const COW_VERSIONS: readonly CowVersion[] = [
  version(
    { ...COW_612, id: 'cow-6.12' },
    'v6.10 (the 6.12 tree; the changes since v6.10 are not dated here)',
    'mTHP sizes forced through sysfs (thp_settings.c), "No leak"/"Leak from …" verdict texts, hugetlb vmsplice rows XFAIL, collapse tests',
  ),
  version(
    { ...COW_72, id: 'cow-7.2' },
    'v7.2 (the 7.2 tree; unique result names are v6.16, the rest undated: first tree known to have them)',
    'results repeat the [RUN] name, reasons on # lines ("Longtom" typo), fallocate() EOPNOTSUPP → SKIP, hugetlb_setup(2) raises the pools, hugepage_settings.c exits with Bail out!',
  ),
];

/** The cow.c a tree ships, or why none is modelled. */
export function cowVersionFor(tree: Release): CowVersion | { error: string } {
  if (atLeast(tree, '6.16')) return COW_VERSIONS[1]!;
  if (atLeast(tree, '6.10')) return COW_VERSIONS[0]!;
  return {
    error: `selftest.tree ${tree.text}: cow.c before v6.10 is not modelled yet (first shipped in v6.2 as anon_cow.c)`,
  };
}
