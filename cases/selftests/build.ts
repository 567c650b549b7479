/**
 * What a selftest binary is: a version of its program, the tree it was built from, that tree's
 * kselftest.h era and runners. Shared by every selftest plug-in (./plugin.ts), which each
 * choose their version by tree.
 */
import { atLeast, type Release } from '../../kernel-model/release.js';
import type { KselftestEra } from '../kselftest/kselftest.js';
import type { ProcessExit } from '../libc/process.js';
import type { KselftestRunnerEra, RunVmtestsEra } from '../runners/eras.js';
import type { SelftestContext } from './common.js';
import type { CowVersionId } from './cow/versions.js';
import type { GupLongtermVersionId } from './gup_longterm/versions.js';
import type { SelftestName } from './names.js';

export type SelftestVersionId = GupLongtermVersionId | CowVersionId;

export interface SelftestVersion {
  id: SelftestVersionId;
  /** Where it first shipped. */
  firstShipped: string;
  summary: string;
  /** main(): the exit it ends with, returned from its last statement or thrown from deeper. */
  program: (ctx: SelftestContext) => ProcessExit;
}

export interface SelftestBuild {
  /** Which program: gup_longterm (or its prototype) or cow. */
  name: SelftestName;
  version: SelftestVersion;
  /** The tree it was built from (`prototype`, `next`, or a release). */
  tree: string;
  era: KselftestEra;
  /** gup_longterm is also a TEST_GEN_PROGS entry run directly by the kselftest runner (v6.5 only). */
  directKselftest: boolean;
  /** The tree's run_vmtests.sh and kselftest runner. */
  runners: { runVmtests: RunVmtestsEra; kselftest: KselftestRunnerEra };
  /** The binary's name, as runners print it (`gup_longterm`, `pin_longterm`, `cow`). */
  binary: string;
  /** The 7.x kselftest collection's entry for its run_vmtests.sh category (`ksft_cow.sh`). */
  ksftEntry: string;
}

/** The tree's kselftest.h era (shared by every program of the tree). */
export function kselftestEra(r: Release): KselftestEra {
  return { lineBuffered: atLeast(r, '6.6'), skippedWarning: atLeast(r, '6.14') };
}
