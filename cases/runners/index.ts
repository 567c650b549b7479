/** Wrap a selftest's run in the runner the environment names. */
import type { Environment } from '../env.js';
import type { SelftestBuild } from '../versions.js';
import { kselftestRunner } from './kselftest-runner.js';
import type { ProgramOutput } from './output.js';
import { runVmtests } from './run-vmtests.js';

export type { ProgramOutput } from './output.js';

export function applyRunner(env: Environment, build: SelftestBuild, program: ProgramOutput): ProgramOutput {
  const binary = build.binary;
  switch (env.runner) {
    case 'direct':
      return program;
    case 'run_vmtests':
      return runVmtests(env, build, program);
    case 'kselftest':
      return kselftestRunner(build, binary, program);
    case 'kselftest+run_vmtests': {
      // 7.x: the collection entry is the category's ksft_<category>.sh (`#!/bin/sh -e`,
      // `./run_vmtests.sh -t <category>`): the same output and exit status under another name.
      const entry =
        build.runners.kselftest.gupTestEntry === 'run_vmtests.sh' ? 'run_vmtests.sh' : build.ksftEntry;
      return kselftestRunner(build, entry, runVmtests(env, build, program));
    }
  }
}
