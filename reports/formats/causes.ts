/**
 * The one mapping from a triaged result to the cause an export names: KCIDB issues and
 * incidents (kcidb.ts) and the JUnit properties (junit.ts) both read it, so a new triage class
 * (reports/diff/types.ts) is one entry in CAUSE_RULES — a Record over every class, which the
 * compiler makes complete.
 *
 * A cause's key is derived from the triage data alone, never from a run, a machine or a
 * database id, so the same cause gets the same key on every run, machine and store:
 *  - a cited commit: `<class>.<commit>` (the verdict changed by 34ed8d0dcd69 is one cause on
 *    every kernel and filesystem it shows up on);
 *  - otherwise `<class>.<head>-<hash>`: the text's first kernel function or first words, and a
 *    hash of the text with what varies between logs of one cause (line numbers, console
 *    timestamps, addresses, counts) taken out. Distinct texts never share a key.
 */
import { createHash } from 'node:crypto';
import { BEHAVIOURS } from '../../kernel-model/behaviours.js';
import type { TriageClass } from '../diff/types.js';
import type { KnownMark } from '../known/types.js';
import type { StoredResult, StoredRun } from '../store/types.js';

/** KCIDB's culprit layers: the tested code, the test (tool), the harness that ran it. */
export type Culprit = 'code' | 'tool' | 'harness';

export interface CauseRule {
  culprit: Culprit;
  /**
   * Where the cause is read: each result's explanation, or the run's summary for an event that
   * stopped the whole run (a crash, a runner timeout, a binary that never started) — the
   * results it cut off share that one cause.
   */
  from: 'result' | 'run';
}

/**
 * Which classes name a cause, and whose it is (kernel-regression/crash → code, test-bug → tool,
 * environment/infrastructure → harness; a predicted failure is the kernel's code behaving as a
 * commit made it). `null`: nothing to name — a match, or a difference no one has explained yet
 * (in KCIDB an untriaged result is one without an incident).
 */
export const CAUSE_RULES: Readonly<Record<TriageClass, CauseRule | null>> = {
  match: null,
  unexplained: null,
  conflict: null,
  missing: null,
  'expected-failure': { culprit: 'code', from: 'result' },
  'kernel-regression': { culprit: 'code', from: 'result' },
  crash: { culprit: 'code', from: 'run' },
  'test-bug': { culprit: 'tool', from: 'result' },
  environment: { culprit: 'harness', from: 'result' },
  infrastructure: { culprit: 'harness', from: 'run' },
  // A lab's known issue: its cause is the entry (knownCause), with the entry's own culprit.
  known: { culprit: 'code', from: 'result' },
};

export interface Cause {
  /** Stable key, e.g. `expected-failure.34ed8d0dcd69` (KCIDB issue id `<origin>:<key>`). */
  key: string;
  class: TriageClass;
  culprit: Culprit;
  /** The sentence that explains it (the first result or run that named it). */
  text: string;
  /** The kernel commit behind it, when the triage cites one. */
  commit?: string;
  /** The commit's subject, when gupsim models it. */
  subject?: string;
  /** The commit on git.kernel.org (for a test's defect, the commit that fixed it); a known issue's link. */
  reportUrl?: string;
  /** A lab's known issue: its id there, and its revision (the KCIDB issue version). */
  known?: { id: string; revision: number };
}

/** The cause of a result a lab's known issue covers: the entry, under the lab's own id. */
export function knownCause(m: KnownMark): Cause {
  return {
    key: `known.${m.id}`,
    class: 'known',
    culprit: m.culprit,
    text: m.reason,
    reportUrl: m.link,
    known: { id: m.id, revision: m.revision },
  };
}

/** A 12-hex commit id (with a letter: a 12-digit number in a message is not one). */
const COMMIT = /\b(?=[0-9]*[a-f])[0-9a-f]{12}\b/;
const FIXED_BY = /fixed by ([0-9a-f]{12})\b/;
const FUNCTION = /\b([A-Za-z_][A-Za-z0-9_]*)\(\)/;
const QUOTED = /"([^"]{3,})"/;

/** A commit on git.kernel.org (the short form pr-tracker-bot links to; it resolves abbreviated ids). */
export function commitUrl(commit: string): string {
  return `https://git.kernel.org/torvalds/c/${commit}`;
}

/** The text with what differs between logs of one cause taken out. */
function normalise(text: string): string {
  return text
    // \u2013 (an en dash) escaped: the CLI bundle must be ASCII (scripts/build-cli.mjs).
    .replace(/\blines? \d+(?:[\u2013-]\d+)?:?/g, '')
    .replace(/\[\s*\d+\.\d+\]/g, '')
    .replace(/\b(?:0x)?[0-9a-f]{8,}\b/gi, 'X')
    .replace(/\d+/g, 'N')
    .replace(/\s+/g, ' ')
    .trim();
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40)
      .replace(/-+$/, '') || 'cause'
  );
}

function textKey(cls: TriageClass, text: string): string {
  const n = normalise(text);
  // The function as written (normalising would turn v9fs_… into vNfs_…), else the first quoted
  // message (a skip reason), else the first words.
  const head =
    FUNCTION.exec(text)?.[1] ?? QUOTED.exec(n)?.[1] ?? n.split(' ').slice(0, 4).join(' ');
  return `${cls}.${slug(head)}-${createHash('sha256').update(n).digest('hex').slice(0, 8)}`;
}

function causeOfText(cls: TriageClass, rule: CauseRule, text: string): Cause {
  const commit = COMMIT.exec(text)?.[0];
  if (!commit) return { key: textKey(cls, text), class: cls, culprit: rule.culprit, text };
  const subject = BEHAVIOURS.find((b) => b.commit === commit)?.title;
  const fix = FIXED_BY.exec(text)?.[1];
  return {
    key: `${cls}.${commit}`,
    class: cls,
    culprit: rule.culprit,
    text,
    commit,
    ...(subject ? { subject } : {}),
    reportUrl: commitUrl(fix ?? commit),
  };
}

/** A run summary without its "crashed: line N:" lead (the event itself is the cause). */
function runEvent(summary: string): string {
  return summary.replace(/^crashed: (?:line \d+: )?/, '');
}

/** The cause of a whole run: its triage's, read from the result that set it, else from its summary. */
export function runCause(run: StoredRun, results: readonly StoredResult[]): Cause | null {
  const rule = CAUSE_RULES[run.triage];
  if (!rule) return null;
  if (run.triage === 'known') {
    const m = results.find((r) => r.known)?.known;
    if (m) return knownCause(m);
  }
  if (rule.from === 'result') {
    const first = results.find((r) => r.class === run.triage);
    if (first) return causeOfText(run.triage, rule, first.explanation);
  }
  return causeOfText(run.triage, rule, runEvent(run.summary));
}

/**
 * The cause of one result, or null when its class names none. A result cut off by a crash or a
 * runner failure has its run's cause.
 */
export function resultCause(
  r: StoredResult,
  run: StoredRun,
  results: readonly StoredResult[],
): Cause | null {
  if (r.known) return knownCause(r.known);
  const rule = CAUSE_RULES[r.class];
  if (!rule) return null;
  if (rule.from === 'run')
    return runCause(run, results) ?? causeOfText(r.class, rule, r.explanation);
  return causeOfText(r.class, rule, r.explanation);
}

/**
 * Causes of a run's results, computed once per run (a run cause is shared by every result it
 * cut off): `of(r)` is resultCause(r) for a result of this run.
 */
export function causesOfRun(
  run: StoredRun,
  results: readonly StoredResult[],
): { run: Cause | null; of(r: StoredResult): Cause | null } {
  const whole = runCause(run, results);
  return {
    run: whole,
    of: (r) => {
      if (r.known) return knownCause(r.known);
      const rule = CAUSE_RULES[r.class];
      if (!rule) return null;
      if (rule.from === 'run' && whole && CAUSE_RULES[whole.class]?.from === 'run') return whole;
      return resultCause(r, run, results);
    },
  };
}
