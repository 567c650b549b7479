/**
 * cow through the CLI and the environment: `gupsim run --test cow` and its flags (the plan
 * follows what the program detects, as the C computes it), the runners, `explain` of a cow id
 * ending with the story it checks, `versions`, and the environment fields cow added.
 */
import t from 'tap';
import { environmentFromJson, userHasIpcLock } from '../cases/env.js';
import { cowSubtestIdFromRunName } from '../cases/selftests/cow/ids.js';
import { cli } from './helpers.js';
import { detectEnvironment, type DetectSources } from '../harness/detect.js';

/** The 6.18 host of the shared cow logs, as flags. */
const HOST = [
  '--test',
  'cow',
  '--kernel',
  '6.18.44',
  '--selftest',
  '7.2.13',
  '--no-gup-test',
  '--hugetlb',
  '2048:0',
  '--liburing',
  '2.3',
  '--tmp-fs',
  'ext4',
];

t.test('run --test cow: the plan is what cow.c computes from what it detects', async (t) => {
  const full = await cli(['run', ...HOST]);
  t.equal(full.code, 0);
  t.match(full.stdout, /\n1\.\.761\n/, 'A=14, H=1, T=8, PMD: 14·53 + 4 + 3·5');
  const noThp = await cli(['run', ...HOST, '--no-thp']);
  // 14·(2 + 1) + 3·(3 + 1): no THP sizes, no collapse tests, no huge zeropage.
  t.match(noThp.stdout, /\n1\.\.54\n/);
  t.notMatch(noThp.stdout, /THP|huge zeropage|\[INFO\] Anonymous THP tests/);
  const noLiburing = await cli(['run', ...HOST, '--no-liburing', '--hugetlb', '']);
  // 12·(2 + 48 + 2) + 4 + 3·(3 + 1)
  t.match(noLiburing.stdout, /\n1\.\.640\n/);
  t.notMatch(noLiburing.stdout, /iouring/);
  const swap = await cli(['run', ...HOST, '--swap', '1048572']);
  t.notMatch(swap.stdout, /MADV_PAGEOUT did not work/, 'with swap every swapped-out row runs');
  t.match(swap.stdout, /# Totals: pass:429 fail:0 xfail:4 xpass:0 skip:328 error:0\n$/);
});

t.test('run --test cow: huge zeropage off, THP never, a pre-5.19 kernel', async (t) => {
  const hz = await cli(['run', ...HOST, '--no-huge-zeropage']);
  t.match(
    hz.stdout,
    /# Huge zeropage not enabled\nok 750 # SKIP Basic COW \.\.\. with huge zeropage\n/,
  );
  // The 7.2 tree forces each size to `always` itself, so THP `never` at the top level changes
  // only the rows run with the PMD size back at `inherit`: the collapse tests and the huge
  // zeropage (and the numbering after them).
  const never = await cli(['run', ...HOST, '--thp', 'never']);
  t.match(
    never.stdout,
    /# \[RUN\] Basic COW \.\.\. with huge zeropage\nok 750 # SKIP Did not get THPs populated\n/,
  );
  const verdicts = async (extra: string[]): Promise<Map<string, string>> => {
    const r = await cli(['run', ...HOST, ...extra, '--json']);
    return new Map(
      (JSON.parse(r.stdout) as { subtests: { id: string; verdict: string }[] }).subtests.map(
        (x) => [x.id, x.verdict],
      ),
    );
  };
  const [a, b] = [await verdicts(['--thp', 'never']), await verdicts([])];
  const changed = [...a.keys()].filter((id) => a.get(id) !== b.get(id));
  t.ok(
    changed.length > 0 && changed.every((id) => /^cow\/collapse-|\/huge-zeropage$/.test(id)),
    `only the collapse and huge zeropage rows change (${changed.length})`,
  );
  // On 5.15 (before PageAnonExclusive) the io_uring R/O-mapping rows fail and cow exits 1.
  const old = await cli([
    'run',
    '--test',
    'cow',
    '--kernel',
    '5.15',
    '--selftest',
    '7.2',
    '--hugetlb',
    '',
    '--no-gup-test',
  ]);
  t.equal(old.code, 1);
  t.match(
    old.stdout,
    /# Longtom R\/W pin is not reliable\nnot ok \d+ R\/O-mapping a page registered as iouring fixed buffer \.\.\. with base page\n/,
  );
});

t.test('run --test cow under the runners: run_vmtests.sh -t cow, ksft_cow.sh', async (t) => {
  const rv = await cli(['run', ...HOST, '--runner', 'run_vmtests']);
  t.match(
    rv.stdout,
    /^TAP version 13\n# SKIP \.\/on-fault-limit\n# -------------\n# running \.\/cow\n# -------------\n# TAP version 13\n/,
  );
  t.match(rv.stdout, /# \[PASS\]\nok 1 cow\n# SUMMARY: PASS=1 SKIP=0 FAIL=0\n1\.\.1\n$/);
  const ks = await cli(['run', ...HOST, '--runner', 'kselftest+run_vmtests']);
  t.match(ks.stdout, /# selftests: mm: ksft_cow\.sh\n/);
  t.match(ks.stdout, /ok 1 selftests: mm: ksft_cow\.sh\n/);
  const old = await cli([
    'run',
    ...HOST,
    '--selftest',
    '6.12.117',
    '--runner',
    'kselftest+run_vmtests',
  ]);
  t.match(
    old.stdout,
    /# selftests: mm: run_vmtests\.sh\n/,
    'the 6.x collection runs run_vmtests.sh',
  );
});

t.test('run --test cow --json: stable ids that do not change with the 6.16 wording', async (t) => {
  const ids = async (tree: string): Promise<string[]> => {
    const r = await cli(['run', ...HOST, '--selftest', tree, '--json']);
    return (JSON.parse(r.stdout) as { subtests: { id: string }[] }).subtests.map((s) => s.id);
  };
  const new72 = await ids('7.2.13');
  t.same(
    await ids('6.12.117'),
    new72,
    'the 6.12 and 7.2 trees run the same sub-tests under the same ids',
  );
  t.ok(new72.includes('cow/vmsplice-unmap-child/pte-thp-64kB'));
  t.ok(new72.includes('cow/ro-pin-fast/memfd-hugetlb-2048kB'));
  t.ok(new72.includes('cow/collapse-after-fork-lower-shared'));
  t.equal(new Set(new72).size, new72.length, 'unique');
  t.equal(
    cowSubtestIdFromRunName('vmsplice() + unmap in child ... with PTE-mapped THP (64 kB)'),
    'cow/vmsplice-unmap-child/pte-thp-64kB',
  );
  t.equal(
    cowSubtestIdFromRunName('R/O longterm GUP-fast pin ... with memfd hugetlb (2048 kB)'),
    'cow/ro-pin-fast/memfd-hugetlb-2048kB',
  );
  t.equal(
    cowSubtestIdFromRunName('Basic COW after fork() ... with PTE-mapped THP'),
    'cow/basic-after-fork/pte-thp-2048kB',
    'before 6.8: the PMD size',
  );
  t.equal(
    cowSubtestIdFromRunName('R/W longterm GUP pin in MAP_SHARED file mapping ... with memfd'),
    undefined,
  );
});

t.test('explain of a cow id: its trace, and the story it stands for', async (t) => {
  const r = await cli(['explain', 'cow/vmsplice-unmap-parent/hugetlb-2048kB', ...HOST]);
  t.equal(r.code, 0);
  t.match(r.stdout, /result: #\d+ xfail/);
  t.match(
    r.stdout,
    /hugetlb_wp: folio_mapcount\(\) == 1, 16 other reference\(s\) not looked at: reuse/,
  );
  t.match(r.stdout, /what this row stands for: cow-either-way/);
  t.match(r.stdout, /\n {4}gupsim scenario cow-either-way --kernel 6\.18\.44\n/);
  const pin = await cli(['explain', 'cow/iouring-ro-mapping/thp-2048kB', ...HOST]);
  t.match(
    pin.stdout,
    /why this matters: cow-either-way/,
    'the decision cites PageAnonExclusive (6c287605fd56)',
  );
  t.match(
    pin.stdout,
    /gupsim scenario cow-either-way --backing anonymous --kernel 6\.18\.44 --patch=-/,
    'the anonymous rows lead to the story in anonymous memory',
  );
  const bad = await cli(['explain', 'cow/nope/base-page', ...HOST]);
  t.equal(bad.code, 2);
});

t.test('versions lists the cow versions and the behaviours cow added', async (t) => {
  const v = await cli(['versions']);
  t.match(v.stdout, /cow versions/);
  t.match(v.stdout, /cow-7\.2/);
  t.match(v.stdout, /19eaf44954df 6\.8 +mthp_anon/);
  const j = JSON.parse((await cli(['versions', '--json'])).stdout) as { cow: { id: string }[] };
  t.same(
    j.cow.map((c) => c.id),
    [
      'cow-6.2',
      'cow-6.3',
      'cow-6.5',
      'cow-6.7',
      'cow-6.8',
      'cow-6.10',
      'cow-6.12',
      'cow-6.16',
      'cow-6.17',
      'cow-7.2',
    ],
  );
});

t.test('one runner invocation, two programs: selftest.with', async (t) => {
  const both = await cli(['run', ...HOST, '--runner', 'run_vmtests', '--with', 'gup_longterm']);
  t.equal(both.code, 0);
  t.match(
    both.stdout,
    /\nok 6 gup_longterm\n# SKIP \.\/on-fault-limit\n# -------------\n# running \.\/cow\n[^]*\nok 7 cow\n# SUMMARY: PASS=7 SKIP=0 FAIL=0\n1\.\.7\n$/,
  );
  const ks = await cli([
    'run',
    ...HOST,
    '--runner',
    'kselftest+run_vmtests',
    '--with',
    'gup_longterm',
  ]);
  t.match(
    ks.stdout,
    /^TAP version 13\n1\.\.2\n# timeout set to 900\n# selftests: mm: ksft_gup_test\.sh\n/,
  );
  t.match(ks.stdout, /\nok 2 selftests: mm: ksft_cow\.sh\n# Totals: pass:2 /);
  const json = JSON.parse(
    (await cli(['run', ...HOST, '--runner', 'run_vmtests', '--with', 'gup_longterm', '--json']))
      .stdout,
  ) as { subtests: { id: string }[] };
  t.ok(
    json.subtests.every((s) => s.id.startsWith('cow/')),
    'only the named program’s sub-tests are recorded',
  );
  const direct = await cli(['run', ...HOST, '--with', 'gup_longterm']);
  t.equal(direct.code, 2);
  t.match(direct.stderr, /selftest\.with: only a runner runs more than one program/);
  const twice = await cli(['run', ...HOST, '--runner', 'run_vmtests', '--with', 'cow']);
  t.match(twice.stderr, /selftest\.with\[0\]: "cow" is already run/);
  // 6.x run_vmtests.sh raises the pool to 256 MiB for gup_longterm, restores it before cow.
  const old = await cli([
    'run',
    ...HOST.map((a) => (a === '7.2.13' ? '6.12.118' : a)),
    '--runner',
    'run_vmtests',
    '--with',
    'gup_longterm',
  ]);
  t.notMatch(old.stdout.split('running ./cow')[0]!, /need more free huge pages/);
  t.match(old.stdout.split('running ./cow')[1]!, /SKIP need more free huge pages/);
});

t.test('older cow.c: each tree runs its own version of the program', async (t) => {
  const tree = (v: string): string[] => HOST.map((a) => (a === '7.2.13' ? v : a));
  // v6.2: INFO lines before the header, one THP size, no collapse tests: 14·(2+1+8) + 3·(3+1+1).
  const v62 = await cli(['run', ...tree('6.2'), '--hugetlb', '2048:4']);
  t.match(
    v62.stdout,
    /^# \[INFO\] detected THP size: 2048 KiB\n# \[INFO\] detected hugetlb size: 2048 KiB\n# \[INFO\] huge zeropage is enabled\nTAP version 13\n1\.\.169\n/,
  );
  t.notMatch(v62.stdout, /Anonymous THP tests/);
  t.match(v62.stdout, /# \[RUN\] Basic COW after fork\(\) \.\.\. with PTE-mapped THP\n/);
  // Before 4bf6a4ebc592 (v6.10) the hugetlb vmsplice leaks are failures with the pass text.
  t.match(v62.stdout, /not ok \d+ No leak from parent into child\n/);
  t.match(v62.stdout, /Bail out! 4 out of 169 tests failed\n/);
  t.equal(v62.code, 1);
  // v6.3 adds the collapse tests, v6.5 the vm_util wording, v6.7 the header first.
  t.match((await cli(['run', ...tree('6.3')])).stdout, /\n1\.\.173\n# \[INFO\] Anonymous/);
  t.match((await cli(['run', ...tree('6.5')])).stdout, /detected hugetlb page size/);
  t.match(
    (await cli(['run', ...tree('6.7')])).stdout,
    /^TAP version 13\n# \[INFO\] detected THP size/,
  );
  // Before v6.8 nothing is written to sysfs: a non-root user runs the whole plan.
  const nonroot67 = await cli(['run', ...tree('6.7'), '--user', 'nonroot']);
  t.match(nonroot67.stdout, /\n1\.\.173\n/);
  const nonroot68 = await cli(['run', ...tree('6.8'), '--user', 'nonroot']);
  t.equal(nonroot68.stdout, 'TAP version 13\nopen(/sys/kernel/mm/transparent_hugepage/enabled)\n');
  // Without setvbuf() (kselftest.h before v6.6) a child's exit() writes the parent's buffer again.
  const dup = (await cli(['run', ...tree('6.5')])).stdout;
  t.ok(
    dup.split('\nTAP version 13\n').length > 10,
    'the header block is duplicated through a pipe',
  );
  t.equal(
    (await cli(['run', ...tree('6.6')])).stdout.split('TAP version 13').length,
    2,
    'v6.6: line buffered, once',
  );
  // a32bf5bb7933: with swap on a b1f202060afe kernel only the non-zero fill swaps THPs out.
  const zero = await cli(['run', ...tree('6.10'), '--swap', '1048572']);
  t.match(zero.stdout, /MADV_PAGEOUT did not work, is swap enabled\?\n/);
  const one = await cli(['run', ...tree('6.12.118'), '--swap', '1048572']);
  t.notMatch(one.stdout, /MADV_PAGEOUT did not work/);
  // v6.16 names every result; the reason for a failure comes with the v6.17 Tweaks.
  const xfailRow =
    /(# [^\n]*\n)?ok \d+ # XFAIL vmsplice\(\) \+ unmap in child \.\.\. with hugetlb \(2048 kB\)\n/;
  const v616 = await cli(['run', ...tree('6.16'), '--hugetlb', '2048:4']);
  t.equal(
    xfailRow.exec(v616.stdout)?.[1],
    '# [RUN] vmsplice() + unmap in child ... with hugetlb (2048 kB)\n',
  );
  t.notMatch(v616.stdout, /Bail out!/);
  const v617 = await cli(['run', ...tree('6.17'), '--hugetlb', '2048:4']);
  t.equal(xfailRow.exec(v617.stdout)?.[1], '# Leak from parent into child\n');
  t.match(v617.stdout, /# \[INFO\] huge zeropage is enabled\n/, 'still printed before 7.2');
});

t.test('environment: the cow fields, their defaults (this host) and their errors', async (t) => {
  const r = environmentFromJson({ kernel: { release: '6.18.44' } });
  if (!r.ok) throw new Error(r.error);
  t.same(r.env.thp, { enabled: 'madvise', useZeroPage: true, sizes: [] });
  t.same(r.env.swap, { sizeKiB: 0 });
  t.equal(r.env.selftest.name, 'gup_longterm', 'gup_longterm stays the default test');
  t.equal(r.env.kernel.config.TRANSPARENT_HUGEPAGE, true);
  const bad = (v: Record<string, unknown>): string => {
    const x = environmentFromJson({ kernel: { release: '6.18.44' }, ...v });
    return x.ok ? '' : x.error;
  };
  t.match(
    bad({ thp: { enabled: 'sometimes' } }),
    /^thp\.enabled: expected one of always, madvise, never/,
  );
  t.match(
    bad({ thp: { sizes: [{ sizeKiB: 48, enabled: 'always' }] } }),
    /thp\.sizes\[0\]\.sizeKiB: 48 is not a power of two/,
  );
  t.match(
    bad({ thp: { sizes: [{ sizeKiB: 64, enabled: 'on' }] } }),
    /thp\.sizes\[0\]\.enabled: expected one of always, inherit, madvise, never/,
  );
  t.match(bad({ swap: { size: 1 } }), /^swap\.size: unknown field/);
  t.equal(userHasIpcLock(r.env.user), true, 'root holds CAP_IPC_LOCK unless told otherwise');
  t.equal(r.env.user.ipcLock, undefined, 'left out when root implies it');
  const nr = environmentFromJson({ kernel: { release: '6.18.44' }, user: { root: false } });
  t.equal(nr.ok && userHasIpcLock(nr.env.user), false, 'a non-root user does not');
  if (r.ok)
    t.equal(
      userHasIpcLock({ ...r.env.user, root: false }),
      false,
      'a copy made non-root loses it (what the inference does)',
    );
  const dropped = environmentFromJson({ kernel: { release: '6.18.44' }, user: { ipcLock: false } });
  t.equal(dropped.ok && dropped.env.user.ipcLock, false, 'setpriv --bounding-set=-ipc_lock');
  t.match(bad({ user: { ipcLock: 'no' } }), /^user\.ipcLock: expected/);
  // env detect reads CAP_IPC_LOCK from CapEff and writes it only when root does not imply it.
  const status = (capEff: string): DetectSources => ({
    release: () => '6.18.44',
    arch: () => 'x86_64',
    readFile: (p) => (p === '/proc/self/status' ? `Name:\tx\nCapEff:\t${capEff}\n` : undefined),
    readDir: () => [],
    statfsType: () => 0xef53,
    exists: () => false,
    uid: () => 0,
    groups: () => [0],
    writeFile: () => false,
  });
  const ipcLockOf = (capEff: string): unknown =>
    (detectEnvironment('/work', status(capEff)).env.user as { ipcLock?: boolean }).ipcLock;
  t.equal(ipcLockOf('000001ffffffffff'), undefined);
  t.equal(ipcLockOf('000001ffffffbfff'), false);
  t.match(
    bad({ selftest: { name: 'ksm' } }),
    /^selftest\.name: unknown "ksm" \(known: gup_longterm, cow\)/,
  );
  const flag = await cli(['run', '--test', 'ksm']);
  t.equal(flag.code, 2);
  t.match(flag.stderr, /selftest\.name: unknown "ksm"/);
  const oldTree = await cli(['run', '--test', 'cow', '--selftest', '6.1']);
  t.equal(oldTree.code, 2);
  t.match(oldTree.stderr, /no cow\.c before v6\.2/);
});
