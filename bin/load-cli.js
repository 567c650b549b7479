// Loads the bundled CLI (dist/gupsim.cjs, built by scripts/build-cli.mjs at `npm ci`) with
// V8's code cache (dist/gupsim.cjs.cache, written by the same build after a warm-up run), so
// a start neither parses nor compiles what `gupsim run` needs. Node 20 has no compile cache
// for modules; a vm.Script over one CommonJS file is how a cache can be used at all. A cache
// from another Node version is rejected by V8 and the file is simply compiled.
'use strict';
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const vm = require('node:vm');

const DIST = join(__dirname, '..', 'dist');
const BUNDLE = join(DIST, 'gupsim.cjs');
const CACHE = `${BUNDLE}.cache`;

/** The source exactly as it is compiled (the cache is only valid for this string). */
function wrapped(source) {
  return `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
}

/** Compile the bundle (from the code cache unless `useCache` is false); its exports and script. */
function loadCli(useCache = true) {
  let source;
  try {
    source = readFileSync(BUNDLE, 'utf8');
  } catch {
    process.stderr.write(`gupsim: ${BUNDLE} is missing; run npm ci (or npm run build:cli)\n`);
    process.exit(2);
  }
  let cachedData;
  if (useCache) {
    try {
      cachedData = readFileSync(CACHE);
    } catch {
      cachedData = undefined; // no cache yet: compile
    }
  }
  // No importModuleDynamically: an import() in the bundle would fail at run time ("A dynamic
  // import callback was not specified", exit 70, as `record -` did), so the build refuses one
  // (scripts/build-cli.mjs). vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER would serve it, but
  // prints an ExperimentalWarning on Node 20 each time it is used.
  const script = new vm.Script(wrapped(source), { filename: BUNDLE, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(BUNDLE), module, BUNDLE, DIST);
  return { cli: module.exports, script };
}

module.exports = { loadCli, BUNDLE, CACHE };
