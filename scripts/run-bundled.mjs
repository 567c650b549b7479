#!/usr/bin/env node
// `npm test`'s last step: every bundled test file (.tap-bundle/*.test.mjs, scripts/bundle-tests.mjs)
// run by plain `node`, JOBS at a time, each one's TAP printed whole when it ends, as a subtest of
// one TAP stream (what tap's runner prints with its tap reporter).
//
// Why not tap's runner: it starts every test process with `--import @tapjs/processinfo`, always
// (coverage off or not: @tapjs/run/dist/esm/test-argv.js), and that module hook costs each
// test process about 0.8 s of CPU before its first line (1.3 s against 0.5 s for a small test
// file here), about 40 s of the suite's CPU on a 2-core machine: more than any test file.
// Each file is the same tap test either way: `import t from 'tap'` prints TAP and sets the
// exit code; TAP_TIMEOUT gives it the runner's per-test timeout (.taprc-bundled: 600 s).
//
// Slowest first: each file's wall time is kept in node_modules/.cache/gupsim-test/timings.json
// and the next run starts the longest files first (three jobs finish together instead of one
// long file running alone at the end). A file not timed yet counts as slow.
//
// Usage: node scripts/run-bundled.mjs [--with-check] [FILE.mjs …] (default: the suite, each group
// of in-process files as one process — .tap-bundle/groups.json, scripts/bundle-tests.mjs — in
// place of its files). --with-check (npm test) runs the typecheck and lint (scripts/check.mjs --tap) as
// one more job: on two cores the test processes leave part of a core idle while they wait on
// child processes, kill timers and Chromium, and the check's CPU fills it instead of running
// alone first; its points (typecheck, lint) count in the stream like any test's.
// Exit 0 when every file exits 0, else 1. GUPSIM_TEST_JOBS overrides the number of jobs.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const BUNDLES = '.tap-bundle';
const TIMINGS = 'node_modules/.cache/gupsim-test/timings.json';
/** Three jobs on two cores: several suites wait on child processes, kill timers and Chromium. */
const JOBS = Math.max(1, Number(process.env.GUPSIM_TEST_JOBS) || 3);
/** tap's per-test timeout under the runner (.taprc-bundled), and this runner's per file. */
const TIMEOUT_S = 600;

const CHECK = 'scripts/check.mjs';
const withCheck = process.argv.includes('--with-check');
const given = process.argv.slice(2).filter((a) => a !== '--with-check');
/** The whole suite: each group (scripts/bundle-tests.mjs) in place of its files, then every other file. */
function suite() {
  let groups = {};
  try {
    groups = JSON.parse(readFileSync(join(BUNDLES, 'groups.json'), 'utf8'));
  } catch {
    groups = {}; // bundled without groups: every file alone
  }
  const grouped = new Set(Object.values(groups).flat());
  const alone = readdirSync(BUNDLES)
    .filter((f) => f.endsWith('.test.mjs'))
    .sort()
    .map((f) => join(BUNDLES, f))
    .filter((f) => !grouped.has(f));
  return [...Object.keys(groups), ...alone];
}
const files = [...(withCheck ? [CHECK] : []), ...(given.length > 0 ? given : suite())];

let timings = {};
try {
  timings = JSON.parse(readFileSync(TIMINGS, 'utf8'));
} catch {
  timings = {}; // first run: no order yet
}
const order = [...files].sort(
  (a, b) => (timings[b] ?? Infinity) - (timings[a] ?? Infinity) || a.localeCompare(b),
);

/** One file as a process: its combined output, exit status, wall time. */
function runFile(file) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const argv = file === CHECK ? [CHECK, '--tap'] : ['--enable-source-maps', file];
    const child = spawn(process.execPath, argv, {
      env: { ...process.env, TAP_TIMEOUT: String(TIMEOUT_S) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    // A file that outlives every test's timeout is stuck outside a test: end it.
    const timer = setTimeout(() => child.kill('SIGKILL'), (TIMEOUT_S + 60) * 1000);
    child.on('error', (e) => out.push(Buffer.from(`run-bundled: ${e.message}\n`)));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        file,
        code,
        signal,
        ms: performance.now() - t0,
        text: Buffer.concat(out).toString('utf8'),
      });
    });
  });
}

// A whole-suite run keeps only the files it ran (a removed test file drops out).
const next = given.length > 0 ? { ...timings } : {};
const totals = { total: 0, pass: 0, fail: 0, skip: 0, todo: 0 };
let failedFiles = 0;
let n = 0;
process.stdout.write(`TAP version 14\n1..${files.length}\n`);

/** Print one finished file as tap's runner does: a subtest, then its ok / not ok line. */
function report(r) {
  n++;
  const ok = r.code === 0;
  if (!ok) failedFiles++;
  next[r.file] = Math.round(r.ms);
  // The file's own count, `# { total: 47, pass: 47 }` (tap's last lines).
  const counts = /^# \{ (total: .*) \}$/m.exec(r.text);
  if (counts) {
    for (const m of counts[1].matchAll(/(\w+): (\d+)/g))
      if (m[1] in totals) totals[m[1]] += Number(m[2]);
  } else totals.fail++;
  // A file that failed without a failing test point of its own (it crashed, was killed, exited
  // non-zero after passing): one point says so, so that a count of leaf points (CI's
  // scripts/tap-summary.mjs) counts the failure.
  let text = r.text;
  if (!ok && !/^not ok\b/m.test(text)) {
    const point = `not ok - ${r.file} exited with ${r.code ?? r.signal}`;
    // Before the file's plan (a point after it would not count), the plan one larger.
    const plan = /^1\.\.(\d+)$/m.exec(text);
    text = plan
      ? `${text.slice(0, plan.index)}${point}\n1..${Number(plan[1]) + 1}${text.slice(plan.index + plan[0].length)}`
      : `${text}\n${point}\n`;
  }
  const body = text
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => (l ? `    ${l}` : l))
    .join('\n');
  const why = ok ? '' : ` # exit ${r.code ?? r.signal}`;
  process.stdout.write(
    `# Subtest: ${r.file}\n${body}\n${ok ? 'ok' : 'not ok'} ${n} - ${r.file}${why} # time=${r.ms.toFixed(3)}ms\n\n`,
  );
}

const t0 = performance.now();
const queue = [...order];
await Promise.all(
  Array.from({ length: Math.min(JOBS, queue.length) }, async () => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) report(await runFile(f));
  }),
);
const summary = Object.entries(totals)
  .filter(([k, v]) => v > 0 || k === 'total')
  .map(([k, v]) => `${k}: ${v}`)
  .join(', ');
process.stdout.write(
  `# { ${summary} }\n# ${failedFiles} of ${files.length} files failed\n# time=${(performance.now() - t0).toFixed(3)}ms\n`,
);

try {
  mkdirSync(join(TIMINGS, '..'), { recursive: true });
  writeFileSync(TIMINGS, JSON.stringify(next, null, 1) + '\n');
} catch {
  // Only the order of the next run is lost.
}
process.exit(failedFiles > 0 ? 1 : 0);
