/**
 * tools/testing/selftests/mm/run_vmtests.sh -t gup_test (or -t cow): the banner around each program, its
 * verdict, and (v6.8+, a3c5cc5129ef) the TAP layer with `# ` prefixes and a running counter.
 * Before v6.8 the script prints plain text: the programs' output unprefixed, `[PASS]`, and a
 * final `SUMMARY:` line. Which programs run, and whether the script first raises the huge
 * page pool (and gives up without root), is the tree's era (./eras.ts).
 */
import type { Environment } from '../env.js';
import { KSFT_SKIP } from '../kselftest/kselftest.js';
import type { SelftestBuild } from '../versions.js';
import { runGupTestProgram } from './gup-test-program.js';
import { prefixLines, type ProgramOutput, type RunnerPrograms } from './output.js';
import { runVmtestsResult } from './verdicts.js';


/** `run_vmtests.sh -t <category>` of the build's program: gup_test (gup_longterm's) or cow. */
export function runVmtests(env: Environment, build: SelftestBuild, program: ProgramOutput): ProgramOutput {
  return runVmtestsCategories(env, build, build.name === 'cow' ? { cow: program } : { gup_longterm: program });
}

/** `run_vmtests.sh -t "<categories>"`: the gup_test category (gup_longterm's), then cow. */
export function runVmtestsCategories(env: Environment, build: SelftestBuild, programs: RunnerPrograms): ProgramOutput {
  const era = build.runners.runVmtests;
  const tap = era.tap;
  const prefix = tap ? '# ' : '';
  let out = '';
  let exitcode = 0;
  const count = { total: 0, pass: 0, skip: 0, fail: 0 };

  // Hugepage setup: raising /proc/sys/vm/nr_hugepages needs root when 256 MiB are not free.
  const dflt = env.hugetlb[0];
  if (era.hugepageSetup && dflt && !env.user.root && dflt.free * dflt.sizeKiB < 256 * 1024) {
    return { stdout: 'Please run this test as root\n', exitCode: KSFT_SKIP };
  }

  if (tap) out += 'TAP version 13\n';
  const runTest = (command: string, result: ProgramOutput): void => {
    const title = `running ${command}`;
    const sep = '-'.repeat(title.length);
    out += prefixLines(`${sep}\n${title}\n${sep}\n`, prefix);
    out += prefixLines(result.stdout, prefix);
    count.total++;
    const name = command.replace(/^(bash )?\.\//, '');
    const r = runVmtestsResult(result.exitCode);
    if (r.status === 'PASS') count.pass++;
    else if (r.status === 'SKIP') {
      count.skip++;
      if (!era.skipKeepsFail || exitcode === 0) exitcode = KSFT_SKIP;
    } else {
      count.fail++;
      exitcode = 1;
    }
    out += `${prefix}[${r.status}]\n`;
    if (tap)
      out += `${r.ok ? 'ok' : 'not ok'} ${count.total} ${name}${r.directive === null ? '' : ` # ${r.directive}`}\n`;
  };

  // The categories in the script's order: gup_test, then (mlock's on-fault-limit, never run
  // here, but without sudo its SKIP is echoed whatever -t says), then cow.
  if (programs.gup_longterm) {
    for (const command of era.gupTestCommands)
      runTest(command, runGupTestProgram(env, build.era, command));
    runTest('./gup_longterm', programs.gup_longterm);
  }
  if (tap) out += '# SKIP ./on-fault-limit\n';
  if (programs.cow) runTest('./cow', programs.cow);
  out += `${prefix}SUMMARY: PASS=${count.pass} SKIP=${count.skip} FAIL=${count.fail}\n`;
  if (tap) out += `1..${count.total}\n`;
  return { stdout: out, exitCode: exitcode };
}
