/**
 * Goal 3 (prediction): sub-tests per second of an in-process sweep over a grid of
 * environments (bench/sweep-grid.ts), with traces off (what a search runs), for gup_longterm
 * (releases × selftest trees × machines) and cow (kernels × cow.c trees × cow machines). No
 * prediction cache: every environment is parsed and simulated in every round.
 */
import { environmentFromJson } from '../cases/env.js';
import { predict } from '../cases/predict.js';
import { median, timed } from './measure.js';
import { cowGridJson, gupGridJson, type GridJson } from './sweep-grid.js';

export interface SweepFigures {
  programs: number;
  subtests: number;
  ms: number;
  subtestsPerSec: number;
  /**
   * The same from CPU time (all threads): what other load on the machine moves least, but not
   * nothing. On the shared 2-core VM, CPU time itself runs up to ~2x slower for seconds at a
   * time, in every process at once: two processes taking turns slow down together, and a JSON
   * parse/stringify loop with no gupsim code slows 1.7x in the same windows (r = 0.82). Compare
   * builds by taking turns in one window, not by separate runs.
   */
  subtestsPerCpuSec: number;
  /** The slowest and fastest round's rate per CPU second (the median is subtestsPerCpuSec). */
  minPerCpuSec: number;
  maxPerCpuSec: number;
}

function sweepOnce(grid: readonly GridJson[]): { programs: number; subtests: number } {
  let programs = 0;
  let subtests = 0;
  for (const { json } of grid) {
    const e = environmentFromJson(json);
    if (!e.ok) continue;
    const p = predict(e.env, { trace: false });
    if ('error' in p) continue;
    programs++;
    subtests += p.run.subtests.length;
  }
  return { programs, subtests };
}

function figures(grid: readonly GridJson[], rounds: number): SweepFigures {
  const times: number[] = [];
  const rates: number[] = [];
  // One untimed round first: it is where V8 compiles the model (about 3x slower than the
  // rounds after it). A search runs thousands of predictions in one process, so the figure
  // is the steady state, and --quick's single round would otherwise time only the warm-up.
  let last = sweepOnce(grid);
  for (let i = 0; i < rounds; i++) {
    const t = timed(() => sweepOnce(grid));
    times.push(t.wallMs);
    rates.push((t.value.subtests / t.cpuMs) * 1000);
    last = t.value;
  }
  const ms = median(times);
  return {
    ...last,
    ms,
    subtestsPerSec: (last.subtests / ms) * 1000,
    subtestsPerCpuSec: median(rates),
    minPerCpuSec: Math.min(...rates),
    maxPerCpuSec: Math.max(...rates),
  };
}

/** gup_longterm's sweep. */
export function sweepFigures(rounds: number): SweepFigures {
  return figures(gupGridJson(), rounds);
}

/** cow's sweep (a cow prediction is ~15x a gup_longterm one: fewer rounds do). */
export function cowSweepFigures(rounds: number): SweepFigures {
  return figures(cowGridJson(), rounds);
}
