#!/usr/bin/env node
// `npm test`'s first step: the typecheck (tsc --noEmit) and the lint (eslint) at the same time —
// they are independent and each uses about one core. Each tool's output is printed whole when
// it ends, under its name; the exit code is the first failure's (0 when both pass).
//
// Both keep their work between runs in node_modules/.cache (a clean clone starts without it):
// tsc's build info (tsconfig.check.json: tsconfig.json checked by `tsc -b`, which re-checks
// whatever a change can reach, so an answer from it is the answer of a full check, and answers
// a project whose inputs' hashes are unchanged from the last check without parsing it: ~0.4 s
// of CPU, where `tsc --incremental` parsed all ~575 files again, ~4.7 s), and eslint's per-file
// cache (keyed by the file's content and the config; sound here because no rule in
// eslint.config.js reads types across files). On this machine the whole check costs about
// 24 s of CPU from a clean clone, 5–10 s after a change to a file many others import, and
// about 2 s with nothing changed.
//
// `--tap`: the result as TAP, for scripts/run-bundled.mjs (npm test runs the check there, as
// one more job beside the test files).
import { spawn } from 'node:child_process';

const CACHE = 'node_modules/.cache/gupsim-check';
const TOOLS = [
  [
    'typecheck',
    'node_modules/typescript/bin/tsc',
    // Its build info: node_modules/.cache/gupsim-check/check.tsbuildinfo (tsconfig.check.json).
    ['-b', 'tsconfig.check.json'],
  ],
  [
    'lint',
    'node_modules/eslint/bin/eslint.js',
    ['--cache', '--cache-strategy', 'content', '--cache-location', `${CACHE}/eslint`, '.'],
  ],
];

const run = ([name, script, args]) =>
  new Promise((resolve) => {
    const c = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (out += d));
    c.on('error', (e) => resolve({ name, code: 1, out: `${e.message}\n` }));
    c.on('close', (code) => resolve({ name, code: code ?? 1, out }));
  });

const results = await Promise.all(TOOLS.map(run));
if (process.argv.includes('--tap')) {
  // As a test file of scripts/run-bundled.mjs: one point per tool, its output as comments,
  // and tap's closing count, so that the suite's TAP counts a failed check as a failure.
  const lines = ['TAP version 14'];
  results.forEach((r, i) => {
    for (const l of r.out.replace(/\n$/, '').split('\n')) if (l) lines.push(`# ${l}`);
    lines.push(
      `${r.code === 0 ? 'ok' : 'not ok'} ${i + 1} - ${r.name}${r.code === 0 ? '' : ` # exit ${r.code}`}`,
    );
  });
  const fail = results.filter((r) => r.code !== 0).length;
  lines.push(
    `1..${results.length}`,
    `# { total: ${results.length}, pass: ${results.length - fail}${fail ? `, fail: ${fail}` : ''} }`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
} else {
  for (const r of results) {
    process.stdout.write(
      `> ${r.name}: ${r.code === 0 ? 'ok' : `failed (exit ${r.code})`}\n${r.out}`,
    );
  }
}
process.exit(results.find((r) => r.code !== 0)?.code ?? 0);
