/**
 * The cow binary a tree builds: its cow.c version (./versions.ts), the tree's kselftest.h era
 * and runners. (The plug-in's run side: ./plugin.ts.)
 */
import { isRelease, parseRelease } from '../../../kernel-model/release.js';
import { kselftestRunnerEra, runVmtestsEra } from '../../runners/eras.js';
import { kselftestEra, type SelftestBuild } from '../build.js';
import { cowVersionFor } from './versions.js';

export function cowBuild(tree: string): SelftestBuild | { error: string } {
  if (tree === 'prototype')
    return { error: 'selftest.tree prototype: the prototype is of gup_longterm, not cow' };
  const r = parseRelease(tree);
  if (!isRelease(r)) return { error: `selftest.tree: ${r.error}` };
  const v = cowVersionFor(r);
  if ('error' in v) return v;
  return {
    name: 'cow',
    version: v,
    tree,
    era: kselftestEra(r),
    directKselftest: false,
    runners: { runVmtests: runVmtestsEra(r), kselftest: kselftestRunnerEra(r) },
    binary: 'cow',
    ksftEntry: 'ksft_cow.sh',
  };
}
