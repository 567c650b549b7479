/**
 * Stable ids from the plan position, for excerpts whose result lines carry no name and have
 * no `# [RUN]` line before them. The order is fixed in every version (./ids.ts TEST_CASES ×
 * memfd, tmpfile, local tmpfile, each detected hugetlb size in printed order), so the TAP
 * number alone names the sub-test once the hugetlb sizes are known.
 */
import type { RunFacts } from '../../../reports/parse/types.js';
import type { PositionIds } from '../plugin.js';
import {
  TEST_CASES,
  backingVariantText,
  parseBacking,
  subtestId,
  upstreamCaseDescription,
  type Backing,
} from './ids.js';

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

/**
 * Whether a [RUN] name that was cut short (`R/W longterm GUP pin in MA`, a console message
 * glued into the line) is the start of the name of the `number`-th sub-test, in the upstream
 * or the prototype's wording ("iouring fixed buffer …").
 */
export function runNameFits(cut: string, number: number, sizesKiB: readonly number[]): boolean {
  const backings = backingsFor(sizesKiB);
  const pos = number - 1;
  const c = TEST_CASES[Math.floor(pos / backings.length)];
  const b = backings[pos % backings.length];
  if (!c || !b || cut.length === 0) return false;
  const name = `${upstreamCaseDescription(c)} ... with ${backingVariantText(b)}`;
  return name.startsWith(cut) || name.replace(/^io_uring /, 'iouring ').startsWith(cut);
}

/** Every case description, in both wordings (the prototype's "iouring fixed buffer …"). */
const DESCRIPTIONS: readonly string[] = TEST_CASES.flatMap((c) => {
  const d = upstreamCaseDescription(c);
  return d.startsWith('io_uring ') ? [d, d.replace(/^io_uring /, 'iouring ')] : [d];
});
const VARIANTS = ['memfd', 'tmpfile', 'local tmpfile', 'memfd hugetlb ('];

/**
 * Whether `name` is the start of some gup_longterm [RUN] name (a name cut short by a glued
 * console message), long enough to say so: at least `R/W longterm` (cow's names share less).
 */
export function isRunNameStart(name: string): boolean {
  if (name.length < 12) return false;
  for (const d of DESCRIPTIONS) {
    if (name.length <= d.length) {
      if (d.startsWith(name)) return true;
      continue;
    }
    const head = `${d} ... with `;
    if (head.startsWith(name)) return true;
    if (!name.startsWith(head)) continue;
    const rest = name.slice(head.length);
    if (VARIANTS.some((v) => v.startsWith(rest) || rest.startsWith(v)) && !parseBacking(rest))
      return true;
  }
  return false;
}

/** Sizes are known when [INFO] lines were printed, or when a TAP header shows none were. */
function known(facts: RunFacts, tapVersion: boolean, plan: number | null): boolean {
  if (facts.hugetlbSizesKiB.length > 0) return true;
  return tapVersion && plan !== null && planFits(plan, []);
}

export const GUP_LONGTERM_POSITIONS: PositionIds = {
  known,
  at: (number, facts, plan) => idFromPosition(number, facts.hugetlbSizesKiB, plan),
  fits: (cut, number, facts) => runNameFits(cut, number, facts.hugetlbSizesKiB),
};
