/**
 * cow: a full trace-less prediction of a current x86_64 machine's cow.c plan, in process —
 * the 6.18 host of the shared cow logs (7.2 tree, 761 rows: no swap, no gup_test), and the
 * 7.2.13 kernel where every row runs (778 rows: R/O pins, swap, 1 GiB pages). The real binary
 * takes 6–19 s and 432 s. Best of several batches (CPU time: other load moves it least; see
 * sweep.ts on this VM's noise).
 */
import { readFileSync } from 'node:fs';
import { parseEnvironment, type Environment } from '../cases/env.js';
import { predict } from '../cases/predict.js';
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
