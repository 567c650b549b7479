/**
 * The versions of cow.c gupsim runs, and which `selftest.tree` ships which. The 6.12 and 7.2
 * versions are the Debian trees' sources; the older ones are the cowlogs helper's
 * reconstructions (/work/src/cow-history: the posted patches applied in order, HISTORY.md),
 * three of them checked against real runs of the rebuilt binaries. Where a change is not
 * dated, the version is taken as first shipped in the first tree known to have it, and
 * `gupsim versions` says so.
 */
import { atLeast, type Release } from '../../../kernel-model/release.js';
import type { ProcessExit } from '../../libc/process.js';
import type { SelftestContext } from '../common.js';
import { runCow } from './main.js';
import {
  COW_610,
  COW_612,
  COW_62,
  COW_63,
  COW_65,
  COW_67,
  COW_68,
  COW_616,
  COW_617,
  COW_72,
  type CowVariant,
} from './variant.js';

export type CowVersionId =
  | 'cow-6.2'
  | 'cow-6.3'
  | 'cow-6.5'
  | 'cow-6.7'
  | 'cow-6.8'
  | 'cow-6.10'
  | 'cow-6.12'
  | 'cow-6.16'
  | 'cow-6.17'
  | 'cow-7.2';

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
    { ...COW_62, id: 'cow-6.2' },
    'v6.2 (reconstructed from the posted patches: anon_cow.c 69c66add5663 …, renamed 7aca5ca15493, non-anonymous cases 97713a3abe33)',
    '14 anonymous cases on base pages, the PMD THP in eight shapes and hugetlb, 3 non-anonymous cases; [INFO] lines before the TAP header; memory filled with 0; children exit() with stdio (duplicated output through a pipe without setvbuf)',
  ),
  version(
    { ...COW_63, id: 'cow-6.3' },
    'v6.3 (dee2ad120571; reconstructed)',
    'the four THP collapse cases (MADV_COLLAPSE before/after fork())',
  ),
  version(
    { ...COW_65, id: 'cow-6.5' },
    'v6.5 (hugetlb detection moved to vm_util; commit not identified, posted 2023-05-19; reconstructed)',
    '"detected hugetlb page size" instead of "detected hugetlb size"',
  ),
  version(
    { ...COW_67, id: 'cow-6.7' },
    'v6.7 (a6fcd57cf2df; its 6.6.y backport not modelled; reconstructed)',
    'ksft_print_header() before any [INFO] line',
  ),
  version(
    { ...COW_68, id: 'cow-6.8' },
    'v6.8 (c0f79103322c; derived backwards from 6.12.118)',
    'every THP size (mTHP), each forced to always through thp_settings.c (needs root), "(N kB)" in the THP names',
  ),
  version(
    { ...COW_610, id: 'cow-6.10' },
    'v6.10 (4bf6a4ebc592; 6.12.118 without its non-zero fill); also 6.12.y before 6.12.118 and 6.13',
    'the hugetlb vmsplice rows XFAIL, failures say "Leak from …"',
  ),
  version(
    { ...COW_612, id: 'cow-6.12' },
    'v6.14 (a32bf5bb7933) and 6.12.118 (stable backport; the first 6.12.y with it is not known)',
    'memory filled with 1, not 0: zero-filled THPs are not swapped on kernels with b1f202060afe (6.12)',
  ),
  version(
    { ...COW_616, id: 'cow-6.16' },
    'v6.16 (109364fce504 and the unique-names commit; reconstructed from the v2 mails of 2025-05-27)',
    'results repeat the [RUN] name ("ok N <name>"), skip reasons on # lines, ksft_finished() (no "Bail out! N out of M tests failed"); a failure prints no reason',
  ),
  version(
    { ...COW_617, id: 'cow-6.17' },
    'v6.17 [I] (Mark Brown\'s "Tweaks to the cow test", posted 2025-06-10; release inferred)',
    'failures say why first: "# Leak from …", "# Longtom R/W pin is not reliable" (sic), "# Longterm R/O pin is not reliable", "# Other mapping modified"',
  ),
  version(
    { ...COW_72, id: 'cow-7.2' },
    'v7.2 (the 7.2 tree; its changes after v6.17 are not dated: first tree known to have them)',
    'fallocate() EOPNOTSUPP → SKIP, hugetlb_setup(2) raises the pools and drops sizes without 2 free pages, hugepage_settings.c (atexit restore, Bail out! on a failed write), no "huge zeropage is enabled" line, pages populated and checked ("Failed to populate page"), children _exit()',
  ),
];

function byId(id: CowVersionId): CowVersion {
  return COW_VERSIONS.find((v) => v.id === id)!;
}

/** The cow.c a tree ships, or why none is modelled. */
export function cowVersionFor(tree: Release): CowVersion | { error: string } {
  if (atLeast(tree, '7.2')) return byId('cow-7.2');
  if (atLeast(tree, '6.17')) return byId('cow-6.17');
  if (atLeast(tree, '6.16')) return byId('cow-6.16');
  if (atLeast(tree, '6.14')) return byId('cow-6.12');
  if (atLeast(tree, '6.13')) return byId('cow-6.10');
  if (atLeast(tree, '6.12.118')) return byId('cow-6.12');
  if (atLeast(tree, '6.10')) return byId('cow-6.10');
  if (atLeast(tree, '6.8')) return byId('cow-6.8');
  if (atLeast(tree, '6.7')) return byId('cow-6.7');
  if (atLeast(tree, '6.5')) return byId('cow-6.5');
  if (atLeast(tree, '6.3')) return byId('cow-6.3');
  if (atLeast(tree, '6.2')) return byId('cow-6.2');
  return {
    error: `selftest.tree ${tree.text}: no cow.c before v6.2 (it first shipped in v6.2)`,
  };
}
