/**
 * tools/testing/selftests/mm/gup_test.c as run_vmtests.sh's gup_test category runs it. With
 * /sys/kernel/debug/gup_test absent every invocation skips, byte for byte. With it present the
 * program asks the kernel to pin its 128 MiB buffer: the *_BENCHMARK commands print how long
 * that took (`get:<µs> put:<µs>`), which no model can know — gupsim prints `?` for those two
 * numbers and everything else as the program does.
 */
import { Errno } from '../../kernel-model/errno.js';
import { Kernel } from '../../kernel-model/kernel.js';
import { GUP_TEST_PATH } from '../../kernel-model/task.js';
import { GUP_TEST_COMMANDS, type GupTestCommand } from '../../kernel-model/gup-test.js';
import type { Environment } from '../env.js';
import { Kselftest, type KselftestEra } from '../kselftest/kselftest.js';
import { Process, ProcessExit } from '../libc/process.js';
import { strerror } from '../libc/strerror.js';
import { kernelSpecFor } from '../machine.js';
import type { ProgramOutput } from './output.js';

const MB = 1024 * 1024;

/** Command letters of gup_test's getopt() string; the program's default is GUP_FAST_BENCHMARK. */
const COMMAND_OPTIONS: Record<string, GupTestCommand> = {
  u: 'GUP_FAST_BENCHMARK',
  a: 'PIN_FAST_BENCHMARK',
  L: 'PIN_LONGTERM_BENCHMARK',
  U: 'GUP_BASIC_TEST',
  b: 'PIN_BASIC_TEST',
  c: 'DUMP_USER_PAGES_TEST',
};
/** Options that take an argument (`m:r:n:F:f:j:`). */
const WITH_ARGUMENT = new Set(['m', 'r', 'n', 'F', 'f', 'j']);

/** getopt() of the options run_vmtests.sh passes: the command, pages per call, repeats. */
function parseArgs(command: string): { cmd: GupTestCommand; nrPages: number; repeats: number } {
  const args = command.split(/\s+/).slice(1);
  let cmd: GupTestCommand = 'GUP_FAST_BENCHMARK';
  let nrPages = 1;
  let repeats = 1;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (!a.startsWith('-')) continue;
    for (const c of a.slice(1)) {
      const chosen = COMMAND_OPTIONS[c];
      if (chosen) cmd = chosen;
      else if (WITH_ARGUMENT.has(c)) {
        const value = Number.parseInt(args[++i] ?? '', 10);
        if (c === 'n') nrPages = value;
        if (c === 'r') repeats = value;
      }
    }
  }
  return { cmd, nrPages, repeats };
}

export function runGupTestProgram(env: Environment, era: KselftestEra, command: string): ProgramOutput {
  const proc = new Process(new Kernel(kernelSpecFor(env)));
  const ksft = new Kselftest(proc, era);
  const { cmd, nrPages, repeats } = parseArgs(command);
  const size = 128 * MB;
  try {
    ksft.printHeader();
    ksft.setPlan(1);
    const fd = proc.open(GUP_TEST_PATH);
    if (fd === -1) {
      if (proc.errno === Errno.EACCES) {
        if (!env.user.root) ksft.printMsg('Please run this test as root\n');
      } else if (proc.errno === Errno.ENOENT) {
        if (!env.kernel.config.DEBUG_FS) ksft.printMsg('mount debugfs at /sys/kernel/debug\n');
        ksft.printMsg('check if CONFIG_GUP_TEST is enabled in kernel config\n');
      } else {
        ksft.printMsg(`failed to open ${GUP_TEST_PATH}: ${strerror(proc.errno)}\n`);
      }
      ksft.skip('Please run this test as root\n');
      ksft.exitPass();
    }
    // gup_thread(): one ioctl per repeat for the benchmarks, one for the tests.
    const pages = nrPages < 0 ? size / proc.getpagesize() : nrPages;
    const benchmark = GUP_TEST_COMMANDS[cmd].benchmark;
    let status = 0;
    for (let i = 0; i < (benchmark ? repeats : 1); i++) {
      status = proc.ioctl(fd, GUP_TEST_COMMANDS[cmd].nr, { addr: 0, size, flags: pages });
      if (status) break;
      if (benchmark) {
        // Two ksft_print_msg() calls: the line ends in "us# " (the second's prefix).
        ksft.printMsg(`${cmd}: Time: get:? put:? us`);
        ksft.printMsg('\n');
      } else {
        ksft.printMsg(`${cmd}: done\n`);
      }
    }
    ksft.testResult(!status, `ioctl status ${status}\n`);
    return ksft.exitPass();
  } catch (e) {
    /* c8 ignore next */
    if (!(e instanceof ProcessExit)) throw e;
    return { stdout: proc.stdout.all(), exitCode: e.code };
  }
}
