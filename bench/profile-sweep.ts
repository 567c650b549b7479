/**
 * A CPU profile of the trace-less sweeps: runs the grid's predictions (bench/sweep-grid.ts)
 * ROUNDS times after one warm-up round (the bench's steady state), nothing else in the
 * process, and prints the rate of those rounds per CPU second.
 *
 *   npx tsx bench/profile-sweep.ts [gup|cow] [ROUNDS]
 *
 * For a profile with usable line numbers, bundle it the way tsx compiles (keepNames, which
 * costs what it costs under `npm run bench`) but without tsx's one-line minified modules:
 *
 *   npx esbuild bench/profile-sweep.ts --bundle --platform=node --format=esm --keep-names \
 *     --packages=external --outfile=/tmp/sweep.mjs
 *   node --cpu-prof --cpu-prof-dir /tmp/prof /tmp/sweep.mjs gup 40
 */
import { predict } from '../cases/predict.js';
import { cowGrid, gupGrid } from './sweep-grid.js';

const which = process.argv[2] ?? 'gup';
const rounds = Number(process.argv[3] ?? 10);
const grid = which === 'cow' ? cowGrid() : gupGrid();
let subtests = 0;
let c0 = process.cpuUsage();
for (let r = 0; r <= rounds; r++) {
  // Round 0 is the warm-up: the rate is of the rounds after it.
  if (r === 1) {
    c0 = process.cpuUsage();
    subtests = 0;
  }
  for (const { env } of grid) {
    const p = predict(env, { trace: false });
    if (!('error' in p)) subtests += p.run.subtests.length;
  }
}
const c = process.cpuUsage(c0);
console.log(
  `${which}: ${subtests} sub-tests, ${Math.round(subtests / ((c.user + c.system) / 1e6))} per CPU second`,
);
