/** Wrap a gup_longterm run in the runner the environment names. */
import type { Environment } from '../env.js';
import type { SelftestBuild } from '../versions.js';
import { kselftestRunner } from './kselftest-runner.js';
import type { ProgramOutput } from './output.js';
import { runVmtests } from './run-vmtests.js';

export type { ProgramOutput } from './output.js';

export function applyRunner(env: Environment, build: SelftestBuild, program: ProgramOutput): ProgramOutput {
  const binary = build.version.id === 'P' ? 'pin_longterm' : 'gup_longterm';
  switch (env.runner) {
    case 'direct':
      return program;
    case 'run_vmtests':
      return runVmtests(env, build, program);
    case 'kselftest':
      return kselftestRunner(build, binary, program);
    case 'kselftest+run_vmtests':
      // 7.x: the collection entry is ksft_gup_test.sh (`#!/bin/sh -e`, `./run_vmtests.sh -t
      // gup_test`): the same output and exit status under another name.
      return kselftestRunner(build, build.runners.kselftest.gupTestEntry, runVmtests(env, build, program));
  }
}
