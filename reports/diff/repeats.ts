/**
 * Sub-tests the log reports more than once (ObservedSubtest.repeatOf, run-finalize.ts): all
 * their result lines, compared as one — a conflict when they differ (`ok 41` and `not ok 41`,
 * `ok 4` and `ok 4 # SKIP`), and still a conflict when they agree (the test prints one result
 * per sub-test). Also how a result line's outcome is compared: its verdict and its ok bit.
 */
import type { SubtestRecord } from '../../cases/run.js';
import type { ObservedSubtest, ParsedRun } from '../parse/types.js';
import { worstVerdict } from '../parse/verdict.js';
import type { SubtestComparison, SubtestVerdict, TriageClass } from './types.js';

export function verdictWords(v: SubtestVerdict | null): string {
  return v === null ? 'absent' : v === 'missing' ? 'no result line' : v.toUpperCase();
}

/** kselftest prints `not ok` for a failure or an error and `ok` for every other result. */
export const predictedOk = (v: SubtestVerdict): boolean =>
  v !== 'fail' && v !== 'error' && v !== 'missing';
/** The observed line's ok bit (`not ok 4 # SKIP …` is a skip, but not what kselftest prints). */
export const observedOk = (o: ObservedSubtest): boolean | null =>
  o.resultText === null ? null : !o.resultText.startsWith('not ');

/** What the log printed for a sub-test, as one comparable word (`not ok SKIP`, `PASS`). */
export function outcomeOf(o: ObservedSubtest): string {
  const ok = observedOk(o);
  return ok === false && predictedOk(o.verdict)
    ? `not ok ${verdictWords(o.verdict)}`
    : verdictWords(o.verdict);
}

/** Every result line of one sub-test: a conflict when they differ, a repeat when they agree. */
export function repeated(
  results: readonly ObservedSubtest[],
  p: SubtestRecord | null,
): { cls: TriageClass; why: string; verdict: SubtestVerdict } {
  results = [...results].sort((a, b) => a.line - b.line);
  const first = outcomeOf(results[0]!);
  const differ = results.some((r) => outcomeOf(r) !== first);
  const lines = results
    .map((r) => `line ${r.line}: "${r.resultText ?? '(a [RUN] line with no result)'}"`)
    .join(', ');
  const model = p
    ? `the model predicts ${verdictWords(p.verdict)}${p.result ? ` ("${p.result}")` : ''}`
    : 'the model has no such sub-test';
  // The stored verdict is the most severe one printed: a conflict never reads as a pass.
  const verdict = worstVerdict(results.map((r) => r.verdict)) ?? results[0]!.verdict;
  return {
    cls: 'conflict',
    why: differ
      ? `conflicting results for one sub-test (${lines}); ${model}`
      : `reported ${results.length} times (${lines}), where the test prints one result; ${model}`,
    verdict,
  };
}

/** The repeats of each first result line, by the first's ordinal (none for almost every run). */
export function repeatsOf(run: ParsedRun): Map<number, ObservedSubtest[]> | null {
  let out: Map<number, ObservedSubtest[]> | null = null;
  for (const o of run.subtests) {
    if (o.repeatOf === null) continue;
    out ??= new Map();
    const list = out.get(o.repeatOf);
    if (list) list.push(o);
    else out.set(o.repeatOf, [o]);
  }
  return out;
}

/** Every result line of a sub-test, in log order (`results` of its comparison). */
export const resultsOf = (rs: readonly ObservedSubtest[]): SubtestComparison['results'] =>
  [...rs]
    .sort((a, b) => a.line - b.line)
    .map((r) => ({ verdict: r.verdict, line: r.line, text: r.resultText }));
