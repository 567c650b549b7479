/**
 * The read flow's output: each observed run compared with the model's prediction for the
 * given or inferred environment, sub-test by sub-test (keyed by stable id), with a triage
 * class and one sentence a kernel developer would accept.
 */
import type { Environment } from '../../cases/env.js';
import type { ParsedRun } from '../parse/types.js';

/** Classes in priority order: a run's triage is its most urgent sub-test class. */
export const TRIAGE_PRIORITY = [
  'infrastructure',
  'crash',
  'kernel-regression',
  'unexplained',
  'missing',
  'test-bug',
  'environment',
  'expected-failure',
  'match',
] as const;

export type TriageClass = (typeof TRIAGE_PRIORITY)[number];

/** Triage classes that need a human (exit 1 from `gupsim diff`). */
export const NEEDS_HUMAN: ReadonlySet<TriageClass> = new Set([
  'kernel-regression',
  'crash',
  'unexplained',
  'missing',
  'infrastructure',
]);

export type SubtestVerdict = 'pass' | 'fail' | 'skip' | 'xfail' | 'xpass' | 'error' | 'missing';

export interface SubtestComparison {
  /** Stable id (cases/ids.ts); null when the log does not say which sub-test it is. */
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
  /** Selftest version id (P, A1 … D) the comparison used. */
  selftest: string;
  /** The environment the prediction was made for (given, inferred, or both merged). */
  env: Environment;
  inferred: InferredEnvironment;
  subtests: SubtestComparison[];
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
