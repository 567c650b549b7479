// Export formats from one result model: JUnit XML checked against the JUnit schema structure,
// KCIDB v5.3 against the rules we can state, the HTML file for self-containment and escaping.
import t from 'tap';
import { FORMATS, FORMAT_NAMES, excerpt, kcidbStatus, LOG_EXCERPT_MAX, toKcidb } from '../reports/formats/index.js';
import { outcome, runQualifiers } from '../reports/formats/junit.js';
import type { StoredRun } from '../reports/store/types.js';
import type { SubtestVerdict, TriageClass } from '../reports/diff/types.js';
import { checkJunit, parseXml, type XmlElement } from './helpers/xml-check.js';
import { checkKcidb } from './helpers/kcidb-check.js';
import { buildFixtureModel, FIXTURE_RUNS, HOSTILE } from './helpers/report-fixture.js';
import { visibleControls } from '../reports/formats/escape.js';

t.test('every format is one Reporter, registered by its name', async (t) => {
  t.same(Object.keys(FORMATS).sort(), [...FORMAT_NAMES].sort());
  for (const n of FORMAT_NAMES) t.equal(FORMATS[n].name, n);
});

t.test('JUnit XML: well-formed, schema structure, one testcase per stable id, unique names', async (t) => {
  const model = await buildFixtureModel(t.testdir());
  const xml = FORMATS.junit.render(model);
  let root: XmlElement | undefined;
  t.doesNotThrow(() => (root = parseXml(xml)), 'parses as XML');
  if (!root) return;
  t.same(checkJunit(root), [], 'no schema errors');
  t.equal(root.children.length, model.runs.length, 'one testsuite per run');
  const qualifiers = runQualifiers(model.runs.map((r) => r.run));
  t.same(qualifiers.slice(0, 3), ['qemu 6.1.0-50-qemu-ext4-default', 'qemu 6.12.117-guptest-qemu-ext4-default', 'host 6.18-host-ext4-default'], 'machine, then the log where the machine alone is not enough');
  const names: string[] = [];
  for (const [i, suite] of root.children.entries()) {
    const run = model.runs[i];
    const cases = suite.children.filter((c) => c.name === 'testcase');
    names.push(...cases.map((c) => `${c.attrs.classname}\u0000${c.attrs.name}`));
    t.equal(suite.attrs.name, `kselftest.mm.gup_longterm [${qualifiers[i]}]`);
    if (run?.results.length === 0) {
      t.equal(cases.length, 1, `suite ${i}: a run without results has one testcase for the run`);
      continue;
    }
    t.equal(cases.length, run?.results.length, `suite ${i}: a testcase per result`);
    const named = run?.results.filter((r) => r.id !== null).map((r) => `${r.id} [${qualifiers[i]}]`);
    t.same(cases.map((c) => c.attrs.name).slice(0, named?.length), named, 'testcase names are the stable ids, with the run\'s qualifier');
  }
  t.equal(new Set(names).size, names.length, 'no two testcases share classname + name (GitLab keeps only the first)');
  const first = root.children[0];
  const caseOf = (suite: XmlElement | undefined, id: string) => suite?.children.find((c) => c.attrs.name?.startsWith(`${id} [`));
  const outcomeOf = (c: XmlElement | undefined) => c?.children.find((x) => ['skipped', 'failure', 'error'].includes(x.name));
  const propsOf = (c: XmlElement | undefined) => Object.fromEntries((c?.children.find((x) => x.name === 'properties')?.children ?? []).map((p) => [p.attrs.name, p.attrs.value]));
  const io = caseOf(first, 'iouring/private/tmpfile');
  // 6.1 predates 34ed8d0dcd69: the failure is predicted, so dashboards count it an expected failure.
  t.match(outcomeOf(io), { name: 'skipped', attrs: { message: /^xfail \(expected-failure\): io_pin_pages\(\): .*this kernel predates 34ed8d0dcd69 \(6\.5\)/ } });
  t.same(propsOf(io), { triage: 'expected-failure', cause: 'gupsim:expected-failure.34ed8d0dcd69', commit: '34ed8d0dcd69', verdict: 'fail', predicted: 'fail', status: 'xfail' });
  t.same(outcomeOf(caseOf(first, 'rw/gup/shared/memfd'))?.attrs, { message: 'gup_test not available' }, 'a modelled skip: the log\'s reason');
  const passes = model.runs.flatMap((r) => r.results).filter((r) => r.verdict === 'pass' || r.verdict === 'xpass').length;
  const bare = root.children.flatMap((s) => s.children.filter((c) => c.name === 'testcase' && !outcomeOf(c))).length;
  t.ok(passes > 0 && bare === passes, `a pass (${passes}), and only a pass, has no outcome element`);
  // 004 (run 4): the 9p server's ftruncate() failures are the machine's.
  const fvp = caseOf(root.children[3], 'rw/gup/shared/local-tmpfile');
  t.match(outcomeOf(fvp), { name: 'skipped', attrs: { message: /^xfail \(environment\): .*9p/ } });
  t.match(propsOf(fvp), { triage: 'environment', cause: /^gupsim:environment\.v9fs_vfs_setattr_dotl-[0-9a-f]{8}$/ });
  // 006 (run 5): the binary never started; its one testcase is the run's, an infrastructure error.
  const lkft = root.children[4]?.children.filter((c) => c.name === 'testcase');
  t.match(outcomeOf(lkft?.[0]), { name: 'error', attrs: { type: 'infrastructure', message: /liburing\.so\.2/ } });
  t.match(lkft?.[0]?.attrs.name, /^gup_longterm \[lkft /);
  t.match(first?.children[0], { name: 'properties' });
  t.equal(first?.attrs.timestamp, '2025-01-01T10:00:00');
  const hostile = root.children[root.children.length - 1];
  const hf = hostile?.children.find((c) => c.name === 'testcase' && outcomeOf(c));
  t.ok(outcomeOf(hf)?.attrs.message?.includes(HOSTILE.replace('\u0001', '\uFFFD')), 'markup survives as text; XML-illegal control char replaced');
  t.match(hostile?.attrs.hostname, 'evil<m>');

  // The checker itself rejects what it should.
  t.not(checkJunit(parseXml('<testsuites><testsuite name="a" tests="2"><testcase name="x" classname="c"/></testsuite></testsuites>')).length, 0, 'count mismatch caught');
  t.not(checkJunit(parseXml('<testsuites><testsuite name="a" tests="1"><testcase name="x"/></testsuite></testsuites>')).length, 0, 'missing classname caught');
  t.not(checkJunit(parseXml('<testsuites><testsuite name="a" tests="1"><testcase name="x" classname="c"><failure/><skipped/></testcase></testsuite></testsuites>')).length, 0);
  t.not(checkJunit(parseXml('<testsuites><testsuite name="a" tests="1" skipped="1"><testcase name="x" classname="c"><skipped/><properties><property name="a" value="b"/></properties></testcase></testsuite></testsuites>')).length, 0, 'testcase properties only first');
  t.throws(() => parseXml('<a><b></a>'));
  t.throws(() => parseXml('<a x="1" x="2"/>'));
});

t.test('JUnit outcomes: what each reader counts, decided in one place', async (t) => {
  const o = (verdict: SubtestVerdict | null, cls: TriageClass) => outcome({ verdict, class: cls });
  t.same(o('pass', 'match'), { kind: 'pass' });
  t.same(o('xpass', 'unexplained'), { kind: 'pass' }, 'XPASS passes, as in kselftest');
  t.same(o('skip', 'environment'), { kind: 'skipped', xfail: false });
  t.same(o('xfail', 'match'), { kind: 'skipped', xfail: true });
  for (const cls of ['expected-failure', 'environment', 'test-bug'] as const) t.same(o('fail', cls), { kind: 'skipped', xfail: true }, `an explained fail (${cls}) is an expected failure`);
  t.same(o('missing', 'test-bug'), { kind: 'skipped', xfail: true }, 'the v6.16–6.18 missing result is the test\'s defect');
  t.same(o(null, 'crash'), { kind: 'error', type: 'crash' });
  t.same(o('missing', 'crash'), { kind: 'error', type: 'crash' });
  t.same(o('fail', 'infrastructure'), { kind: 'error', type: 'infrastructure' });
  t.same(o('fail', 'kernel-regression'), { kind: 'failure', type: 'fail' });
  t.same(o('fail', 'unexplained'), { kind: 'failure', type: 'fail' });
  t.same(o(null, 'missing'), { kind: 'error', type: 'absent' });
  t.same(o('error', 'unexplained'), { kind: 'error', type: 'error' });
});

t.test('JUnit names: bare ids for one run, the fewest stable facts for many', async (t) => {
  const run = (over: Partial<StoredRun>): StoredRun => ({ id: 1, logHash: 'a'.repeat(64), runIndex: 0, source: 'dir/a.log', kernel: '6.18', arch: null, machine: null, date: '', env: {} as StoredRun['env'], envSource: 'inferred', envKey: '', test: 'gup_longterm', selftest: 'D', triage: 'match', summary: '', resultCount: 0, ...over });
  t.same(runQualifiers([run({})]), [''], 'one run: bare stable ids');
  t.same(runQualifiers([run({}), run({ runIndex: 1 })]), ['run 1', 'run 2'], 'runs of one log');
  t.same(runQualifiers([run({ machine: 'x' }), run({ machine: 'y', logHash: 'b'.repeat(64) })]), ['x', 'y'], 'one run per machine');
  t.same(runQualifiers([run({ kernel: '6.1' }), run({ kernel: '6.18', source: 'b.log', logHash: 'b'.repeat(64) })]), ['a.log', 'b.log'], 'never the kernel: it changes between pipelines');
  t.same(runQualifiers([run({ source: 'x/a.log' }), run({ source: 'y/a.log', logHash: 'b'.repeat(64) })]), ['log aaaaaaaa', 'log bbbbbbbb'], 'two logs of one name: their hashes');
});

t.test('KCIDB v5.3: valid by the schema rules, statuses, paths, excerpt cap', async (t) => {
  const model = await buildFixtureModel(t.testdir(), { withLogs: true });
  const doc = toKcidb(model);
  const text = FORMATS.kcidb.render(model);
  t.same(JSON.parse(text), doc, 'render is the document as JSON');
  t.same(checkKcidb(doc), [], 'no rule broken');
  t.same(doc.version, { major: 5, minor: 3 });
  t.equal(doc.builds.length, model.runs.length, 'a build per run');
  t.equal(new Set(doc.checkouts.map((c) => c.misc?.kernel)).size, doc.checkouts.length, 'a checkout per kernel label');
  const leaves = doc.tests.filter((x) => x.path !== 'kselftest.mm.gup_longterm');
  t.equal(leaves.length, model.runs.reduce((n, r) => n + r.results.length, 0));
  const io = leaves.find((x) => x.path === 'kselftest.mm.gup_longterm.iouring.private.tmpfile' && x.status === 'FAIL');
  t.ok(io, 'stable id with / replaced by . and the FAIL status');
  t.match(io?.id, /^gupsim:[0-9a-f]{16}\.0\.iouring\.private\.tmpfile$/);
  t.ok(leaves.some((x) => x.path === 'kselftest.mm.gup_longterm.rw.gup.shared.memfd-hugetlb-1048576kB'));
  const suites = doc.tests.filter((x) => x.path === 'kselftest.mm.gup_longterm');
  t.equal(suites.length, model.runs.length, 'a suite node per run');
  t.ok(suites.every((x) => (x.log_excerpt?.length ?? 0) <= LOG_EXCERPT_MAX));
  t.ok(suites.some((x) => x.log_excerpt?.startsWith('[… truncated]')), 'the 20 KB log was cut to the cap');
  const lkft = doc.builds.find((b) => String(b.comment).includes('lkft'));
  t.match(suites.find((x) => x.build_id === lkft?.id), { status: 'ERROR' }, 'a loader failure is ERROR, not FAIL');
  t.equal(suites.find((x) => x.status === 'FAIL')?.path, 'kselftest.mm.gup_longterm', 'the worst leaf status bubbles up');

  const map: [SubtestVerdict | null, string][] = [['pass', 'PASS'], ['fail', 'FAIL'], ['error', 'ERROR'], ['skip', 'SKIP'], ['missing', 'MISS'], [null, 'MISS'], ['xfail', 'PASS'], ['xpass', 'PASS']];
  for (const [v, s] of map) t.equal(kcidbStatus(v), s, `${v} → ${s}`);
  t.equal(excerpt('y'.repeat(LOG_EXCERPT_MAX)).length, LOG_EXCERPT_MAX);
  t.equal(excerpt('y'.repeat(LOG_EXCERPT_MAX + 1)).length, LOG_EXCERPT_MAX);

  const again = toKcidb(await buildFixtureModel(t.testdir(), { withLogs: true }));
  t.same(again.tests.map((x) => x.id), doc.tests.map((x) => x.id), 'ids depend on the log, not the database');

  // The checker catches what it should.
  const broken = JSON.parse(text) as { tests: Record<string, unknown>[] };
  const t0 = broken.tests[0];
  if (t0) {
    t0.status = 'XFAIL';
    t0.path = 'kselftest..mm';
    t0.id = 'other:1';
    t0.log_excerpt = 'z'.repeat(LOG_EXCERPT_MAX + 1);
    t0.comment = null;
  }
  t.equal(checkKcidb(broken).length, 5, 'status, path, id prefix, excerpt length, null');
});

t.test('HTML: one self-contained file, matrix of sub-tests × runs, hostile text escaped', async (t) => {
  const model = await buildFixtureModel(t.testdir());
  const html = FORMATS.html.render(model);
  t.notMatch(html, /<link\b|<[a-z][^>]*\s(src|href)=|https?:\/\/|@import|url\(/i, 'nothing fetched: no links, sources, URLs or CSS imports');
  t.match(html, /<style>[^]*<\/style>/);
  t.match(html, /Content-Security-Policy" content="default-src 'none'/);
  t.notOk(html.includes(HOSTILE), 'the hostile text never appears unescaped');
  t.notOk(html.includes('<img'), 'no injected element');
  const data = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html);
  t.ok(data, 'embedded data in one script element');
  const parsed = JSON.parse(data?.[1] ?? '{}') as { runs: { results: Record<string, { explanation: string }> }[] };
  t.equal(parsed.runs.length, FIXTURE_RUNS.length + 1);
  // As data for the details pane, with its controls shown (\x01, \u2028), as in the table.
  t.ok(Object.values(parsed.runs[parsed.runs.length - 1]?.results ?? {}).some((r) => r.explanation === visibleControls(HOSTILE)), 'hostile text round-trips as data, controls visible');
  t.ok(visibleControls(HOSTILE).includes('\\x01 <!-- \\u2028 end'), 'the hostile controls, shown');
  const rows = html.match(/<tr data-id=/g) ?? [];
  const ids = new Set(model.runs.flatMap((r) => r.results.map((x) => x.id ?? `unidentified-${x.ordinal + 1}`)));
  t.equal(rows.length, ids.size, 'a row per sub-test');
  t.equal((html.match(/<td class="cell /g) ?? []).length, ids.size * model.runs.length, 'a cell per sub-test × run');
  t.match(html, /<tr data-id="iouring\/private\/tmpfile"[^>]*>.*?<td class="cell v-fail t-expected-failure" data-run="0"/, '6.1: the predicted io_uring failure');
  t.match(html, /<tr data-id="rw\/gup\/shared\/local-tmpfile"[^>]*>.*?<td class="cell v-fail t-environment" data-run="3"/, '004: the 9p failure');
  // The hostile run (the last, 008's two `not ok` no modelled environment predicts) needs one.
  const lastFixture = FIXTURE_RUNS.length - 1;
  const human = [...html.matchAll(/class="cell [^"]*t-(?:unexplained|kernel-regression|conflict)" data-run="(\d+)"/g)].map((m) => Number(m[1]));
  t.ok(human.every((run) => run > lastFixture), 'no fixture result needs a human');
  t.ok(human.includes(lastFixture + 1), "the hostile run's unpredicted failures do");
});

t.test('JSON: the result model', async (t) => {
  const model = await buildFixtureModel(t.testdir());
  const j = JSON.parse(FORMATS.json.render(model)) as { runs: { run: { id: number; machine: string }; results: unknown[] }[]; generatedAt: string };
  t.equal(j.generatedAt, '2025-07-01T00:00:00.000Z');
  t.same(j.runs.map((r) => r.run.machine), [...FIXTURE_RUNS.map((f) => f.machine), 'evil<m>']);
  t.equal(j.runs[0]?.results.length, 50);
});
