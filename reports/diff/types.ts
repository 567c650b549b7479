/**
 * The read flow's output: each observed run compared with the model's prediction for the
 * given or inferred environment, sub-test by sub-test (keyed by stable id), with a triage
 * class and one sentence a kernel developer would accept.
 */
import type { Environment } from '../../cases/env.js';
import type { SelftestName } from '../../cases/selftests/names.js';
import type { ParsedRun } from '../parse/types.js';
import type { KnownMark, KnownRunNote } from '../known/types.js';

/** Classes in priority order: a run's triage is its most urgent sub-test class. */
export const TRIAGE_PRIORITY = [
  'infrastructure',
  'crash',
  'kernel-regression',
  // The log contradicts itself (two results for one sub-test): no prediction can match it.
  'conflict',
  'unexplained',
  'missing',
  // A failure the lab's known-issues file lists (--known): accepted, with its reason and link.
  'known',
  'test-bug',
  'environment',
  'expected-failure',
  'match',
] as const;

export type TriageClass = (typeof TRIAGE_PRIORITY)[number];

/** Triage classes that need a human (exit 1 from `gupsim diff`). */
export const NEEDS_HUMAN: ReadonlySet<TriageClass> = new Set([
  'kernel-regression',
  'conflict',
  'crash',
  'unexplained',
  'missing',
  'infrastructure',
]);

export type SubtestVerdict = 'pass' | 'fail' | 'skip' | 'xfail' | 'xpass' | 'error' | 'missing';

export interface SubtestComparison {
  /** Stable id (its selftest's scheme); null when the log does not say which sub-test it is. */
  id: string | null;
  /** TAP number in the observed log (null when absent). */
  number: number | null;
  /** The [RUN] name as printed (observed, else predicted). */
  name: string | null;
  /** Observed verdict; null when the sub-test is absent from the log. */
  observed: SubtestVerdict | null;
  /** The model's verdict; null when the model has no such sub-test. */
  predicted: SubtestVerdict | null;
  /** The observed reason (skip text, failure message, last diagnostic). */
  observedReason: string | null;
  predictedReason: string | null;
  class: TriageClass;
  explanation: string;
  /** Commits of modelled behaviours the explanation cites. */
  commits: string[];
  /** Every result line the log printed for it, when more than one (a conflict). */
  results?: { verdict: SubtestVerdict; line: number; text: string | null }[];
  /** The lab's known issue that covers it (class `known`; reports/known). */
  known?: KnownMark;
}

/**
 * What a run's triage is once every sub-test that is not a match is accepted (a known issue
 * covers it): what its crash, runner failure and other evidence say by themselves. A known
 * issue makes a run no better than this (reports/known/overlay.ts).
 */
export interface RunRest {
  triage: TriageClass;
  summary: string;
}

/**
 * What the run says about itself beyond its sub-tests — its own summary lines, the runner's
 * verdicts and counters, the programs run beside it — compared with what the model predicts
 * (or with what the run's own results imply, where those follow from them).
 */
export type EvidenceKind =
  | 'bail-out' // the program's `Bail out!`
  | 'totals' // the program's `# Totals:` counters
  | 'plan' // the program's `1..N`
  | 'planned-mismatch' // the program's `# Planned tests != run tests`
  | 'runner-verdict' // the runner's TAP line on the program (`not ok 4 gup_longterm # exit=1`)
  | 'runner-status' // run_vmtests' `[PASS]` / `[FAIL]` / `[SKIP]`
  | 'runner-summary' // run_vmtests' `SUMMARY: PASS=… SKIP=… FAIL=…`
  | 'container-verdict' // the kselftest runner's verdict on the script that ran run_vmtests.sh
  | 'runner-totals' // the kselftest runner's own `# Totals:` (7.x)
  | 'program-line' // a line the program printed at its own level (cow 6.12's `open(<path>)` exit)
  | 'sibling'; // a program run_vmtests.sh ran before it in its category (gup_longterm's gup_test)

export interface EvidenceComparison {
  kind: EvidenceKind;
  /** The sibling program's command (`./gup_test -u`); null for the other kinds. */
  program: string | null;
  /** What the log shows, as printed. */
  observed: string;
  /** What the model predicts in its place; null when it predicts no such line. */
  predicted: string | null;
  /** match (or expected-failure) when it is predicted or follows from the run's own results. */
  class: TriageClass;
  explanation: string;
}

/** A fact inferred from the log, with how sure we are. */
export interface InferredFact<T> {
  value: T;
  certainty: 'certain' | 'likely' | 'guess';
  because: string;
}

export interface InferredEnvironment {
  selftest: InferredFact<string>;
  hugetlbSizesKiB: InferredFact<number[]>;
  liburing: InferredFact<boolean>;
  gupTest: InferredFact<boolean>;
  kernelEra: InferredFact<string>;
  tmpFs: InferredFact<string>;
  cwdFs: InferredFact<string>;
  arch: InferredFact<string>;
  [key: string]: InferredFact<unknown>;
}

export interface RunDiff {
  /** Index of the run in the log. */
  index: number;
  triage: TriageClass;
  /** One-line summary of the run's triage. */
  summary: string;
  /** The selftest the run is of (the log says: ParsedRun.test). */
  test: SelftestName;
  /** Selftest version id (P, A1 … D, cow-6.12, cow-7.2) the comparison used. */
  selftest: string;
  /** The environment the prediction was made for (given, inferred, or both merged). */
  env: Environment;
  inferred: InferredEnvironment;
  subtests: SubtestComparison[];
  /** The run's other evidence (summary lines, runner verdicts, sibling programs), compared. */
  evidence: EvidenceComparison[];
  /** The triage beyond the sub-tests (RunRest); null when the sub-tests decide it alone. */
  rest: RunRest | null;
  /** With known issues (--known): what each entry in scope found in this run. */
  knownNotes?: KnownRunNote[];
  /** Observed exit code when the log shows it (wrapper line), and the predicted one. */
  exitCode: { observed: number | null; predicted: number };
  parsed: ParsedRun;
}

export interface DiffReport {
  /** The log's name (file path or `-`). */
  source: string;
  runs: RunDiff[];
  /** Problems reading the log (never thrown). */
  issues: string[];
}
