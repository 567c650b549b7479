/**
 * The sweep figures alone (`npx tsx bench/sweep-only.ts [ROUNDS] [--json]`): goal 3 of issue 16
 * without the rest of `npm run bench`, to compare builds taking turns in one window.
 */
import { cowSweepFigures, sweepFigures } from './sweep.js';

const json = process.argv.includes('--json');
const rounds = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 5);
const gup = sweepFigures(rounds);
const cow = cowSweepFigures(Math.max(1, Math.round(rounds / 2)));
const line = (name: string, f: typeof gup): string =>
  `${name}: ${f.subtests} sub-tests, per CPU second median ${Math.round(f.subtestsPerCpuSec)} (${Math.round(f.minPerCpuSec)} … ${Math.round(f.maxPerCpuSec)})`;
if (json)
  console.log(
    JSON.stringify({
      sweepSubtestsPerCpuSec: gup.subtestsPerCpuSec,
      sweepSubtestsPerCpuSecMin: gup.minPerCpuSec,
      sweepSubtestsPerCpuSecMax: gup.maxPerCpuSec,
      cowSweepSubtestsPerCpuSec: cow.subtestsPerCpuSec,
      cowSweepSubtestsPerCpuSecMin: cow.minPerCpuSec,
      cowSweepSubtestsPerCpuSecMax: cow.maxPerCpuSec,
    }),
  );
else console.log(`${line('gup_longterm', gup)}\n${line('cow', cow)}`);
