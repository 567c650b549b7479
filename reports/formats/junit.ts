/**
 * JUnit XML (the Ant/Jenkins shape every CI dashboard reads): one <testsuite> per run, one
 * <testcase> per stable id, written for the readers that keep history:
 *
 *  - Names are unique in the file. GitLab keys a test by classname + name and keeps only the
 *    first of duplicates (docs.gitlab.com/ci/testing/unit_test_reports; gitlab#237920), and
 *    Jenkins finds a test's previous result by suite name, then case name. So a name is the
 *    stable sub-test id, and when one file holds several runs (runs of one log, logs of
 *    several machines) both the suite and case names carry the fewest stable facts that tell
 *    the runs apart — machine, log file, log hash, run number — never a database id or a
 *    kernel version, so the same run shape gets the same names in the next pipeline.
 *  - Outcome (outcome() below, the one place it is decided): a failure gupsim explains (a
 *    predicted failure, the machine's, the test's own defect) and kselftest's XFAIL are an
 *    expected failure, written as <skipped message="xfail: …"> — pytest's encoding, which
 *    Jenkins, GitLab and Buildkite all count as skipped, not failed (their readers know no
 *    xfail status; the attribute set of <skipped> is message only in the JUnit XSD). A crash
 *    and an infrastructure failure are <error type="crash|infrastructure">: the test did not
 *    reach a verdict (GitLab shows "error", Jenkins and Buildkite count it failed). Other
 *    failures, the ones that need a human, are <failure> (or <error> for a missing result).
 *    XPASS is a pass, as in kselftest.
 *  - Triage, cause (the KCIDB issue id) and commit are <properties> of each testcase, which
 *    Jenkins keeps with `junit keepProperties: true` (GitLab and Buildkite ignore properties,
 *    so the same facts are also in the message and text, which they show).
 *  - A run without results (a binary that never started) gets one testcase for the run, so
 *    it does not vanish from a dashboard.
 */
import { basename } from 'node:path';
import type { StoredResult, StoredRun } from '../store/types.js';
import { causesOfRun, type Cause } from './causes.js';
import { escapeXml } from './escape.js';
import { resultKey, type ReportRun } from './model.js';
import type { Reporter } from './reporter.js';
import { NEEDS_HUMAN } from '../diff/types.js';
import { selftestPlugin } from '../../cases/selftests/index.js';

/** The classname of a run's cases and the name of its suite: its selftest's (`kselftest.mm.cow`). */
const classname = (run: StoredRun): string => selftestPlugin(run.test).exports.suite;

function attrs(a: Record<string, string | number | null | undefined>): string {
  return Object.entries(a)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
}

/** The XSD's timestamp: ISO 8601 without zone or fraction (UTC here); omitted when unparsable. */
function junitTimestamp(date: string): string | undefined {
  const t = Date.parse(date);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString().slice(0, 19);
}

export type JunitOutcome =
  | { kind: 'pass' }
  | { kind: 'skipped'; xfail: boolean }
  | { kind: 'failure' | 'error'; type: string };

/** What a dashboard should count a result as (see the module comment for each reader). */
export function outcome(r: Pick<StoredResult, 'verdict' | 'class'>): JunitOutcome {
  switch (r.verdict) {
    case 'pass':
    case 'xpass':
      return { kind: 'pass' };
    case 'skip':
      return { kind: 'skipped', xfail: false };
    case 'xfail':
      return { kind: 'skipped', xfail: true };
  }
  // fail, error, no result line, absent: who explains it decides.
  if (!NEEDS_HUMAN.has(r.class) && r.class !== 'match') return { kind: 'skipped', xfail: true };
  if (r.class === 'crash' || r.class === 'infrastructure') return { kind: 'error', type: r.class };
  if (r.verdict === 'fail') return { kind: 'failure', type: 'fail' };
  return { kind: 'error', type: r.verdict ?? 'absent' };
}

/**
 * Per run, the words that tell it apart from the other runs of the file ('' when it is the only
 * one): each of machine, log file, log hash and run number is added only when it separates runs
 * the earlier ones did not.
 */
export function runQualifiers(runs: readonly StoredRun[]): string[] {
  const facets: ((r: StoredRun) => string)[] = [
    (r) => r.machine ?? '',
    (r) => basename(r.source),
    (r) => `log ${r.logHash.slice(0, 8)}`,
    (r) => `run ${r.runIndex + 1}`,
  ];
  let keys = runs.map(() => [] as string[]);
  const distinct = (ks: string[][]): number => new Set(ks.map((k) => k.join('\u0000'))).size;
  for (const facet of facets) {
    if (distinct(keys) === runs.length) break;
    const next = keys.map((k, i) => [...k, facet(runs[i]!)]);
    if (distinct(next) > distinct(keys)) keys = next;
  }
  return keys.map((k) => k.filter((x) => x !== '').join(' '));
}

function property(name: string, value: string | null | undefined): string {
  return value ? `<property${attrs({ name, value })}/>` : '';
}

interface Case {
  name: string;
  classname: string;
  outcome: JunitOutcome;
  message: string;
  text: string;
  props: string;
}

function caseXml(c: Case): string {
  const head = `    <testcase${attrs({ name: c.name, classname: c.classname, time: 0 })}>`;
  const props = c.props ? `\n      <properties>${c.props}</properties>` : '';
  const o = c.outcome;
  const body =
    o.kind === 'pass'
      ? ''
      : o.kind === 'skipped'
        ? `\n      <skipped${attrs({ message: c.message })}/>`
        : `\n      <${o.kind}${attrs({ message: c.message, type: o.type })}>${escapeXml(c.text)}</${o.kind}>`;
  return `${head}${props}${body}\n    </testcase>`;
}

function resultCase(run: StoredRun, r: StoredResult, cause: Cause | null, origin: string, qualifier: string): Case {
  const o = outcome(r);
  const why = r.explanation || r.reason || r.verdict || 'absent';
  const causeId = cause ? `${origin}:${cause.key}` : null;
  let message: string;
  if (o.kind === 'skipped' && !o.xfail) {
    // The log's own skip reason ("gup_test not available"), with the triage when the model did not predict it.
    message =
      r.class === 'match'
        ? r.reason || 'skipped'
        : `${r.reason || 'skipped'} (${r.class}: ${r.explanation})`;
  } else if (r.known) message = `xfail (known issue ${r.known.id}): ${r.known.reason} (${r.known.link})`;
  else if (o.kind === 'skipped') message = `xfail (${r.class}): ${why}`;
  else message = why;
  return {
    name: `${resultKey(r)}${qualifier ? ` [${qualifier}]` : ''}`,
    classname: classname(run),
    outcome: o,
    message,
    text: [
      r.name ?? resultKey(r),
      `triage: ${r.class}`,
      ...(causeId ? [`cause: ${causeId}`] : []),
      ...(r.known ? [`known issue: ${r.known.id}: ${r.known.reason} (${r.known.link}); gupsim: ${r.known.was}`] : []),
      r.explanation,
    ].join('\n'),
    props: [
      property('triage', r.class),
      property('cause', causeId),
      property('commit', cause?.commit ?? (r.commits.length ? r.commits.join(' ') : null)),
      property('verdict', r.verdict ?? 'absent'),
      property('predicted', r.predicted),
      property('status', o.kind === 'skipped' && o.xfail ? 'xfail' : null),
      property('known', r.known?.id),
      property('known.link', r.known?.link),
      property('known.was', r.known?.was),
    ].join(''),
  };
}

/** The one testcase of a run that has no result to carry its outcome. */
function runCase(run: StoredRun, cause: Cause | null, origin: string, qualifier: string): Case {
  const r = { verdict: null, class: run.triage };
  const causeId = cause ? `${origin}:${cause.key}` : null;
  const o = run.triage === 'match' ? ({ kind: 'pass' } as const) : outcome(r);
  return {
    name: `${run.test}${qualifier ? ` [${qualifier}]` : ''}`,
    classname: classname(run),
    outcome: o,
    message: o.kind === 'skipped' ? `xfail (${run.triage}): ${run.summary}` : run.summary,
    text: [`triage: ${run.triage}`, ...(causeId ? [`cause: ${causeId}`] : []), run.summary].join(
      '\n',
    ),
    props: [
      property('triage', run.triage),
      property('cause', causeId),
      property('commit', cause?.commit),
    ].join(''),
  };
}

function suiteXml(
  rr: ReportRun,
  index: number,
  origin: string,
  qualifier: string,
  used: Set<string>,
): { xml: string; count: Record<'tests' | 'failure' | 'error' | 'skipped', number> } {
  const { run, results } = rr;
  const causes = causesOfRun(run, results);
  const cases = results.length
    ? results.map((r) => resultCase(run, r, causes.of(r), origin, qualifier))
    : [runCase(run, causes.run, origin, qualifier)];
  const count = { tests: cases.length, failure: 0, error: 0, skipped: 0 };
  for (const c of cases) {
    if (c.outcome.kind !== 'pass') count[c.outcome.kind]++;
    // Unique whatever the ids are (a log that does not say which sub-test a result is).
    let name = c.name;
    for (let n = 2; used.has(name); n++) name = `${c.name} (${n})`;
    used.add(name);
    c.name = name;
  }
  const props = [
    ['kernel', run.kernel],
    ['arch', run.arch],
    ['machine', run.machine],
    ['log', basename(run.source)],
    ['selftest', run.selftest],
    ['triage', run.triage],
    ['cause', causes.run ? `${origin}:${causes.run.key}` : null],
    ['environment', run.envSource],
    ['log_sha256', run.logHash],
    // The lab's known issues in scope of this run that its tests no longer show.
    ['known.not-seen', notSeen(run)],
  ]
    .filter((p): p is [string, string] => p[1] !== null)
    .map(([name, value]) => `      <property${attrs({ name, value })}/>`);
  const xml = `  <testsuite${attrs({
    name: `${classname(run)}${qualifier ? ` [${qualifier}]` : ''}`,
    // The XSD's id: the suite's position in the file (not a database id: stable across stores).
    id: index,
    tests: count.tests,
    failures: count.failure,
    errors: count.error,
    skipped: count.skipped,
    time: 0,
    timestamp: junitTimestamp(run.date),
    hostname: run.machine ?? 'unknown',
  })}>\n    <properties>\n${props.join('\n')}\n    </properties>\n${cases.map(caseXml).join('\n')}\n    <system-out>${escapeXml(run.summary)}</system-out>\n  </testsuite>`;
  return { xml, count };
}

function notSeen(run: StoredRun): string | null {
  const ids = (run.knownNotes ?? []).filter((n) => n.status === 'not-seen').map((n) => n.issue.id);
  return ids.length ? ids.join(' ') : null;
}

export const junitReporter: Reporter = {
  name: 'junit',
  extension: 'xml',
  render(model) {
    const qualifiers = runQualifiers(model.runs.map((r) => r.run));
    const used = new Set<string>();
    const sums = { tests: 0, failure: 0, error: 0, skipped: 0 };
    const suites = model.runs.map((rr, i) => {
      const { xml, count } = suiteXml(rr, i, model.origin, qualifiers[i] ?? '', used);
      for (const k of ['tests', 'failure', 'error', 'skipped'] as const) sums[k] += count[k];
      return xml;
    });
    return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${attrs({
      name: model.origin,
      tests: sums.tests,
      failures: sums.failure,
      errors: sums.error,
      skipped: sums.skipped,
      time: 0,
    })}>\n${suites.join('\n')}${suites.length ? '\n' : ''}</testsuites>\n`;
  },
};
