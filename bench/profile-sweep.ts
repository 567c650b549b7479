/**
 * A CPU profile of the trace-less sweeps: `node --import tsx --cpu-prof --cpu-prof-dir DIR
 * bench/profile-sweep.ts [gup|cow] [ROUNDS]` runs the grid's predictions ROUNDS times after one
 * warm-up round (the bench's steady state), nothing else in the process.
 */
import { predict } from '../cases/predict.js';
import { cowGrid, gupGrid } from './sweep-grid.js';

const which = process.argv[2] ?? 'gup';
const rounds = Number(process.argv[3] ?? 10);
const grid = which === 'cow' ? cowGrid() : gupGrid();
let subtests = 0;
for (let r = 0; r <= rounds; r++)
  for (const { env } of grid) {
    const p = predict(env, { trace: false });
    if (!('error' in p)) subtests += p.run.subtests.length;
  }
console.log(`${which}: ${subtests} sub-tests`);
