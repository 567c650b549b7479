/**
 * Stable sub-test identity, shared by the predict flow (cases/) and the read flow (reports/).
 *
 * gup_longterm has printed the same matrix under several wordings: the May 2023 prototype
 * ("iouring fixed buffer ..."), v6.5+ ("io_uring fixed buffer ..."), and since v6.16 the
 * result line repeats the `[RUN]` name. Numbering shifts with the number of hugetlb sizes and
 * with liburing. An id built from *what is tested* lines all of them up:
 *
 *   rw/gup-fast/shared/local-tmpfile
 *   iouring/private/memfd-hugetlb-2048kB
 */

export type Access = 'rw' | 'ro';
export type PinPath = 'gup' | 'gup-fast';
export type Sharing = 'shared' | 'private';

/** One of the ten test cases of gup_longterm (8 GUP cases, 2 io_uring cases). */
export type TestCase =
  | { kind: 'gup'; access: Access; path: PinPath; sharing: Sharing }
  | { kind: 'iouring'; sharing: Sharing };

/** The backing memory a case runs against. */
export type Backing =
  | { kind: 'memfd' }
  | { kind: 'tmpfile' }
  | { kind: 'local-tmpfile' }
  | { kind: 'memfd-hugetlb'; sizeKiB: number };

/** The order of the ten cases in every version of the test. */
export const TEST_CASES: readonly TestCase[] = [
  { kind: 'gup', access: 'rw', path: 'gup', sharing: 'shared' },
  { kind: 'gup', access: 'rw', path: 'gup-fast', sharing: 'shared' },
  { kind: 'gup', access: 'ro', path: 'gup', sharing: 'shared' },
  { kind: 'gup', access: 'ro', path: 'gup-fast', sharing: 'shared' },
  { kind: 'gup', access: 'rw', path: 'gup', sharing: 'private' },
  { kind: 'gup', access: 'rw', path: 'gup-fast', sharing: 'private' },
  { kind: 'gup', access: 'ro', path: 'gup', sharing: 'private' },
  { kind: 'gup', access: 'ro', path: 'gup-fast', sharing: 'private' },
  { kind: 'iouring', sharing: 'shared' },
  { kind: 'iouring', sharing: 'private' },
];

export function caseId(c: TestCase): string {
  return c.kind === 'gup' ? `${c.access}/${c.path}/${c.sharing}` : `iouring/${c.sharing}`;
}

/** The kind of case a stable id names: its first component (caseId()). */
export function caseOfSubtestId(id: string): TestCase['kind'] {
  return id.startsWith('iouring/') ? 'iouring' : 'gup';
}

export function backingId(b: Backing): string {
  return b.kind === 'memfd-hugetlb' ? `memfd-hugetlb-${b.sizeKiB}kB` : b.kind;
}

/** The stable id of a case on a backing. Predictions build each once (CaseNames in selftests/common.ts). */
export function subtestId(c: TestCase, b: Backing): string {
  return `${caseId(c)}/${backingId(b)}`;
}

/** Matches a test-case description in any wording the test has used. */
const GUP_DESC = /^(R\/W|R\/O) longterm (GUP|GUP-fast) pin in (MAP_SHARED|MAP_PRIVATE) file mapping$/;
const IOURING_DESC = /^(?:io_uring|iouring) fixed buffer with (MAP_SHARED|MAP_PRIVATE) file mapping$/;
const BACKING_HUGETLB = /^memfd hugetlb \((\d+) kB\)$/;
/** `<desc> ... with <variant>`: the text after `# [RUN] `. */
const RUN_NAME = /^(.*) \.\.\. with (.*)$/;

export function parseCaseDescription(desc: string): TestCase | undefined {
  const g = GUP_DESC.exec(desc);
  if (g) {
    return {
      kind: 'gup',
      access: g[1] === 'R/W' ? 'rw' : 'ro',
      path: g[2] === 'GUP' ? 'gup' : 'gup-fast',
      sharing: g[3] === 'MAP_SHARED' ? 'shared' : 'private',
    };
  }
  const u = IOURING_DESC.exec(desc);
  if (u) return { kind: 'iouring', sharing: u[1] === 'MAP_SHARED' ? 'shared' : 'private' };
  return undefined;
}

export function parseBacking(variant: string): Backing | undefined {
  if (variant === 'memfd' || variant === 'tmpfile' || variant === 'local tmpfile') {
    return { kind: variant === 'local tmpfile' ? 'local-tmpfile' : variant };
  }
  const h = BACKING_HUGETLB.exec(variant);
  if (h) return { kind: 'memfd-hugetlb', sizeKiB: Number(h[1]) };
  return undefined;
}

/** The stable id for a `[RUN]` name, or undefined when the name is not one of gup_longterm's. */
export function subtestIdFromRunName(name: string): string | undefined {
  const m = RUN_NAME.exec(name);
  if (!m) return undefined;
  const c = parseCaseDescription(m[1] ?? '');
  const b = parseBacking(m[2] ?? '');
  return c && b ? subtestId(c, b) : undefined;
}

/** The `[RUN]` wording of the upstream test (v6.5+) for a case and backing. */
export function upstreamCaseDescription(c: TestCase): string {
  if (c.kind === 'iouring') {
    return `io_uring fixed buffer with ${c.sharing === 'shared' ? 'MAP_SHARED' : 'MAP_PRIVATE'} file mapping`;
  }
  const access = c.access === 'rw' ? 'R/W' : 'R/O';
  const path = c.path === 'gup' ? 'GUP' : 'GUP-fast';
  const map = c.sharing === 'shared' ? 'MAP_SHARED' : 'MAP_PRIVATE';
  return `${access} longterm ${path} pin in ${map} file mapping`;
}

export function backingVariantText(b: Backing): string {
  switch (b.kind) {
    case 'memfd':
      return 'memfd';
    case 'tmpfile':
      return 'tmpfile';
    case 'local-tmpfile':
      return 'local tmpfile';
    case 'memfd-hugetlb':
      return `memfd hugetlb (${b.sizeKiB} kB)`;
  }
}
