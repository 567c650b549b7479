/** `gupsim env detect`: print this machine's environment file. */
import { parseArgs } from 'node:util';
import { environmentFromJson } from '../../cases/env.js';
import { detectEnvironment } from '../detect.js';
import { EXIT_OK, UsageError, type CliIO } from '../io.js';

export const ENV_HELP = `usage: gupsim env detect [--cwd DIR]

Print this machine's environment file (uname, hugetlb pools, statfs of /tmp and the test
directory, gup_test, RLIMIT_MEMLOCK, io_uring_disabled, root) on stdout; notes on what could
not be read go to stderr. selftest.liburing is written as 2.5: edit it to the liburing the
test binary was built with (or null).`;

export async function envCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { cwd: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    io.stdout.write(ENV_HELP + '\n');
    return EXIT_OK;
  }
  if (positionals[0] !== 'detect' || positionals.length > 1) throw new UsageError('expected "gupsim env detect"');
  const d = detectEnvironment(values.cwd ?? process.cwd());
  const check = environmentFromJson(d.env);
  if (!check.ok) throw new UsageError(`detected environment is invalid: ${check.error}`);
  for (const n of d.notes) io.stderr.write(`gupsim env: ${n}\n`);
  io.stdout.write(JSON.stringify(d.env, null, 2) + '\n');
  return EXIT_OK;
}
