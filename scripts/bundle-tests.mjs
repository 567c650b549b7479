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
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { testBundleOptions } from './esbuild-options.mjs';

const OUT = '.tap-bundle';

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
} catch {
  // esbuild has printed the errors; the typecheck before this step usually names them first.
  process.stderr.write(`bundle-tests: esbuild could not bundle the tests into ${join(OUT, '')}\n`);
  process.exit(1);
}
