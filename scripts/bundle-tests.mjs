#!/usr/bin/env node
// `npm test`'s bundling step: every test/*.test.ts bundled by esbuild into .tap-bundle/, run
// there by plain node (scripts/run-bundled.mjs; tap's runner under .taprc-bundled). Under
// `--import tsx` each of the ~30 test processes spent about 1.3 s of CPU starting (tsx's loader
// thread resolving and transforming ~100 modules) before its first assertion; a bundle starts
// in about 0.5 s.
//
// One build for all test files, with code splitting: each test file is an entry
// (.tap-bundle/x.test.mjs) and the code they share (the whole product, mostly) is written once,
// in .tap-bundle/chunks/. One bundle per file, each with the whole product inside, wrote 64 MB
// and cost ~6.5 s of CPU (7–14 s of wall) before the first test could start; the split build
// writes ~3 MB for ~1 s of CPU, and a test process loads the same code either way.
//
// Skipped when nothing it reads changed: the build records the content hash of every input
// (esbuild's metafile) with the esbuild version and options, and the next run rebuilds only if
// one differs (a file changed, went or was added among the entries). A second `npm test` with
// nothing changed spends ~0.1 s here.
//
// The bundle is the same source (scripts/esbuild-options.mjs, shared with the child-process
// bundles of test/helpers/bundle.ts), and inline source maps put failures and stack traces back
// on the .ts lines. `tap test/x.test.ts` (the .taprc default) still runs a test from source
// under tsx.
//
// Groups: a test process spends about 0.5 s of CPU loading tap before its first test, more than
// many a quick in-process test file takes itself. Each group in GROUPS is one more entry,
// .tap-bundle/<group>.group.mjs, which imports its files' entries in turn: their top-level
// tests run one after another under one root, as each file's would alone, and the modules they
// share are loaded once. `npm test` runs the groups in place of their files
// (scripts/run-bundled.mjs reads .tap-bundle/groups.json); `npm test -- test/x.test.ts` still
// runs a file's own entry. A file belongs in a group when it runs in process, changes no
// process-wide state (environment, working directory, exit code, root-level hooks), and takes
// well under 1.5 s.
import { build, version } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { testBundleOptions } from './esbuild-options.mjs';

const OUT = '.tap-bundle';
/** What the last build read: its key and each input's hash (see `upToDate`). */
const INPUTS = join(OUT, 'inputs.json');

/**
 * In-process test files by CPU alone: quick-* under 1.5 s each (~9–12 s a group alone, 2–4 s
 * together), medium-* 1.6–4 s. A group of ~10 s of CPU still leaves three jobs balanced (the
 * suite is ~100 s of CPU on two cores), and each file in one saves a process start (~0.6 s).
 * medium-c shares its fixtures' diffs (test/helpers.ts diffOnce: diff and verdict-property diff
 * every golden log, given and inferred); cow is the cow plug-in's in-process suites. Files that
 * spawn processes, or take 10 s alone (cow-read), run alone.
 */
const GROUPS = {
  'quick-a': [
    'ids',
    'model',
    'model-7x',
    'scenarios',
    'parse-golden',
    'lifecycle-file',
    'hugetlb-sampler',
    'infer-dimensions',
    'never-ran',
    'run-until',
    'known-file',
    'infer-debugfs',
    'bundle',
    'ci-summary',
    'infer-traced',
  ],
  'quick-b': [
    'cow-model',
    'lifecycle-cow',
    'live',
    'utf8-decode',
    'parse-forms',
    'store-rest',
    'prediction-key',
    'realruns',
    'store-driver',
    'scenario-cli',
    'cli',
  ],
  'medium-a': [
    'cow-timing',
    'env-limits',
    'golden',
    'formats',
    'infer-search',
    'known-cli',
    'kcidb-issues',
    'store',
    'diff-summary',
  ],
  'medium-b': [
    'cow-lifecycle-anon',
    'diff-stream',
    'parse-replay',
    'parse-stream',
    'known-overlay',
    'verdict-repro',
    'parse-replay-copy',
  ],
  'medium-c': ['diff', 'verdict-property', 'parse-property', 'lava'],
  cow: ['cow-golden', 'cow-infer-memlock', 'cow-cli'],
};

const entries = readdirSync('test')
  .filter((f) => f.endsWith('.test.ts'))
  .sort()
  .map((f) => resolve('test', f));

const options = {
  ...testBundleOptions,
  entryPoints: entries,
  outdir: OUT,
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'inline',
  sourcesContent: false,
  metafile: true,
};
/** Everything but the inputs' contents that decides the output. */
const key = JSON.stringify({
  esbuild: version,
  options: { ...options, plugins: options.plugins.map((p) => p.name) },
});

const hashOf = (path) => createHash('sha1').update(readFileSync(path)).digest('hex');

/** The last build is this one's output: same key, every input unchanged. */
function upToDate() {
  try {
    const last = JSON.parse(readFileSync(INPUTS, 'utf8'));
    if (last.key !== key) return false;
    return Object.entries(last.inputs).every(([path, hash]) => hashOf(path) === hash);
  } catch {
    return false; // no record, or an input is gone: build
  }
}

try {
  if (!upToDate()) {
    rmSync(OUT, { recursive: true, force: true });
    const result = await build(options);
    const inputs = {};
    for (const path of Object.keys(result.metafile.inputs)) inputs[path] = hashOf(path);
    writeFileSync(INPUTS, JSON.stringify({ key, inputs }) + '\n');
  }
} catch {
  // esbuild has printed the errors; the typecheck usually names them too.
  rmSync(INPUTS, { force: true });
  process.stderr.write(`bundle-tests: esbuild could not bundle the tests into ${join(OUT, '')}\n`);
  process.exit(1);
}

// One entry per group: the member files' entries imported in turn (a member that no longer
// exists is left out: it runs nowhere, so say so). Written every time: GROUPS is not an input
// of the build.
mkdirSync(OUT, { recursive: true });
const groups = {};
for (const [name, members] of Object.entries(GROUPS)) {
  const files = members.filter((m) => entries.includes(resolve('test', `${m}.test.ts`)));
  if (files.length < members.length)
    process.stderr.write(`bundle-tests: group ${name} names a test file that is gone\n`);
  const group = join(OUT, `${name}.group.mjs`);
  writeFileSync(group, files.map((m) => `import './${m}.test.mjs';\n`).join(''));
  groups[group] = files.map((m) => join(OUT, `${m}.test.mjs`));
}
writeFileSync(join(OUT, 'groups.json'), JSON.stringify(groups, null, 1) + '\n');
