/**
 * Kernel release strings: `5.10`, `6.18.44`, `6.16-rc1`, `next`. Ordered so that a
 * behaviour introduced in mainline `6.5` applies to `6.5-rc1`… and every later release.
 */
export interface Release {
  /** As written by the user. */
  text: string;
  major: number;
  minor: number;
  /** Stable patch level (`6.18.44` → 44); 0 for a mainline tag. */
  patch: number;
  /** Release candidate number, or undefined for a final release. */
  rc: number | undefined;
  /** linux-next: newer than every numbered release. */
  next: boolean;
}

const RELEASE_RE = /^(\d+)\.(\d+)(?:\.(\d+))?(?:-rc(\d+))?$/;

/**
 * Memoised by text: an environment's release and tree are parsed again for every prediction,
 * and a sweep makes thousands. The results are frozen, since every caller shares them.
 */
export function parseRelease(text: string): Release | { error: string } {
  let r = PARSED.get(text);
  if (r === undefined) {
    r = Object.freeze(parse(text));
    if (PARSED.size < 4096) PARSED.set(text, r);
  }
  return r;
}

const PARSED = new Map<string, Release | { error: string }>();

function parse(text: string): Release | { error: string } {
  const trimmed = text.trim();
  if (trimmed === 'next') {
    return { text: trimmed, major: 999, minor: 0, patch: 0, rc: undefined, next: true };
  }
  const m = RELEASE_RE.exec(trimmed);
  if (!m) return { error: `"${text}" is not a kernel release (expected e.g. 6.5, 6.18.44, 6.16-rc1, next)` };
  return {
    text: trimmed,
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: m[3] === undefined ? 0 : Number(m[3]),
    rc: m[4] === undefined ? undefined : Number(m[4]),
    next: false,
  };
}

export function isRelease(r: Release | { error: string }): r is Release {
  return !('error' in r);
}

/** Compare mainline positions only (major.minor, rc); stable patch levels are ignored. */
export function compareMainline(a: Release, b: Release): number {
  if (a.major !== b.major) return a.major - b.major;
  if (a.minor !== b.minor) return a.minor - b.minor;
  const arc = a.rc ?? Number.POSITIVE_INFINITY;
  const brc = b.rc ?? Number.POSITIVE_INFINITY;
  return arc === brc ? 0 : arc < brc ? -1 : 1;
}

/** Full order including the stable patch level. */
export function compareRelease(a: Release, b: Release): number {
  const c = compareMainline(a, b);
  return c !== 0 ? c : a.patch - b.patch;
}

/** A tag atLeast() compares with: a constant of the code (parseRelease() memoises it). */
function releaseConstant(tag: string): Release {
  const t = parseRelease(tag);
  if (!isRelease(t)) throw new Error(`bad release constant ${tag}`);
  return t;
}

/**
 * True when `r` contains what was merged for mainline `tag`. A bare `x.y` tag means "merged in
 * the x.y merge window", so it is present from x.y-rc1 on; `x.y-rcN` and `x.y.z` compare
 * exactly.
 */
export function atLeast(r: Release, tag: string): boolean {
  const t = releaseConstant(tag);
  if (r.next) return true;
  if (t.rc === undefined && t.patch === 0) {
    return r.major !== t.major ? r.major > t.major : r.minor >= t.minor;
  }
  return compareRelease(r, t) >= 0;
}
