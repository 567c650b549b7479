/**
 * cow's read side (cases/selftests/cow/*: vocabulary, identify, inference, defects) through the
 * generic reports/: every cow log with an environment file diffs clean with it given and
 * inferred; CI logs holding gup_longterm and cow are read run by run, each with its test, and
 * recorded; ids are the same in the 6.12 tree's wording and the 7.2 tree's; the verdict
 * evidence (runner verdicts, Totals, Bail out!) works for cow as for gup_longterm; history,
 * compare and the exports per test.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseEnvironment, type Environment } from '../cases/env.js';
import { diffLog, needsHuman, NEEDS_HUMAN, type RunDiff } from '../reports/diff/index.js';
import { parseLog } from '../reports/parse/index.js';
import { cli, FIXTURES } from './helpers.js';

const DIR = join(FIXTURES, 'cow');
const read = (name: string): string => readFileSync(join(DIR, `${name}.log`), 'utf8');
const envOf = (name: string): Environment => {
  const r = parseEnvironment(readFileSync(join(DIR, `${name}.env.json`), 'utf8'));
  if (!r.ok) throw new Error(r.error);
  return r.env;
};
const withEnv = readdirSync(DIR)
  .filter((f) => f.endsWith('.env.json'))
  .map((f) => f.replace(/\.env\.json$/, ''))
  .sort();

const explained = (d: RunDiff): string => `${d.test} run ${d.index + 1}: ${d.triage}: ${d.summary}`;

/**
 * Logs gupsim does not read as their program printed them yet: the reconstructed 6.5-era run
 * whose fork()ed children each exit() with a copy of the parent's unflushed stdout buffer (23
 * "TAP version 13" lines, 1206 result lines for a 173-test plan, copies cut mid-line). The
 * parser has no notion of replayed output: it must at least not call the log explained.
 */
const REPLAYED_STDOUT = new Set(['6.18-host-recon6.5-cow-root-default']);

for (const name of withEnv.filter((n) => REPLAYED_STDOUT.has(n))) {
  t.test(`${name}: replayed stdout (not read as printed yet) needs a human`, async (t) => {
    const report = diffLog(read(name), name, { env: envOf(name) });
    t.ok(report.runs.length > 1, 'each replayed header opens a run');
    t.ok(needsHuman(report), report.runs.map(explained).slice(0, 2).join('; '));
  });
}

for (const name of withEnv.filter((n) => !REPLAYED_STDOUT.has(n))) {
  t.test(`${name}: clean with its environment given and inferred`, async (t) => {
    const log = read(name);
    for (const [how, opts] of [
      ['given', { env: envOf(name) }],
      ['inferred', {}],
    ] as const) {
      const report = diffLog(log, name, opts);
      t.ok(report.runs.length > 0, `${how}: runs read`);
      t.ok(
        report.runs.some((r) => r.test === 'cow'),
        `${how}: a cow run`,
      );
      for (const r of report.runs) t.notOk(NEEDS_HUMAN.has(r.triage), `${how}: ${explained(r)}`);
      const cow = report.runs.find((r) => r.test === 'cow')!;
      t.ok(
        cow.subtests.every((s) => s.id === null || s.id.startsWith('cow/')),
        `${how}: cow's ids`,
      );
      t.ok(cow.selftest.startsWith('cow-'), `${how}: a cow version (${cow.selftest})`);
    }
  });
}

t.test('gupsim diff exits 0 for a cow log, inferred and with --env', async (t) => {
  const name = '6.18-host-st7.2-cow-root-swap';
  const log = join(DIR, `${name}.log`);
  const inferred = await cli(['diff', log]);
  t.equal(inferred.code, 0, inferred.stdout.split('\n')[0] ?? '');
  t.match(inferred.stdout, /selftest cow-7\.2; environment: .*swap=1048572/);
  const given = await cli(['diff', '--env', join(DIR, `${name}.env.json`), log]);
  t.equal(given.code, 0, given.stdout.split('\n')[0] ?? '');
});

t.test('what cow logs say about their machine is read straight off them', async (t) => {
  const facts = (name: string): Record<string, unknown> => {
    const r = diffLog(read(name), name).runs[0]!;
    return Object.fromEntries(Object.entries(r.inferred).map(([k, f]) => [k, f.value]));
  };
  t.match(facts('6.18-host-st7.2-cow-root-default'), {
    swap: 0,
    gupTest: false,
    thp: true,
    root: true,
    liburing: true,
  });
  t.match(facts('6.18-host-st7.2-cow-root-swap'), { swap: 1048572 });
  t.match(facts('6.18-host-st7.2-cow-root-thp-never'), { thpEnabled: 'never' });
  t.match(facts('6.18-host-st6.12-cow-root-zp0'), { useZeroPage: false });
  t.match(facts('6.18-host-st7.2-cow-root-iouring2'), { ioUringDisabled: 2 });
  t.match(facts('6.18-host-st6.12-nouring-cow-root-default'), { liburing: false });
  t.match(facts('6.18-host-st6.12-cow-root-tmp-ramfs'), { tmpFs: 'ramfs' });
  t.match(facts('6.18-host-st6.12-cow-root-hp4'), { hugetlbFree: { 2048: 2 } });
  t.match(facts('7.2.13-guptest-qemu-st7.2-cow-root-hp2M4-hp1G2-swap'), {
    gupTest: true,
    hugetlbSizesKiB: [2048, 1048576],
  });
  const th = parseLog(read('6.18-host-st6.12-cow-root-default')).runs[0]!.facts;
  t.same(th, {
    hugetlbSizesKiB: [2048],
    hugetlbWording: 'hugetlb page size',
    pmdSizeKiB: 2048,
    thpSizesKiB: [16, 32, 64, 128, 256, 512, 1024, 2048],
    hugeZeropage: true,
    infoBeforeHeader: false,
  });
});

t.test(
  'the tree from the wording: 6.12 verdict texts, 7.2 unique names and its hugetlb set-up',
  async (t) => {
    const tree = (name: string): string =>
      diffLog(read(name), name).runs[0]!.inferred.selftest.value as string;
    t.equal(
      tree('6.18-host-st6.12-cow-root-default'),
      '6.12.118',
      'the fixed fill: the 6.12.y of the tree (cow-6.12), not the 6.12 before it (cow-6.10)',
    );
    t.equal(tree('6.18-host-st7.2-cow-root-default'), '7.2');
    t.equal(
      tree('6.18-host-st7.2-kselftest-mm-ksft_cow-root-default'),
      '7.2',
      'ksft_cow.sh: the 7.x collection',
    );
    t.equal(tree('6.18-host-st7.2-cow-root-tmp-ramfs'), '7.2', 'the fallocate SKIP');
    t.equal(
      tree('6.18-host-st6.12-cow-nonroot-default'),
      '6.12.118',
      "thp_settings.c's open(<path>)",
    );
    t.equal(tree('6.18-host-st7.2-cow-nonroot-default'), '7.2', "hugepage_settings.c's Bail out!");
    const old = diffLog(read('6.18-host-recon6.6-cow-root-default'), 'x').runs[0]!;
    t.match(
      old.inferred.selftest.because,
      /INFO\] lines before "TAP version 13"/,
      'an older era is named as such',
    );
  },
);

t.test(
  'ids are stable across cow’s 6.16 renaming: the 6.12 and 7.2 trees of one machine',
  async (t) => {
    const ids = (name: string): string[] =>
      parseLog(read(name))
        .runs[0]!.subtests.map((s) => s.id)
        .filter((x): x is string => x !== null);
    const e1 = ids('6.18-host-st6.12-cow-root-swap-hp4');
    const e2 = ids('6.18-host-st7.2-cow-root-always-swap-hp4');
    t.equal(e1.length, 761);
    t.equal(new Set(e1).size, 761, 'one id per row');
    t.same(e2, e1, 'the same ids in the same order');
    // And compare lines them up: same machine, the same verdicts.
    const c = await cli([
      'compare',
      join(DIR, '6.18-host-st6.12-cow-root-swap-hp4.log'),
      join(DIR, '6.18-host-st7.2-cow-root-always-swap-hp4.log'),
      '--json',
    ]);
    t.equal(c.code, 0);
    const j = JSON.parse(c.stdout) as {
      unchanged: number;
      regressions: unknown[];
      fixes: unknown[];
      newlyMissing: unknown[];
    };
    t.equal(j.unchanged, 761, 'every row unchanged');
  },
);

t.test('mixed CI logs are read run by run, each with its test, and recorded', async (t) => {
  for (const name of [
    '6.18-host-st7.2-vmtests-t-gup_test-cow-root-default',
    '6.18-host-st6.12-vmtests-t-gup_test-cow-root-default',
    '6.18-host-st7.2-kselftest-mm-ksft_gup_test-ksft_cow-root-default',
  ]) {
    const log = parseLog(read(name));
    t.same(
      log.runs.map((r) => r.test),
      ['gup_longterm', 'cow'],
      `${name}: both runs`,
    );
    const [gup, cow] = log.runs;
    t.ok(
      gup!.subtests.every((s) => s.id !== null && !s.id.startsWith('cow/')),
      'gup_longterm ids',
    );
    t.ok(
      cow!.subtests.every((s) => s.id?.startsWith('cow/')),
      'cow ids',
    );
    if (name.includes('vmtests')) {
      t.ok(gup!.wrapper.stream!.siblings.length > 0, "gup_longterm's gup_test siblings");
      t.equal(cow!.wrapper.stream!.siblings.length, 0, 'cow has none');
      t.ok(cow!.wrapper.stream!.summary, 'the SUMMARY after cow belongs to both');
    } else {
      t.same(
        [gup!.wrapper.container?.name, cow!.wrapper.container?.name],
        ['ksft_gup_test.sh', 'ksft_cow.sh'],
      );
    }
    const report = diffLog(read(name), name);
    for (const r of report.runs) {
      t.notOk(NEEDS_HUMAN.has(r.triage), explained(r));
      t.notOk(
        r.evidence.some((e) => e.class !== 'match' && e.class !== 'expected-failure'),
        `${r.test}: every runner line explained`,
      );
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'gupsim-cow-'));
  try {
    const db = join(dir, 'h.db');
    const rec = await cli([
      'record',
      '--db',
      db,
      '--machine',
      'host',
      '--date',
      '2026-01-02',
      '--json',
      join(DIR, '6.18-host-st7.2-vmtests-t-gup_test-cow-root-default.log'),
    ]);
    t.equal(rec.code, 0, rec.stderr);
    const runs = (JSON.parse(rec.stdout) as { runs: { test: string }[] }).runs;
    t.same(
      runs.map((r) => r.test),
      ['gup_longterm', 'cow'],
    );
    const h = JSON.parse(
      (await cli(['history', '--db', db, '--test', 'cow', '--json'])).stdout,
    ) as { runs: { test: string }[]; timelines: { test: string }[] };
    t.same(
      h.runs.map((r) => r.test),
      ['cow'],
      'history --test cow',
    );
    t.ok(h.timelines.length === 761 && h.timelines.every((x) => x.test === 'cow'));
    const cross = await cli(['compare', '--db', db, '1', '2']);
    t.equal(cross.code, 2, 'runs of two tests are not compared');
    t.match(cross.stderr, /a gup_longterm run, .* a cow run/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t.test(
  'triage: XFAIL rows are expected failures with their cause; a non-root stop is the machine’s',
  async (t) => {
    const d = diffLog(read('6.18-host-st7.2-cow-root-default'), 'x').runs[0]!;
    t.equal(d.triage, 'expected-failure');
    const xf = d.subtests.filter((s) => s.observed === 'xfail');
    t.same(
      xf.map((s) => s.id),
      [
        'cow/vmsplice-unmap-child/hugetlb-2048kB',
        'cow/vmsplice-unmap-child-mprotect/hugetlb-2048kB',
        'cow/vmsplice-before-fork-unmap-parent/hugetlb-2048kB',
        'cow/vmsplice-unmap-parent/hugetlb-2048kB',
      ],
    );
    for (const s of xf) t.match(s, { class: 'expected-failure', explanation: /hugetlb_wp\(\)/ });
    const skips = d.subtests.filter((s) => s.observed === 'skip');
    t.ok(
      skips.length > 400 && skips.every((s) => s.class === 'match'),
      'the environment SKIPs as the machine predicts them',
    );
    for (const name of [
      '6.18-host-st7.2-cow-nonroot-default',
      '6.18-host-st6.12-cow-nonroot-default',
    ]) {
      const n = diffLog(read(name), name).runs[0]!;
      t.equal(n.test, 'cow');
      t.equal(n.triage, 'environment', n.summary);
      t.match(n.summary, /stopped before its first sub-test .*no write permission/);
    }
  },
);

t.test(
  'the verdict evidence works for cow: mutations of a clean cow log need a human',
  async (t) => {
    const name = '6.18-host-st7.2-vmtests-t-cow-root-default';
    const log = read(name);
    // Its machine is the bare root-default run's (INDEX.md), run by run_vmtests.sh -t cow.
    const env: Environment = {
      ...envOf('6.18-host-st7.2-cow-root-default'),
      runner: 'run_vmtests',
    };
    const mutations: [string, string][] = [
      [
        'a leak',
        log.replace(
          '# # [RUN] Basic COW after fork() ... with base page\n# ok 1 Basic COW',
          '# # [RUN] Basic COW after fork() ... with base page\n# # Leak from parent into child\n# not ok 1 Basic COW',
        ),
      ],
      [
        'an XFAIL that passed',
        log.replace(
          /# ok (\d+) # XFAIL (vmsplice\(\) \+ unmap in child \.\.\. with hugetlb \(2048 kB\))/,
          '# ok $1 $2',
        ),
      ],
      [
        'a Bail out!',
        log.replace('# # Totals: pass:', '# Bail out! something broke\n# # Totals: pass:'),
      ],
      ['other counters', log.replace('# # Totals: pass:285', '# # Totals: pass:284')],
      ['a failing runner verdict', log.replace('\nok 1 cow\n', '\nnot ok 1 cow # exit=1\n')],
      ['a SUMMARY that does not count', log.replace('# SUMMARY: PASS=1', '# SUMMARY: PASS=2')],
      [
        'a crash mid-run',
        log.slice(0, log.indexOf('# ok 300 ')) +
          '[ 1234.567890] BUG: unable to handle page fault for address: 0000000000001234\n',
      ],
    ];
    t.equal(needsHuman(diffLog(log, name, { env })), false, 'the clean log');
    for (const [what, text] of mutations) {
      t.not(text, log, `${what}: the log changed`);
      const inferred = diffLog(text, name);
      t.ok(needsHuman(inferred), `${what}, inferred: ${inferred.runs[0]!.summary}`);
      t.ok(needsHuman(diffLog(text, name, { env })), `${what}, --env`);
    }
  },
);

t.test('exports name the test: KCIDB kselftest.mm.cow.<id>, JUnit kselftest.mm.cow', async (t) => {
  const log = join(DIR, '6.18-host-st7.2-vmtests-t-gup_test-cow-root-default.log');
  const k = await cli(['diff', '--kcidb', '--origin', 'lab', log]);
  t.equal(k.code, 0, k.stderr);
  const doc = JSON.parse(k.stdout) as {
    tests: { path: string; id: string }[];
    builds: { comment: string }[];
  };
  const paths = doc.tests.map((x) => x.path);
  t.ok(paths.includes('kselftest.mm.gup_longterm'), 'the gup_longterm suite');
  t.ok(paths.includes('kselftest.mm.cow'), 'the cow suite');
  t.ok(
    paths.includes('kselftest.mm.cow.vmsplice-unmap-child.pte-thp-64kB'),
    "cow's rows below it, without cow/",
  );
  t.ok(paths.includes('kselftest.mm.gup_longterm.rw.gup.shared.memfd'));
  t.same(
    doc.builds.map((b) => b.comment.split(':')[0]),
    ['gup_longterm', 'cow'],
  );
  const j = await cli(['diff', '--junit', log]);
  t.match(j.stdout, /<testsuite name="kselftest\.mm\.cow \[run 2\]"/);
  t.match(
    j.stdout,
    /<testcase name="cow\/basic-after-fork\/base-page \[run 2\]" classname="kselftest\.mm\.cow"/,
  );
  t.match(j.stdout, /classname="kselftest\.mm\.gup_longterm"/);
  const all = JSON.parse((await cli(['diff', '--json', '--all-runs', log])).stdout) as {
    runs: { selftest: string; env: Environment }[];
  };
  t.same(
    all.runs.map((r) => [r.selftest, r.env.selftest.name]),
    [
      ['D', 'gup_longterm'],
      ['cow-7.2', 'cow'],
    ],
    '--all-runs --json: each run its test',
  );
  const distinct = JSON.parse((await cli(['diff', '--json', log])).stdout) as {
    results: { selftest: string; env: Environment }[];
    runs: { result: number }[];
  };
  t.same(
    distinct.runs.map((r) => distinct.results[r.result]!.env.selftest.name),
    ['gup_longterm', 'cow'],
    '--json: each distinct result its test',
  );
});

t.test('explain takes a cow id without --test and ends with its scenario', async (t) => {
  const r = await cli(['explain', 'cow/vmsplice-unmap-child/pte-thp-64kB']);
  t.equal(r.code, 0, r.stderr);
  t.match(
    r.stdout,
    /^cow\/vmsplice-unmap-child\/pte-thp-64kB: vmsplice\(\) \+ unmap in child \.\.\. with PTE-mapped THP \(64 kB\)/,
  );
  t.match(r.stdout, /cow-either-way/);
  const gup = await cli(['explain', 'rw/gup/shared/memfd']);
  t.equal(gup.code, 0, 'a gup_longterm id still explains gup_longterm');
});
