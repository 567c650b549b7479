/**
 * `npm run bench`: the speed figures gupsim promises, measured here and printed (never
 * asserted in tests).
 *   1. whole-run time of `gupsim run` (the installed CLI) next to bare `node -e 0`;
 *   2. sub-tests per second of an in-process sweep: all releases × selftest versions × a grid
 *      of environments;
 *   3. parse+diff throughput on a large generated log, next to tap-parser's parse-only rate;
 *   4. the history store (record and query) figures.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Parser } from 'tap-parser';
import { environmentFromJson } from '../cases/env.js';
import { predict } from '../cases/predict.js';
import { parseLog } from '../reports/parse/index.js';
import { diffParsed } from '../reports/diff/index.js';

function time(fn: () => void, runs: number): number {
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) fn();
  return (performance.now() - t0) / runs;
}

function line(label: string, value: string): void {
  console.log(`${label.padEnd(58)} ${value}`);
}

async function main(): Promise<void> {
  console.log('gupsim bench (2-core machine; medians would be steadier, these are means)\n');

  // 1. Whole-run CLI time.
  const bin = 'bin/gupsim.js';
  if (existsSync('dist/harness/cli.js')) {
    const runs = 10;
    const node0 = time(() => execFileSync(process.execPath, ['-e', '0']), runs);
    const cli = time(() => execFileSync(process.execPath, [bin, 'run'], { stdio: 'pipe' }), runs);
    line('node -e 0', `${node0.toFixed(1)} ms`);
    line('gupsim run (default environment, 50 sub-tests)', `${cli.toFixed(1)} ms (${(cli - node0).toFixed(1)} ms over node)`);
  } else {
    line('gupsim run', 'skipped: run `npm run build` first');
  }

  // 2. In-process sweep.
  const releases = ['5.10', '5.13', '5.15', '6.1', '6.4', '6.5', '6.6', '6.10', '6.12', '6.15', '6.16', '6.18', '6.19', 'next'];
  const trees = ['prototype', '6.5', '6.7', '6.10', '6.14', '6.15', '6.16-rc1', '6.16', '6.17', '6.19', 'next'];
  const grid = [
    { fs: { tmp: 'tmpfs', cwd: 'ext4' }, hugetlb: [{ sizeKiB: 2048, free: 2 }, { sizeKiB: 1048576, free: 2 }] },
    { fs: { tmp: 'ext4', cwd: 'xfs' }, hugetlb: [{ sizeKiB: 2048, free: 1 }] },
    { fs: { tmp: 'overlayfs', cwd: { type: '9p', host: 'ext4' } }, hugetlb: [] },
    { fs: { tmp: 'nfs3', cwd: 'btrfs' }, hugetlb: [{ sizeKiB: 64, free: 0 }, { sizeKiB: 2048, free: 2 }, { sizeKiB: 32768, free: 0 }], arch: 'arm64' },
    { fs: { tmp: 'tmpfs', cwd: 'ext4-dax' }, hugetlb: [{ sizeKiB: 2048, free: 2 }], user: { root: false, memlockKiB: 64 } },
  ];
  let subtests = 0;
  let programs = 0;
  const t0 = performance.now();
  for (const release of releases) {
    for (const tree of trees) {
      for (const g of grid) {
        const e = environmentFromJson({ kernel: { release }, selftest: { tree, liburing: '2.3' }, ...g });
        if (!e.ok) continue;
        const p = predict(e.env);
        if ('error' in p) continue;
        programs++;
        subtests += p.run.subtests.length;
      }
    }
  }
  const sweepMs = performance.now() - t0;
  line(`sweep: ${releases.length} releases × ${trees.length} trees × ${grid.length} environments`, `${programs} runs, ${subtests} sub-tests in ${sweepMs.toFixed(0)} ms`);
  line('sweep: sub-tests per second', `${Math.round((subtests / sweepMs) * 1000)}`);

  // 3. Parse+diff throughput on a large log of many runs, next to tap-parser.
  const one = readFileSync('test/fixtures/logs/live/6.12.117-guptest-qemu-ext4-default.log', 'utf8');
  const copies = 200;
  const big = Array.from({ length: copies }, () => one).join('');
  const mb = Buffer.byteLength(big) / 1e6;
  const envRes = environmentFromJson(JSON.parse(readFileSync('test/fixtures/logs/live/6.12.117-guptest-qemu-ext4-default.env.json', 'utf8')));
  const t1 = performance.now();
  const parsed = parseLog(big);
  const t2 = performance.now();
  const rep = diffParsed(parsed, 'big', envRes.ok ? { env: envRes.env } : {});
  const t3 = performance.now();
  const tp0 = performance.now();
  const p = new Parser();
  p.end(big);
  const tp1 = performance.now();
  line(`parse: ${copies} runs, ${mb.toFixed(1)} MB`, `${(mb / ((t2 - t1) / 1000)).toFixed(1)} MB/s (${rep.runs.length} runs)`);
  line('parse + diff (environment given)', `${(mb / ((t3 - t1) / 1000)).toFixed(1)} MB/s`);
  line('tap-parser, parse only (same bytes)', `${(mb / ((tp1 - tp0) / 1000)).toFixed(1)} MB/s`);
  const small = parseLog(one);
  const ti = performance.now();
  diffParsed(small, 'one');
  line('diff one run, environment inferred', `${(performance.now() - ti).toFixed(0)} ms`);

  // 4. Store.
  if (existsSync('bench/store.ts')) {
    const mod = (await import('./store.js')) as { benchStore?: () => Promise<string[]> };
    if (mod.benchStore) for (const l of await mod.benchStore()) console.log(l);
  }
}

await main();
