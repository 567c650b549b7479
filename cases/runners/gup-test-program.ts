/**
 * tools/testing/selftests/mm/gup_test.c as run_vmtests.sh's gup_test category runs it. Only
 * the path where /sys/kernel/debug/gup_test cannot be opened is predictable byte for byte;
 * with the file present gup_test prints benchmark timings, which no model can know.
 */
import { Errno } from '../../kernel-model/errno.js';
import { Kernel } from '../../kernel-model/kernel.js';
import { GUP_TEST_PATH } from '../../kernel-model/task.js';
import type { Environment } from '../env.js';
import { Kselftest, type KselftestEra } from '../kselftest/kselftest.js';
import { Process, ProcessExit } from '../libc/process.js';
import { kernelSpecFor } from '../machine.js';
import type { ProgramOutput } from './output.js';

export function runGupTestProgram(env: Environment, era: KselftestEra): ProgramOutput {
  const proc = new Process(new Kernel(kernelSpecFor(env)));
  const ksft = new Kselftest(proc, era);
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
      }
      ksft.skip('Please run this test as root\n');
      ksft.exitPass();
    }
    // The benchmark itself: timings are not modelled.
    ksft.printMsg('[gupsim] gup_test benchmark timings are not modelled\n');
    ksft.pass('gup_test\n');
    return ksft.exitPass();
  } catch (e) {
    /* c8 ignore next */
    if (!(e instanceof ProcessExit)) throw e;
    return { stdout: proc.stdout.all(), exitCode: e.code };
  }
}
