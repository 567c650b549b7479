/**
 * What a run's diff depends on: two runs with the same content get the same triage, summary,
 * environment and sub-test comparisons (only their index, line numbers and parsed data
 * differ). A CI log repeats the same run thousands of times, so the diff of one is reused for
 * the others (run-differ.ts).
 *
 * The content is everything diffRun reads — the selftest's wording (identify.ts), the facts
 * inference scores (score.ts, infer.ts), every field compareRun and the summaries use — and
 * nothing positional. Runs with crash or infrastructure markers are not reused: their
 * summaries quote line numbers, and they are rare.
 *
 * Comparing is cheap on purpose: a hash of counts and lengths picks the candidates, then the
 * fields are compared one by one (no key string is built per run). The stored signature holds
 * copies of the texts, so a cached entry does not keep the input chunk it was sliced from.
 */
import { detach } from '../parse/lines.js';
import type { ObservedSubtest, ParsedRun } from '../parse/types.js';

interface SubtestSig {
  id: string | null;
  verdict: ObservedSubtest['verdict'];
  number: number | null;
  runName: string | null;
  description: string | null;
  directiveKind: string | null;
  directiveText: string | null;
  reason: string | null;
  resultText: string | null;
  diagnostics: string[];
}

/** The diff-relevant content of a run, detached from the input. */
export interface RunSignature {
  hash: number;
  /** Everything but the sub-tests, as one small JSON string. */
  head: string;
  subtests: SubtestSig[];
}

/** Whether the run's diff may be reused at all. */
export function reusable(run: ParsedRun): boolean {
  return run.crashes.length === 0 && run.infrastructure.length === 0 && !run.endedEarly;
}

const mix = (h: number, x: number): number => Math.imul(h ^ x, 0x01000193) >>> 0;

/** Counts and lengths only: equal content gives an equal hash; the converse is checked. */
export function contentHash(run: ParsedRun): number {
  let h = mix(0x811c9dc5, run.subtests.length);
  h = mix(h, run.plan?.count ?? -1);
  h = mix(h, run.totals ? run.totals.pass * 7 + run.totals.skip * 3 + run.totals.fail : -1);
  for (const s of run.subtests) {
    h = mix(h, s.number ?? -1);
    h = mix(h, s.resultText?.length ?? -1);
    h = mix(h, s.runName?.length ?? -1);
    h = mix(h, s.diagnostics.length);
    for (const d of s.diagnostics) h = mix(h, d.text.length);
  }
  return h;
}

function head(run: ParsedRun): string {
  const t = run.totals;
  return JSON.stringify([
    run.program,
    run.hugetlbSizesKiB,
    run.hugetlbWording,
    run.tapVersion?.version ?? null,
    run.plan?.count ?? null,
    t ? [t.pass, t.fail, t.xfail, t.xpass, t.skip, t.error] : null,
    run.plannedMismatch ? [run.plannedMismatch.planned, run.plannedMismatch.run] : null,
    run.skippedNotice?.count ?? null,
    run.bailout?.text ?? null,
    run.eras.map((e) => e.era),
    run.wrapper.exitCode,
    run.wrapper.verdict?.ok ?? null,
  ]);
}

const own = (s: string | null): string | null => (s === null ? null : detach(s));

export function signature(run: ParsedRun, hash: number): RunSignature {
  return {
    hash,
    head: head(run),
    subtests: run.subtests.map((s) => ({
      id: s.id,
      verdict: s.verdict,
      number: s.number,
      runName: own(s.runName),
      description: own(s.description),
      directiveKind: s.directive?.kind ?? null,
      directiveText: own(s.directive?.text ?? null),
      reason: own(s.reason),
      resultText: own(s.resultText),
      diagnostics: s.diagnostics.map((d) => detach(d.text)),
    })),
  };
}

/** True when `run` has exactly the content `sig` was made from. */
export function matches(sig: RunSignature, run: ParsedRun): boolean {
  if (sig.subtests.length !== run.subtests.length) return false;
  for (let i = 0; i < sig.subtests.length; i++) {
    const a = sig.subtests[i]!;
    const b = run.subtests[i]!;
    // number, description, directive and reason are parsed from the result text, the [RUN]
    // name and the diagnostics (subtests.ts), so equal texts give equal values: compared last.
    if (
      a.id !== b.id ||
      a.verdict !== b.verdict ||
      a.resultText !== b.resultText ||
      a.runName !== b.runName ||
      a.diagnostics.length !== b.diagnostics.length
    ) {
      return false;
    }
    for (let j = 0; j < a.diagnostics.length; j++) {
      if (a.diagnostics[j] !== b.diagnostics[j]!.text) return false;
    }
    if (
      a.number !== b.number ||
      a.description !== b.description ||
      a.directiveKind !== (b.directive?.kind ?? null) ||
      a.directiveText !== (b.directive?.text ?? null) ||
      a.reason !== b.reason
    ) {
      return false;
    }
  }
  return sig.head === head(run);
}
