#!/usr/bin/env node
// The installed CLI, built by esbuild at `npm ci` (the `prepare` script): dist/gupsim.cjs with
// every command, dist/gupsim-run.cjs with `gupsim run` alone (bin/gupsim.js picks it for
// `run`), each with V8's code cache for it, <bundle>.cache (see bin/load-cli.js).
//
// Why: `gupsim run` from ~40 separate ESM files spent more time resolving and compiling modules
// than running. One minified file, compiled from a code cache made after a warm-up `run`,
// starts close to a bare `node`; a start reads, hashes and deserialises the whole file, so
// `run` gets one of its own, a third of the size.
//
// Commands stay lazy: cli.ts imports each command with import(), which esbuild turns into a
// lazily initialised part of the bundle, so a command executes only what it needs.
// better-sqlite3 and pg (native / heavy) stay outside: their require() sits inside the lazy
// initialiser of the store module, so only the commands that open a store load them.
// playwright-core is used only by a test and never reaches the bundle.
//
// CommonJS, not ESM: Node 20 offers no code cache for ES modules; a vm.Script over one
// CommonJS file can use one.
import { build } from 'esbuild';
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { BUNDLES, loadCli } = require('../bin/load-cli.js');

/** Bundle `entry` into `outfile`; fails the build on what the installed CLI cannot run. */
async function bundle(entry, outfile) {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    charset: 'ascii',
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

  // ASCII only: bin/load-cli.js reads the bundle as latin1 (one byte, one character). esbuild's
  // ASCII charset escapes strings but not a regular expression literal's characters (an en
  // dash in one made the whole half-megabyte source a two-byte string); write \uXXXX there.
  const text = readFileSync(outfile);
  const at = text.findIndex((b) => b > 0x7f);
  if (at >= 0) {
    const line = text.subarray(0, at).toString('latin1').split('\n').length;
    const near = text.subarray(Math.max(0, at - 40), at + 20).toString('utf8');
    process.stderr.write(`build-cli: ${outfile}:${line}: a non-ASCII character in the bundle (…${near}…): write it as \\u escape in the source\n`);
    process.exit(1);
  }
}

/** The code cache: compile, run `gupsim run` once (its functions are then compiled), and save. */
async function codeCache(which) {
  const { cli, script } = loadCli(which, false);
  const sink = { write: () => true };
  await cli.main(['run'], { stdout: sink, stderr: sink, stdin: process.stdin, env: {}, isTTY: false });
  const cache = `${BUNDLES[which]}.cache`;
  writeFileSync(`${cache}.tmp`, script.createCachedData());
  renameSync(`${cache}.tmp`, cache);
}

await bundle('harness/cli.ts', BUNDLES.all);
await bundle('harness/cli-run.ts', BUNDLES.run);
// `run` first: loading the whole CLI sets its V8 flags (bin/load-cli.js FLAGS) for the rest of
// this process, and a code cache made under them is refused by a `gupsim run` without them.
await codeCache('run');
await codeCache('all');
