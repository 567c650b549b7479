/**
 * Which entries of a known-issues file apply to a run (its kernel, machine, architecture and
 * the day), and which results an entry covers (its test patterns, classes and verdicts).
 */
import type { SubtestVerdict, TriageClass } from '../diff/types.js';
import { globMatches } from './glob.js';
import { inRange, kernelPoint } from './kernel-range.js';
import type { KnownIssue, KnownIssues, RunScope } from './types.js';

/** What an entry reads of a result (a diffed sub-test or a stored result alike). */
export interface KnownCandidate {
  id: string | null;
  name: string | null;
  verdict: SubtestVerdict | null;
  class: TriageClass;
}

/** The entry names this test (by id and/or name), whatever its verdict. */
export function namesTest(e: KnownIssue, r: Pick<KnownCandidate, 'id' | 'name'>): boolean {
  if (e.tests.length > 0 && (r.id === null || !globMatches(e.tests, r.id))) return false;
  if (e.names.length > 0 && (r.name === null || !globMatches(e.names, r.name))) return false;
  return true;
}

/** The entry accepts this result: its test, one of its classes, one of its verdicts. */
export function covers(e: KnownIssue, r: KnownCandidate): boolean {
  return e.classes.has(r.class) && e.verdicts.has(r.verdict ?? 'absent') && namesTest(e, r);
}

export function inScope(e: KnownIssue, scope: RunScope): boolean {
  if (e.kernels.length > 0) {
    const k = kernelPoint(scope.kernel);
    if (!k || !e.kernels.some((r) => inRange(r, k))) return false;
  }
  if (e.machines.length > 0 && (scope.machine === null || !globMatches(e.machines, scope.machine)))
    return false;
  if (e.arches.length > 0 && (scope.arch === null || !e.arches.includes(scope.arch))) return false;
  return true;
}

/** Today as YYYY-MM-DD (UTC), the day expiry dates are compared with. */
export function today(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/**
 * A loaded file as the commands use it: the entries still in force on `now` (an entry expires
 * on its `expires` day), and the entries in scope of a run, remembered per scope (a log of
 * thousands of runs has a handful of kernels and machines).
 */
export class KnownMatcher {
  readonly active: readonly KnownIssue[];
  readonly expired: readonly KnownIssue[];
  private readonly scoped = new Map<string, readonly KnownIssue[]>();

  constructor(
    readonly known: KnownIssues,
    now: Date = new Date(),
  ) {
    const day = today(now);
    this.active = known.issues.filter((e) => e.expires === null || e.expires > day);
    this.expired = known.issues.filter((e) => e.expires !== null && e.expires <= day);
  }

  get file(): string {
    return this.known.file;
  }

  /** The entries in force for a run of this scope, in file order. */
  for(scope: RunScope): readonly KnownIssue[] {
    const key = `${scope.kernel ?? ''}\u0000${scope.machine ?? ''}\u0000${scope.arch ?? ''}`;
    let hit = this.scoped.get(key);
    if (!hit) {
      hit = this.active.filter((e) => inScope(e, scope));
      if (this.scoped.size < 4096) this.scoped.set(key, hit);
    }
    return hit;
  }
}
