/**
 * cow: a full trace-less prediction of a current x86_64 machine's cow.c plan, in process —
 * the 6.18 host of the shared cow logs (7.2 tree, 761 rows: no swap, no gup_test), and the
 * 7.2.13 kernel where every row runs (778 rows: R/O pins, swap, 1 GiB pages). The real binary
 * takes 6–19 s and 432 s. Best of several batches (CPU time: other load moves it least; see
 * sweep.ts on this VM's noise).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnvironment, type Environment } from '../cases/env.js';
import { predict } from '../cases/predict.js';
import { diffRun } from '../reports/diff/diff-run.js';
import { clearInferenceCaches, searchPredictions } from '../reports/diff/infer-cache.js';
import { perfectScore } from '../reports/diff/score.js';
import { inferEnvironment } from '../reports/diff/infer.js';
import { parseLog } from '../reports/parse/index.js';
import { timed } from './measure.js';

export interface CowFigures {
  /** 761 rows: the goal (≤ 10 ms). */
  cowPredictMs: number;
  /** 778 rows, everything running. */
  cowPredictFullMs: number;
  rows: number;
  fullRows: number;
}

function envOf(name: string): Environment {
  const r = parseEnvironment(readFileSync(`test/fixtures/logs/cow/${name}.env.json`, 'utf8'));
  if (!r.ok) throw new Error(r.error);
  return r.env;
}

function best(env: Environment, batches: number): { ms: number; rows: number } {
  let rows = 0;
  for (let i = 0; i < 20; i++) {
    const p = predict(env, { trace: false });
    if (!('error' in p)) rows = p.run.subtests.length;
  }
  let ms = Infinity;
  for (let b = 0; b < batches; b++) {
    const t = timed(() => {
      for (let i = 0; i < 10; i++) predict(env, { trace: false });
    });
    ms = Math.min(ms, t.cpuMs / 10);
  }
  return { ms, rows };
}

export function cowFigures(batches = 8): CowFigures {
  const host = best(envOf('6.18-host-st7.2-cow-root-default'), batches);
  const full = best(envOf('7.2.13-guptest-qemu-st7.2-cow-root-hp2M4-hp1G2-swap'), batches);
  return { cowPredictMs: host.ms, cowPredictFullMs: full.ms, rows: host.rows, fullRows: full.rows };
}

export interface CowInferFigures {
  /** The slowest cow run's diff with the environment inferred (CPU ms, best of the rounds). */
  cowInferWorstMs: number;
  worstLog: string;
  /** Trace-less predictions its search ran (0: the machine read off the log reproduced it at once). */
  worstPredictions: number;
  /** Whether the inferred machine reproduces the worst run whole. */
  worstReproduced: boolean;
  medianMs: number;
  runs: number;
  /** The slowest run among those whose inferred machine reproduces them whole. */
  reproducedWorstMs: number;
  reproducedWorstLog: string;
}

/**
 * Every cow run of the cow fixture logs (the gup_longterm runs of the mixed CI logs are
 * gup_longterm's figure), each diffed on its own with the environment inferred and the
 * inference caches emptied: a first diff. CPU time, best of `rounds` (the machine is shared).
 */
export function cowInferFigures(rounds = 3): CowInferFigures {
  const runs: { name: string; run: ReturnType<typeof parseLog>['runs'][number] }[] = [];
  for (const dir of ['test/fixtures/logs/cow', 'test/fixtures/logs/cow-timing']) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith('.log')) continue;
      for (const run of parseLog(readFileSync(join(dir, f), 'utf8')).runs) if (run.test === 'cow') runs.push({ name: `${f}#${run.index + 1}`, run });
    }
  }
  const first = runs[0];
  if (first) diffRun(first.run, 0); // warm-up
  const out = runs.map(({ name, run }) => {
    let ms = Infinity;
    let predictions = 0;
    for (let i = 0; i < Math.max(1, rounds); i++) {
      clearInferenceCaches();
      const before = searchPredictions();
      const t = timed(() => diffRun(run, run.index));
      ms = Math.min(ms, t.cpuMs);
      predictions = searchPredictions() - before;
    }
    clearInferenceCaches();
    const inf = inferEnvironment(run);
    const reproduced = !('error' in inf) && inf.score >= perfectScore(run);
    return { name, ms, predictions, reproduced };
  });
  const worst = out.reduce((a, b) => (b.ms > a.ms ? b : a), { name: '', ms: 0, predictions: 0, reproduced: false });
  const worstReproduced = out.filter((x) => x.reproduced).reduce((a, b) => (b.ms > a.ms ? b : a), { name: '', ms: 0, predictions: 0, reproduced: true });
  const sorted = out.map((x) => x.ms).sort((a, b) => a - b);
  return {
    cowInferWorstMs: worst.ms,
    worstLog: worst.name,
    worstPredictions: worst.predictions,
    worstReproduced: worst.reproduced,
    medianMs: sorted[Math.floor(sorted.length / 2)] ?? NaN,
    runs: out.length,
    reproducedWorstMs: worstReproduced.ms,
    reproducedWorstLog: worstReproduced.name,
  };
}
