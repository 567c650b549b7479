/**
 * The process around the CLI when run from source (`node --import tsx harness/main.ts`, as
 * test/fleet.test.ts does; the installed bin/gupsim.js bundles cli.ts and does the same
 * itself): real streams, the exit code, and a reader that goes away. `gupsim history | head -2`
 * closes the pipe after two lines; the next write fails with EPIPE, which must end the
 * command quietly — no stack trace, no "internal error" — with the shell's code for a writer
 * stopped by SIGPIPE.
 */
import { main } from './cli.js';
import { EXIT_BROKEN_PIPE } from './io.js';

for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT_BROKEN_PIPE);
    throw e;
  });
}

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  isTTY: Boolean(process.stdout.isTTY),
});
