#!/usr/bin/env node
// `npm test`'s second step: every test/*.test.ts bundled by esbuild into one ESM file under
// .tap-bundle/, which tap then runs with plain node (.taprc-bundled). Under `--import tsx` each
// of the ~30 test processes spent about 1.3 s of CPU starting (tsx's loader thread resolving and
// transforming ~100 modules) before its first assertion, a third of the suite's CPU on this
// 2-core machine; a bundle starts in about 0.5 s.
//
// The bundle is the same source: packages stay external (resolved from the project's
// node_modules), each module keeps its own `import.meta.url` (replaced by its source file's URL,
// so paths a test or helper computes from it are unchanged), and inline source maps put
// failures and stack traces back on the .ts lines. `tap test/x.test.ts` (the .taprc default)
// still runs a test from source under tsx.
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const OUT = '.tap-bundle';

/** `import.meta.url` of each bundled module is its source file's URL, not the bundle's. */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const url = JSON.stringify(pathToFileURL(args.path).href);
      return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

const entries = readdirSync('test')
  .filter((f) => f.endsWith('.test.ts'))
  .sort()
  .map((f) => resolve('test', f));

rmSync(OUT, { recursive: true, force: true });
try {
  await build({
    entryPoints: entries,
    outdir: OUT,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    sourcesContent: false,
    // esbuild's ESM output has no `require`; a test that needs one makes it with createRequire.
    logLevel: 'warning',
    plugins: [ownImportMetaUrl],
  });
} catch {
  // esbuild has printed the errors; the typecheck before this step usually names them first.
  process.stderr.write(`bundle-tests: esbuild could not bundle the tests into ${join(OUT, '')}\n`);
  process.exit(1);
}
