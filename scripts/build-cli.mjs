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

const result = await build({
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
  metafile: true,
});

// Every import() must be resolved inside the bundle (esbuild makes it a lazy initialiser). One
// left as a real import() (a Node builtin or an external package) fails when it runs: the
// bundle is a vm.Script (bin/load-cli.js) with no module loader behind it, so `record -`
// exited 70 with "A dynamic import callback was not specified". require() those instead
// (process.getBuiltinModule() for a builtin from ESM source).
const dynamic = Object.values(result.metafile.outputs)
  .flatMap((o) => o.imports)
  .filter((i) => i.kind === 'dynamic-import' && i.external);
if (dynamic.length > 0) {
  const names = [...new Set(dynamic.map((i) => i.path))].join(', ');
  process.stderr.write(
    `build-cli: import() of ${names} would fail in the installed CLI (no module loader in its vm.Script); load it with require() or process.getBuiltinModule()\n`,
  );
  process.exit(1);
}

// The code cache: compile, run `gupsim run` once (its functions are then compiled), and save.
const { loadCli, CACHE } = require('../bin/load-cli.js');
const { cli, script } = loadCli(false);
const sink = { write: () => true };
await cli.main(['run'], { stdout: sink, stderr: sink, stdin: process.stdin, env: {}, isTTY: false });
writeFileSync(`${CACHE}.tmp`, script.createCachedData());
renameSync(`${CACHE}.tmp`, CACHE);
