// Issue 17, part 1: a run's verdict from all of its evidence. The repro logs (test/fixtures/repro,
// copied unchanged from the shared repro set) and variants of each — other orders, prefixes,
// `# ` depths, CR overwrites, runners and eras — never pass as clean.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnvironment } from '../cases/env.js';
import { diffLog, diffRun, needsHuman, type RunDiff } from '../reports/diff/index.js';
import { cli, diffJsonRuns, FIXTURES } from './helpers.js';

const REPRO = join(FIXTURES, '../repro');
const repro = (f: string): string => join(REPRO, f);
const read = (path: string): string => readFileSync(path, 'utf8');
const LIVE618 = join(FIXTURES, 'live/6.18-host-ext4-default');
const ENV618 = (() => {
  const r = parseEnvironment(read(`${LIVE618}.env.json`));
  if (!r.ok) throw new Error(r.error);
  return r.env;
})();
const VMTESTS = join(FIXTURES, 'live/6.18-host-ext4-run_vmtests-gup_test');
const KSFT = join(FIXTURES, 'live/6.18-host-st7.2-ext4-kselftest-ksft_gup_test');

/** The only run of a log, diffed with the environment inferred (or given). */
function only(text: string, env = false): RunDiff {
  const report = diffLog(text, 'x', env ? { env: ENV618 } : {});
  if (report.runs.length !== 1) throw new Error(`${report.runs.length} runs`);
  return report.runs[0]!;
}

const DUP = read(repro('dup-result-ignored.log'));
/** The repro without its `not ok 41`: the clean log it was made from. */
const CLEAN = DUP.replace('not ok 41 Should have worked\n', '');
const LINES = CLEAN.split('\n');
const at = (l: string): number => {
  const i = LINES.indexOf(l);
  if (i < 0) throw new Error(`no line ${l}`);
  return i;
};
const OK41 = at('ok 41 Should have worked');
const with_ = (i: number, ...lines: string[]): string =>
  [...LINES.slice(0, i), ...lines, ...LINES.slice(i)].join('\n');
/** The kselftest runner around a bare log. */
const underRunner = (text: string): string =>
  [
    'TAP version 13',
    '1..1',
    '# timeout set to 180',
    '# selftests: mm: gup_longterm',
    ...text
      .trimEnd()
      .split('\n')
      .map((l) => `# ${l}`),
    'ok 1 selftests: mm: gup_longterm',
    '',
  ].join('\n');

t.test('dup-result-ignored: a later `not ok 41` is a conflict, exit 1', async (t) => {
  const r = await cli(['diff', repro('dup-result-ignored.log')]);
  t.equal(r.code, 1);
  t.match(r.stdout, /: run 1 \(lines 1–106\): CONFLICT\n/);
  t.match(r.stdout, /# 41 {2}iouring\/shared\/memfd +FAIL \(model PASS\) +conflict\n/);
  t.match(
    r.stdout,
    /conflicting results for one sub-test \(line 86: "ok 41 Should have worked", line 87: "not ok 41 Should have worked"\); the model predicts PASS/,
  );
  const j = { runs: diffJsonRuns((await cli(['diff', '--json', repro('dup-result-ignored.log')])).stdout) } as unknown as {
    runs: {
      triage: string;
      subtests: { id: string; class: string; results?: { verdict: string; line: number }[] }[];
    }[];
  };
  const s = j.runs[0]!.subtests.find((x) => x.id === 'iouring/shared/memfd')!;
  t.equal(s.class, 'conflict');
  t.same(s.results, [
    { verdict: 'pass', line: 86, text: 'ok 41 Should have worked' },
    { verdict: 'fail', line: 87, text: 'not ok 41 Should have worked' },
  ]);
  const tap = await cli(['diff', '--tap', repro('dup-result-ignored.log')]);
  t.match(
    tap.stdout,
    /\nnot ok 41 - .* iouring\/shared\/memfd\n# observed=fail predicted=pass class=conflict results=2\n/,
  );
  t.equal(only(CLEAN).triage, 'match', 'the log without the repeat is a match');
});

t.test(
  'dup-result-ignored variants: every result line counts, whatever its order, prefix, depth or CR',
  async (t) => {
    const ts = (text: string): string =>
      text
        .split('\n')
        .map((l, i) => (l ? `[${String(10 + i).padStart(5)}.123456] ${l}` : l))
        .join('\n');
    const wrappedLines = CLEAN.trimEnd().split('\n');
    const j = wrappedLines.indexOf('ok 41 Should have worked');
    const wrapped = (extra: string, k: number): string =>
      [
        'TAP version 13',
        '1..1',
        '# selftests: mm: gup_longterm',
        ...wrappedLines.slice(0, k).map((l) => `# ${l}`),
        extra,
        ...wrappedLines.slice(k).map((l) => `# ${l}`),
        'ok 1 selftests: mm: gup_longterm',
      ].join('\n');
    const variants: [string, string][] = [
      ['not ok before ok', with_(OK41, 'not ok 41 Should have worked')],
      ['not ok before its [RUN] line', with_(OK41 - 1, 'not ok 41 Should have worked')],
      ['not ok after the Totals', `${CLEAN}not ok 41 Should have worked\n`],
      [
        'a CR overwrite',
        CLEAN.replace(
          'ok 41 Should have worked\n',
          'ok 41 Should have worked\rnot ok 41 Should have worked\n',
        ),
      ],
      ['one level deeper', with_(OK41 + 1, '# not ok 41 Should have worked')],
      ['two levels deeper, earlier', with_(OK41 - 3, '# # not ok 41 Should have worked')],
      ['console timestamps on every line', ts(DUP)],
      ['under the kselftest runner', underRunner(DUP)],
      ['shallower than its run, before it', wrapped('not ok 41 Should have worked', j - 2)],
      ['shallower than its run, after it', wrapped('not ok 41 Should have worked', j + 1)],
      [
        'ok vs SKIP',
        with_(at('ok 4 # SKIP need more free huge pages') + 1, 'ok 4 Should have worked'),
      ],
      ['the same result twice', with_(OK41 + 1, 'ok 41 Should have worked')],
    ];
    for (const [what, text] of variants) {
      for (const env of [false, true]) {
        const d = only(text, env);
        t.equal(d.triage, 'conflict', `${what}${env ? ' (--env)' : ''}: ${d.summary}`);
        t.ok(
          d.subtests.some((s) => s.class === 'conflict' && (s.results?.length ?? 0) >= 2),
          `${what}: the sub-test lists its results`,
        );
      }
    }
    // `not ok 4 # SKIP`: a skip in KTAP, but not what kselftest (and the model) print.
    const notOkSkip = only(
      CLEAN.replace(
        'ok 4 # SKIP need more free huge pages',
        'not ok 4 # SKIP need more free huge pages',
      ),
    );
    t.equal(notOkSkip.triage, 'unexplained');
    t.match(
      notOkSkip.summary,
      /"not ok 4 # SKIP need more free huge pages": SKIP as not ok, where kselftest \(and the model\) print ok/,
    );
  },
);

t.test(
  'run_vmtests-FAIL-ignored: the runner’s [FAIL] and `not ok 4 gup_longterm` belong to the run',
  async (t) => {
    const r = await cli(['diff', '--json', repro('run_vmtests-FAIL-ignored.log')]);
    t.equal(r.code, 1);
    const run = (
      ({ runs: diffJsonRuns(r.stdout) }) as unknown as {
        runs: (RunDiff & {
          evidence: { kind: string; class: string; observed: string; predicted: string | null }[];
        })[];
      }
    ).runs[0]!;
    t.equal(run.triage, 'unexplained');
    t.match(
      run.summary,
      /^the runner's verdict: the runner reports "not ok gup_longterm", but the model predicts exit 0 \("ok gup_longterm"\)/,
    );
    t.ok(
      run.subtests.every((s) => s.class === 'match'),
      'every inner line matches',
    );
    const by = (kind: string): { class: string; observed: string; predicted: string | null }[] =>
      run.evidence.filter((e) => e.kind === kind);
    t.match(by('runner-verdict'), [
      { class: 'unexplained', observed: 'not ok gup_longterm', predicted: 'ok gup_longterm' },
    ]);
    t.match(by('runner-status'), [
      { class: 'unexplained', observed: '[FAIL]', predicted: '[PASS]' },
    ]);
    t.match(
      by('runner-summary'),
      [{ class: 'match', observed: 'SUMMARY: PASS=3 SKIP=0 FAIL=1' }],
      'SUMMARY counts the statuses shown',
    );
    t.equal(by('sibling').length, 3, 'gup_test -u, -a and -ct are reported too');
    t.ok(by('sibling').every((e) => e.class === 'match'));
    const text = await cli(['diff', repro('run_vmtests-FAIL-ignored.log')]);
    t.match(
      text.stdout,
      /\n {4}runner-verdict +"not ok gup_longterm" \(the model: "ok gup_longterm"\) {2}unexplained\n/,
    );
  },
);

t.test('runner variants: each runner line, of every era, is compared', async (t) => {
  const vm = read(`${VMTESTS}.log`);
  const ksft = read(`${KSFT}.log`);
  t.equal(only(vm).triage, 'match', 'the clean run_vmtests.sh log');
  t.equal(only(ksft).triage, 'test-bug', 'the clean ksft_gup_test.sh log (its known test bug)');
  const variants: [string, string][] = [
    [
      '[PASS] → [FAIL] only',
      vm.replace(/# \[PASS\]\nok 4 gup_longterm/, '# [FAIL]\nok 4 gup_longterm'),
    ],
    [
      '`ok 4` → `not ok 4 … # exit=1` only',
      vm.replace('\nok 4 gup_longterm', '\nnot ok 4 gup_longterm # exit=1'),
    ],
    ['SUMMARY alone', vm.replace('SUMMARY: PASS=4 SKIP=0 FAIL=0', 'SUMMARY: PASS=3 SKIP=0 FAIL=1')],
    [
      'a sibling’s [FAIL]',
      vm.replace(/# \[PASS\]\nok 1 gup_test -u/, '# [FAIL]\nnot ok 1 gup_test -u # exit=1'),
    ],
    [
      'a sibling’s own `not ok`',
      vm.replace('# ok 1 # SKIP Please run this test as root', '# not ok 1 ioctl status 1'),
    ],
    [
      '7.x: the runner’s verdict on ksft_gup_test.sh',
      ksft.replace(
        'ok 1 selftests: mm: ksft_gup_test.sh',
        'not ok 1 selftests: mm: ksft_gup_test.sh # exit=1',
      ),
    ],
    [
      '7.x: the runner’s Totals',
      ksft.replace(/# Totals: pass:1 fail:0(.*)\n$/, '# Totals: pass:0 fail:1$1\n'),
    ],
    [
      '7.x: a 7.x sibling',
      ksft.replace(
        /# # \[PASS\]\n# ok 2 gup_test -u -n -1/,
        '# # [FAIL]\n# not ok 2 gup_test -u -n -1 # exit=1',
      ),
    ],
    [
      'the kselftest runner’s exit code',
      underRunner(CLEAN).replace(
        'ok 1 selftests: mm: gup_longterm',
        'not ok 1 selftests: mm: gup_longterm # exit=1',
      ),
    ],
    [
      'the kselftest runner’s SKIP',
      underRunner(CLEAN).replace(
        'ok 1 selftests: mm: gup_longterm',
        'ok 1 selftests: mm: gup_longterm # SKIP',
      ),
    ],
  ];
  for (const [what, text] of variants) {
    t.not(
      text,
      what.startsWith('7.x') ? ksft : what.includes('kselftest') ? underRunner(CLEAN) : vm,
      `${what}: the edit applies`,
    );
    for (const env of [false, true]) {
      const d = diffLog(text, 'x', env ? { env: ENV618 } : {});
      t.ok(
        needsHuman(d),
        `${what}${env ? ' (--env)' : ''}: ${d.runs.map((r) => `${r.triage}: ${r.summary}`).join('; ')}`,
      );
    }
  }
  // The pre-TAP 6.x runner: no TAP lines, only [FAIL] and SUMMARY.
  const preTap = [
    '----------------------',
    'running ./gup_longterm',
    '----------------------',
    ...CLEAN.trimEnd().split('\n'),
    '[FAIL]',
    'SUMMARY: PASS=0 SKIP=0 FAIL=1',
  ].join('\n');
  const p = only(preTap);
  t.equal(p.triage, 'unexplained', `pre-TAP [FAIL]: ${p.summary}`);
  t.equal(
    only(preTap.replace('[FAIL]', '[PASS]').replace('PASS=0 SKIP=0 FAIL=1', 'PASS=1 SKIP=0 FAIL=0'))
      .triage,
    'match',
    'pre-TAP [PASS] is clean',
  );
});

t.test(
  'hugetlb-skip-turned-fail-with-env: a failure the model does not predict needs a human',
  async (t) => {
    const log = repro('hugetlb-skip-turned-fail-with-env.log');
    const given = await cli(['diff', '--env', `${LIVE618}.env.json`, log]);
    t.equal(given.code, 1);
    t.match(given.stdout, /: run 1 \(lines 1–105\): UNEXPLAINED\n/);
    t.match(
      given.stdout,
      /# {2}4 {2}rw\/gup\/shared\/memfd-hugetlb-2048kB +FAIL \(model SKIP\) +unexplained\n +the log fails it \("failed"\) where with the environment given \(--env\), the model skips it \("need more free huge pages"\): no modelled cause predicts this failure/,
    );
    t.notMatch(given.stdout, /environment\n/);
    const inferred = await cli(['diff', log]);
    t.equal(inferred.code, 1, 'no inferred environment predicts the failure either');
    t.match(inferred.stdout, /FAIL \(model SKIP\) +unexplained/);
    // With --env a skip the given machine does not explain is not the machine's to explain.
    const skipped = CLEAN.replace(
      'ok 41 Should have worked',
      'ok 41 # SKIP io_uring_register_buffers() failed',
    );
    t.equal(only(skipped, true).triage, 'unexplained', '--env: an unpredicted SKIP needs a human');
  },
);

t.test('bail-after-results: the log’s own summary lines are part of the run', async (t) => {
  const r = await cli(['diff', repro('bail-after-results.log')]);
  t.equal(r.code, 1);
  t.match(
    r.stdout,
    /: run 1 \(lines 1–106\): UNEXPLAINED\n {2}the test bailed out: the test gave up \("Bail out! something failed"\), which the model does not predict/,
  );
  t.match(
    r.stdout,
    /\n {4}totals +"Totals: pass:5 fail:1 xfail:0 xpass:0 skip:44 error:0" \(the model: "Totals: pass:6 fail:0 xfail:0 xpass:0 skip:44 error:0"\) {2}unexplained\n/,
  );
  const lines = CLEAN.trimEnd().split('\n');
  const totals = lines.length - 1;
  const variants: [string, string][] = [
    ['a Bail out! alone, after the Totals', `${CLEAN}Bail out! something failed\n`],
    ['a Bail out! before the Totals', with_(totals, 'Bail out! 1 out of 50 tests failed')],
    [
      'a Totals with a failure alone',
      `${CLEAN}# Totals: pass:5 fail:1 xfail:0 xpass:0 skip:44 error:0\n`,
    ],
    ['a Bail out! under the kselftest runner', underRunner(`${CLEAN}Bail out! something failed\n`)],
    ['a Bail out! with a console timestamp', `${CLEAN}[   99.000001] Bail out! something failed\n`],
  ];
  for (const [what, text] of variants) {
    for (const env of [false, true])
      t.ok(
        needsHuman(diffLog(text, 'x', env ? { env: ENV618 } : {})),
        `${what}${env ? ' (--env)' : ''}`,
      );
  }
  // 6.1's predicted failures print one bail-out; a second one is no longer predicted.
  const six1 = read(join(FIXTURES, 'live/6.1.0-50-qemu-ext4-default.log'));
  t.equal(only(six1).triage, 'expected-failure');
  t.equal(
    only(six1.replace(/(Bail out! .*\n)/, '$1$1')).triage,
    'unexplained',
    'a repeated Bail out!',
  );
});

t.test(
  'runner-only-exit128/139: the runner’s exit code with no output is never a match',
  async (t) => {
    for (const [file, triage] of [
      ['runner-only-exit128.log', 'INFRASTRUCTURE'],
      ['runner-only-exit139.log', 'CRASH'],
    ] as const) {
      const r = await cli(['diff', repro(file)]);
      t.equal(r.code, 1, file);
      t.match(r.stdout, new RegExp(`: run 1 \\(lines 1–2\\): ${triage}\\n`));
    }
    for (const text of [
      '# ----------------------\n# running ./gup_longterm\n# ----------------------\n# [FAIL]\nnot ok 4 gup_longterm # exit=139\n',
      '----------------------\nrunning ./gup_longterm\n----------------------\n[FAIL]\nSUMMARY: PASS=3 SKIP=0 FAIL=1\n',
      'TAP version 13\n1..1\n# timeout set to 180\n# selftests: mm: gup_longterm\nnot ok 1 selftests: mm: gup_longterm # exit=128\n',
      '# selftests: mm: gup_longterm\n#\nnot ok 1 selftests: mm: gup_longterm # TIMEOUT 180 seconds\n',
    ]) {
      t.ok(needsHuman(diffLog(text, 'x')), text.split('\n').slice(-2).join(' '));
    }
  },
);

t.test(
  'a kernel message glued into a [RUN] line: the run, its sub-test and its crash',
  async (t) => {
    const first = at('# [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... with memfd');
    const oops = [
      '# [RUN] R/W longterm GUP pin in MA[   12.345678] BUG: unable to handle page fault for address: 0000000000001234',
      '[   12.345700] #PF: supervisor read access in kernel mode',
      '[   12.345800] Oops: 0000 [#1] PREEMPT SMP NOPTI',
    ];
    const third = at(
      '# [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... with local tmpfile',
    );
    for (const [what, text, id] of [
      [
        'at the first sub-test',
        [...LINES.slice(0, first), ...oops].join('\n'),
        'rw/gup/shared/memfd',
      ],
      [
        'at the third, under the runner',
        underRunner([...LINES.slice(0, third), ...oops].join('\n')).replace(
          'ok 1 selftests: mm: gup_longterm',
          'not ok 1 selftests: mm: gup_longterm # exit=137',
        ),
        'rw/gup/shared/local-tmpfile',
      ],
    ] as const) {
      const report = diffLog(text, 'x');
      t.equal(report.runs.length, 1, `${what}: the run is found`);
      const d = report.runs[0]!;
      t.equal(d.triage, 'crash', what);
      t.match(d.summary, /^crashed: line \d+: BUG: unable to handle page fault/);
      const s = d.subtests.find((x) => x.id === id);
      t.match(s, { observed: 'missing', class: 'crash' }, `${what}: the sub-test is ${id}`);
      t.match(
        s?.explanation,
        /^the run crashed while it ran \(line \d+: BUG: unable to handle page fault/,
      );
    }
  },
);

t.test('record: exit 1 when a run needs a human, as diff', async (t) => {
  const db = join(t.testdir(), 'h.db');
  t.equal(
    (await cli(['record', '--db', db, '--env', `${LIVE618}.env.json`, `${LIVE618}.log`])).code,
    0,
    'a clean log',
  );
  const bad = await cli(['record', '--db', db, repro('dup-result-ignored.log')]);
  t.equal(bad.code, 1, 'a conflicting log');
  t.match(bad.stdout, /conflict: 1 sub-test\(s\) with more than one result/);
  t.equal(
    (await cli(['record', '--db', db, repro('dup-result-ignored.log')])).code,
    1,
    'already recorded: its stored triage',
  );
});

t.test(
  'a reused diff is the one its run would get alone (runner verdicts in a many-run log)',
  async (t) => {
    const body = CLEAN.trimEnd()
      .split('\n')
      .map((l) => `# ${l}`);
    const verdicts = [
      'ok 1 selftests: mm: gup_longterm',
      'not ok 2 selftests: mm: gup_longterm # exit=1',
      'ok 3 selftests: mm: gup_longterm',
    ];
    const text = [
      'TAP version 13',
      '1..3',
      ...verdicts.flatMap((v) => ['# selftests: mm: gup_longterm', ...body, v]),
      '',
    ].join('\n');
    const report = diffLog(text, 'x');
    t.same(
      report.runs.map((r) => r.triage),
      ['match', 'unexplained', 'match'],
    );
    for (const r of report.runs) {
      const alone = diffRun(r.parsed, r.index);
      t.same(
        [r.triage, r.summary, r.evidence],
        [alone.triage, alone.summary, alone.evidence],
        `run ${r.index + 1}`,
      );
    }
    t.match(
      report.runs[1]!.evidence.find((e) => e.kind === 'runner-verdict'),
      { observed: 'not ok selftests: mm: gup_longterm # exit=1', class: 'unexplained' },
    );
  },
);

t.test('the runners’ summaries of other programs’ failures are not gup_longterm’s', async (t) => {
  // A whole mm run: a program after gup_longterm fails, so do SUMMARY, run_vmtests.sh and the
  // runner's counters; gup_longterm's own lines are clean. The stream goes on to its SUMMARY
  // (it may hold more selftests: `-t "gup_test cow"`), which counts every program's status.
  const vm = read(`${VMTESTS}.log`).trimEnd().split('\n');
  const after = vm.indexOf('ok 4 gup_longterm') + 1;
  const uffd = [
    '# ---------------------------',
    '# running ./uffd-unit-tests',
    '# ---------------------------',
    '# TAP version 13',
    '# 1..1',
    '# not ok 1 something',
    '# [FAIL]',
    'not ok 5 uffd-unit-tests # exit=1',
  ];
  const whole = [...vm.slice(0, after), ...uffd, ...vm.slice(after)].map((l) =>
    l
      .replace('SUMMARY: PASS=4 SKIP=0 FAIL=0', 'SUMMARY: PASS=4 SKIP=0 FAIL=1')
      .replace(/^1\.\.4$/, '1..5'),
  );
  const container = [
    'TAP version 13',
    '1..1',
    '# timeout set to 180',
    '# selftests: mm: run_vmtests.sh',
    ...whole.map((l) => `# ${l}`),
    'not ok 1 selftests: mm: run_vmtests.sh # exit=1',
    '# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0',
    '',
  ].join('\n');
  const d = only(container);
  t.equal(d.triage, 'match', d.summary);
  t.match(
    d.evidence.find((e) => e.kind === 'container-verdict'),
    { class: 'match', explanation: /run_vmtests\.sh exits 1 after the statuses the log shows/ },
    'run_vmtests.sh’s exit is judged from its whole stream: the later program failed',
  );
  t.match(d.evidence.find((e) => e.kind === 'runner-summary'), { class: 'match' }, 'SUMMARY counts every program');
  t.match(
    d.evidence.find((e) => e.kind === 'runner-totals'),
    { class: 'match' },
    'the runner counts its one verdict',
  );
  // The kselftest runner ran three tests; its Totals count them all.
  const body = CLEAN.trimEnd()
    .split('\n')
    .map((l) => `# ${l}`);
  const three = [
    'TAP version 13',
    '1..3',
    '# selftests: mm: gup_longterm',
    ...body,
    'ok 1 selftests: mm: gup_longterm',
    '# selftests: mm: cow',
    '# not ok 1 x',
    'not ok 2 selftests: mm: cow # exit=1',
    '# selftests: mm: ksm_tests',
    'ok 3 selftests: mm: ksm_tests',
    '# Totals: pass:2 fail:1 xfail:0 xpass:0 skip:0 error:0',
    '',
  ].join('\n');
  const runs = diffLog(three, 'x').runs;
  t.same(runs.map((r) => r.test), ['gup_longterm', 'cow'], 'cow’s run is read as cow’s');
  t.equal(runs[0]!.triage, 'match');
});
