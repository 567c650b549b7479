#!/usr/bin/env node
// `npm test`'s second step: every test/*.test.ts bundled by esbuild into one ESM file under
// .tap-bundle/, which tap then runs with plain node (.taprc-bundled). Under `--import tsx` each
// of the ~30 test processes spent about 1.3 s of CPU starting (tsx's loader thread resolving and
// transforming ~100 modules) before its first assertion, a third of the suite's CPU on this
// 2-core machine; a bundle starts in about 0.5 s.
//
// The bundle is the same source (scripts/esbuild-options.mjs, shared with the child-process
// bundles of test/helpers/bundle.ts), and inline source maps put failures and stack traces back
// on the .ts lines. `tap test/x.test.ts` (the .taprc default) still runs a test from source
// under tsx.
//
// Groups: a test process spends about 0.5 s of CPU loading tap before its first test, more than
// many a quick in-process test file takes itself. The files of each group in GROUPS are also
// bundled together into one file, .tap-bundle/<group>.group.mjs, which imports them in turn:
// their top-level tests run one after another under one root, as each file's would alone.
// `npm test` runs the groups in place of their files (scripts/run-bundled.mjs reads
// .tap-bundle/groups.json); `npm test -- test/x.test.ts` still runs a file's own bundle.
// A file belongs in a group when it runs in process, changes no process-wide state
// (environment, working directory, exit code, root-level hooks), and takes well under 1.5 s.
import { build } from 'esbuild';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { testBundleOptions } from './esbuild-options.mjs';

const OUT = '.tap-bundle';

/**
 * In-process test files by CPU alone: quick-* under 1.5 s each (~9–12 s a group alone, 2–4 s
 * together), medium-* 1.6–2.6 s (~12–14 s a group alone). Files of 3 s and more run alone:
 * three jobs balance better with them apart.
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
  ],
  'medium-b': [
    'cow-lifecycle-anon',
    'diff-stream',
    'parse-replay',
    'parse-stream',
    'known-overlay',
    'verdict-repro',
  ],
};

const entries = readdirSync('test')
  .filter((f) => f.endsWith('.test.ts'))
  .sort()
  .map((f) => resolve('test', f));

rmSync(OUT, { recursive: true, force: true });
try {
  await build({
    ...testBundleOptions,
    entryPoints: entries,
    outdir: OUT,
    outExtension: { '.js': '.mjs' },
    sourcemap: 'inline',
    sourcesContent: false,
  });
  // One entry per group: the member files imported in turn (a member that no longer exists
  // is left out: it runs nowhere, so say so).
  const groups = {};
  for (const [name, members] of Object.entries(GROUPS)) {
    const files = members
      .map((m) => resolve('test', `${m}.test.ts`))
      .filter((f) => entries.includes(f));
    if (files.length < members.length)
      process.stderr.write(`bundle-tests: group ${name} names a test file that is gone\n`);
    await build({
      ...testBundleOptions,
      stdin: {
        contents: files.map((f) => `import ${JSON.stringify(f)};`).join('\n'),
        resolveDir: resolve('test'),
        sourcefile: `${name}.group.ts`,
        loader: 'ts',
      },
      outfile: join(OUT, `${name}.group.mjs`),
      sourcemap: 'inline',
      sourcesContent: false,
    });
    groups[join(OUT, `${name}.group.mjs`)] = files.map((f) =>
      join(OUT, f.split('/').pop().replace(/\.ts$/, '.mjs')),
    );
  }
  writeFileSync(join(OUT, 'groups.json'), JSON.stringify(groups, null, 1) + '\n');
} catch {
  // esbuild has printed the errors; the typecheck before this step usually names them first.
  process.stderr.write(`bundle-tests: esbuild could not bundle the tests into ${join(OUT, '')}\n`);
  process.exit(1);
}
