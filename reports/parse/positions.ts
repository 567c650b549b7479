/**
 * Stable ids from the plan position, for excerpts whose result lines carry no name and have
 * no `# [RUN]` line before them. The order is fixed in every version (cases/ids.ts
 * TEST_CASES × memfd, tmpfile, local tmpfile, each detected hugetlb size in printed order),
 * so the TAP number alone names the sub-test once the hugetlb sizes are known.
 */
import { TEST_CASES, subtestId, type Backing } from '../../cases/ids.js';

/** Backings in test order for the detected sizes. */
export function backingsFor(sizesKiB: readonly number[]): Backing[] {
  return [
    { kind: 'memfd' },
    { kind: 'tmpfile' },
    { kind: 'local-tmpfile' },
    ...sizesKiB.map((sizeKiB): Backing => ({ kind: 'memfd-hugetlb', sizeKiB })),
  ];
}

/**
 * True when `plan` can be gup_longterm's plan for these sizes: C × (3 + H) with C = 8
 * (no liburing) or 10 (liburing). A null plan is accepted (excerpt).
 */
export function planFits(plan: number | null, sizesKiB: readonly number[]): boolean {
  if (plan === null) return true;
  const perCase = 3 + sizesKiB.length;
  return plan === 8 * perCase || plan === 10 * perCase;
}

/** The id of the `number`-th result (1-based), or null when out of range. */
export function idFromPosition(
  number: number,
  sizesKiB: readonly number[],
  plan: number | null,
): string | null {
  if (!Number.isSafeInteger(number) || number < 1) return null;
  if (!planFits(plan, sizesKiB)) return null;
  const backings = backingsFor(sizesKiB);
  const pos = number - 1;
  const c = TEST_CASES[Math.floor(pos / backings.length)];
  const b = backings[pos % backings.length];
  if (!c || !b || (plan !== null && number > plan)) return null;
  return subtestId(c, b);
}
