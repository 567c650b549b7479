/**
 * KCIDB I/O schema v5.3 (kernelci/kcidb-io kcidb_io/schema/v05_03.py): checkouts → builds →
 * tests, and issues → incidents. One checkout per kernel label, one build per run (a run is
 * one kernel build on one machine), and per run a suite node `kselftest.mm.<test>` (its
 * worst status, the log excerpt: `kselftest.mm.gup_longterm`, `kselftest.mm.cow`) plus one test
 * per stable id below it (`kselftest.mm.cow.vmsplice-unmap-child.pte-thp-64kB`). Statuses: fail → FAIL, error →
 * ERROR, absent or started-without-result → MISS (the harness did not produce a verdict),
 * pass/xfail/xpass → PASS, skip → SKIP. No nulls anywhere: KCIDB reads a missing field as
 * "unknown".
 *
 * Every cause gupsim triages (causes.ts) is an issue `<origin>:<cause key>`, and every test it
 * explains an incident linking the two — the known-issue matching KCIDB itself leaves to each
 * CI (its automatic incident creation is unmerged, kcidb #586). The suite node gets the
 * incident of its run's cause (a run that never started or crashed has nothing else to carry
 * it).
 *
 * Ids are `<origin>:<log sha256 prefix>.<run index>…`, so re-exporting the same log from any
 * database, or straight from `gupsim diff --kcidb`, yields the same ids.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { SubtestVerdict } from '../diff/types.js';
import type { StoredResult, StoredRun } from '../store/types.js';
import { causesOfRun, knownCause, resultCause, type Cause } from './causes.js';
import { KcidbIssues } from './kcidb-issues.js';
import type { KcidbDocument, KcidbStatus, KcidbTest } from './kcidb-types.js';
import type { ReportModel, ReportRun } from './model.js';
import type { Reporter } from './reporter.js';
import { selftestPlugin } from '../../cases/selftests/index.js';
import { DEFAULT_SELFTEST } from '../../cases/selftests/names.js';

export * from './kcidb-types.js';
export { ISSUE_VERSION } from './kcidb-issues.js';

export const KCIDB_VERSION = { major: 5, minor: 3 } as const;
/** KCIDB's cap on log_excerpt (characters). */
export const LOG_EXCERPT_MAX = 16384;

/** The suite node's path of a run: its selftest's, `kselftest.mm.<test>`. */
export function suitePath(run: Pick<StoredRun, 'test'>): string {
  return selftestPlugin(run.test).exports.suite;
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

/** A result's test path below its run's suite (its stable id without the test's own prefix). */
export function kcidbPath(r: StoredResult, run: Pick<StoredRun, 'test'> = { test: DEFAULT_SELFTEST }): string {
  const plugin = selftestPlugin(run.test);
  const leaf = r.id === null ? `unidentified-${r.ordinal + 1}` : plugin.exports.localId(r.id);
  return `${plugin.exports.suite}.${leaf.split('/').map(component).join('.')}`;
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

/**
 * Builds a KCIDB document run by run. Tests go to `onTest` as each run is added (a streamed
 * `gupsim diff --kcidb` of many runs never holds them); checkouts, builds, issues and incidents
 * are kept for finish().
 */
export class KcidbBuilder {
  private readonly checkouts: KcidbDocument['checkouts'] = [];
  private readonly checkoutOf = new Map<string, string>();
  private readonly builds: KcidbDocument['builds'] = [];
  private readonly issues: KcidbIssues;

  constructor(
    private readonly origin: string,
    private readonly onTest: (t: KcidbTest) => void,
  ) {
    this.issues = new KcidbIssues(origin);
  }

  add({ run, results, rawLog, unstored }: ReportRun): void {
    const origin = this.origin;
    const kernel = run.kernel ?? 'unknown';
    let checkoutId = this.checkoutOf.get(kernel);
    if (!checkoutId) {
      checkoutId = `${origin}:checkout-${createHash('sha256').update(kernel).digest('hex').slice(0, 16)}`;
      this.checkoutOf.set(kernel, checkoutId);
      this.checkouts.push({
        id: checkoutId,
        origin,
        comment: `kernel ${kernel}`,
        misc: { kernel },
      });
    }
    const buildId = `${origin}:build-${runKey(run)}`;
    const start = isoTime(run.date);
    const build: KcidbDocument['builds'][number] = { id: buildId, checkout_id: checkoutId, origin };
    if (run.arch) build.architecture = run.arch;
    if (start) build.start_time = start;
    // The log and run, not the store's row id: `gupsim diff --kcidb` has none and says the same.
    build.comment = `${run.test}: ${basename(run.source)} run ${run.runIndex + 1}${run.machine ? ` on ${run.machine}` : ''}`;
    build.misc = unstored ? { source: run.source } : { source: run.source, run_id: run.id };
    this.builds.push(build);

    const environment: NonNullable<KcidbTest['environment']> = {
      misc: { env_source: run.envSource, env_key: run.envKey, selftest: run.selftest },
    };
    if (run.machine) environment.comment = run.machine;
    const causes = causesOfRun(run, results);
    const suitePathOfRun = suitePath(run);
    const statuses: KcidbStatus[] = [];
    const seen = new Set<string>();
    const testOf: KcidbTest[] = [];
    for (const r of results) {
      const status = kcidbStatus(r.verdict);
      statuses.push(status);
      let path = kcidbPath(r, run);
      // Duplicated ids within a run stay distinct (by ordinal), never collapsed (LKFT's _dupN problem).
      if (seen.has(path)) path = `${path}.dup${r.ordinal + 1}`;
      seen.add(path);
      const cause = causes.of(r);
      const test: KcidbTest = {
        id: `${origin}:${runKey(run)}.${path.slice(suitePathOfRun.length + 1)}`,
        build_id: buildId,
        origin,
        path,
        status,
        comment: r.explanation || r.verdict || 'absent',
        environment,
        misc: {
          triage: r.class,
          ...(cause ? { cause: this.issues.idOf(cause) } : {}),
          ...(r.verdict ? { verdict: r.verdict } : {}),
          ...(r.predicted ? { predicted: r.predicted } : {}),
          ...(r.number !== null ? { number: r.number } : {}),
          ...(r.name ? { name: r.name } : {}),
          ...(r.commits.length ? { commits: r.commits } : {}),
        },
      };
      if (start) test.start_time = start;
      if (r.reason && (status === 'FAIL' || status === 'ERROR'))
        test.log_excerpt = excerpt(r.reason);
      this.onTest(test);
      testOf.push(test);
      if (cause) this.issues.incident(cause, test, r.known ? r.known.reason : r.explanation);
      // A known failure keeps gupsim's own account of it too, when gupsim named a cause.
      if (r.known) {
        const own = resultCause({ ...r, class: r.known.was, known: undefined }, run, results);
        if (own) this.issues.incident(own, test, r.explanation);
      }
    }
    // A lab's known issue in scope whose tests ran and did not fail as listed: not present.
    for (const n of run.knownNotes ?? []) {
      if (n.status !== 'not-seen') continue;
      const cause = knownCause({ ...n.issue, was: 'known' });
      for (const i of n.at) {
        const t = testOf[i];
        if (t) this.issues.incident(cause, t, `known issue not seen: ${t.comment ?? ''}`, false);
      }
    }
    const suite: KcidbTest = {
      id: `${origin}:${runKey(run)}`,
      build_id: buildId,
      origin,
      path: suitePathOfRun,
      status: suiteStatus(run, statuses),
      comment: run.summary,
      environment,
      misc: { triage: run.triage, ...(causes.run ? { cause: this.issues.idOf(causes.run) } : {}) },
    };
    if (start) suite.start_time = start;
    if (rawLog !== undefined) suite.log_excerpt = excerpt(rawLog);
    this.onTest(suite);
    if (causes.run) this.issues.incident(causes.run, suite, run.summary);
  }

  /** Everything but the tests (those went to onTest). */
  finish(): Omit<KcidbDocument, 'tests'> {
    const { issues, incidents } = this.issues.finish();
    return {
      version: { ...KCIDB_VERSION },
      checkouts: this.checkouts,
      builds: this.builds,
      issues,
      incidents,
    };
  }
}

export function toKcidb(model: ReportModel): KcidbDocument {
  const tests: KcidbTest[] = [];
  const b = new KcidbBuilder(model.origin, (t) => tests.push(t));
  for (const r of model.runs) b.add(r);
  const rest = b.finish();
  return {
    version: rest.version,
    tests,
    checkouts: rest.checkouts,
    builds: rest.builds,
    issues: rest.issues,
    incidents: rest.incidents,
  };
}

/**
 * A KCIDB document written as it is built: the same text as `JSON.stringify(doc, null, 2)` of
 * toKcidb's document (key order version, tests, checkouts, builds, issues, incidents), with each
 * test written as its run is added.
 */
export class KcidbJsonWriter {
  private readonly builder: KcidbBuilder;
  private tests = 0;
  private started = false;

  /** Nothing is written before the first run or end(): a caller can still refuse a log with no run. */
  constructor(
    origin: string,
    private readonly write: (s: string) => void,
  ) {
    this.builder = new KcidbBuilder(origin, (t) => this.test(t));
  }

  add(r: ReportRun): void {
    this.builder.add(r);
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.write(
      `{\n  "version": ${JSON.stringify(KCIDB_VERSION, null, 2).replace(/\n/g, '\n  ')},\n  "tests": [`,
    );
  }

  private test(t: KcidbTest): void {
    this.start();
    this.write(
      `${this.tests++ === 0 ? '\n' : ',\n'}    ${JSON.stringify(t, null, 2).replace(/\n/g, '\n    ')}`,
    );
  }

  end(): void {
    this.start();
    const rest = this.builder.finish();
    let out = this.tests ? '\n  ]' : ']';
    for (const key of ['checkouts', 'builds', 'issues', 'incidents'] as const) {
      out += `,\n  "${key}": ${JSON.stringify(rest[key], null, 2).replace(/\n/g, '\n  ')}`;
    }
    this.write(`${out}\n}\n`);
  }
}

export const kcidbReporter: Reporter = {
  name: 'kcidb',
  extension: 'json',
  render: (model) => {
    const parts: string[] = [];
    const w = new KcidbJsonWriter(model.origin, (s) => parts.push(s));
    for (const r of model.runs) w.add(r);
    w.end();
    return parts.join('');
  },
};

export type { Cause };
