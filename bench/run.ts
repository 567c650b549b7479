/**
 * `npm run bench`: the speed figures of issue 9, each next to its reference, measured in this
 * run on this machine (never asserted in tests). `npm run bench -- --json` prints one JSON
 * object instead (keys below), for CI dashboards.
 *
 *   1. ingest: parse + diff of a 50 MB kselftest-runner log vs tap-parser and a bare line scan;
 *      `gupsim diff` and `gupsim diff --json` of it as a file, whole processes, every run's wall
 *      and CPU time (min/median/max) against tap-parser's and the engine's (ingestCli* keys);
 *      runs listed, peak RSS, the JSON's size against the log's, the summary's lines
 *   2. inference: diff of one real log with the environment inferred, over all fixture logs
 *   3. prediction: sub-tests per CPU second of the sweeps (traces off, as a search predicts),
 *      gup_longterm's and cow's grids (bench/sweep-grid.ts), median and range of the rounds
 *   4. start: `gupsim run` vs `node -e 0`
 *   5. cow: a full prediction of a current x86_64 machine's cow.c plan, and the diff of each
 *      cow fixture run with its environment inferred (bench/cow.ts)
 *   6. the history store (text output only; bench/store.ts)
 *
 * Options: --json, --quick (smaller log, fewer rounds: a smoke run), --no-store.
 */
import { fmt } from './measure.js';
import type { Spread } from './ingest-cli.js';
import { ingestFigures } from './ingest.js';
import { inferFigures } from './infer.js';
import { startFigures } from './start.js';
import { cowSweepFigures, sweepFigures, type SweepFigures } from './sweep.js';
import { cowFigures, cowInferFigures } from './cow.js';

const args = new Set(process.argv.slice(2));
const json = args.has('--json');
const quick = args.has('--quick');

const say = (label: string, value: string, reference = ''): void => {
  if (!json) console.log(`${label.padEnd(52)} ${value.padEnd(26)} ${reference}`);
};

async function main(): Promise<void> {
  if (!json)
    console.log(
      'gupsim bench: medians of several runs on this machine (goals of issue 9 in brackets)\n',
    );

  const ingest = await ingestFigures(quick ? 2 : 5, quick ? 5e6 : 50e6);
  say(
    `ingest: ${fmt(ingest.mb)} MB runner log, ${ingest.runsExpected} runs`,
    `${fmt(ingest.ingestMBps)} MB/s parse+diff`,
    `tap-parser ${fmt(ingest.tapParserMBps)} MB/s, line scan ${fmt(ingest.lineScanMBps)} MB/s`,
  );
  say(
    'ingest vs tap-parser (CPU time; wall in brackets)',
    `${fmt(ingest.ingestVsTapParser, 2)}x (${fmt(ingest.ingestVsTapParserWall, 2)}x)`,
    '[goal ≥ 5x]',
  );
  say(
    'parse alone (full depth)',
    `${fmt(ingest.parseMBps)} MB/s`,
    `line scan ${fmt(ingest.lineScanMBps)} MB/s is the ceiling`,
  );
  say(
    'runs reported (in process)',
    `${ingest.inProcessRuns} of ${ingest.runsExpected}`,
    `${ingest.diffsReused} diffs reused, ${ingest.distinctRuns} distinct runs`,
  );
  say(
    'first round (distinct runs inferred, cold)',
    `${fmt(ingest.firstRoundMs, 0)} ms`,
    'later rounds reuse the inference memo',
  );
  if ('skipped' in ingest.cli) say('gupsim diff of the log as a file', ingest.cli.skipped);
  else {
    const c = ingest.cli;
    const range = (x: Spread, k = 1, d = 2): string =>
      `${fmt(x.min / k, d)} / ${fmt(x.median / k, d)} / ${fmt(x.max / k, d)}`;
    const vsTap = (x: Spread): string =>
      range({
        min: ingest.tapParserCpuMs / x.max,
        median: ingest.tapParserCpuMs / x.median,
        max: ingest.tapParserCpuMs / x.min,
        runs: [],
      });
    say(
      `gupsim diff of the log as a file (${c.textCpuMs.runs.length} runs, min/median/max)`,
      `${range(c.textWallMs, 1000)} s wall`,
      `CPU ${range(c.textCpuMs, 1000)} s, whole process`,
    );
    say("  vs tap-parser (its CPU time / the process's)", `${vsTap(c.textCpuMs)}x`, '[goal ≥ 5x]');
    say(
      '  vs the engine in process (CPU)',
      `${fmt(c.textCpuMs.median / ingest.ingestCpuMs, 2)}x`,
      `${fmt(ingest.ingestCpuMs, 0)} ms in process [goal ≤ 2x]`,
    );
    say(
      '  the summary',
      `${c.summaryLines} lines, ${fmt(c.summaryBytes / 1e3, 1)} kB`,
      `${fmt(c.summaryPeakRssMB, 0)} MB peak RSS [goal: a few screens]`,
    );
    say(
      'gupsim diff --json of the log as a file',
      `${range(c.jsonWallMs, 1000)} s wall`,
      `CPU ${range(c.jsonCpuMs, 1000)} s, whole process`,
    );
    say("  vs tap-parser (its CPU time / the process's)", `${vsTap(c.jsonCpuMs)}x`, '[goal ≥ 5x]');
    say(
      '  runs listed',
      `${c.runsListed} of ${ingest.runsExpected}`,
      '[goal: every run, in every run]',
    );
    say(
      '  its size against the log',
      `${fmt(c.jsonBytes / 1e6, 2)} MB = ${fmt(c.jsonBytesVsInput, 3)}x`,
      `${fmt(c.peakRssMB, 0)} MB peak RSS [goal < 1x: each distinct result once]`,
    );
    if (!c.sameOutput)
      say('  WARNING', 'runs printed different output', 'the CLI is not deterministic');
  }

  const infer = inferFigures(quick ? 1 : 3);
  say(
    `inference: diff of one real log, env inferred (${infer.logs} logs with an environment file, all tests)`,
    `median ${fmt(infer.medianMs)} ms, p90 ${fmt(infer.p90Ms)} ms`,
    '[goal median ≤ 10 ms]',
  );
  say('  worst', `${fmt(infer.worstMs)} ms`, `${infer.worstLog} [goal ≤ 50 ms]`);
  say(
    '  predict() calls of the searches',
    `worst log ${infer.worstLogPredictions}, most ${infer.maxPredictions}`,
    'traces off; the search is mostly these',
  );

  /** One sweep's three lines: wall clock, median per CPU second against its goal, the spread. */
  const saySweep = (name: string, f: SweepFigures, goal: string): void => {
    say(
      `${name}: ${f.programs} runs, ${f.subtests} sub-tests`,
      `${Math.round(f.subtestsPerSec)} sub-tests/s`,
      'wall clock, traces off',
    );
    say('  per CPU second (median)', `${Math.round(f.subtestsPerCpuSec)} sub-tests/s`, goal);
    say(
      '  per CPU second (slowest … fastest round)',
      `${Math.round(f.minPerCpuSec)} … ${Math.round(f.maxPerCpuSec)} over the rounds`,
      'other load on the machine moves it least',
    );
  };
  const sweep = sweepFigures(quick ? 1 : 5);
  saySweep('prediction sweep', sweep, '[goal ≥ 2,000,000/s]');
  const cowSweep = cowSweepFigures(quick ? 1 : 3);
  saySweep('cow sweep', cowSweep, '[goal: as high as it gets]');

  const cow = cowFigures(quick ? 2 : 8);
  say(
    `cow: full prediction, ${cow.rows} rows (6.18 host, 7.2 tree)`,
    `${fmt(cow.cowPredictMs, 2)} ms CPU`,
    '[goal ≤ 10 ms; the real binary takes 6–19 s]',
  );
  say(
    `  every row running, ${cow.fullRows} rows (7.2.13, gup_test, swap)`,
    `${fmt(cow.cowPredictFullMs, 2)} ms CPU`,
    'R/O pins, swap and 1 GiB pages run too',
  );
  const cowInfer = cowInferFigures(quick ? 1 : 3);
  say(
    `cow: diff of one run, env inferred (${cowInfer.runs} cow runs)`,
    `worst ${fmt(cowInfer.cowInferWorstMs)} ms CPU`,
    `${cowInfer.worstLog}, ${cowInfer.worstPredictions} search predictions${cowInfer.worstReproduced ? '' : ', no modelled machine reproduces it'} [goal ≤ 100 ms]`,
  );
  say(
    '  median; worst of the runs the model reproduces',
    `${fmt(cowInfer.medianMs)} ms; ${fmt(cowInfer.reproducedWorstMs)} ms`,
    cowInfer.reproducedWorstLog,
  );

  const start = startFigures(quick ? 5 : 21);
  if ('skipped' in start) say('start', start.skipped);
  else {
    say(
      'start: gupsim run (whole process)',
      `${fmt(start.cliMs)} ms = ${fmt(start.ratio, 2)}x`,
      `node -e 0 ${fmt(start.nodeMs)} ms [goal ≤ 1.15x]`,
    );
    say(
      `  ratio of each interleaved pair (${start.runs}): min/median/max`,
      `${fmt(start.ratioMin, 2)} / ${fmt(start.ratio, 2)} / ${fmt(start.ratioMax, 2)}`,
    );
  }

  if (json) {
    const cli = 'skipped' in ingest.cli ? null : ingest.cli;
    console.log(
      JSON.stringify({
        startRatio: 'skipped' in start ? null : start.ratio,
        startRatioMin: 'skipped' in start ? null : start.ratioMin,
        startRatioMax: 'skipped' in start ? null : start.ratioMax,
        startMs: 'skipped' in start ? null : start.cliMs,
        nodeMs: 'skipped' in start ? null : start.nodeMs,
        sweepSubtestsPerSec: sweep.subtestsPerSec,
        sweepSubtestsPerCpuSec: sweep.subtestsPerCpuSec,
        sweepSubtestsPerCpuSecMin: sweep.minPerCpuSec,
        sweepSubtestsPerCpuSecMax: sweep.maxPerCpuSec,
        cowSweepSubtestsPerSec: cowSweep.subtestsPerSec,
        cowSweepSubtestsPerCpuSec: cowSweep.subtestsPerCpuSec,
        cowSweepSubtestsPerCpuSecMin: cowSweep.minPerCpuSec,
        cowSweepSubtestsPerCpuSecMax: cowSweep.maxPerCpuSec,
        ingestVsTapParser: ingest.ingestVsTapParser,
        ingestVsTapParserWall: ingest.ingestVsTapParserWall,
        ingestMBps: ingest.ingestMBps,
        parseMBps: ingest.parseMBps,
        tapParserMBps: ingest.tapParserMBps,
        lineScanMBps: ingest.lineScanMBps,
        ingestMB: ingest.mb,
        ingestRuns: cli ? cli.runsListed : ingest.inProcessRuns,
        ingestRunsExpected: ingest.runsExpected,
        ingestCliVsTapParser: cli ? ingest.tapParserCpuMs / cli.textCpuMs.median : null,
        ingestCliJsonVsTapParser: cli ? ingest.tapParserCpuMs / cli.jsonCpuMs.median : null,
        ingestCliMBps: cli ? ingest.mb / (cli.textWallMs.median / 1000) : null,
        ingestCliVsInProcess: cli ? cli.textCpuMs.median / ingest.ingestCpuMs : null,
        ingestCliCpuMs: cli?.textCpuMs ?? null,
        ingestCliJsonCpuMs: cli?.jsonCpuMs ?? null,
        ingestCliTextWallMs: cli?.textWallMs ?? null,
        ingestCliWallMs: cli?.jsonWallMs.median ?? null,
        ingestCliJsonWallMs: cli?.jsonWallMs ?? null,
        ingestPeakRssMB: cli?.peakRssMB ?? null,
        bigLogSummaryLines: cli?.summaryLines ?? null,
        bigLogSummaryBytes: cli?.summaryBytes ?? null,
        bigLogSummaryWallMs: cli?.textWallMs.median ?? null,
        bigLogSummaryPeakRssMB: cli?.summaryPeakRssMB ?? null,
        bigLogJsonBytes: cli?.jsonBytes ?? null,
        bigLogJsonBytesVsInput: cli?.jsonBytesVsInput ?? null,
        inferMedianMs: infer.medianMs,
        inferP90Ms: infer.p90Ms,
        inferWorstMs: infer.worstMs,
        inferLogs: infer.logs,
        inferWorstLog: infer.worstLog,
        inferWorstLogPredictions: infer.worstLogPredictions,
        inferMaxPredictions: infer.maxPredictions,
        cowPredictMs: cow.cowPredictMs,
        cowPredictFullMs: cow.cowPredictFullMs,
        cowInferWorstMs: cowInfer.cowInferWorstMs,
        cowInferWorstLog: cowInfer.worstLog,
        cowInferWorstPredictions: cowInfer.worstPredictions,
        cowInferMedianMs: cowInfer.medianMs,
        cowInferReproducedWorstMs: cowInfer.reproducedWorstMs,
      }),
    );
    return;
  }
  if (!args.has('--no-store') && !quick) {
    console.log('');
    const mod = (await import('./store.js')) as { benchStore?: () => Promise<string[]> };
    if (mod.benchStore) for (const l of await mod.benchStore()) console.log(l);
  }
}

await main();
