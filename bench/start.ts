/**
 * Goal 4 (start): `gupsim run` as a whole process next to a bare `node -e 0`, both spawned
 * in turn (interleaved, so load on the machine hits both alike); the median of the pairs'
 * ratios of wall time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { median } from './measure.js';

export interface StartFigures {
  nodeMs: number;
  cliMs: number;
  /** The median of the pairs' ratios (gupsim run / node -e 0, each pair run back to back). */
  ratio: number;
  ratioMin: number;
  ratioMax: number;
  runs: number;
}

function wall(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0 && args[0] !== '-e')
    throw new Error(`${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return ms;
}

export function startFigures(runs: number): StartFigures | { skipped: string } {
  if (!existsSync('dist/gupsim.cjs'))
    return { skipped: 'dist/gupsim.cjs missing: run `npm run build:cli` first' };
  wall(['bin/gupsim.js', 'run']); // page cache, code cache file
  const node: number[] = [];
  const cli: number[] = [];
  for (let i = 0; i < runs; i++) {
    node.push(wall(['-e', '0']));
    cli.push(wall(['bin/gupsim.js', 'run']));
  }
  // Pair by pair: the machine's speed drifts between pairs far more than within one.
  const ratios = cli.map((c, i) => c / node[i]!);
  return {
    nodeMs: median(node),
    cliMs: median(cli),
    ratio: median(ratios),
    ratioMin: Math.min(...ratios),
    ratioMax: Math.max(...ratios),
    runs,
  };
}
