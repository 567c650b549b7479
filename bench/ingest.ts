/**
 * Goal 1 (ingest): full-depth parse + diff of a 50 MB kselftest-runner log (big-log.ts), the
 * environment inferred, next to tap-parser's top-level parse of the same bytes and a bare line
 * scan (the ceiling). Rounds are interleaved; figures are medians of CPU time (a shared 2-core
 * machine: CPU time is what load disturbs least). Then the real CLI, `gupsim diff --json` of
 * the same log as a file: its wall time, how many runs it lists, its peak RSS.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Parser } from 'tap-parser';
import { RunDiffer } from '../reports/diff/index.js';
import { parseLog } from '../reports/parse/index.js';
import { bareFixtureLogs, buildRunnerLog } from './big-log.js';
import { median, timed } from './measure.js';

export interface IngestFigures {
  mb: number;
  runsExpected: number;
  distinctRuns: number;
  lineScanMBps: number;
  tapParserMBps: number;
  parseMBps: number;
  ingestMBps: number;
  /** tap-parser CPU time / parse+diff CPU time (medians). */
  ingestVsTapParser: number;
  ingestVsTapParserWall: number;
  /** Runs the in-process parse + diff reported. */
  inProcessRuns: number;
  diffsReused: number;
  /** The first round: every distinct run's inference included (later rounds reuse it). */
  firstRoundMs: number;
  cli: { wallMs: number; runsListed: number; peakRssMB: number } | { skipped: string };
}

function lineScan(text: string): number {
  let chars = 0;
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) break;
    chars += text.slice(start, nl).length;
    start = nl + 1;
  }
  return chars;
}

/** `gupsim diff --json FILE`, its output counted as it streams (never held). */
function cliDiff(file: string): Promise<{ wallMs: number; runsListed: number; peakRssMB: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--require', './bench/rss-probe.cjs', 'bin/gupsim.js', 'diff', '--json', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const marker = '\n      "index": ';
    let runs = 0;
    let tail = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const s = tail + chunk;
      for (let i = s.indexOf(marker); i >= 0; i = s.indexOf(marker, i + 1)) runs++;
      tail = s.slice(-marker.length + 1);
    });
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c: string) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 && code !== 1) return reject(new Error(`gupsim diff exited ${code}: ${err.slice(0, 300)}`));
      const rss = /gupsim-bench-max-rss-kib (\d+)/.exec(err);
      resolve({ wallMs: performance.now() - t0, runsListed: runs, peakRssMB: rss ? Number(rss[1]) / 1024 : NaN });
    });
  });
}

export async function ingestFigures(rounds: number, targetBytes = 50e6): Promise<IngestFigures> {
  const big = buildRunnerLog(bareFixtureLogs('test/fixtures/logs/live'), targetBytes);
  const mb = big.bytes / 1e6;
  const scan: number[] = [];
  const tap: number[] = [];
  const tapWall: number[] = [];
  const parse: number[] = [];
  const ingest: number[] = [];
  const ingestWall: number[] = [];
  let runs = 0;
  let reused = 0;
  let firstRoundMs = NaN;
  for (let i = 0; i < rounds; i++) {
    scan.push(timed(() => lineScan(big.text)).cpuMs);
    const tp = timed(() => {
      const p = new Parser();
      p.end(big.text);
    });
    tap.push(tp.cpuMs);
    tapWall.push(tp.wallMs);
    parse.push(timed(() => parseLog(big.text, { onRun: () => {} })).cpuMs);
    const differ = new RunDiffer();
    const ig = timed(() => parseLog(big.text, { onRun: (r) => void differ.diff(r) }));
    if (i === 0) firstRoundMs = ig.wallMs;
    ingest.push(ig.cpuMs);
    ingestWall.push(ig.wallMs);
    runs = ig.value.stats.runs;
    reused = differ.reused;
  }
  const rate = (ms: number[]): number => mb / (median(ms) / 1000);
  let cli: IngestFigures['cli'] = { skipped: 'dist/gupsim.cjs missing: run `npm run build:cli` first' };
  if (existsSync('dist/gupsim.cjs')) {
    const dir = mkdtempSync(join(tmpdir(), 'gupsim-bench-'));
    try {
      const file = join(dir, 'runner-50MB.log');
      writeFileSync(file, big.text);
      cli = await cliDiff(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return {
    mb,
    runsExpected: big.runs,
    distinctRuns: big.distinct,
    lineScanMBps: rate(scan),
    tapParserMBps: rate(tap),
    parseMBps: rate(parse),
    ingestMBps: rate(ingest),
    ingestVsTapParser: median(tap) / median(ingest),
    ingestVsTapParserWall: median(tapWall) / median(ingestWall),
    inProcessRuns: runs,
    diffsReused: reused,
    firstRoundMs,
    cli,
  };
}
