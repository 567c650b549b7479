/** `gupsim env detect`: print this machine's environment file. */
import { parseArgs } from 'node:util';
import { environmentFromJson } from '../../cases/env.js';
import { ALLOCATABLE_NOT_MEASURED, detectEnvironment, probeHugetlb } from '../detect.js';
import { EXIT_OK, UsageError, type CliIO } from '../io.js';

export const ENV_HELP = `usage: gupsim env detect [--cwd DIR] [--probe-hugetlb N]

Print this machine's environment file (uname, hugetlb pools, statfs of /tmp and the test
directory, gup_test, RLIMIT_MEMLOCK, io_uring_disabled/io_uring_group, root and groups, page
size) on stdout; notes on what could not be read go to stderr. selftest.liburing is written as
2.5: edit it to the liburing the test binary was built with (or null).

  --probe-hugetlb N   as root, raise each size's nr_hugepages by N, record how many pages the
                      kernel really added as hugetlb[].allocatable (what the 7.2 selftest's
                      hugetlb_setup() will get), and put nr_hugepages back`;

export async function envCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { cwd: { type: 'string' }, 'probe-hugetlb': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    io.stdout.write(ENV_HELP + '\n');
    return EXIT_OK;
  }
  if (positionals[0] !== 'detect' || positionals.length > 1) throw new UsageError('expected "gupsim env detect"');
  const probe = values['probe-hugetlb'];
  const want = probe === undefined ? undefined : Number(probe);
  if (want !== undefined && (!Number.isInteger(want) || want < 1 || want > 1_000_000)) {
    throw new UsageError(`--probe-hugetlb: expected a page count from 1 to 1000000, got "${probe}"`);
  }
  const d = detectEnvironment(values.cwd ?? process.cwd());
  if (want !== undefined) {
    d.notes = d.notes.filter((n) => n !== ALLOCATABLE_NOT_MEASURED);
    d.notes.push(...probeHugetlb(d.env, want));
  }
  const check = environmentFromJson(d.env);
  if (!check.ok) throw new UsageError(`detected environment is invalid: ${check.error}`);
  for (const n of d.notes) io.stderr.write(`gupsim env: ${n}\n`);
  io.stdout.write(JSON.stringify(d.env, null, 2) + '\n');
  return EXIT_OK;
}
