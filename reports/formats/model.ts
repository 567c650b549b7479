/**
 * The one result model every export format renders: stored runs with their results, loaded
 * from the store once. Formats never query the store themselves, so they are pure functions
 * of this model and testable without a database.
 */
import { listRuns, rawLog, resultsOfRuns } from '../store/read.js';
import type { Store } from '../store/open.js';
import type { RunFilter, StoredResult, StoredRun } from '../store/types.js';
import { knownStored } from '../known/apply.js';
import type { KnownMatcher } from '../known/match.js';
import { KnownTally, tallyLine, type KnownIssueTally } from '../known/tally.js';

export interface ReportRun {
  run: StoredRun;
  results: StoredResult[];
  /** The recorded log text (for excerpts); absent when not loaded. */
  rawLog?: string;
  /**
   * A run diffed but never stored (`gupsim diff --kcidb`, from-diff.ts): it has no row id,
   * and `run.id` is its 1-based position in the log.
   */
  unstored?: boolean;
}

export interface ReportModel {
  /** ISO time the report was generated. */
  generatedAt: string;
  /** KCIDB origin (and the JUnit/HTML producer name). */
  origin: string;
  runs: ReportRun[];
  /** A known-issues file applied to the runs (reports/known): what each entry found. */
  known?: { file: string; issues: KnownIssueTally[]; lines: string[] };
}

export interface LoadOptions {
  filter?: RunFilter;
  origin?: string;
  /** Load raw logs too (KCIDB log excerpts). */
  withLogs?: boolean;
  now?: Date;
}

export async function loadReportModel(store: Store, options: LoadOptions = {}): Promise<ReportModel> {
  const filter = options.filter ?? {};
  const runs = await listRuns(store, filter);
  const results = await resultsOfRuns(store, filter);
  const out: ReportRun[] = [];
  // Runs of one log share its text: fetch each log once (a round trip each on PostgreSQL).
  const logs = new Map<string, string | undefined>();
  for (const run of runs) {
    const r: ReportRun = { run, results: results.get(run.id) ?? [] };
    if (options.withLogs) {
      if (!logs.has(run.logHash)) logs.set(run.logHash, await rawLog(store, run.logHash));
      const raw = logs.get(run.logHash);
      if (raw !== undefined) r.rawLog = raw;
    }
    out.push(r);
  }
  return { generatedAt: (options.now ?? new Date()).toISOString(), origin: options.origin ?? 'gupsim', runs: out };
}

/** A result's display name: its stable id, or its position when the log did not say which sub-test it was. */
export function resultKey(r: StoredResult): string {
  return r.id ?? `unidentified-${r.ordinal + 1}`;
}

/** A short column label for a run. */
export function runLabel(run: StoredRun): string {
  return `#${run.id} ${run.kernel ?? '?'}${run.machine ? ` @${run.machine}` : ''}`;
}

/**
 * The model with a known-issues file applied: each run's covered results `known`, its triage
 * recomputed with its rest, and the file's tally (which entries no longer show).
 */
export function withKnown(model: ReportModel, matcher: KnownMatcher): ReportModel {
  const tally = new KnownTally(matcher);
  const runs = model.runs.map((rr) => {
    const k = knownStored(rr.run, rr.results, matcher);
    tally.add(k.run.knownNotes, `run ${rr.run.id}`);
    return { ...rr, run: k.run, results: k.results };
  });
  const issues = tally.result();
  return { ...model, runs, known: { file: matcher.file, issues, lines: issues.map(tallyLine) } };
}
