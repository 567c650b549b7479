#!/usr/bin/env node
// The installed command: runs the compiled CLI (built by `npm ci` through the
// `prepare` script). During development use `npx tsx harness/cli.ts`.
import { main } from '../dist/harness/cli.js';

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  isTTY: Boolean(process.stdout.isTTY),
});
