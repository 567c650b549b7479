/**
 * Every version of gup_longterm.c gupsim can run, and how a `selftest.tree` (the kernel tree
 * the binary was built from) selects one: the newest revision at or before that tree. The
 * tree also decides the kselftest.h era and the runners' behaviour.
 */
import { atLeast, isRelease, parseRelease, type Release } from '../../../kernel-model/release.js';
import { kselftestRunnerEra, PROTOTYPE_RUNNERS, runVmtestsEra } from '../../runners/eras.js';
import { kselftestEra, type SelftestBuild, type SelftestVersion } from '../build.js';
import { A1, A2, A3, PROTOTYPE, runGupLongtermA } from './version-a.js';
import { runGupLongtermB } from './version-b.js';
import { C0, C1, C2, C3, D, runGupLongtermC } from './version-c.js';

export type GupLongtermVersionId = 'P' | 'A1' | 'A2' | 'A3' | 'B' | 'C0' | 'C1' | 'C2' | 'C3' | 'D';

export const GUP_LONGTERM_VERSIONS: readonly SelftestVersion[] = [
  {
    id: 'P',
    firstShipped: 'never (prototype pin_longterm, mail of 2023-05-05)',
    summary:
      '"Pinning succeeded/failed as expected", "iouring fixed buffer", "detected hugetlb size"',
    program: (ctx) => runGupLongtermA(ctx, PROTOTYPE),
  },
  {
    id: 'A1',
    firstShipped: 'v6.5',
    summary: 'first release: 8 GUP + 2 io_uring cases, reason texts',
    program: (ctx) => runGupLongtermA(ctx, A1),
  },
  {
    id: 'A2',
    firstShipped: 'v6.7',
    summary: 'resource-leak fix (fclose on the fileno() error path)',
    program: (ctx) => runGupLongtermA(ctx, A2),
  },
  {
    id: 'A3',
    firstShipped: 'v6.10',
    summary: 'R/O cases mprotect(PROT_READ) first (unsharing logic)',
    program: (ctx) => runGupLongtermA(ctx, A3),
  },
  {
    id: 'B',
    firstShipped: 'v6.15',
    summary: 'errno in messages, "(EINVAL)n" typo, 9pfs ftruncate ENOENT → SKIP',
    program: runGupLongtermB,
  },
  {
    id: 'C0',
    firstShipped: 'v6.16-rc1',
    summary: 'test names as results; memfd failure FAILs; unknown fs prints no result',
    program: (ctx) => runGupLongtermC(ctx, C0),
  },
  {
    id: 'C1',
    firstShipped: 'v6.16',
    summary: 'b1a529bdb964: memfd_create() failure → SKIP',
    program: (ctx) => runGupLongtermC(ctx, C1),
  },
  {
    id: 'C2',
    firstShipped: 'v6.17',
    summary: 'fallocate() EOPNOTSUPP → SKIP (v6.17, v6.18)',
    program: (ctx) => runGupLongtermC(ctx, C2),
  },
  {
    id: 'C3',
    firstShipped: 'v6.19 (and 6.18.7+)',
    summary: '21c68ad1d977: unknown filesystem → SKIP result',
    program: (ctx) => runGupLongtermC(ctx, C3),
  },
  {
    id: 'D',
    firstShipped: 'v7.2 (and next)',
    summary:
      '6b7cabce32fc hugetlb_setup(2, …): the test raises nr_hugepages itself, tests only sizes with 2 free pages',
    program: (ctx) => runGupLongtermC(ctx, D),
  },
];

function versionById(id: GupLongtermVersionId): SelftestVersion {
  return GUP_LONGTERM_VERSIONS.find((v) => v.id === id)!;
}

/**
 * The gup_longterm.c a tree ships. D came with Mike Rapoport's HugeTLB set-up series, merged
 * through mm-stable in the 7.2 merge window (6b7cabce32fc in the linux-next listing of
 * 2026-06-05); 6.19's e6fbd1759c9e ("kselftest.h" include path) changes no output, so 7.0 and
 * 7.1 ship C3.
 */
function versionForRelease(r: Release): GupLongtermVersionId {
  if (atLeast(r, '7.2')) return 'D';
  if (atLeast(r, '6.19')) return 'C3';
  // 6.18.y got the unknown-fs fix in its stable review of 2026-01-21 (release believed 6.18.7).
  if (r.major === 6 && r.minor === 18 && r.patch >= 7) return 'C3';
  if (atLeast(r, '6.17')) return 'C2';
  if (atLeast(r, '6.16-rc2')) return 'C1';
  if (atLeast(r, '6.16')) return 'C0';
  if (atLeast(r, '6.15')) return 'B';
  if (atLeast(r, '6.10')) return 'A3';
  if (atLeast(r, '6.7')) return 'A2';
  return 'A1';
}

/** The gup_longterm binary a tree builds (the prototype is `pin_longterm`). */
export function gupLongtermBuild(tree: string): SelftestBuild | { error: string } {
  if (tree === 'prototype') {
    return {
      name: 'gup_longterm',
      version: versionById('P'),
      tree,
      era: { lineBuffered: false, skippedWarning: false },
      directKselftest: false,
      runners: PROTOTYPE_RUNNERS,
      binary: 'pin_longterm',
      ksftEntry: 'ksft_gup_test.sh',
    };
  }
  const r = parseRelease(tree);
  if (!isRelease(r)) return { error: `selftest.tree: ${r.error}` };
  if (!atLeast(r, '6.5')) {
    return {
      error: `selftest.tree ${tree}: gup_longterm first shipped in v6.5 (use "prototype" for the May 2023 pin_longterm)`,
    };
  }
  return {
    name: 'gup_longterm',
    version: versionById(versionForRelease(r)),
    tree,
    era: kselftestEra(r),
    directKselftest: !atLeast(r, '6.6'),
    runners: { runVmtests: runVmtestsEra(r), kselftest: kselftestRunnerEra(r) },
    binary: 'gup_longterm',
    ksftEntry: 'ksft_gup_test.sh',
  };
}
