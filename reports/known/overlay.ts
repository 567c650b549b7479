/**
 * Applying a lab's known issues to one triaged run: every result an entry in scope covers
 * becomes `known` (with the entry's reason and link, and what gupsim had said), nothing else
 * changes, and the run's triage is recomputed as the most urgent of its results and its rest
 * (RunRest: what its crash, runner and other evidence say beyond the sub-tests) — so an entry
 * never hides a failure it does not list, nor a line of the run that is no sub-test's.
 *
 * The same function serves a run straight from the diff (RunDiff) and a stored one: the store
 * keeps gupsim's own triage and the run's rest, and readers apply the file they are given.
 */
import {
  TRIAGE_PRIORITY,
  type RunRest,
  type SubtestVerdict,
  type TriageClass,
} from '../diff/types.js';
import { covers, namesTest, type KnownCandidate } from './match.js';
import type { KnownIssue, KnownMark, KnownRef, KnownRunNote } from './types.js';

export interface KnownResult {
  id: string | null;
  name: string | null;
  class: TriageClass;
  explanation: string;
  known?: KnownMark;
}

/** How to read and mark the verdict of a result type (SubtestComparison says `observed`). */
export interface ResultAdapter<R extends KnownResult> {
  verdict(r: R): SubtestVerdict | null;
}

export interface OverlayInput<R extends KnownResult> {
  triage: TriageClass;
  summary: string;
  rest?: RunRest | null | undefined;
  results: readonly R[];
}

export interface OverlayOutput<R extends KnownResult> {
  triage: TriageClass;
  summary: string;
  results: R[];
  notes: KnownRunNote[];
  /** Some result became known. */
  changed: boolean;
}

const rank = (c: TriageClass): number => TRIAGE_PRIORITY.indexOf(c);

function worst(classes: Iterable<TriageClass>): TriageClass {
  let w: TriageClass = 'match';
  for (const c of classes) if (rank(c) < rank(w)) w = c;
  return w;
}

/** How many test names a note lists before `…`. */
const NOTE_TESTS = 4;

const VERDICT_WORDS: Record<SubtestVerdict | 'absent', string> = {
  pass: 'passes',
  fail: 'fails',
  skip: 'skips',
  xfail: 'xfails',
  xpass: 'xpasses',
  error: 'errors',
  missing: 'has no result',
  absent: 'is absent',
};

function shortList(items: string[]): string[] {
  return items.length <= NOTE_TESTS
    ? items
    : [...items.slice(0, NOTE_TESTS), `… ${items.length - NOTE_TESTS} more`];
}

export function refOf(e: KnownIssue): KnownRef {
  return { id: e.id, reason: e.reason, link: e.link, culprit: e.culprit, revision: e.revision };
}

export function markOf(e: KnownIssue, was: TriageClass): KnownMark {
  return { ...refOf(e), was };
}

/**
 * `entries`: the file's entries in force and in scope of this run (KnownMatcher.for). The
 * first entry (in file order) that covers a result names it.
 */
export function overlayKnown<R extends KnownResult>(
  run: OverlayInput<R>,
  entries: readonly KnownIssue[],
  adapter: ResultAdapter<R>,
): OverlayOutput<R> {
  if (entries.length === 0)
    return {
      triage: run.triage,
      summary: run.summary,
      results: [...run.results],
      notes: [],
      changed: false,
    };
  const covered = new Map<string, number[]>();
  let changed = false;
  const results = run.results.map((r, i) => {
    if (r.class === 'match' || r.class === 'known') return r;
    const c: KnownCandidate = {
      id: r.id,
      name: r.name,
      verdict: adapter.verdict(r),
      class: r.class,
    };
    const e = entries.find((x) => covers(x, c));
    if (!e) return r;
    changed = true;
    const at = covered.get(e.id) ?? [];
    at.push(i);
    covered.set(e.id, at);
    return { ...r, class: 'known' as const, known: markOf(e, r.class) };
  });
  const label = (r: R): string => r.id ?? r.name ?? '?';
  const notes: KnownRunNote[] = entries.map((e) => {
    const issue = refOf(e);
    const seen = covered.get(e.id);
    if (seen)
      return {
        issue,
        status: 'seen',
        tests: shortList(seen.map((i) => label(run.results[i]!))),
        at: seen,
      };
    const at: number[] = [];
    run.results.forEach((r, i) => {
      if (namesTest(e, r)) at.push(i);
    });
    if (at.length === 0) return { issue, status: 'absent', tests: [], at };
    const tests = at.map(
      (i) =>
        `${label(run.results[i]!)} ${VERDICT_WORDS[adapter.verdict(run.results[i]!) ?? 'absent']}`,
    );
    return { issue, status: 'not-seen', tests: shortList(tests), at };
  });
  if (!changed) return { triage: run.triage, summary: run.summary, results, notes, changed };
  const ofResults = worst(results.map((r) => r.class));
  const rest = run.rest ?? null;
  const triage = rest ? worst([ofResults, rest.triage]) : ofResults;
  return { triage, summary: summaryOf(triage, results, rest, ofResults), results, notes, changed };
}

function summaryOf<R extends KnownResult>(
  triage: TriageClass,
  results: readonly R[],
  rest: RunRest | null,
  ofResults: TriageClass,
): string {
  const known = results.filter((r) => r.class === 'known');
  // The run's own evidence outranks every result left: it says why.
  if (rest && rank(rest.triage) < rank(ofResults))
    return `${rest.summary} (${known.length} result(s) known to the lab)`;
  if (triage === 'known') {
    const first = known[0]!;
    const m = first.known!;
    return `${known.length} failure(s) known to the lab: ${first.id ?? first.name ?? '?'}: ${m.id}: ${m.reason} (${m.link})`;
  }
  const left = results.filter((r) => r.class === triage);
  const first = left[0];
  return `${left.length} result(s) still ${triage} beside ${known.length} known to the lab: ${first?.id ?? first?.name ?? '?'}: ${first?.explanation ?? ''}`;
}
