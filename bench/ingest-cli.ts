/**
 * Goal 1 of issue 16 (CLI ingest): `gupsim diff` of the bench's runner log as a whole process,
 * spawned as a user runs it (bin/gupsim.js, the installed bundle), its output to a file, text
 * and `--json`, several runs each in turn. Each run's wall time and the child's own CPU time
 * (user + system of all its threads, start-up and GC included, reported by rss-probe.cjs as it
 * exits), with every run kept: the machine is shared, so the spread is part of the figure.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { median } from './measure.js';

/** Every run of one figure, and its minimum, median and maximum. */
export interface Spread {
  min: number;
  median: number;
  max: number;
  runs: number[];
}

export function spread(xs: readonly number[]): Spread {
  return { min: Math.min(...xs), median: median(xs), max: Math.max(...xs), runs: [...xs] };
}

interface CliRun {
  wallMs: number;
  cpuMs: number;
  peakRssMB: number;
  out: string;
}

/** `gupsim diff [args] FILE` in a process of its own, stdout to `outFile`. */
function cliDiff(args: string[], file: string, outFile: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const fd = openSync(outFile, 'w');
    const t0 = performance.now();
    const child = spawn(
      process.execPath,
      ['--require', './bench/rss-probe.cjs', 'bin/gupsim.js', 'diff', ...args, file],
      {
        stdio: ['ignore', fd, 'pipe'],
      },
    );
    let err = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (c: string) => (err += c));
    child.on('error', (e) => {
      closeSync(fd);
      reject(e);
    });
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      closeSync(fd);
      if (code !== 0 && code !== 1)
        return reject(new Error(`gupsim diff exited ${code}: ${err.slice(0, 300)}`));
      const rss = /gupsim-bench-max-rss-kib (\d+)/.exec(err);
      const cpu = /gupsim-bench-cpu-us (\d+)/.exec(err);
      resolve({
        wallMs,
        cpuMs: cpu ? Number(cpu[1]) / 1000 : NaN,
        peakRssMB: rss ? Number(rss[1]) / 1024 : NaN,
        out: readFileSync(outFile, 'utf8'),
      });
    });
  });
}

export interface CliFigures {
  /** `gupsim diff --json`: wall and CPU time of each run, peak RSS (median). */
  jsonWallMs: Spread;
  jsonCpuMs: Spread;
  peakRssMB: number;
  /** The fewest runs any `--json` run listed (each must list every run). */
  runsListed: number;
  /** `gupsim diff --json`'s bytes, and those over the log's. */
  jsonBytes: number;
  jsonBytesVsInput: number;
  /** `gupsim diff` (text summary): wall and CPU time of each run, lines, bytes, peak RSS. */
  textWallMs: Spread;
  textCpuMs: Spread;
  summaryLines: number;
  summaryBytes: number;
  summaryPeakRssMB: number;
  /** Whether every run of a kind printed the same bytes as its first. */
  sameOutput: boolean;
}

/** `rounds` runs of `gupsim diff` and of `gupsim diff --json` of `file`, in turn. */
export async function cliFigures(
  file: string,
  inputBytes: number,
  rounds: number,
  dir: string,
): Promise<CliFigures> {
  const text: CliRun[] = [];
  const json: CliRun[] = [];
  let sameOutput = true;
  for (let i = 0; i < rounds; i++) {
    text.push(await cliDiff([], file, join(dir, 'out.txt')));
    json.push(await cliDiff(['--json'], file, join(dir, 'out.json')));
    sameOutput &&= text[i]!.out === text[0]!.out && json[i]!.out === json[0]!.out;
  }
  const listed = json.map((r) => (JSON.parse(r.out) as { runs: unknown[] }).runs.length);
  const jsonBytes = Buffer.byteLength(json[0]!.out);
  return {
    jsonWallMs: spread(json.map((r) => r.wallMs)),
    jsonCpuMs: spread(json.map((r) => r.cpuMs)),
    peakRssMB: median(json.map((r) => r.peakRssMB)),
    runsListed: Math.min(...listed),
    jsonBytes,
    jsonBytesVsInput: jsonBytes / inputBytes,
    textWallMs: spread(text.map((r) => r.wallMs)),
    textCpuMs: spread(text.map((r) => r.cpuMs)),
    summaryLines: text[0]!.out.split('\n').length - 1,
    summaryBytes: Buffer.byteLength(text[0]!.out),
    summaryPeakRssMB: median(text.map((r) => r.peakRssMB)),
    sameOutput,
  };
}
