/**
 * Kernel ranges of a known issue: `>=6.1 <6.10` (every comparison must hold), `6.18` (the
 * 6.18 series: its -rcN, 6.18 and every 6.18.y), `6.18.44` or `6.16-rc2` (that release),
 * `next` (linux-next). An entry's `kernel` is one range or a list of them (any may hold).
 *
 * Releases are ordered as the kernel's: 6.10-rc1 < 6.10 < 6.10.1 < 6.11-rc1. A bare series in
 * a comparison is the whole series: `>=6.10` and `<6.10` split at its first -rc (the merge
 * window brings the changes), `<=6.10` and `>6.10` after its last stable release. linux-next
 * is newer than every release (`>=6.1` holds for it, `<6.10` does not).
 *
 * What a run's kernel is comes from its label (`--kernel`, the stored kernel, else the
 * environment's release): `6.1.0-50-amd64` is 6.1.0, `6.16.0-rc2-next-20250616` is next.
 */
import { isRelease, parseRelease } from '../../kernel-model/release.js';

export interface KernelPoint {
  next: boolean;
  /** major, minor, rc (Infinity for a final release), stable patch. */
  key: readonly [number, number, number, number];
}

type Op = '>=' | '>' | '<=' | '<' | '=';

type Term =
  | { kind: 'series'; major: number; minor: number }
  | { kind: 'exact'; key: KernelPoint['key'] }
  | { kind: 'next' }
  | { kind: 'compare'; op: Op; key: KernelPoint['key'] };

export interface KernelRange {
  source: string;
  terms: Term[];
}

const LABEL = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-rc(\d+))?/;

/** The kernel a label names, or null when the label says no release. */
export function kernelPoint(label: string | null | undefined): KernelPoint | null {
  if (label === null || label === undefined) return null;
  const t = label.trim();
  if (t === 'next' || /(?:^|-)next-\d{8}\b/.test(t))
    return { next: true, key: [Infinity, 0, 0, 0] };
  const m = LABEL.exec(t);
  if (!m) return null;
  return {
    next: false,
    key: [
      Number(m[1]),
      Number(m[2]),
      m[4] === undefined ? Infinity : Number(m[4]),
      m[3] === undefined ? 0 : Number(m[3]),
    ],
  };
}

function cmp(a: KernelPoint['key'], b: KernelPoint['key']): number {
  for (let i = 0; i < 4; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

function term(token: string): Term | { error: string } {
  const m = /^(>=|<=|>|<|=)?(.+)$/.exec(token)!;
  const op = (m[1] ?? '') as Op | '';
  const r = parseRelease(m[2]!);
  if (!isRelease(r))
    return { error: `"${token}": expected e.g. 6.1, 6.18.44, 6.16-rc2, next, >=6.1` };
  if (r.next)
    return op === '' || op === '='
      ? { kind: 'next' }
      : { error: `"${token}": next has no place in an order; write next alone` };
  const series = r.rc === undefined && r.patch === 0 && !/^\d+\.\d+\.0$/.test(m[2]!);
  const point: KernelPoint['key'] = [r.major, r.minor, r.rc ?? Infinity, r.patch];
  if (op === '' || op === '=')
    return series
      ? { kind: 'series', major: r.major, minor: r.minor }
      : { kind: 'exact', key: point };
  if (!series) return { kind: 'compare', op, key: point };
  // A bare series: from its first -rc (>=, <), or after its last stable release (>, <=).
  const start: KernelPoint['key'] = [r.major, r.minor, 0, 0];
  const end: KernelPoint['key'] = [r.major, r.minor, Infinity, Infinity];
  return { kind: 'compare', op, key: op === '>=' || op === '<' ? start : end };
}

/** One range (`>=6.1 <6.10`): every term must hold. */
export function parseKernelRange(text: string): KernelRange | { error: string } {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return { error: 'an empty kernel range' };
  const terms: Term[] = [];
  for (const tok of tokens) {
    const t = term(tok);
    if ('error' in t) return t;
    terms.push(t);
  }
  return { source: text.trim(), terms };
}

function holds(t: Term, k: KernelPoint): boolean {
  switch (t.kind) {
    case 'next':
      return k.next;
    case 'series':
      return !k.next && k.key[0] === t.major && k.key[1] === t.minor;
    case 'exact':
      return !k.next && cmp(k.key, t.key) === 0;
    case 'compare': {
      if (k.next) return t.op === '>=' || t.op === '>';
      const c = cmp(k.key, t.key);
      return t.op === '>='
        ? c >= 0
        : t.op === '>'
          ? c > 0
          : t.op === '<='
            ? c <= 0
            : t.op === '<'
              ? c < 0
              : c === 0;
    }
  }
}

export function inRange(range: KernelRange, k: KernelPoint): boolean {
  return range.terms.every((t) => holds(t, k));
}
