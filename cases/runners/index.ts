/** Wrap a program run — or the several one invocation runs — in the runner the environment names. */
import type { Environment } from '../env.js';
import type { SelftestBuild } from '../versions.js';
import { kselftestRunnerEntries, type KselftestEntry } from './kselftest-runner.js';
import type { ProgramOutput, RunnerPrograms } from './output.js';
import { runVmtestsCategories } from './run-vmtests.js';

export type { ProgramOutput, RunnerPrograms } from './output.js';

export function applyRunner(env: Environment, build: SelftestBuild, programs: RunnerPrograms): ProgramOutput {
  const only = programs.gup_longterm ?? programs.cow;
  const both = programs.gup_longterm !== undefined && programs.cow !== undefined;
  switch (env.runner) {
    case 'direct':
      /* c8 ignore next */
      if (!only || both) throw new Error('direct: exactly one program');
      return only;
    case 'run_vmtests':
      return runVmtestsCategories(env, build, programs);
    case 'kselftest': {
      // The binaries themselves as collection entries, in the collection's order.
      const entries: KselftestEntry[] = [];
      if (programs.gup_longterm)
        entries.push({ name: build.version.id === 'P' ? 'pin_longterm' : 'gup_longterm', program: programs.gup_longterm });
      if (programs.cow) entries.push({ name: 'cow', program: programs.cow });
      return kselftestRunnerEntries(build, entries);
    }
    case 'kselftest+run_vmtests': {
      // 6.x: the one entry is the whole run_vmtests.sh. 7.x: each category's ksft_<category>.sh
      // (`#!/bin/sh -e`, `./run_vmtests.sh -t <category>`): the same output and exit status
      // under another name, one entry per category.
      if (build.runners.kselftest.gupTestEntry === 'run_vmtests.sh')
        return kselftestRunnerEntries(build, [{ name: 'run_vmtests.sh', program: runVmtestsCategories(env, build, programs) }]);
      const entries: KselftestEntry[] = [];
      if (programs.gup_longterm)
        entries.push({ name: 'ksft_gup_test.sh', program: runVmtestsCategories(env, build, { gup_longterm: programs.gup_longterm }) });
      if (programs.cow) entries.push({ name: 'ksft_cow.sh', program: runVmtestsCategories(env, build, { cow: programs.cow }) });
      return kselftestRunnerEntries(build, entries);
    }
  }
}
