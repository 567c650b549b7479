/**
 * What the store keeps: one row per recorded log (by hash), one per selftest run in it (with
 * its test: gup_longterm, cow), one per sub-test result of a run (by stable id, unique within
 * its test). These are the shapes every reader
 * (history, compare, the export formats) works from.
 */
import type { Environment } from '../../cases/env.js';
import type { SelftestName } from '../../cases/selftests/names.js';
import type { DiffReport, RunRest, SubtestVerdict, TriageClass } from '../diff/types.js';
import type { KnownMark, KnownRunNote } from '../known/types.js';

/** Facts about a run that the log may not tell; each null means "not given". */
export interface RunMeta {
  kernel?: string | null;
  arch?: string | null;
  machine?: string | null;
  /** ISO 8601; defaults to the recording time. */
  date?: string | null;
  /** A given environment (--env FILE); without it the diff's inferred one is stored. */
  env?: Environment | null;
}

export interface RecordInput {
  text: string;
  /** The log's name (file path or `-`). */
  source: string;
  meta: RunMeta;
  /** The triaged log, from reports/store/triage-source.ts. */
  report: DiffReport;
}

export interface RecordOutcome {
  hash: string;
  /** The log was already stored: nothing was written. */
  duplicate: boolean;
  runIds: number[];
}

export interface StoredRun {
  id: number;
  logHash: string;
  runIndex: number;
  source: string;
  kernel: string | null;
  arch: string | null;
  machine: string | null;
  date: string;
  env: Environment;
  envSource: 'given' | 'inferred';
  /** Canonical hash of the environment (see env-key.ts): "same environment" in history. */
  envKey: string;
  /** The selftest the run is of (runs recorded before schema 5: gup_longterm). */
  test: SelftestName;
  /** Its version id (D, cow-7.2 …). */
  selftest: string;
  triage: TriageClass;
  summary: string;
  resultCount: number;
  /**
   * The triage beyond the sub-tests (RunRest; null: the sub-tests decide it alone). Undefined
   * in shapes made without it. Readers apply known issues with it (reports/known/overlay.ts).
   */
  rest?: RunRest | null;
  /** With known issues applied: what each entry in scope found in this run (never stored). */
  knownNotes?: KnownRunNote[];
}

export interface StoredResult {
  runId: number;
  /** 0-based position in the run's comparison list. */
  ordinal: number;
  id: string | null;
  number: number | null;
  name: string | null;
  /** Observed verdict; null when the sub-test is absent from the log. */
  verdict: SubtestVerdict | null;
  predicted: SubtestVerdict | null;
  class: TriageClass;
  explanation: string;
  reason: string | null;
  commits: string[];
  /** With known issues applied: the entry that covers it (class `known`); never stored. */
  known?: KnownMark;
}

/** The compact row history queries scan (tens of thousands of runs fit in memory). */
export interface VerdictRow {
  runId: number;
  test: SelftestName;
  id: string;
  /** The printed test name (known issues may name tests by it). */
  name?: string | null;
  verdict: SubtestVerdict | null;
  class: TriageClass;
}

export interface RunFilter {
  machine?: string | undefined;
  /** Runs of one selftest. */
  test?: SelftestName | undefined;
  /** Runs dated at or after this ISO date. */
  since?: string | undefined;
  /** Only these run ids. */
  ids?: readonly number[] | undefined;
}
