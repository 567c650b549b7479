#!/usr/bin/env node
// .taprc drops tap's ts-node plugin (tests load TypeScript with tsx instead) and its mock plugin, and tap rebuilds
// its Test class whenever its plugin set changes: 10–20 s on the first `npm test` after
// `npm ci`. Do that build here, at install time, like the CLI bundle. Skipped when tap is not
// installed (`npm ci --omit=dev`).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (existsSync('node_modules/tap/package.json')) {
  const r = spawnSync(process.execPath, ['node_modules/tap/dist/esm/run.mjs', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
