/**
 * Known issues applied where runs come from: a run straight from the diff (RunDiff, for
 * `gupsim diff` and its exports) and a stored run with its results (record, history, compare,
 * report). Both go through overlayKnown, scoped by the run's kernel, machine and architecture.
 */
import type { RunDiff, SubtestComparison } from '../diff/types.js';
import type { StoredResult, StoredRun } from '../store/types.js';
import type { KnownMatcher } from './match.js';
import { overlayKnown } from './overlay.js';
import type { RunScope } from './types.js';

export interface KnownOptions {
  matcher: KnownMatcher;
  /** The machine label of the runs (`--machine`): entries may be scoped by it. */
  machine?: string | null | undefined;
}

/**
 * A diffed run's scope: its kernel is the environment's release (given with --env/--kernel,
 * else inferred), its architecture only when given or inferred better than a guess.
 */
export function scopeOfDiff(d: RunDiff, machine: string | null | undefined): RunScope {
  return {
    kernel: d.env.kernel.release,
    machine: machine ?? null,
    arch: d.inferred.arch.certainty === 'guess' ? null : d.inferred.arch.value,
  };
}

/** A stored run's scope: its kernel label (else its environment's release), machine, arch. */
export function scopeOfStored(run: StoredRun): RunScope {
  return { kernel: run.kernel ?? run.env.kernel.release, machine: run.machine, arch: run.arch };
}

const SUBTESTS = { verdict: (s: SubtestComparison) => s.observed };
const STORED = { verdict: (r: StoredResult) => r.verdict };

/** The run with the file applied; the same object when no entry is in scope. */
export function knownRunDiff(d: RunDiff, k: KnownOptions): RunDiff {
  const entries = k.matcher.for(scopeOfDiff(d, k.machine));
  if (entries.length === 0) return d;
  const o = overlayKnown(
    { triage: d.triage, summary: d.summary, rest: d.rest, results: d.subtests },
    entries,
    SUBTESTS,
  );
  return {
    ...d,
    triage: o.triage,
    summary: o.summary,
    subtests: o.changed ? o.results : d.subtests,
    knownNotes: o.notes,
  };
}

/** A stored run and its results with the file applied (the store itself is never changed). */
export function knownStored(
  run: StoredRun,
  results: readonly StoredResult[],
  matcher: KnownMatcher,
): { run: StoredRun; results: StoredResult[] } {
  const entries = matcher.for(scopeOfStored(run));
  if (entries.length === 0) return { run, results: [...results] };
  const o = overlayKnown(
    { triage: run.triage, summary: run.summary, rest: run.rest, results },
    entries,
    STORED,
  );
  return {
    run: { ...run, triage: o.triage, summary: o.summary, knownNotes: o.notes },
    results: o.results,
  };
}
