/**
 * `npm run bench`: the speed figures of issue 9, each next to its reference, measured in this
 * run on this machine (never asserted in tests). `npm run bench -- --json` prints one JSON
 * object instead (keys below), for CI dashboards.
 *
 *   1. ingest: parse + diff of a 50 MB kselftest-runner log vs tap-parser and a bare line scan;
 *      `gupsim diff --json` of it as a file: runs listed, wall time, peak RSS, its size against
 *      the log's; `gupsim diff` of it: the summary's lines
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
  if ('skipped' in ingest.cli) say('gupsim diff --json of the log as a file', ingest.cli.skipped);
  else {
    say(
      'gupsim diff --json of the log as a file',
      `${ingest.cli.runsListed} runs listed`,
      `of ${ingest.runsExpected} [goal: every run]`,
    );
    say(
      '  wall time, peak RSS',
      `${fmt(ingest.cli.wallMs / 1000, 2)} s, ${fmt(ingest.cli.peakRssMB, 0)} MB`,
      'cold process: inference and JSON included',
    );
    say(
      '  its size against the log',
      `${fmt(ingest.cli.jsonBytes / 1e6, 2)} MB = ${fmt(ingest.cli.jsonBytesVsInput, 3)}x`,
      '[goal < 1x: each distinct result once]',
    );
    say(
      'gupsim diff of the log: the summary',
      `${ingest.cli.summaryLines} lines, ${fmt(ingest.cli.summaryBytes / 1e3, 1)} kB`,
      `${fmt(ingest.cli.summaryWallMs / 1000, 2)} s, ${fmt(ingest.cli.summaryPeakRssMB, 0)} MB peak RSS [goal: a few screens]`,
    );
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

  const range = (f: SweepFigures): string =>
    `${Math.round(f.minPerCpuSec)} … ${Math.round(f.maxPerCpuSec)} over the rounds`;
  const sweep = sweepFigures(quick ? 1 : 5);
  say(
    `prediction sweep: ${sweep.programs} runs, ${sweep.subtests} sub-tests`,
    `${Math.round(sweep.subtestsPerSec)} sub-tests/s`,
    'wall clock, traces off',
  );
  say(
    '  per CPU second (median)',
    `${Math.round(sweep.subtestsPerCpuSec)} sub-tests/s`,
    '[goal ≥ 2,000,000/s]',
  );
  say(
    '  per CPU second (slowest … fastest round)',
    range(sweep),
    'other load on the machine moves it least',
  );
  const cowSweep = cowSweepFigures(quick ? 1 : 3);
  say(
    `cow sweep: ${cowSweep.programs} runs, ${cowSweep.subtests} sub-tests`,
    `${Math.round(cowSweep.subtestsPerSec)} sub-tests/s`,
    'wall clock, traces off',
  );
  say(
    '  per CPU second (median)',
    `${Math.round(cowSweep.subtestsPerCpuSec)} sub-tests/s`,
    '[goal: as high as it gets]',
  );
  say('  per CPU second (slowest … fastest round)', range(cowSweep), '');

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
  }

  if (json) {
    const cli = 'skipped' in ingest.cli ? null : ingest.cli;
    console.log(
      JSON.stringify({
        startRatio: 'skipped' in start ? null : start.ratio,
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
        ingestCliWallMs: cli?.wallMs ?? null,
        ingestPeakRssMB: cli?.peakRssMB ?? null,
        bigLogSummaryLines: cli?.summaryLines ?? null,
        bigLogSummaryBytes: cli?.summaryBytes ?? null,
        bigLogSummaryWallMs: cli?.summaryWallMs ?? null,
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
