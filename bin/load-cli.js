// Loads a bundled CLI (built by scripts/build-cli.mjs at `npm ci`) with V8's code cache (the
// same path + .cache, written by the same build after a warm-up run), so a start neither
// parses nor compiles what its command needs. Node 20 has no compile cache for modules; a
// vm.Script over one CommonJS file is how a cache can be used at all. A cache from another Node
// version is rejected by V8 and the file is simply compiled.
//
// Two bundles: dist/gupsim.cjs holds every command, dist/gupsim-run.cjs only `gupsim run` (a
// start reads, hashes and deserialises all of the bundle it loads; `run` is what is started
// most and measured against a bare `node`).
'use strict';
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const vm = require('node:vm');

const DIST = join(__dirname, '..', 'dist');
const BUNDLES = { all: join(DIST, 'gupsim.cjs'), run: join(DIST, 'gupsim-run.cjs') };
const BUNDLE = BUNDLES.all;
const CACHE = `${BUNDLE}.cache`;

/** The source exactly as it is compiled (the cache is only valid for this string). */
function wrapped(source) {
  return `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
}

/**
 * V8 flags the whole CLI runs with. A command of it runs once, in a fresh process: V8's default
 * budget sends a function to its optimising compiler after ~66 KB of its bytecode ran, and
 * `gupsim diff` of a 50 MB CI log then compiles hundreds of parser, inference and model
 * functions (on compiler threads, counted in the process's CPU time) that run for a fraction
 * of a second each. A budget 16x larger took 15-20 % off the process's CPU time (issue 16:
 * interleaved runs on the shared 2-core machine; output byte for byte the same); what runs
 * long is still optimised. Set before the bundle is compiled, in the build too: a code cache
 * is only accepted under the flags it was made with. `gupsim run` (its own bundle) keeps
 * V8's defaults: its start is measured against a bare node.
 */
const FLAGS = { all: tierUpFlags(), run: null };

/**
 * The same idea in each V8 this is tested on: V8 11 (Node 20) counts bytecode run against
 * `--interrupt-budget`; V8 13 (Node 24) dropped that flag for per-tier invocation counts, and
 * 8x them took ~15 % off the same command's CPU time there. A V8 that knows neither flag would
 * print "Error: unrecognized flag" on stderr for every command: other V8s keep their defaults.
 */
function tierUpFlags() {
  const major = process.versions.v8.split('.')[0];
  if (major === '11') return '--interrupt-budget=1048576';
  if (major === '13')
    return '--invocation-count-for-maglev=3200 --invocation-count-for-turbofan=24000';
  return null;
}

/**
 * Compile a bundle, `which` of BUNDLES (from its code cache unless `useCache` is false); its
 * exports and script.
 */
function loadCli(which = 'all', useCache = true) {
  const bundle = BUNDLES[which];
  if (FLAGS[which]) require('node:v8').setFlagsFromString(FLAGS[which]);
  let source;
  try {
    // latin1: the build makes the bundle ASCII (scripts/build-cli.mjs), so this is its text,
    // as a one-byte string, without a UTF-8 decoder's pass over half a megabyte.
    source = readFileSync(bundle, 'latin1');
  } catch {
    process.stderr.write(`gupsim: ${bundle} is missing; run npm ci (or npm run build:cli)\n`);
    process.exit(2);
  }
  let cachedData;
  if (useCache) {
    try {
      cachedData = readFileSync(`${bundle}.cache`);
    } catch {
      cachedData = undefined; // no cache yet: compile
    }
  }
  // No importModuleDynamically: an import() in the bundle would fail at run time ("A dynamic
  // import callback was not specified", exit 70, as `record -` did), so the build refuses one
  // (scripts/build-cli.mjs). vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER would serve it, but
  // prints an ExperimentalWarning on Node 20 each time it is used.
  const script = new vm.Script(wrapped(source), { filename: bundle, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, DIST);
  return { cli: module.exports, script };
}

module.exports = { loadCli, BUNDLES, BUNDLE, CACHE };
