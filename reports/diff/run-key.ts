/**
 * What a run's diff depends on: two runs with the same content get the same triage, summary,
 * environment and sub-test comparisons (only their index, line numbers and parsed data
 * differ). A CI log repeats the same run thousands of times, so the diff of one is reused for
 * the others (run-differ.ts).
 *
 * The content is everything diffRun reads — the selftest's wording (identify.ts), the facts
 * inference scores (score.ts, infer.ts), every field compareRun and the summaries use — and
 * nothing positional. Runs with crash or infrastructure markers, or with a sub-test reported
 * more than once, are not reused: their explanations quote line numbers, and they are rare.
 *
 * Comparing is cheap on purpose: a hash of counts and lengths picks the candidates, then the
 * fields are compared one by one (no key string is built per run).
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
  /** Everything but the sub-tests (head()), strings detached. */
  head: unknown[];
  subtests: SubtestSig[];
}

/** Whether the run's diff may be reused at all. */
export function reusable(run: ParsedRun): boolean {
  return run.crashes.length === 0 && run.infrastructure.length === 0 && !run.endedEarly && run.repeats === 0;
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

/**
 * The rest of the run's other evidence as one text (evidence.ts, runner-evidence.ts read it):
 * every bail-out and counter line, the stream, the container and the runner's counters. '' for
 * a run with none beyond the first bail-out and Totals (most runs of a CI log: no JSON built).
 */
function evidenceKey(run: ParsedRun): string {
  const w = run.wrapper;
  if (
    run.bailouts.length <= 1 &&
    run.totalsLines.length <= 1 &&
    w.stream === null &&
    w.container === null &&
    w.runnerTotals === null
  ) {
    return '';
  }
  return JSON.stringify([
    run.bailouts.map((b) => b.text),
    run.totalsLines.map((t) => [t.pass, t.fail, t.xfail, t.xpass, t.skip, t.error]),
    w.container
      ? [w.container.name, w.container.verdict?.ok ?? null, w.container.verdict?.directive ?? null]
      : null,
    w.runnerTotals
      ? [
          w.runnerTotals.pass,
          w.runnerTotals.fail,
          w.runnerTotals.xfail,
          w.runnerTotals.xpass,
          w.runnerTotals.skip,
          w.runnerTotals.error,
        ]
      : null,
    w.stream
      ? {
          ...w.stream,
          summary: w.stream.summary?.text ?? null,
          siblings: w.stream.siblings.map((s) => [
            s.command,
            s.status,
            s.verdict?.ok ?? null,
            s.verdict?.directive ?? null,
            s.counts,
            s.bailout,
            s.message, // what the inference reads of debugfs (gup_longterm/infer-debugfs.ts)
          ]),
        }
      : null,
  ]);
}

/** Everything but the sub-tests, in a fixed order (compared value by value, not as text). */
function head(run: ParsedRun): unknown[] {
  const t = run.totals;
  const f = run.facts;
  return [
    run.test,
    run.program,
    f.hugetlbWording,
    f.pmdSizeKiB,
    f.thpSizesKiB.join(','),
    f.hugeZeropage,
    f.infoBeforeHeader,
    run.programLines.map((l) => l.text).join('\n'),
    run.tapVersion?.version ?? null,
    run.plan?.count ?? null,
    t?.pass ?? null,
    t?.fail ?? null,
    t?.xfail ?? null,
    t?.xpass ?? null,
    t?.skip ?? null,
    t?.error ?? null,
    run.plannedMismatch?.planned ?? null,
    run.plannedMismatch?.run ?? null,
    run.skippedNotice?.count ?? null,
    run.bailout?.text ?? null,
    run.wrapper.exitCode,
    run.wrapper.verdict?.ok ?? null,
    f.hugetlbSizesKiB.join(','),
    run.eras.map((e) => e.era).join(','),
    run.wrapper.verdict?.name ?? null,
    run.wrapper.verdict?.directive ?? null,
    run.wrapper.status?.status ?? null,
    evidenceKey(run),
  ];
}

function sameHead(sig: readonly unknown[], run: ParsedRun): boolean {
  const h = head(run);
  for (let i = 0; i < h.length; i++) if (h[i] !== sig[i]) return false;
  return true;
}

/**
 * The signature keeps the run's own strings: the parser hands out sub-test texts as detached,
 * remembered copies (reports/parse/subtests.ts, result-line.ts), so they pin no input chunk,
 * and a later run's equal texts are the same objects — matches() then compares pointers.
 */
export function signature(run: ParsedRun, hash: number): RunSignature {
  return {
    hash,
    head: head(run).map((v) => (typeof v === 'string' ? detach(v) : v)),
    subtests: run.subtests.map((s) => ({
      id: s.id,
      verdict: s.verdict,
      number: s.number,
      runName: s.runName,
      description: s.description,
      directiveKind: s.directive?.kind ?? null,
      directiveText: s.directive?.text ?? null,
      reason: s.reason,
      resultText: s.resultText,
      diagnostics: s.diagnostics.map((d) => d.text),
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
  return sameHead(sig.head, run);
}
