// Types of scripts/esbuild-options.mjs, for test/helpers/bundle.ts.
import type { BuildOptions, Plugin } from 'esbuild';

export const ownImportMetaUrl: Plugin;
export const testBundleOptions: BuildOptions;
