// The esbuild setup of the test bundles, shared by scripts/bundle-tests.mjs (the suite, one
// bundle per test file) and test/helpers/bundle.ts (the entries of the tests' child
// processes): each bundle is the same source as the .ts files it comes from.
//  - packages stay external, resolved from the project's node_modules;
//  - each module keeps its own `import.meta.url` (its source file's URL, not the bundle's), so
//    paths computed from it are unchanged wherever the bundle is written.
// (The installed CLI, scripts/build-cli.mjs, is a different build: CommonJS, minified, some
// packages inside.)
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** `import.meta.url` of each bundled module is its source file's URL, not the bundle's. */
export const ownImportMetaUrl = {
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

/**
 * Options for esbuild's (asynchronous) build(): plugins need it, buildSync() takes none.
 * esbuild's ESM output has no `require`; a module that needs one makes it with createRequire.
 */
export const testBundleOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
  plugins: [ownImportMetaUrl],
};
