/**
 * Stable sub-test ids of cow.c: `cow/<family>/<backing>` (`cow/<family>` for the collapse
 * tests, which have no backing), built from what is tested, never from the wording or the
 * numbering — so they survive 6.16's unique-names rework, the mTHP sizes appearing in 6.8, and
 * the plan shifting with liburing, THP sizes and hugetlb sizes:
 *
 *   cow/vmsplice-unmap-child/pte-thp-64kB
 *   cow/ro-pin-fast/memfd-hugetlb-2048kB
 *   cow/collapse-after-fork-lower-shared
 *
 * The `[RUN]` names are the C's: `<desc> ... with <backing text>`.
 */
import { SubtestLabel } from '../common.js';

/** The anonymous test cases (anon_test_cases[]), in the C's order; the io_uring two need liburing. */
export const ANON_FAMILIES = [
  { id: 'basic-after-fork', desc: 'Basic COW after fork()' },
  { id: 'basic-after-fork-mprotect', desc: 'Basic COW after fork() with mprotect() optimization' },
  { id: 'vmsplice-unmap-child', desc: 'vmsplice() + unmap in child' },
  {
    id: 'vmsplice-unmap-child-mprotect',
    desc: 'vmsplice() + unmap in child with mprotect() optimization',
  },
  {
    id: 'vmsplice-before-fork-unmap-parent',
    desc: 'vmsplice() before fork(), unmap in parent after fork()',
  },
  { id: 'vmsplice-unmap-parent', desc: 'vmsplice() + unmap in parent after fork()' },
  {
    id: 'iouring-ro-mapping',
    desc: 'R/O-mapping a page registered as iouring fixed buffer',
    liburing: true,
  },
  { id: 'iouring-fork', desc: 'fork() with an iouring fixed buffer', liburing: true },
  { id: 'ro-pin-shared', desc: 'R/O GUP pin on R/O-mapped shared page' },
  { id: 'ro-pin-fast-shared', desc: 'R/O GUP-fast pin on R/O-mapped shared page' },
  { id: 'ro-pin-previously-shared', desc: 'R/O GUP pin on R/O-mapped previously-shared page' },
  {
    id: 'ro-pin-fast-previously-shared',
    desc: 'R/O GUP-fast pin on R/O-mapped previously-shared page',
  },
  { id: 'ro-pin-exclusive', desc: 'R/O GUP pin on R/O-mapped exclusive page' },
  { id: 'ro-pin-fast-exclusive', desc: 'R/O GUP-fast pin on R/O-mapped exclusive page' },
] as const;

export type AnonFamilyId = (typeof ANON_FAMILIES)[number]['id'];

/** anon_thp_test_cases[] (v6.3+): PMD-sized THP only, no backing in the name. */
export const COLLAPSE_FAMILIES = [
  { id: 'collapse-before-fork', desc: 'Basic COW after fork() when collapsing before fork()' },
  {
    id: 'collapse-after-fork-fully-shared',
    desc: 'Basic COW after fork() when collapsing after fork() (fully shared)',
  },
  {
    id: 'collapse-after-fork-lower-shared',
    desc: 'Basic COW after fork() when collapsing after fork() (lower shared)',
  },
  {
    id: 'collapse-after-fork-upper-shared',
    desc: 'Basic COW after fork() when collapsing after fork() (upper shared)',
  },
] as const;

/** non_anon_test_cases[]. */
export const NON_ANON_FAMILIES = [
  { id: 'basic', desc: 'Basic COW' },
  { id: 'ro-pin', desc: 'R/O longterm GUP pin' },
  { id: 'ro-pin-fast', desc: 'R/O longterm GUP-fast pin' },
] as const;

/** The backings, each with its id stem and the C's words (sized ones take `(N kB)`). */
export const BACKINGS = {
  basePage: { id: 'base-page', text: 'base page', sized: false },
  basePageSwapped: { id: 'swapped-base-page', text: 'swapped out base page', sized: false },
  thp: { id: 'thp', text: 'THP', sized: true },
  thpSwapped: { id: 'swapped-thp', text: 'swapped-out THP', sized: true },
  pteThp: { id: 'pte-thp', text: 'PTE-mapped THP', sized: true },
  pteThpSwapped: { id: 'swapped-pte-thp', text: 'swapped-out, PTE-mapped THP', sized: true },
  singlePte: { id: 'single-pte-thp', text: 'single PTE of THP', sized: true },
  singlePteSwapped: {
    id: 'single-pte-swapped-thp',
    text: 'single PTE of swapped-out THP',
    sized: true,
  },
  mremapThp: { id: 'mremap-thp', text: "partially mremap()'ed THP", sized: true },
  sharedThp: { id: 'shared-thp', text: 'partially shared THP', sized: true },
  hugetlb: { id: 'hugetlb', text: 'hugetlb', sized: true },
  zeropage: { id: 'zeropage', text: 'shared zeropage', sized: false },
  memfd: { id: 'memfd', text: 'memfd', sized: false },
  tmpfile: { id: 'tmpfile', text: 'tmpfile', sized: false },
  hugeZeropage: { id: 'huge-zeropage', text: 'huge zeropage', sized: false },
  memfdHugetlb: { id: 'memfd-hugetlb', text: 'memfd hugetlb', sized: true },
} as const;

export type BackingKey = keyof typeof BACKINGS;
const BACKING_KEYS = Object.keys(BACKINGS) as BackingKey[];

/**
 * The labels of one family, by backing and size: static text, built once per process. Before
 * mTHP (v6.8) the THP backings had no size in their words (`sizeInText` false); the id keeps it.
 */
class FamilyLabels {
  private readonly byKey = new Map<number, SubtestLabel>();

  constructor(
    private readonly familyId: string,
    private readonly desc: string,
  ) {}

  of(backing: BackingKey, sizeKiB: number, sizeInText: boolean): SubtestLabel {
    const code = (BACKING_KEYS.indexOf(backing) * 2 + (sizeInText ? 1 : 0)) * 2 ** 32 + sizeKiB;
    let l = this.byKey.get(code);
    if (l === undefined) {
      const b = BACKINGS[backing];
      const id = b.sized ? `${b.id}-${sizeKiB}kB` : b.id;
      const text =
        b.sized && (sizeInText || backing === 'hugetlb' || backing === 'memfdHugetlb')
          ? `${b.text} (${sizeKiB} kB)`
          : b.text;
      l = new SubtestLabel(`cow/${this.familyId}/${id}`, `${this.desc} ... with ${text}`);
      this.byKey.set(code, l);
    }
    return l;
  }
}

const FAMILY_LABELS = new Map<string, FamilyLabels>();

/** The label of a family (anonymous or non-anonymous) on a backing. */
export function cowLabel(
  family: { id: string; desc: string },
  backing: BackingKey,
  sizeKiB = 0,
  sizeInText = true,
): SubtestLabel {
  let f = FAMILY_LABELS.get(family.id);
  if (f === undefined) {
    f = new FamilyLabels(family.id, family.desc);
    FAMILY_LABELS.set(family.id, f);
  }
  return f.of(backing, sizeKiB, sizeInText);
}

const COLLAPSE_LABELS = new Map<string, SubtestLabel>();

/** The label of a collapse test: `[RUN] <desc>` alone. */
export function collapseLabel(family: { id: string; desc: string }): SubtestLabel {
  let l = COLLAPSE_LABELS.get(family.id);
  if (l === undefined) {
    l = new SubtestLabel(`cow/${family.id}`, family.desc);
    COLLAPSE_LABELS.set(family.id, l);
  }
  return l;
}

const ALL_FAMILIES: readonly { id: string; desc: string }[] = [
  ...ANON_FAMILIES,
  ...NON_ANON_FAMILIES,
];
const WITH = / \.\.\. with (.*)$/;

/**
 * The stable id of a cow `[RUN]` name in any era's wording, or undefined when it is not cow's.
 * Before v6.8 the THP backings carried no size: they were the PMD size, which the log's
 * `[INFO] detected THP size:` line gives (`pmdKiB`).
 */
export function cowSubtestIdFromRunName(name: string, pmdKiB = 2048): string | undefined {
  for (const c of COLLAPSE_FAMILIES) if (name === c.desc) return `cow/${c.id}`;
  const m = WITH.exec(name);
  if (!m) return undefined;
  const desc = name.slice(0, m.index);
  const family = ALL_FAMILIES.find((f) => f.desc === desc);
  if (!family) return undefined;
  const text = m[1]!;
  const sized = /^(.*) \((\d+) kB\)$/.exec(text);
  for (const key of BACKING_KEYS) {
    const b = BACKINGS[key];
    if (sized && b.sized && b.text === sized[1]) return `cow/${family.id}/${b.id}-${sized[2]}kB`;
    // Before v6.8 the THP backings had no size: the PMD size is the only one they could be.
    if (!sized && b.text === text)
      return b.sized ? `cow/${family.id}/${b.id}-${pmdKiB}kB` : `cow/${family.id}/${b.id}`;
  }
  return undefined;
}
