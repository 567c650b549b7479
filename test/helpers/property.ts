/**
 * Run counts of the fast-check properties: `runs(n)` is n in `npm test`, and DEEP_FACTOR × n
 * under GUPSIM_TEST_DEEP=1, for a longer search before a release or after a change to what a
 * property covers. GUPSIM_TEST_SEED=<integer> fixes fast-check's seed for every property
 * without a seed of its own (a failure prints its seed and path; set it to run the same cases
 * again). Properties that must find a known counterexample keep their fixed seed and count:
 * the count is what finds it.
 *
 * The counts were measured before choosing them: every property here costs a few seconds of
 * CPU at most at its count (ten times the runs cost parse-property and lava ~0.5 s more,
 * verdict-property ~5.5 s), so `npm test` keeps the counts they had.
 */
import fc from 'fast-check';

/** How many times as many runs GUPSIM_TEST_DEEP=1 gives each property. */
export const DEEP_FACTOR = 10;
export const DEEP = process.env.GUPSIM_TEST_DEEP === '1';

const seed = process.env.GUPSIM_TEST_SEED;
if (seed !== undefined && seed !== '') {
  if (!/^-?\d+$/.test(seed)) throw new Error(`GUPSIM_TEST_SEED=${seed}: not an integer`);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(seed) });
}

/** A property's run count: `n` in `npm test`, DEEP_FACTOR × n under GUPSIM_TEST_DEEP=1. */
export function runs(n: number): number {
  return DEEP ? n * DEEP_FACTOR : n;
}
