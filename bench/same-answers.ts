/**
 * Same answers before and after a speed change (issue 16): writes, into a directory,
 *
 *   gup_longterm.txt, cow.txt   every prediction of the sweep grids (bench/sweep-grid.ts),
 *                               trace-less as the sweep runs them: the full output text, the
 *                               exit code, and every sub-test record
 *   *-traced.txt                the same grids with the kernel trace on, records and traces
 *   diff/<log>.json             `gupsim diff --json` of every fixture log (test/fixtures/logs),
 *                               with --env where the log has an .env.json beside it; through
 *                               the CLI bundle, rebuilt first
 *   diff/<log>.txt, .all.txt    the same logs' text summary and `--all-runs` text
 *   bench-log/*                 the ingest bench's 50 MB runner log (bench/big-log.ts, built
 *                               the same way, no --env: every run's environment inferred):
 *                               text, --json and --all-runs, the path it was read from
 *                               replaced by a fixed name
 *
 * Usage: npx tsx bench/same-answers.ts OUT [--against BASE]
 * With --against, every file of BASE is compared byte for byte (cmp) with OUT's: exit 1 and
 * the differing files listed when any differs. Save BASE on the old commit, OUT on the new.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { predict } from '../cases/predict.js';
import { bareFixtureLogs, buildRunnerLog } from './big-log.js';
import { cowGrid, gupGrid, type GridEnv } from './sweep-grid.js';

function dumpGrid(grid: GridEnv[], trace: boolean): string {
  const out: string[] = [];
  for (const { label, env } of grid) {
    out.push(`=== ${label}\n`);
    const p = predict(env, { trace });
    if ('error' in p) {
      out.push(`error: ${p.error}\n`);
      continue;
    }
    out.push(
      p.stdout,
      `\n--- exit ${p.exitCode}, program exit ${p.run.exitCode}, signal ${p.run.signal}, plan ${p.run.plan}\n`,
    );
    if (trace) out.push(`setup ${JSON.stringify(p.run.setupTrace)}\n`);
    for (const r of p.run.subtests) out.push(`${JSON.stringify(r)}\n`);
  }
  return out.join('');
}

function logsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...logsUnder(p));
    else if (name.endsWith('.log')) out.push(p);
  }
  return out;
}

function save(outDir: string): void {
  mkdirSync(join(outDir, 'diff'), { recursive: true });
  writeFileSync(join(outDir, 'gup_longterm.txt'), dumpGrid(gupGrid(), false));
  writeFileSync(join(outDir, 'cow.txt'), dumpGrid(cowGrid(), false));
  writeFileSync(join(outDir, 'gup_longterm-traced.txt'), dumpGrid(gupGrid(), true));
  writeFileSync(join(outDir, 'cow-traced.txt'), dumpGrid(cowGrid(), true));
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { stdio: 'inherit' });
  const root = 'test/fixtures/logs';
  for (const log of logsUnder(root)) {
    const env = log.replace(/\.log$/, '.env.json');
    const envArgs = existsSync(env) ? ['--env', env] : [];
    for (const [ext, flags] of FORMS) {
      const dest = join(outDir, 'diff', `${relative(root, log)}${ext}`);
      writeFileSync(mkdirFor(dest), cliDiff([...flags, ...envArgs, log]));
    }
  }
  // The ingest bench's log, as `npm run bench` writes it (its path differs per run: a fixed
  // name stands in for it wherever the output quotes it).
  const big = buildRunnerLog(bareFixtureLogs('test/fixtures/logs/live'), 50e6);
  const dir = mkdtempSync(join(tmpdir(), 'gupsim-same-'));
  try {
    const file = join(dir, 'runner-50MB.log');
    writeFileSync(file, big.text);
    for (const [ext, flags] of FORMS) {
      const out = cliDiff([...flags, file])
        .split(file)
        .join('runner-50MB.log');
      writeFileSync(mkdirFor(join(outDir, 'bench-log', `runner-50MB${ext}`)), out);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each output form compared: file suffix and flags. */
const FORMS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['.json', ['--json']],
  ['.txt', []],
  ['.all.txt', ['--all-runs']],
];

/** `gupsim diff ARGS` through the bundle: stdout, exit code and stderr. */
function cliDiff(args: string[]): string {
  // Exit code and stderr are part of the answer (a bad log's one-line error included).
  const r = spawnSync(process.execPath, ['bin/gupsim.js', 'diff', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  return `${r.stdout}\n--- exit ${r.status}\n${r.stderr}`;
}

function mkdirFor(file: string): string {
  mkdirSync(dirname(file), { recursive: true });
  return file;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();
}

function compare(outDir: string, baseDir: string): number {
  const differ: string[] = [];
  const base = filesUnder(baseDir);
  for (const f of base) {
    const b = join(baseDir, f);
    const o = join(outDir, f);
    if (!existsSync(o) || !readFileSync(o).equals(readFileSync(b))) differ.push(f);
  }
  for (const f of filesUnder(outDir)) if (!base.includes(f)) differ.push(`${f} (new)`);
  if (differ.length === 0) {
    console.log(`same answers: ${base.length} files byte-identical (${outDir} vs ${baseDir})`);
    return 0;
  }
  console.log(`DIFFERENT: ${differ.length} of ${base.length} files\n  ${differ.join('\n  ')}`);
  return 1;
}

const [outDir, flag, baseDir] = process.argv.slice(2);
if (!outDir || (flag !== undefined && (flag !== '--against' || !baseDir))) {
  console.error('usage: npx tsx bench/same-answers.ts OUT [--against BASE]');
  process.exit(2);
}
save(outDir);
if (baseDir) process.exitCode = compare(outDir, baseDir);
