/**
 * tools/testing/selftests/mm/run_vmtests.sh -t gup_test: the banner around each program, its
 * verdict, and (v6.8+, a3c5cc5129ef) the TAP layer with `# ` prefixes and a running counter.
 * Before v6.8 the script prints plain text: the programs' output unprefixed, `[PASS]`, and a
 * final `SUMMARY:` line.
 */
import type { Environment } from '../env.js';
import type { SelftestBuild } from '../versions.js';
import { runGupTestProgram } from './gup-test-program.js';
import { prefixLines, type ProgramOutput } from './output.js';

const KSFT_SKIP = 4;

/** The gup_test category's commands before gup_longterm (the 6.12 script's list). */
const GUP_TEST_COMMANDS = ['./gup_test -u', './gup_test -a', './gup_test -ct -F 0x1 0 19 0x1000'];

export function runVmtests(env: Environment, build: SelftestBuild, gupLongterm: ProgramOutput): ProgramOutput {
  const tap = build.runVmtestsTap;
  const prefix = tap ? '# ' : '';
  let out = '';
  let exitcode = 0;
  const count = { total: 0, pass: 0, skip: 0, fail: 0 };

  // Hugepage setup: raising /proc/sys/vm/nr_hugepages needs root when 256 MiB are not free.
  const dflt = env.hugetlb[0];
  if (dflt && !env.user.root && dflt.free * dflt.sizeKiB < 256 * 1024) {
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
    if (result.exitCode === 0) {
      count.pass++;
      out += `${prefix}[PASS]\n`;
      if (tap) out += `ok ${count.total} ${name}\n`;
    } else if (result.exitCode === KSFT_SKIP) {
      count.skip++;
      exitcode = KSFT_SKIP;
      out += `${prefix}[SKIP]\n`;
      if (tap) out += `ok ${count.total} ${name} # SKIP\n`;
    } else {
      count.fail++;
      exitcode = 1;
      out += `${prefix}[FAIL]\n`;
      if (tap) out += `not ok ${count.total} ${name} # exit=${result.exitCode}\n`;
    }
  };

  for (const command of GUP_TEST_COMMANDS) runTest(command, runGupTestProgram(env, build.era));
  runTest('./gup_longterm', gupLongterm);
  // The on-fault-limit test is outside the category but its SKIP is echoed when sudo is missing.
  if (tap) out += '# SKIP ./on-fault-limit\n';
  out += `${prefix}SUMMARY: PASS=${count.pass} SKIP=${count.skip} FAIL=${count.fail}\n`;
  if (tap) out += `1..${count.total}\n`;
  return { stdout: out, exitCode: exitcode };
}
