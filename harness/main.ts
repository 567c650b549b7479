/**
 * The process around the CLI when run from source (`node --import tsx harness/main.ts`, as
 * test/fleet.test.ts does; the installed bin/gupsim.js bundles cli.ts and does the same
 * itself): real streams, the exit code, and a reader that goes away. `gupsim history | head -2`
 * closes the pipe after two lines; the next write fails with EPIPE, which must end the
 * command quietly — no stack trace, no "internal error" — with the shell's code for a writer
 * stopped by SIGPIPE.
 */
import { writeSync } from 'node:fs';
import { main } from './cli.js';
import { EXIT_BROKEN_PIPE, EXIT_USAGE } from './io.js';
import { outputErrorText } from './terminal-io.js';
import { visibleControls } from '../reports/formats/escape.js';

// Any other failure of a stream (ENOSPC on a full disk) is the machine's, not gupsim's: one
// line, exit 2, as the installed bin/gupsim.js does.
for (const [name, stream] of [['stdout', process.stdout], ['stderr', process.stderr]] as const) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT_BROKEN_PIPE);
    try {
      if (name === 'stdout') writeSync(2, `gupsim ${visibleControls(process.argv[2] ?? '')}: ${outputErrorText(name, e)}\n`);
    } catch {
      // stderr is gone too.
    }
    process.exit(EXIT_USAGE);
  });
}

// No top-level await: the tests bundle this entry as CommonJS (test/helpers/bundle.ts), whose
// packages then load only when a command needs them. A rejection still ends the process, exit 1.
void main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  isTTY: Boolean(process.stdout.isTTY),
}).then((code) => {
  process.exitCode = code;
});
