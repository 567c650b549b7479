/**
 * Goal 1 (ingest): full-depth parse + diff of a 50 MB kselftest-runner log (big-log.ts), the
 * environment inferred, next to tap-parser's top-level parse of the same bytes and a bare line
 * scan (the ceiling). Rounds are interleaved; figures are medians of CPU time (a shared 2-core
 * machine: CPU time is what load disturbs least). Then the real CLI, `gupsim diff --json` of
 * the same log as a file (bench/ingest-cli.ts): every run's wall and CPU time, how many runs it
 * lists, its peak RSS, and its size against the log's (each distinct result once: it must be
 * smaller than the input); and the text summary `gupsim diff` prints of it (its lines: a few
 * screens, not a block per run), timed the same way.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Parser } from 'tap-parser';
import { RunDiffer } from '../reports/diff/index.js';
import { parseLog } from '../reports/parse/index.js';
import { bareFixtureLogs, buildRunnerLog } from './big-log.js';
import { cliFigures, type CliFigures } from './ingest-cli.js';
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
  /** tap-parser's and parse+diff's CPU milliseconds (medians), for the CLI's ratios. */
  tapParserCpuMs: number;
  ingestCpuMs: number;
  cli: CliFigures | { skipped: string };
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

export async function ingestFigures(
  rounds: number,
  targetBytes = 50e6,
  cliRounds = rounds,
): Promise<IngestFigures> {
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
  let cli: IngestFigures['cli'] = {
    skipped: 'dist/gupsim.cjs missing: run `npm run build:cli` first',
  };
  if (existsSync('dist/gupsim.cjs')) {
    const dir = mkdtempSync(join(tmpdir(), 'gupsim-bench-'));
    try {
      const file = join(dir, 'runner-50MB.log');
      writeFileSync(file, big.text);
      cli = await cliFigures(file, big.bytes, cliRounds, dir);
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
    tapParserCpuMs: median(tap),
    ingestCpuMs: median(ingest),
    cli,
  };
}
