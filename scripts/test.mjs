#!/usr/bin/env node
// `npm test [-- tap args…]`: the typecheck and lint (scripts/check.mjs), then the suite bundled
// (scripts/bundle-tests.mjs) and run by scripts/run-bundled.mjs (3 jobs). A test named by its
// source path (`npm test -- test/diff.test.ts`) runs from its bundle; with any other argument
// tap's runner runs the bundles under .taprc-bundled, the arguments passed to it unchanged.
// With the bundled runner the check is one of its jobs (scripts/run-bundled.mjs --with-check),
// beside the test files, its points in the same TAP; before tap's runner it runs first.
// Exit code: the first step that fails, else the tests'.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';

const step = (script, args = [], env = process.env) =>
  spawnSync(process.execPath, [script, ...args], { stdio: 'inherit', env }).status ?? 1;

/** test/x.test.ts → .tap-bundle/x.test.mjs (what bundle-tests.mjs writes for it). */
const bundledArg = (a) => {
  if (!/^(\.\/)?test\/[^/]+\.test\.ts$/.test(a)) return a;
  if (!existsSync(a)) {
    process.stderr.write(`npm test: ${a}: no such test file\n`);
    process.exit(2);
  }
  return `.tap-bundle/${basename(a, '.ts')}.mjs`;
};

const args = process.argv.slice(2).map(bundledArg);
const bundledRunner = args.every((a) => a.startsWith('.tap-bundle/'));
if (!bundledRunner) {
  const checked = step('scripts/check.mjs');
  if (checked !== 0) process.exit(checked);
}
const bundled = step('scripts/bundle-tests.mjs');
if (bundled !== 0) process.exit(bundled);
// The suite, or named test files: each bundle run by plain node (scripts/run-bundled.mjs, not
// tap's runner: see there why). Any other argument is tap's (--grep, a reporter, …): tap runs.
if (bundledRunner) process.exit(step('scripts/run-bundled.mjs', ['--with-check', ...args]));
process.exit(
  step('node_modules/tap/dist/esm/run.mjs', args, { ...process.env, TAP_RCFILE: '.taprc-bundled' }),
);
