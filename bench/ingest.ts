/**
 * Goal 1 (ingest): full-depth parse + diff of a 50 MB kselftest-runner log (big-log.ts), the
 * environment inferred, next to tap-parser's top-level parse of the same bytes and a bare line
 * scan (the ceiling). Rounds are interleaved; figures are medians of CPU time (a shared 2-core
 * machine: CPU time is what load disturbs least). Then the real CLI, `gupsim diff --json` of
 * the same log as a file: its wall time, how many runs it lists, its peak RSS, and its size
 * against the log's (each distinct result once: it must be smaller than the input); and the
 * text summary `gupsim diff` prints of it (its lines: a few screens, not a block per run).
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
  cli: CliFigures | { skipped: string };
}

export interface CliFigures {
  wallMs: number;
  runsListed: number;
  peakRssMB: number;
  /** `gupsim diff --json`'s bytes, and those over the log's. */
  jsonBytes: number;
  jsonBytesVsInput: number;
  /** `gupsim diff`'s text summary: lines, bytes, wall time, peak RSS. */
  summaryLines: number;
  summaryBytes: number;
  summaryWallMs: number;
  summaryPeakRssMB: number;
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

/** `gupsim diff [args] FILE` in a process of its own: its stdout (held: a summary is small), wall time, peak RSS. */
function cliDiff(args: string[], file: string): Promise<{ wallMs: number; out: string; peakRssMB: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--require', './bench/rss-probe.cjs', 'bin/gupsim.js', 'diff', ...args, file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c: string) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 && code !== 1) return reject(new Error(`gupsim diff exited ${code}: ${err.slice(0, 300)}`));
      const rss = /gupsim-bench-max-rss-kib (\d+)/.exec(err);
      resolve({ wallMs: performance.now() - t0, out: Buffer.concat(out).toString('utf8'), peakRssMB: rss ? Number(rss[1]) / 1024 : NaN });
    });
  });
}

/** `gupsim diff --json` and `gupsim diff` of the log as a file. */
async function cliFigures(file: string, inputBytes: number): Promise<CliFigures> {
  const json = await cliDiff(['--json'], file);
  const doc = JSON.parse(json.out) as { runs: unknown[] };
  const text = await cliDiff([], file);
  const jsonBytes = Buffer.byteLength(json.out);
  return {
    wallMs: json.wallMs,
    runsListed: doc.runs.length,
    peakRssMB: json.peakRssMB,
    jsonBytes,
    jsonBytesVsInput: jsonBytes / inputBytes,
    summaryLines: text.out.split('\n').length - 1,
    summaryBytes: Buffer.byteLength(text.out),
    summaryWallMs: text.wallMs,
    summaryPeakRssMB: text.peakRssMB,
  };
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
      cli = await cliFigures(file, big.bytes);
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
