// Every output form the parser must read, one subtest per edge case. Inputs are built from the
// real fixtures (re-wrapped the way each wrapper / transport would) or are short verbatim forms
// from shared/reference/selftest-output-history.md. Logs are data strings, never tap's stream.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  LineSplitter,
  MAX_LINE_CHARS,
  parseLines,
  parseLog,
  parseStream,
  type ParsedLog,
  type ParsedRun,
} from '../reports/parse/index.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/logs/', import.meta.url));
const read = (rel: string): string => readFileSync(FIXTURES + rel, 'utf8');
const LIVE = read('live/6.18-host-ext4-default.log');
const LIVE_LINES = LIVE.trimEnd().split('\n');
const MAIL = read('public/002-hildenbrand-pin_longterm-prototype-iouring-fail.log');
const verdicts = (r: ParsedRun | undefined): string[] => r?.subtests.map((s) => s.verdict) ?? [];
const ids = (r: ParsedRun | undefined): (string | null)[] => r?.subtests.map((s) => s.id) ?? [];
const only = (log: ParsedLog): ParsedRun => {
  if (log.runs.length !== 1) throw new Error(`expected 1 run, got ${log.runs.length}`);
  return log.runs[0]!;
};
const prefix = (p: string, lines: string[]): string[] => lines.map((l) => p + l);
const BASE = only(parseLog(LIVE));
const NAME = (id: string): string => BASE.subtests.find((s) => s.id === id)?.runName ?? '';

t.test('bare run: baseline for the transformations below', async (t) => {
  t.equal(BASE.subtests.length, 50);
  t.equal(BASE.wrapper.kind, 'none');
  t.equal(BASE.depth, 0);
});

t.test('CRLF line endings', async (t) => {
  const log = parseLog(LIVE.replace(/\n/g, '\r\n'));
  t.ok(log.transport.crlf);
  t.same(verdicts(only(log)), verdicts(BASE));
  t.same(ids(only(log)), ids(BASE));
});

t.test('mail `> ` quoting, twice, with a tab', async (t) => {
  const log = parseLog(prefix('> > \t', LIVE_LINES).join('\n'));
  t.ok(log.transport.quoted);
  t.same(verdicts(only(log)), verdicts(BASE));
});

t.test('dmesg / serial console timestamps on every line', async (t) => {
  const lines = LIVE_LINES.map((l, i) => `[${String(10 + i / 100).padStart(5)}00] ${l}`);
  const log = parseLog(lines.join('\n'));
  t.ok(log.transport.timestamps);
  t.same(verdicts(only(log)), verdicts(BASE));
});

t.test('LAVA clock prefixes and line-number gutters', async (t) => {
  const lava = parseLog(prefix('07:05:40.369554  ', LIVE_LINES).join('\n'));
  t.same(verdicts(only(lava)), verdicts(BASE));
  const gutter = parseLog(LIVE_LINES.map((l, i) => `${i + 1} | ${l}`).join('\n'));
  t.ok(gutter.transport.lineNumbers);
  t.same(ids(only(gutter)), ids(BASE));
});

t.test('kselftest runner, v6.5 direct form: header, `# ` prefix, verdict', async (t) => {
  const text = [
    'TAP version 13',
    '1..3',
    '# timeout set to 45',
    '# selftests: mm: gup_longterm',
    ...prefix('# ', LIVE_LINES),
    'ok 3 selftests: mm: gup_longterm',
  ].join('\n');
  const r = only(parseLog(text));
  t.equal(r.subtests.length, 50);
  t.match(r.wrapper, {
    kind: 'kselftest-runner',
    nesting: 1,
    timeoutSetTo: 45,
    verdict: { ok: true, number: 3, name: 'selftests: mm: gup_longterm' },
  });
});

t.test('kselftest runner timeout: `# TIMEOUT 45 seconds` after a cut run', async (t) => {
  const text = [
    '# timeout set to 45',
    '# selftests: mm: gup_longterm',
    ...prefix('# ', LIVE_LINES.slice(0, 20)),
    '#',
    'not ok 3 selftests: mm: gup_longterm # TIMEOUT 45 seconds',
  ].join('\n');
  const r = only(parseLog(text));
  t.match(r.wrapper.timedOut, { seconds: 45 });
  t.ok(r.infrastructure.some((i) => i.kind === 'timeout'));
  t.equal(r.endedEarly, true, 'fewer results than planned and no trailer');
  t.ok(r.crashes.some((c) => c.kind === 'ended-before-plan'));
});

t.test('run_vmtests.sh pre-TAP (v6.5-v6.7): banner, [PASS], SUMMARY', async (t) => {
  const text = [
    '----------------------',
    'running ./gup_longterm',
    '----------------------',
    ...LIVE_LINES,
    '[PASS]',
    'SUMMARY: PASS=1 SKIP=0 FAIL=0',
  ].join('\n');
  const r = only(parseLog(text));
  t.equal(r.subtests.length, 50);
  t.match(r.wrapper, { kind: 'run_vmtests-pre-tap', status: { status: 'PASS' }, verdict: null });
});

t.test('run_vmtests.sh pre-TAP under the kselftest runner (v6.6-v6.7)', async (t) => {
  const text = [
    '# selftests: mm: run_vmtests.sh',
    '# ----------------------',
    '# running ./gup_longterm',
    '# ----------------------',
    ...prefix('# ', LIVE_LINES),
    '# [PASS]',
    '# SUMMARY: PASS=1 SKIP=0 FAIL=0',
    'ok 1 selftests: mm: run_vmtests.sh',
  ].join('\n');
  const r = only(parseLog(text));
  t.equal(r.subtests.length, 50);
  t.match(r.wrapper, { kind: 'run_vmtests-pre-tap', underKselftestRunner: true, nesting: 1 });
});

t.test('three levels of `# # # ` nesting', async (t) => {
  const text = [
    '# # # running ./gup_longterm',
    ...prefix('# # # ', LIVE_LINES),
    '# # # [PASS]',
    '# # ok 7 gup_longterm',
  ].join('\n');
  const r = only(parseLog(text));
  t.equal(r.depth, 3);
  t.same(verdicts(r), verdicts(BASE));
  t.equal(r.wrapper.verdict?.number, 7);
});

t.test('v6.16+ `(EINVAL)n` glue: the diagnostic runs into the result', async (t) => {
  const name = NAME('rw/gup/shared/memfd');
  for (const p of ['', '# # ']) {
    const text = [
      `${p}TAP version 13`,
      `${p}1..1`,
      `${p}# [RUN] ${name}`,
      `${p}# PIN_LONGTERM_TEST_START failed (EINVAL)nok 1 # SKIP ${name}`,
      `${p}# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0`,
    ].join('\n');
    const r = only(parseLog(text));
    t.equal(r.subtests.length, 1, `prefix "${p}"`);
    t.match(r.subtests[0], {
      verdict: 'skip',
      number: 1,
      id: 'rw/gup/shared/memfd',
      diagnostics: [{ line: 4, text: 'PIN_LONGTERM_TEST_START failed (EINVAL)n' }],
      line: 4,
    });
    t.ok(r.eras.some((e) => e.era === 'v6.16+'));
    t.match(r.totals, { skip: 1 });
  }
});

t.test('v6.15 `(EINVAL)n` glue: the result runs into the next [RUN]', async (t) => {
  const n1 = NAME('rw/gup/shared/memfd');
  const n2 = NAME('rw/gup/shared/tmpfile');
  const text = [
    'TAP version 13',
    '1..2',
    `# [RUN] ${n1}`,
    `ok 1 # SKIP PIN_LONGTERM_TEST_START failed (EINVAL)n# [RUN] ${n2}`,
    'ok 2 # SKIP PIN_LONGTERM_TEST_START failed (EINVAL)n# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:2 error:0',
  ].join('\n');
  const r = only(parseLog(text));
  t.same(ids(r), ['rw/gup/shared/memfd', 'rw/gup/shared/tmpfile']);
  t.same(verdicts(r), ['skip', 'skip']);
  t.equal(r.subtests[1]?.runLine, 4);
  t.match(r.totals, { skip: 2, line: 5 });
  t.ok(r.eras.some((e) => e.era === 'v6.15'));
});

t.test('v6.16-6.18 unknown-fs bug: [RUN] lines with no result become `missing`', async (t) => {
  const name = (b: string): string =>
    `R/W longterm GUP pin in MAP_SHARED file mapping ... with ${b}`;
  const text = [
    'TAP version 13',
    '1..4',
    `# [RUN] ${name('memfd')}`,
    `ok 1 ${name('memfd')}`,
    `# [RUN] ${name('tmpfile')}`,
    '# Unknown filesystem',
    `# [RUN] ${name('local tmpfile')}`,
    '# Unknown filesystem',
    `# [RUN] ${name('memfd hugetlb (2048 kB)')}`,
    `ok 2 ${name('memfd hugetlb (2048 kB)')}`,
    '# Planned tests != run tests (4 != 2)',
    '# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0',
  ].join('\n');
  const r = only(parseLog(text));
  t.same(verdicts(r), ['pass', 'missing', 'missing', 'pass']);
  t.match(r.subtests[1], {
    id: 'rw/gup/shared/tmpfile',
    number: null,
    reason: 'Unknown filesystem',
    diagnostics: [{ line: 6, text: 'Unknown filesystem' }],
    line: 5,
  });
  t.same(
    r.subtests.map((s) => s.ordinal),
    [1, 2, 3, 4],
  );
  t.match(r.plannedMismatch, { planned: 4, run: 2 });
  t.equal(r.endedEarly, false, 'the program finished; results are missing, not cut');
  t.equal(r.counts.missing, 2);
  t.equal(r.worst, 'missing');
  t.notOk(r.issues.some((i) => i.code === 'totals-mismatch'));
});

t.test('run cut short by a kernel crash: markers, missing sub-test, ended early', async (t) => {
  const cut = LIVE_LINES.slice(0, 15);
  const text = [
    ...cut,
    '[  123.456789] Unable to handle kernel paging request at virtual address dead',
    '[  123.456800] Internal error: Oops: 96000004 [#1] PREEMPT SMP',
    '[  123.456900] Call trace:',
    '[  123.457000] Kernel panic - not syncing: Oops: Fatal exception',
  ].join('\n');
  const r = only(parseLog(text));
  t.equal(r.endedEarly, true);
  const last = r.subtests[r.subtests.length - 1];
  t.equal(last?.verdict, 'missing', 'the [RUN] that was running');
  t.equal(last?.interleaved.length, 4, 'the oops is attached to that sub-test');
  const kinds = r.crashes.map((c) => c.kind);
  for (const k of ['unable-to-handle', 'oops', 'call-trace', 'panic', 'ended-before-plan']) {
    t.ok(kinds.includes(k as (typeof kinds)[number]), k);
  }
  t.equal(r.crashes[0]?.duringSubtest, last?.ordinal);
});

t.test('kernel messages interleaved between lines never change a result', async (t) => {
  const noisy: string[] = [];
  for (const l of LIVE_LINES) {
    noisy.push(
      l,
      '[   12.345678] BUG: sleeping function called from invalid context',
      'random console text',
    );
  }
  const r = only(parseLog(noisy.join('\n')));
  t.same(verdicts(r), verdicts(BASE));
  t.same(ids(r), ids(BASE));
  t.ok(r.crashes.length > 0, 'but the BUG lines are reported');
});

t.test('a kernel message glued inside a result line', async (t) => {
  const lines = [...LIVE_LINES];
  const i = lines.findIndex((l) => l.startsWith('ok 1 '));
  lines[i] = `${lines[i]}[   45.123456] BUG: kernel NULL pointer dereference, address: 0`;
  const r = only(parseLog(lines.join('\n')));
  t.equal(r.subtests[0]?.verdict, 'skip');
  t.equal(r.subtests[0]?.resultText, LIVE_LINES[i]);
  t.ok(r.crashes.some((c) => c.kind === 'bug' && c.line === i + 1));
});

t.test('several gup_longterm runs in one log are each returned', async (t) => {
  const log = parseLog([LIVE, MAIL, LIVE].join(''));
  t.equal(log.runs.length, 3);
  t.same(
    log.runs.map((r) => r.subtests.length),
    [50, 50, 50],
  );
  t.same(
    log.runs.map((r) => r.index),
    [0, 1, 2],
  );
  t.equal(log.runs[1]?.program, 'pin_longterm');
  t.equal(log.runs[2]?.startLine, LIVE_LINES.length * 2 + 2 + 1);
});

t.test('two bare runs back to back without [INFO] lines (no hugetlb)', async (t) => {
  const run = [
    'TAP version 13',
    '1..24',
    ...Array.from({ length: 24 }, (_, i) => `ok ${i + 1} # SKIP gup_test not available`),
    '# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:24 error:0',
  ];
  const log = parseLog([...run, ...run].join('\n'));
  t.equal(log.runs.length, 2);
  t.equal(log.runs[0]?.subtests[23]?.id, 'ro/gup-fast/private/local-tmpfile', 'H = 0 is known');
});

t.test(
  'excerpt without [RUN] lines: ids from the plan position when sizes are known',
  async (t) => {
    const noRun = LIVE_LINES.filter((l) => !l.startsWith('# [RUN]'));
    const r = only(parseLog(noRun.join('\n')));
    t.same(ids(r), ids(BASE));
    t.ok(r.subtests.every((s) => s.idSource === 'plan-position'));
    const noSizes = noRun.filter((l) => !l.startsWith('# [INFO]') && !l.startsWith('TAP'));
    const r2 = only(parseLog(noSizes.join('\n')));
    t.equal(r2.subtests.length, 50);
    t.ok(
      r2.subtests.every((s) => s.id === null),
      'sizes unknown: no guessing',
    );
  },
);

t.test('v6.16+ result names identify sub-tests even without [RUN] lines', async (t) => {
  const name = NAME('ro/gup/private/tmpfile');
  const r = only(parseLog(`not ok 37 ${name}\n`));
  t.match(r.subtests[0], {
    id: 'ro/gup/private/tmpfile',
    idSource: 'result-name',
    verdict: 'fail',
  });
});

t.test(
  'infrastructure: command not found, lone exit=127, loader error without wrapper',
  async (t) => {
    const a = only(parseLog('sh: ./gup_longterm: not found\n'));
    t.equal(a.infrastructure[0]?.kind, 'command-not-found');
    t.equal(a.program, 'gup_longterm');
    const b = only(parseLog('# not ok 14 gup_longterm # exit=127\n'));
    t.equal(b.wrapper.exitCode, 127);
    t.equal(b.subtests.length, 0);
    t.ok(b.infrastructure.some((i) => i.kind === 'exit-127'));
    const c = only(
      parseLog(
        './gup_longterm: error while loading shared libraries: liburing.so.1: cannot open\n',
      ),
    );
    t.equal(c.infrastructure[0]?.kind, 'loader-error');
  },
);

t.test('a segfaulting binary under run_vmtests', async (t) => {
  const text = [
    '# running ./gup_longterm',
    ...prefix('# ', LIVE_LINES.slice(0, 9)),
    '# ./run_vmtests.sh: line 90: 1234 Segmentation fault      "$@"',
    '# [FAIL]',
    'not ok 4 gup_longterm # exit=139',
  ].join('\n');
  const r = only(parseLog(text));
  t.ok(r.crashes.some((c) => c.kind === 'segfault'));
  t.equal(r.wrapper.exitCode, 139);
  t.equal(r.endedEarly, true);
});

t.test('cow’s [RUN] lines make a run of cow, not of gup_longterm; unknown [RUN] lines no run', async (t) => {
  const cow = [
    '# # [INFO] detected hugetlb page size: 2048 KiB',
    '# TAP version 13',
    '# 1..2',
    '# # [RUN] Basic COW after fork() ... with base page',
    '# ok 1 No leak from parent into child',
    '# # [RUN] Basic COW after fork() ... with THP',
    '# ok 2 No leak from parent into child',
  ];
  const log = parseLog(cow.join('\n'));
  t.equal(log.runs.length, 1);
  t.equal(log.runs[0]?.test, 'cow');
  t.same(
    log.runs[0]?.subtests.map((s) => s.id),
    ['cow/basic-after-fork/base-page', 'cow/basic-after-fork/thp-2048kB'],
    'a THP row without a size (before v6.8) is the PMD size',
  );
  const named = parseLog(['# selftests: mm: cow', ...cow, 'ok 1 selftests: mm: cow'].join('\n'));
  t.equal(named.runs[0]?.test, 'cow');
  t.equal(named.runs[0]?.program, 'cow');
  t.equal(named.runs[0]?.evidence, 'wrapper');
  // [RUN] lines no selftest's scheme maps are another program's.
  const other = cow.map((l) => l.replace('Basic COW after fork()', 'KSM unmerge'));
  const foreign = parseLog(other.join('\n'));
  t.equal(foreign.runs.length, 0);
  t.equal(foreign.otherPrograms.length, 1);
});

t.test('kselftest directives: XFAIL, XPASS, error, TODO, lower-case skip', async (t) => {
  const text = [
    'TAP version 13',
    '1..6',
    'ok 1 # XFAIL known bug',
    'ok 2 # XPASS surprise',
    'not ok 3 # error ioctl failed',
    'not ok 4 thing # TODO later',
    'ok 5 # skip lower case',
    'not ok 6 Should have failed',
    'Bail out! 2 out of 6 tests failed',
  ].join('\n');
  const r = only(parseLog(text));
  t.same(verdicts(r), ['xfail', 'xpass', 'error', 'xfail', 'skip', 'fail']);
  t.equal(r.subtests[0]?.reason, 'known bug');
  t.equal(r.worst, 'fail');
});

t.test('v6.14+ counter block: skipped notice, Planned != run, Totals', async (t) => {
  const text = [
    ...LIVE_LINES.slice(0, -1),
    '# 44 skipped test(s) detected. Consider enabling relevant config options to improve coverage.',
    LIVE_LINES[LIVE_LINES.length - 1],
  ].join('\n');
  const r = only(parseLog(text));
  t.match(r.skippedNotice, { count: 44 });
  t.ok(r.eras.some((e) => e.era === 'kselftest-v6.14+'));
});

t.test('unexpected result numbers are reported as data', async (t) => {
  const r = only(
    parseLog(
      ['TAP version 13', '1..3', 'ok 1 Should have worked', 'ok 3 Should have worked'].join('\n'),
    ),
  );
  t.ok(
    r.issues.some(
      (i) => i.code === 'unexpected-number' && i.message.includes('Expected test number 2'),
    ),
  );
  t.equal(r.endedEarly, true);
});

t.test('empty input, whitespace, and binary garbage give no runs and no throw', async (t) => {
  for (const text of ['', '\n\n\n', '\u0000\u0001\uFFFD\r\r\n', 'Bail out!', '####', '# # # #']) {
    const log = parseLog(text);
    t.type(log.runs, Array);
  }
  t.same(parseLog('').runs, []);
});

t.test('a lone CR inside a line separates logical lines', async (t) => {
  const text = LIVE_LINES.join('\r');
  const r = only(parseLog(text));
  t.same(verdicts(r), verdicts(BASE));
});

t.test('an overlong line is cut and reported, not parsed in full', async (t) => {
  const log = parseLog('x'.repeat(MAX_LINE_CHARS * 3) + '\n' + LIVE);
  t.equal(log.errors[0]?.code, 'overlong-line');
  t.equal(log.runs[0]?.subtests.length, 50);
});

t.test('LineSplitter keeps memory bounded on a line with no newline', async (t) => {
  const s = new LineSplitter();
  for (let i = 0; i < 100; i++) t.same(s.push('y'.repeat(10_000)), []);
  const [last] = s.end();
  t.equal(last?.length, MAX_LINE_CHARS + 1);
  t.same(s.push('a\nb\n'), ['a', 'b']);
});

t.test('parseStream: any chunking gives the same result as parseLog', async (t) => {
  const text = read('public/004-kitayama-arm64-fvp-9p-run_vmtests-ftruncate-failed.log');
  const expected = parseLog(text);
  const bytes = Buffer.from(text.replace(/\n/g, '\r\n') + 'ünïcödé tail');
  const expectedCrlf = parseLog(bytes.toString('utf8'));
  for (const size of [1, 3, 7, 64, 4096]) {
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    }
    t.same(await parseStream(chunks()), expectedCrlf, `chunks of ${size}`);
  }
  t.same(parseLines(text.split('\n').slice(0, -1)), expected, 'parseLines on an array');
});

t.test('parseLines turns a throwing iterable into an error value', async (t) => {
  function* bad(): Generator<string> {
    yield 'TAP version 13';
    throw new Error('disk on fire');
  }
  const log = parseLines(bad());
  t.equal(log.errors[0]?.code, 'read-error');
  t.equal(log.errors[0]?.message, 'disk on fire');
});
