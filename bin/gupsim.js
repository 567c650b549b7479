#!/usr/bin/env node
// The installed command: runs the CLI bundled by `npm ci` (the `prepare` script,
// scripts/build-cli.mjs), loaded with its code cache by load-cli.js. CommonJS (see
// bin/package.json) because the ESM loader alone costs a bare `node` another ~10 %.
// During development use `npx tsx harness/cli.ts`.
'use strict';
const { writeSync } = require('node:fs');
const { loadCli } = require('./load-cli.js');

/** 128 + SIGPIPE: a reader that went away ends the command quietly (harness/io.ts EXIT_BROKEN_PIPE). */
const EXIT_BROKEN_PIPE = 141;
/** Any other failure of a stream (ENOSPC) is the machine's: one line, bad-input exit (harness/io.ts EXIT_USAGE). */
const EXIT_USAGE = 2;

function quietOnEpipe(stream, name) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(EXIT_BROKEN_PIPE);
    try {
      if (name === 'stdout') writeSync(2, `gupsim ${cli.visibleControls(process.argv[2] ?? '')}: ${cli.outputErrorText(name, e)}\n`);
    } catch {
      // stderr is gone too: the exit code is all that is left.
    }
    process.exit(EXIT_USAGE);
  });
  return stream;
}

/**
 * stdout as a plain file descriptor: synchronous writes need none of Node's stream machinery
 * (two dozen internal modules at every start). If the descriptor is non-blocking and full
 * (EAGAIN), the rest goes through process.stdout; a reader that went away (EPIPE, as in
 * `gupsim diff --json big.log | head`) ends the output quietly.
 */
function fdWriter(fd, stream) {
  let fallback = false;
  const quietPipe = () => quietOnEpipe(stream(), 'stdout');
  return {
    write(s) {
      if (fallback) return stream().write(s);
      const buf = Buffer.from(s);
      let off = 0;
      while (off < buf.length) {
        try {
          off += writeSync(fd, buf, off);
        } catch (e) {
          if (e.code === 'EPIPE') process.exit(EXIT_BROKEN_PIPE);
          // Thrown to the command's writer (harness/terminal-io.ts): one line, exit 2.
          if (e.code !== 'EAGAIN') throw e;
          fallback = true;
          quietPipe();
          return stream().write(buf.subarray(off));
        }
      }
      return true;
    },
  };
}

let stderr;
// `gupsim run` from its own, smaller bundle (bin/load-cli.js); everything else from the whole CLI.
const { cli } = loadCli(process.argv[2] === 'run' ? 'run' : 'all');
cli
  .main(process.argv.slice(2), {
    stdout: fdWriter(1, () => process.stdout),
    // Created on first use: opening stdin and stderr as streams costs a start that never
    // reads or writes them a few milliseconds.
    get stderr() {
      return stderr ?? (stderr = quietOnEpipe(process.stderr, 'stderr'));
    },
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    // Asked only by the commands that colour or show progress (node:tty loads net and streams).
    get isTTY() {
      return require('node:tty').isatty(1);
    },
  })
  .then((code) => {
    process.exitCode = code;
  });
