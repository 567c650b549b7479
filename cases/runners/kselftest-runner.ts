/**
 * tools/testing/selftests/kselftest/runner.sh run_one() under run_kselftest.sh: the `# `
 * prefixed program output between a header and one TAP line for the whole program
 * (`ok N selftests: mm: <name>`, `# SKIP` for exit 4, `# exit=<rc>` otherwise). Run as
 * `run_kselftest.sh -t mm:<name> [-t mm:<other>]`: one entry per program, in the collection's
 * order. The tree's era decides the
 * timeout (mm/settings) and whether the ktap_helpers.sh runner adds its totals and exit status.
 */
import type { SelftestBuild } from '../versions.js';
import { prefixLines, type ProgramOutput } from './output.js';
import { kselftestRunnerResult } from './verdicts.js';


/** One collection entry: its name and what running it printed. */
export interface KselftestEntry {
  name: string;
  program: ProgramOutput;
}

/** `run_kselftest.sh -t mm:<name>`: a collection of one entry. */
export function kselftestRunner(build: SelftestBuild, name: string, program: ProgramOutput): ProgramOutput {
  return kselftestRunnerEntries(build, [{ name, program }]);
}

export function kselftestRunnerEntries(build: SelftestBuild, entries: readonly KselftestEntry[]): ProgramOutput {
  const era = build.runners.kselftest;
  let out = `TAP version 13\n1..${entries.length}\n`;
  const counts = { pass: 0, fail: 0, xfail: 0, skip: 0 };
  entries.forEach(({ name, program }, i) => {
    const n = i + 1;
    const hdr = `selftests: mm: ${name}`;
    out += `# timeout set to ${era.timeout}\n`;
    out += `# ${hdr}\n`;
    out += prefixLines(program.stdout, '# ');
    const r = kselftestRunnerResult(program.exitCode, era);
    out += `${r.ok ? 'ok' : 'not ok'} ${n} ${hdr}${r.directive === null ? '' : ` # ${r.directive}`}\n`;
    if (!r.ok) counts.fail++;
    else if (r.directive === 'SKIP') counts.skip++;
    else if (r.directive === 'XFAIL') counts.xfail++;
    else counts.pass++;
  });
  if (!era.ktapHelpers) {
    // The 6.x run_kselftest.sh reports failures in its TAP only; its own status stays 0.
    return { stdout: out, exitCode: 0 };
  }
  // ktap_print_totals(): echo's two arguments leave two spaces after "detected.".
  if (counts.skip > 0) {
    out += `# ${counts.skip} skipped test(s) detected.  Consider enabling relevant config options to improve coverage.\n`;
  }
  out += `# Totals: pass:${counts.pass} fail:${counts.fail} xfail:${counts.xfail} xpass:0 skip:${counts.skip} error:0\n`;
  return { stdout: out, exitCode: counts.fail > 0 ? 1 : 0 };
}
