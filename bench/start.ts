/**
 * Goal 4 (start): `gupsim run` as a whole process next to a bare `node -e 0`, both spawned
 * in turn (interleaved, so load on the machine hits both alike); medians of wall time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { median } from './measure.js';

export interface StartFigures {
  nodeMs: number;
  cliMs: number;
  ratio: number;
  runs: number;
}

function wall(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0 && args[0] !== '-e') throw new Error(`${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return ms;
}

export function startFigures(runs: number): StartFigures | { skipped: string } {
  if (!existsSync('dist/gupsim.cjs')) return { skipped: 'dist/gupsim.cjs missing: run `npm run build:cli` first' };
  wall(['bin/gupsim.js', 'run']); // page cache, code cache file
  const node: number[] = [];
  const cli: number[] = [];
  for (let i = 0; i < runs; i++) {
    node.push(wall(['-e', '0']));
    cli.push(wall(['bin/gupsim.js', 'run']));
  }
  const nodeMs = median(node);
  const cliMs = median(cli);
  return { nodeMs, cliMs, ratio: cliMs / nodeMs, runs };
}
