#!/usr/bin/env node
// The installed CLI as one file, dist/gupsim.cjs, built by esbuild at `npm ci` (the `prepare`
// script), plus V8's code cache for it, dist/gupsim.cjs.cache (see bin/load-cli.js).
//
// Why: `gupsim run` from ~40 separate ESM files spent more time resolving and compiling modules
// than running. One minified file, compiled from a code cache made after a warm-up `run`,
// starts close to a bare `node`.
//
// Commands stay lazy: cli.ts imports each command with import(), which esbuild turns into a
// lazily initialised part of the bundle, so `gupsim run` executes only what `run` needs.
// better-sqlite3 and pg (native / heavy) stay outside: their require() sits inside the lazy
// initialiser of the store module, so only the commands that open a store load them.
// playwright-core is used only by a test and never reaches the bundle.
//
// CommonJS, not ESM: Node 20 offers no code cache for ES modules; a vm.Script over one
// CommonJS file can use one.
import { build } from 'esbuild';
import { writeFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const OUT = 'dist/gupsim.cjs';

await build({
  entryPoints: ['harness/cli.ts'],
  outfile: OUT,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  external: ['better-sqlite3', 'pg', 'playwright-core', 'fsevents'],
  legalComments: 'none',
  logLevel: 'warning',
});

// The code cache: compile, run `gupsim run` once (its functions are then compiled), and save.
const { loadCli, CACHE } = require('../bin/load-cli.js');
const { cli, script } = loadCli(false);
const sink = { write: () => true };
await cli.main(['run'], { stdout: sink, stderr: sink, stdin: process.stdin, env: {}, isTTY: false });
writeFileSync(`${CACHE}.tmp`, script.createCachedData());
renameSync(`${CACHE}.tmp`, CACHE);
