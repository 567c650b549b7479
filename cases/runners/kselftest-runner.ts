/**
 * tools/testing/selftests/kselftest/runner.sh run_one(): the `# ` prefixed program output
 * between a header and one TAP line for the whole program (`ok 1 selftests: mm: <name>`,
 * `# SKIP` for exit 4, `# exit=<rc>` otherwise). Run as `run_kselftest.sh -t mm:<name>`,
 * so the collection has one test.
 */
import type { SelftestBuild } from '../versions.js';
import { prefixLines, type ProgramOutput } from './output.js';

export function kselftestRunner(build: SelftestBuild, name: string, program: ProgramOutput): ProgramOutput {
  const hdr = `selftests: mm: ${name}`;
  let out = 'TAP version 13\n1..1\n';
  out += `# timeout set to ${build.timeout}\n`;
  out += `# ${hdr}\n`;
  out += prefixLines(program.stdout, '# ');
  if (program.exitCode === 0) out += `ok 1 ${hdr}\n`;
  else if (program.exitCode === 4) out += `ok 1 ${hdr} # SKIP\n`;
  else out += `not ok 1 ${hdr} # exit=${program.exitCode}\n`;
  // run_kselftest.sh reports failures in its TAP only; its own status stays 0.
  return { stdout: out, exitCode: 0 };
}
