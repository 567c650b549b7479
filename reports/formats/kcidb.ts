/**
 * KCIDB I/O schema v5.3 (kernelci/kcidb-io kcidb_io/schema/v05_03.py): checkouts → builds →
 * tests. One checkout per kernel label, one build per run (a run is one kernel build on one
 * machine), and per run a suite node `kselftest.mm.gup_longterm` (its worst status, the log
 * excerpt) plus one test per stable id. Statuses: fail → FAIL, error → ERROR, absent or
 * started-without-result → MISS (the harness did not produce a verdict), pass/xfail/xpass →
 * PASS, skip → SKIP. No nulls anywhere: KCIDB reads a missing field as "unknown".
 * Ids are `<origin>:<log sha256 prefix>.<run index>…`, so re-exporting the same log from any
 * database yields the same ids.
 */
import { createHash } from 'node:crypto';
import type { SubtestVerdict } from '../diff/types.js';
import type { StoredResult, StoredRun } from '../store/types.js';
import type { ReportModel } from './model.js';
import type { Reporter } from './reporter.js';

export const KCIDB_VERSION = { major: 5, minor: 3 } as const;
/** KCIDB's cap on log_excerpt (characters). */
export const LOG_EXCERPT_MAX = 16384;
export const SUITE_PATH = 'kselftest.mm.gup_longterm';
export const KCIDB_STATUSES = ['FAIL', 'ERROR', 'MISS', 'PASS', 'DONE', 'SKIP'] as const;
export type KcidbStatus = (typeof KCIDB_STATUSES)[number];

type Json = string | number | boolean | Json[] | { [k: string]: Json };
export interface KcidbTest {
  id: string;
  build_id: string;
  origin: string;
  path: string;
  status: KcidbStatus;
  comment?: string;
  log_excerpt?: string;
  start_time?: string;
  environment?: { comment?: string; misc?: { [k: string]: Json } };
  misc?: { [k: string]: Json };
}
export interface KcidbDocument {
  version: { major: number; minor: number };
  checkouts: { id: string; origin: string; comment?: string; start_time?: string; misc?: { [k: string]: Json } }[];
  builds: {
    id: string;
    checkout_id: string;
    origin: string;
    architecture?: string;
    start_time?: string;
    comment?: string;
    misc?: { [k: string]: Json };
  }[];
  tests: KcidbTest[];
}

export function kcidbStatus(v: SubtestVerdict | null): KcidbStatus {
  switch (v) {
    case 'fail':
      return 'FAIL';
    case 'error':
      return 'ERROR';
    case 'skip':
      return 'SKIP';
    case 'pass':
    case 'xfail':
    case 'xpass':
      return 'PASS';
    default:
      return 'MISS';
  }
}

/** A path component: KCIDB paths are dot-separated, and an empty component is rejected (kcidb #352). */
function component(text: string): string {
  const c = text.replace(/[^A-Za-z0-9_-]+/g, '_');
  return c === '' ? '_' : c;
}

export function kcidbPath(r: StoredResult): string {
  const leaf = r.id ?? `unidentified-${r.ordinal + 1}`;
  return `${SUITE_PATH}.${leaf.split('/').map(component).join('.')}`;
}

/** The last LOG_EXCERPT_MAX characters: the end of a log is where a failure or crash shows. */
export function excerpt(text: string): string {
  if (text.length <= LOG_EXCERPT_MAX) return text;
  const marker = '[… truncated]\n';
  return marker + text.slice(text.length - (LOG_EXCERPT_MAX - marker.length));
}

function isoTime(date: string): string | undefined {
  const t = Date.parse(date);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

function runKey(run: StoredRun): string {
  return `${run.logHash.slice(0, 16)}.${run.runIndex}`;
}

const RANK: Record<KcidbStatus, number> = { FAIL: 5, ERROR: 4, MISS: 3, PASS: 2, DONE: 1, SKIP: 0 };

function suiteStatus(run: StoredRun, statuses: KcidbStatus[]): KcidbStatus {
  // An infrastructure failure is the harness's, not the code's (kernelci-pipeline #1153).
  if (run.triage === 'infrastructure') return 'ERROR';
  if (statuses.length === 0) return 'MISS';
  return statuses.reduce((a, b) => (RANK[b] > RANK[a] ? b : a));
}

export function toKcidb(model: ReportModel): KcidbDocument {
  const origin = model.origin;
  const doc: KcidbDocument = { version: { ...KCIDB_VERSION }, checkouts: [], builds: [], tests: [] };
  const checkouts = new Map<string, string>();
  for (const { run, results, rawLog } of model.runs) {
    const kernel = run.kernel ?? 'unknown';
    let checkoutId = checkouts.get(kernel);
    if (!checkoutId) {
      checkoutId = `${origin}:checkout-${createHash('sha256').update(kernel).digest('hex').slice(0, 16)}`;
      checkouts.set(kernel, checkoutId);
      doc.checkouts.push({ id: checkoutId, origin, comment: `kernel ${kernel}`, misc: { kernel } });
    }
    const buildId = `${origin}:build-${runKey(run)}`;
    const start = isoTime(run.date);
    const build: KcidbDocument['builds'][number] = { id: buildId, checkout_id: checkoutId, origin, misc: { run_id: run.id } };
    if (run.arch) build.architecture = run.arch;
    if (start) build.start_time = start;
    build.comment = `gup_longterm run ${run.id}${run.machine ? ` on ${run.machine}` : ''}`;
    doc.builds.push(build);

    const environment: NonNullable<KcidbTest['environment']> = {
      misc: { env_source: run.envSource, env_key: run.envKey, selftest: run.selftest },
    };
    if (run.machine) environment.comment = run.machine;
    const statuses: KcidbStatus[] = [];
    const seen = new Set<string>();
    for (const r of results) {
      const status = kcidbStatus(r.verdict);
      statuses.push(status);
      let path = kcidbPath(r);
      // Duplicated ids within a run stay distinct (by ordinal), never collapsed (LKFT's _dupN problem).
      if (seen.has(path)) path = `${path}.dup${r.ordinal + 1}`;
      seen.add(path);
      const test: KcidbTest = {
        id: `${origin}:${runKey(run)}.${path.slice(SUITE_PATH.length + 1)}`,
        build_id: buildId,
        origin,
        path,
        status,
        comment: r.explanation || r.verdict || 'absent',
        environment,
        misc: {
          triage: r.class,
          ...(r.verdict ? { verdict: r.verdict } : {}),
          ...(r.predicted ? { predicted: r.predicted } : {}),
          ...(r.number !== null ? { number: r.number } : {}),
          ...(r.name ? { name: r.name } : {}),
          ...(r.commits.length ? { commits: r.commits } : {}),
        },
      };
      if (start) test.start_time = start;
      if (r.reason && (status === 'FAIL' || status === 'ERROR')) test.log_excerpt = excerpt(r.reason);
      doc.tests.push(test);
    }
    const suite: KcidbTest = {
      id: `${origin}:${runKey(run)}`,
      build_id: buildId,
      origin,
      path: SUITE_PATH,
      status: suiteStatus(run, statuses),
      comment: run.summary,
      environment,
      misc: { triage: run.triage },
    };
    if (start) suite.start_time = start;
    if (rawLog !== undefined) suite.log_excerpt = excerpt(rawLog);
    doc.tests.push(suite);
  }
  return doc;
}

export const kcidbReporter: Reporter = {
  name: 'kcidb',
  extension: 'json',
  render: (model) => `${JSON.stringify(toKcidb(model), null, 2)}\n`,
};
