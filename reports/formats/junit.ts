/**
 * JUnit XML (the Jenkins/Ant shape most CI systems read): one <testsuite> per run, one
 * <testcase> per stable id. kselftest outcomes mapped as kunit_junit.py would:
 * fail → <failure>, error and absent/missing → <error> (the harness did not produce a
 * verdict), skip → <skipped>; xfail and xpass are passes (kselftest does not fail the run on
 * them). The triage explanation is the message of a failure or error; a skip's message is the
 * log's own skip reason ("gup_test not available"), followed by the triage when the model did
 * not predict the skip.
 */
import { escapeXml } from './escape.js';
import { resultKey, runLabel } from './model.js';
import type { Reporter } from './reporter.js';
import type { StoredResult } from '../store/types.js';

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

type Outcome = 'pass' | 'failure' | 'error' | 'skipped';

function outcome(r: StoredResult): Outcome {
  switch (r.verdict) {
    case 'fail':
      return 'failure';
    case 'error':
    case 'missing':
    case null:
      return 'error';
    case 'skip':
      return 'skipped';
    default:
      return 'pass';
  }
}

function skipMessage(r: StoredResult): string {
  const why = r.reason || 'skipped';
  return r.class === 'match' ? why : `${why} (${r.class}: ${r.explanation})`;
}

export const junitReporter: Reporter = {
  name: 'junit',
  extension: 'xml',
  render(model) {
    const suites: string[] = [];
    let total = 0;
    const sums = { failure: 0, error: 0, skipped: 0 };
    for (const { run, results } of model.runs) {
      const count = { failure: 0, error: 0, skipped: 0 };
      const cases: string[] = [];
      for (const r of results) {
        const o = outcome(r);
        const head = `    <testcase${attrs({ name: resultKey(r), classname: 'kselftest.mm.gup_longterm', time: 0 })}`;
        if (o === 'pass') {
          cases.push(`${head}/>`);
          continue;
        }
        count[o]++;
        const message = o === 'skipped' ? skipMessage(r) : r.explanation || r.reason || r.verdict || 'absent';
        const type = r.verdict ?? 'absent';
        const body =
          o === 'skipped'
            ? `<skipped${attrs({ message })}/>`
            : `<${o}${attrs({ message, type })}>${escapeXml(`${r.name ?? resultKey(r)}\ntriage: ${r.class}\n${r.explanation}`)}</${o}>`;
        cases.push(`${head}>\n      ${body}\n    </testcase>`);
      }
      total += results.length;
      sums.failure += count.failure;
      sums.error += count.error;
      sums.skipped += count.skipped;
      const props = [
        ['kernel', run.kernel],
        ['arch', run.arch],
        ['machine', run.machine],
        ['selftest', run.selftest],
        ['triage', run.triage],
        ['environment', run.envSource],
        ['log_sha256', run.logHash],
      ]
        .filter((p): p is [string, string] => p[1] !== null)
        .map(([name, value]) => `      <property${attrs({ name, value })}/>`);
      suites.push(
        `  <testsuite${attrs({
          name: `gup_longterm ${runLabel(run)}`,
          id: run.id,
          tests: results.length,
          failures: count.failure,
          errors: count.error,
          skipped: count.skipped,
          time: 0,
          timestamp: junitTimestamp(run.date),
          hostname: run.machine ?? 'unknown',
        })}>\n    <properties>\n${props.join('\n')}\n    </properties>\n${cases.join('\n')}${cases.length ? '\n' : ''}    <system-out>${escapeXml(run.summary)}</system-out>\n  </testsuite>`,
      );
    }
    return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${attrs({
      name: model.origin,
      tests: total,
      failures: sums.failure,
      errors: sums.error,
      skipped: sums.skipped,
      time: 0,
    })}>\n${suites.join('\n')}${suites.length ? '\n' : ''}</testsuites>\n`;
  },
};
