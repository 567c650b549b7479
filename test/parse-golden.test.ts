// Golden expectations for the parser on every real log in test/fixtures/logs (copied unchanged
// from /work/shared/logs). Logs are read as data strings; nothing here is written to tap's own
// TAP stream (a `Bail out!` there would abort the test run).
import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFile, parseLog, tapParserView, type ParsedRun } from '../reports/parse/index.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/logs/', import.meta.url));
const read = (rel: string): string => readFileSync(FIXTURES + rel, 'utf8');
const one = (rel: string): ParsedRun => {
  const log = parseLog(read(rel));
  if (log.runs.length !== 1) throw new Error(`${rel}: expected 1 run, got ${log.runs.length}`);
  const run = log.runs[0];
  if (!run) throw new Error('unreachable');
  return run;
};
const ids = (r: ParsedRun): (string | null)[] => r.subtests.map((s) => s.id);

t.test('001 mail cover letter: tab-indented, shell prompt, 50 results all pass', async (t) => {
  const log = parseLog(read('public/001-hildenbrand-v1-cover-all-pass.log'));
  t.equal(log.runs.length, 1);
  t.ok(log.transport.indented, 'mail tab indentation noticed');
  const r = log.runs[0]!;
  t.equal(r.program, 'gup_longterm', 'named by the prompt line');
  t.equal(r.evidence, 'prompt');
  t.equal(r.subtests.length, 50);
  t.ok(r.subtests.every((s) => s.verdict === 'pass'));
  t.same(r.facts.hugetlbSizesKiB, [2048, 1048576]);
  t.equal(r.facts.hugetlbWording, 'hugetlb page size');
  t.same(r.plan, { count: 50, line: 5 });
  t.same(r.tapVersion, { version: 13, line: 4 });
  t.equal(new Set(ids(r)).size, 50, '50 distinct stable ids');
  t.ok(r.subtests.every((s) => s.idSource === 'run-line'));
  t.equal(r.subtests[0]?.id, 'rw/gup/shared/memfd');
  t.equal(r.subtests[0]?.line, 7, '1-based input line of `ok 1`');
  t.equal(r.subtests[0]?.runLine, 6);
  t.equal(r.subtests[49]?.id, 'iouring/private/memfd-hugetlb-1048576kB');
  t.match(r.totals, { pass: 50, fail: 0, skip: 0, line: 106 });
  t.equal(r.bailout, null);
  t.equal(r.wrapper.kind, 'none');
  t.equal(r.wrapper.exitCode, null);
  t.same(r.issues, []);
  t.same(log.errors, []);
});

t.test('002 prototype pin_longterm: row 48 fails, Bail out!, then Totals', async (t) => {
  const r = one('public/002-hildenbrand-pin_longterm-prototype-iouring-fail.log');
  t.equal(r.program, 'pin_longterm');
  t.equal(r.facts.hugetlbWording, 'hugetlb size');
  t.ok(r.eras.some((e) => e.era === 'prototype'));
  t.equal(r.subtests.length, 50);
  const failed = r.subtests.filter((s) => s.verdict === 'fail');
  t.equal(failed.length, 1);
  t.match(failed[0], {
    number: 48,
    id: 'iouring/private/local-tmpfile',
    runName: 'iouring fixed buffer with MAP_PRIVATE file mapping ... with local tmpfile',
    resultText: 'not ok 48 Pinning failed as expected',
    reason: 'Pinning failed as expected',
  });
  t.match(r.bailout, { text: 'Bail out! 1 out of 50 tests failed', line: 106 });
  t.match(
    r.totals,
    { pass: 39, fail: 1, skip: 10, line: 107 },
    'Totals after Bail out! still read',
  );
  t.same(r.counts, { pass: 39, fail: 1, xfail: 0, xpass: 0, skip: 10, error: 0, missing: 0 });
  t.equal(r.worst, 'fail');
  t.equal(r.subtests[3]?.verdict, 'skip');
  t.equal(r.subtests[3]?.reason, 'need more free huge pages');
});

t.test('002 through tap-parser: what a generic TAP consumer sees', async (t) => {
  const v = tapParserView(one('public/002-hildenbrand-pin_longterm-prototype-iouring-fail.log'));
  t.equal(v.pass, 49, 'tap-parser counts the 10 skips as passes too (kselftest: pass 39)');
  t.equal(v.skip, 10);
  t.equal(v.fail, 1);
  t.equal(v.bailout, '1 out of 50 tests failed');
});

t.test(
  '004 run_vmtests under the kselftest runner: `# # ` nesting, 56 results, 8 failures',
  async (t) => {
    const r = one('public/004-kitayama-arm64-fvp-9p-run_vmtests-ftruncate-failed.log');
    t.equal(r.depth, 2);
    t.equal(r.subtests.length, 56);
    const fails = r.subtests.filter((s) => s.verdict === 'fail');
    t.equal(fails.length, 8);
    t.ok(fails.every((s) => s.id?.endsWith('/local-tmpfile') && s.reason === 'ftruncate() failed'));
    t.same(r.facts.hugetlbSizesKiB, [2048, 32768, 64, 1048576], 'arm64 detection order kept');
    t.match(r.wrapper, {
      kind: 'run_vmtests-tap',
      underKselftestRunner: true,
      nesting: 2,
      status: { status: 'FAIL' },
      verdict: { ok: false, number: 13, name: 'gup_longterm', directive: 'exit=1' },
      exitCode: 1,
    });
    t.equal(r.wrapper.banner?.text, 'running ./gup_longterm');
    t.match(r.bailout, { text: 'Bail out! 8 out of 56 tests failed' });
    t.match(r.totals, { pass: 24, fail: 8, skip: 24 });
    t.same(
      r.unknownLines.map((u) => u.text),
      ['-unnin--./-u-_lon-te-m'],
      'mangled rule kept, not fatal',
    );
    t.ok(r.eras.some((e) => e.era === 'v6.5-v6.14'));
  },
);

t.test('006 LKFT: binary never ran — loader error, exit=127, no results', async (t) => {
  const log = parseLog(read('public/006-lkft-next-20250616-liburing-missing-exit127.log'));
  t.equal(log.runs.length, 1);
  const r = log.runs[0]!;
  t.equal(r.subtests.length, 0);
  t.equal(r.plan, null);
  t.equal(r.worst, null);
  t.equal(r.wrapper.exitCode, 127);
  t.match(r.wrapper.verdict, { ok: false, number: 14, directive: 'exit=127' });
  t.same(r.infrastructure.map((i) => i.kind).sort(), ['exit-127', 'loader-error']);
  t.equal(r.infrastructure.find((i) => i.kind === 'loader-error')?.line, 7);
  t.equal(r.wrapper.status?.status, 'FAIL');
  t.equal(
    log.unknownLines[0]?.text.startsWith('Linux version 6.15.0-next'),
    true,
    'banner text kept',
  );
});

t.test('007/008 the same two ids under two wordings (skip → fail)', async (t) => {
  const before = one('public/007-stoakes-2025-before-unique-names-skip.log');
  const after = one('public/008-stoakes-2025-after-unique-names-fail.log');
  const expected = [
    'ro/gup-fast/private/memfd-hugetlb-2048kB',
    'ro/gup-fast/private/memfd-hugetlb-1048576kB',
  ];
  t.same(ids(before), expected);
  t.same(ids(after), expected);
  t.same(
    before.subtests.map((s) => s.verdict),
    ['skip', 'skip'],
  );
  t.same(
    after.subtests.map((s) => s.verdict),
    ['fail', 'fail'],
  );
  t.same(
    before.subtests.map((s) => s.number),
    [39, 40],
  );
  t.equal(before.subtests[0]?.reason, 'memfd_create() failed (Cannot allocate memory)');
  t.equal(
    after.subtests[0]?.reason,
    'memfd_create() failed (Cannot allocate memory)',
    'from the diagnostic',
  );
  t.same(after.subtests[0]?.diagnostics, [
    { line: 2, text: 'memfd_create() failed (Cannot allocate memory)' },
  ]);
  t.ok(before.eras.some((e) => e.era === 'v6.15'));
  t.ok(after.eras.some((e) => e.era === 'v6.16+'));
  t.same(before.issues, [], 'an excerpt starting at 39 is not an error');
});

t.test('009 commit-message excerpt: planned-vs-run mismatch 50 != 46', async (t) => {
  const r = one('public/009-stoakes-2026-virtme-ng-overlayfs-planned-mismatch.log');
  t.match(r.plannedMismatch, { planned: 50, run: 46, line: 1 });
  t.match(r.totals, { pass: 24, fail: 0, skip: 22 });
  t.equal(r.subtests.length, 0);
  t.equal(r.evidence, 'weak');
  t.ok(r.issues.some((i) => i.code === 'weak-run'));
  t.equal(r.endedEarly, false);
});

t.test('011 strace-reconstructed complete run: 56 results', async (t) => {
  const r = one('public/011-kitayama-arm64-fvp-9p-no-gup_test-strace-reconstructed.log');
  t.equal(r.subtests.length, 56);
  t.same(r.counts, { pass: 0, fail: 8, xfail: 0, xpass: 0, skip: 48, error: 0, missing: 0 });
  t.equal(new Set(ids(r)).size, 56);
  t.match(r.bailout, { text: 'Bail out! 8 out of 56 tests failed' });
  t.same(r.issues, []);
});

const LIVE = readdirSync(FIXTURES + 'live').filter((f) => f.endsWith('.log'));

/** The 7.2 selftest as non-root bails out in hugetlb_setup(), before its TAP header. */
const BAILS_BEFORE_PLAN = '6.18-host-st7.2-ext4-nonroot-default.log';

t.test('live logs: every planned result, counts agree with Totals, no issues', async (t) => {
  t.equal(LIVE.length, 13);
  for (const f of LIVE.filter((x) => x !== BAILS_BEFORE_PLAN)) {
    const log = parseLog(read('live/' + f));
    t.equal(log.runs.length, 1, f);
    const r = log.runs[0]!;
    // 50 = 10 cases × (3 + 2 hugetlb sizes); the 4 GiB qemu run got no 1 GiB pages: 40.
    const planned = f.includes('mem4G') ? 40 : 50;
    t.equal(r.plan?.count, planned, `${f}: plan`);
    t.equal(r.subtests.length, planned, f);
    t.equal(new Set(ids(r)).size, planned, `${f}: distinct ids`);
    t.ok(
      r.subtests.every((s) => s.idSource === 'run-line'),
      f,
    );
    t.match(r.totals, { pass: r.counts.pass, fail: r.counts.fail, skip: r.counts.skip }, f);
    t.same(r.issues, [], f);
    t.equal(r.endedEarly, false, f);
  }
});

t.test('live 7.2 selftest as non-root: Bail out! before the header, a run without results', async (t) => {
  const log = parseLog(read('live/' + BAILS_BEFORE_PLAN));
  t.equal(log.runs.length, 1);
  const r = log.runs[0]!;
  t.equal(r.subtests.length, 0);
  t.equal(r.plan, null);
  t.match(r.bailout, { text: 'Bail out! /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages open failed: Permission denied' });
  t.same(r.facts.hugetlbSizesKiB, [2048, 1048576], 'the [INFO] lines printed before the bail-out');
});

t.test('live 6.1 qemu: the two io_uring failures and the Bail out!', async (t) => {
  const r = one('live/6.1.0-50-qemu-ext4-default.log');
  t.equal(r.counts.fail, 2);
  t.match(r.bailout, { text: 'Bail out! 2 out of 50 tests failed' });
  t.ok(r.subtests.filter((s) => s.verdict === 'fail').every((s) => s.id?.startsWith('iouring/')));
});

t.test('live run_vmtests log: the gup_longterm run isolated from the gup_test runs', async (t) => {
  const log = parseLog(read('live/6.18-host-ext4-run_vmtests-gup_test.log'));
  t.equal(log.runs.length, 1);
  const r = log.runs[0]!;
  t.equal(r.program, 'gup_longterm');
  t.equal(r.subtests.length, 50);
  t.equal(r.startLine, 33, 'starts at its banner');
  t.equal(r.endLine, 141, 'ends at `ok 4 gup_longterm`');
  t.match(r.wrapper, {
    kind: 'run_vmtests-tap',
    nesting: 1,
    underKselftestRunner: false,
    status: { status: 'PASS', line: 140 },
    verdict: { ok: true, number: 4, name: 'gup_longterm', directive: null },
  });
  t.same(
    log.otherPrograms.map((o) => o.name),
    ['./gup_test -u', './gup_test -a', './gup_test -ct -F 0x1 0 19 0x1000'],
  );
  t.notOk(
    r.subtests.some((s) => s.reason === 'Please run this test as root'),
    "gup_test's results do not leak in",
  );
  t.match(r.totals, { pass: 8, skip: 42 });
});

t.test('parseFile streams a fixture to the same result as parseLog', async (t) => {
  for (const rel of [
    'public/004-kitayama-arm64-fvp-9p-run_vmtests-ftruncate-failed.log',
    'live/' + LIVE[0],
  ]) {
    const a = parseLog(read(rel));
    const b = await parseFile(FIXTURES + rel);
    t.same(b, a, rel);
  }
});

t.test('parseFile on a missing file reports the error as data', async (t) => {
  const log = await parseFile(FIXTURES + 'does-not-exist.log');
  t.same(log.runs, []);
  t.equal(log.errors[0]?.code, 'read-error');
});
