/**
 * The command line as a user meets it: help everywhere, one-line errors with exit 2, the
 * exit codes of run and diff, JSON/TAP outputs, stdin, env detect and live with a stand-in
 * binary.
 */
import t from 'tap';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, diffJsonRuns, FIXTURES, goldenLogs } from './helpers.js';
import { detectEnvironment, fsNameForMagic, probeHugetlb, type DetectSources } from '../harness/detect.js';
import { usage } from '../harness/cli.js';

t.test('help: top level and every command', async (t) => {
  const top = await cli(['--help']);
  t.equal(top.code, 0);
  for (const cmd of ['run', 'versions', 'diff', 'explain', 'env', 'live', 'record', 'history', 'compare', 'report']) {
    t.match(top.stdout, new RegExp(`\\n  ${cmd} `));
    const h = await cli([cmd, '--help']);
    t.equal(h.code, 0, cmd);
    t.match(h.stdout, /^usage: gupsim /i, cmd);
  }
  t.equal((await cli([])).code, 2);
  t.match(usage(), /Exit codes/);
});

t.test('bad input: one line on stderr, exit 2, never a stack trace', async (t) => {
  const cases: [string[], RegExp][] = [
    [['nope'], /unknown command "nope"/],
    [['run', '--kernel', '6.x'], /kernel\.release: "6\.x" is not a kernel release/],
    [['run', '--bogus'], /Unknown option '--bogus'/],
    [['run', '--hugetlb', '2048'], /--hugetlb: expected SIZE_KiB:FREE/],
    [['run', '--env', '/nonexistent.json'], /--env \/nonexistent\.json: ENOENT/],
    [['run', '--cwd-fs', 'zfs'], /fs\.cwd: unknown filesystem "zfs"/],
    [['run', '--patch', '+deadbeef0000'], /not a behaviour gupsim models/],
    [['run', '--kernel', '6.1'], /gup_longterm first shipped in v6\.5/],
    [['run', '--user', 'bob'], /--user: expected root or nonroot/],
    [['diff'], /no log given/],
    [['diff', '/nonexistent.log'], /no such file/],
    [['explain'], /exactly one sub-test ID/],
    [['explain', 'rw/gup/shared/nothing'], /no sub-test "rw\/gup\/shared\/nothing" in this environment; e\.g\. rw\/gup\/shared\/memfd/],
    [['env'], /expected "gupsim env detect"/],
    [['live'], /--binary PATH is required/],
  ];
  for (const [argv, re] of cases) {
    const r = await cli(argv);
    t.equal(r.code, 2, argv.join(' '));
    t.match(r.stderr, re, argv.join(' '));
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

t.test('environment file errors name the field', async (t) => {
  const dir = t.testdir({
    'unknown.json': JSON.stringify({ kernel: { release: '6.5' }, colour: 'blue' }),
    'type.json': JSON.stringify({ kernel: { release: '6.5' }, hugetlb: [{ sizeKiB: 'big' }] }),
    'notjson.json': '{',
    'norelease.json': '{}',
  });
  const expect: Record<string, RegExp> = {
    'unknown.json': /environment\.colour: unknown field/,
    'type.json': /hugetlb\[0\]\.sizeKiB: expected an integer/,
    'notjson.json': /not JSON/,
    'norelease.json': /kernel\.release: required/,
  };
  for (const [f, re] of Object.entries(expect)) {
    const r = await cli(['run', '--env', join(dir, f)]);
    t.equal(r.code, 2);
    t.match(r.stderr, re);
  }
});

t.test('run: default environment, flags, --json and --explain', async (t) => {
  const d = await cli(['run']);
  t.equal(d.code, 0);
  t.match(d.stdout, /^# \[INFO\] detected hugetlb page size: 2048 KiB\n/);
  const seed = await cli(['run', '--kernel', '6.4', '--selftest', '6.5', '--tmp-fs', 'ext4']);
  t.equal(seed.code, 1, 'R/W shared pins on ext4 succeed on 6.4 → the v6.5 test fails');
  t.match(seed.stdout, /\nnot ok 2 Should have worked\n/);
  t.match(seed.stdout, /\nBail out! \d+ out of 50 tests failed\n/);
  const j = await cli(['run', '--json', '--no-liburing', '--hugetlb', '']);
  const parsed = JSON.parse(j.stdout) as { plan: number; subtests: { id: string; verdict: string; trace: unknown[] }[] };
  t.equal(parsed.plan, 24);
  t.equal(parsed.subtests.length, 24);
  t.equal(parsed.subtests[2]!.id, 'rw/gup/shared/local-tmpfile');
  t.equal(parsed.subtests[2]!.verdict, 'pass');
  const ex = await cli(['run', '--explain', '--kernel', '6.18', '--cwd-fs', 'xfs']);
  t.match(ex.stdout, /--- rw\/gup\/shared\/local-tmpfile \(#3\) pass, errno EFAULT/);
  t.match(ex.stdout, /check_vma_flags: .*shared xfs mapping that needs dirty tracking.* -> EFAULT \[8ac268436e6d, 6\.5\]/);
  const wrapped = await cli(['run', '--runner', 'kselftest', '--kernel', '6.5']);
  t.match(wrapped.stdout, /^TAP version 13\n1\.\.1\n# timeout set to 45\n# selftests: mm: gup_longterm\n# # \[INFO\]/);
  t.match(wrapped.stdout, /\nok 1 selftests: mm: gup_longterm\n$/);
  const pre = await cli(['run', '--runner', 'run_vmtests', '--kernel', '6.6']);
  t.match(pre.stdout, /^---------------------\nrunning \.\/gup_test -u\n---------------------\nTAP version 13\n/);
  t.match(pre.stdout, /\n\[PASS\]\nSUMMARY: PASS=4 SKIP=0 FAIL=0\n$/);
  const both = await cli(['run', '--runner', 'kselftest+run_vmtests', '--kernel', '6.12', '--user', 'nonroot']);
  t.match(both.stdout, /# selftests: mm: run_vmtests\.sh\n# Please run this test as root\nok 1 selftests: mm: run_vmtests\.sh # SKIP\n$/);
});

t.test('versions lists selftest versions and behaviours (text and JSON)', async (t) => {
  const v = await cli(['versions']);
  t.match(v.stdout, /C3 +v6\.19/);
  t.match(v.stdout, /8ac268436e6d 6\.5/);
  const j = JSON.parse((await cli(['versions', '--json'])).stdout) as { selftests: unknown[]; behaviours: unknown[] };
  t.equal(j.selftests.length, 10);
  t.ok(j.behaviours.length >= 10);
});

t.test('explain prints one sub-test trace', async (t) => {
  const r = await cli(['explain', 'iouring/private/local-tmpfile', '--kernel', '6.4', '--selftest', '6.5']);
  t.equal(r.code, 0);
  // Nothing failed earlier with ENOSPC/EOPNOTSUPP/EFAULT (free huge pages, pins allowed), so
  // with liburing 2.5 the test sees a clean errno and skips instead of failing.
  t.match(r.stdout, /result: #48 skip "io_uring_register_buffers\(\) failed", errno EOPNOTSUPP/);
  t.match(r.stdout, /34ed8d0dcd69 \(6\.5\) not in this kernel -> EOPNOTSUPP/);
  t.match(r.stdout, /errno left at 0 \(liburing 2\.5 raw syscalls on x86_64\)/);
  const old = await cli(['explain', 'iouring/private/local-tmpfile', '--kernel', '6.4', '--selftest', '6.5', '--liburing', '2.1']);
  t.match(old.stdout, /result: #48 fail "Should have failed"/, 'liburing 2.1 sets errno: the honest FAIL');
  const j = JSON.parse((await cli(['explain', 'rw/gup/shared/memfd', '--json'])).stdout) as { verdict: string };
  t.equal(j.verdict, 'pass');
});

t.test('diff: exit codes, JSON, TAP, colour, stdin', async (t) => {
  const pub = (f: string) => join(FIXTURES, 'public', f);
  const ok = await cli(['diff', pub('001-hildenbrand-v1-cover-all-pass.log')]);
  t.equal(ok.code, 0);
  t.match(ok.stdout, /run 1 \(lines 1–\d+\): MATCH/);
  t.notMatch(ok.stdout, /\x1b\[/, 'no colour on a pipe');
  const infra = await cli(['diff', '--json', pub('006-lkft-next-20250616-liburing-missing-exit127.log')]);
  t.equal(infra.code, 1);
  const j = { runs: diffJsonRuns(infra.stdout) } as unknown as { runs: { triage: string; selftest: string; env: unknown; inferred: unknown; subtests: unknown[] }[] };
  t.equal(j.runs[0]!.triage, 'infrastructure');
  for (const k of ['selftest', 'env', 'inferred', 'subtests']) t.ok(k in j.runs[0]!, k);
  const tap = await cli(['diff', '--tap', pub('002-hildenbrand-pin_longterm-prototype-iouring-fail.log')]);
  // 50 sub-tests, then the run's other evidence: its Bail out!, its Totals and its plan, all predicted.
  t.match(tap.stdout, /^TAP version 13\n1\.\.53\n/);
  t.match(tap.stdout, /\nok 51 - .* run 1 bail-out\n# observed="Bail out! 1 out of 50 tests failed" predicted="Bail out! 1 out of 50 tests failed" class=match\n/);
  t.match(tap.stdout, /\nok 48 - .* iouring\/private\/local-tmpfile\n# observed=fail predicted=fail class=expected-failure\n/);
  const g = goldenLogs().find((x) => x.name.startsWith('6.18-host-ext4-default'))!;
  const viaStdin = await cli(['diff', '-', '--env', g.envPath], g.log);
  t.equal(viaStdin.code, 0);
  t.match(viaStdin.stdout, /^-: run 1/);
  const pinned = await cli(['diff', '--json', '--kernel', '6.18.44', pub('001-hildenbrand-v1-cover-all-pass.log')]);
  const pj = { runs: diffJsonRuns(pinned.stdout) } as unknown as { runs: { env: { kernel: { release: string } } }[] };
  t.equal(pj.runs[0]!.env.kernel.release, '6.18.44', '--kernel pins the kernel, the rest is inferred');
  const none = await cli(['diff', pub('../live/6.18-host-ext4-default.env.json')]);
  t.equal(none.code, 2, 'a file without a gup_longterm run is bad input');
});

t.test('env detect: from the machine, and from given sources', async (t) => {
  const here = await cli(['env', 'detect']);
  t.equal(here.code, 0);
  t.ok(JSON.parse(here.stdout));
  const fake: DetectSources = {
    release: () => '6.12.117-amd64',
    arch: () => 'arm64',
    readFile: (p) =>
      p.endsWith('free_hugepages') ? (p.includes('2048') ? '3\n' : '0\n') : p.endsWith('nr_hugepages') ? '3\n' : p === '/proc/self/limits' ? 'Max locked memory         8388608              8388608              bytes\n' : p.endsWith('io_uring_disabled') ? '2\n' : undefined,
    readDir: () => ['.', 'hugepages-2048kB', 'hugepages-32768kB'],
    statfsType: (p) => (p === '/tmp' ? 0x01021994 : 0x12345678),
    exists: () => false,
    uid: () => 1000,
    groups: () => [1000, 27],
    writeFile: () => false,
  };
  const d = detectEnvironment('/work', fake);
  t.same(d.env.hugetlb, [
    { sizeKiB: 2048, free: 3 },
    { sizeKiB: 32768, free: 0 },
  ]);
  t.same(d.env.fs, { tmp: 'tmpfs', cwd: 'overlayfs', debugfs: false }, 'no debugfs in /proc/self/mounts');
  const mounted = detectEnvironment('/work', {
    ...fake,
    readFile: (p) => (p === '/proc/self/mounts' ? 'proc /proc proc rw 0 0\ndebugfs /sys/kernel/debug debugfs rw,nosuid 0 0\n' : fake.readFile(p)),
  });
  t.same(mounted.env.fs, { tmp: 'tmpfs', cwd: 'overlayfs', debugfs: true }, 'debugfs mounted at /sys/kernel/debug');
  t.same(d.env.user, { root: false, memlockKiB: 8192 });
  t.same(d.env.sysctl, { io_uring_disabled: 2 });
  t.match(d.notes.join('\n'), /allocatable not measured/);
  t.match(probeHugetlb(d.env, 2, fake).join('\n'), /cannot write \(root needed\)/, 'probing needs a writable nr_hugepages');
  // A kernel that can add one of two requested pages: allocatable 1, nr_hugepages restored.
  const sysfs = new Map([['/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages', '5\n']]);
  const writes: string[] = [];
  const rootSrc: DetectSources = {
    ...fake,
    uid: () => 0,
    readFile: (p) => sysfs.get(p) ?? (p.endsWith('io_uring_group') ? '27\n' : fake.readFile(p)),
    readDir: () => ['hugepages-2048kB'],
    writeFile: (p, text) => {
      writes.push(text.trim());
      sysfs.set(p, `${Math.min(Number(text), 6)}\n`);
      return true;
    },
  };
  const rd = detectEnvironment('/work', rootSrc);
  t.same(rd.env.sysctl, { io_uring_disabled: 2, io_uring_group: 27 });
  t.same((rd.env.user as { groups: number[] }).groups, [1000, 27], 'groups recorded when io_uring_group is set');
  probeHugetlb(rd.env, 2, rootSrc);
  t.same(rd.env.hugetlb, [{ sizeKiB: 2048, free: 3, allocatable: 1 }]);
  t.same(writes, ['7', '5'], 'raised by 2, then restored');
  t.equal(d.env.arch, 'arm64');
  t.match(d.notes.join('\n'), /magic 0x12345678 is not modelled/);
  t.equal(fsNameForMagic(0xef53), 'ext4');
});

t.test('live: runs a binary with a timeout and diffs its output', async (t) => {
  const dir = t.testdir({});
  const log = readFileSync(join(FIXTURES, 'live', '6.18-host-ext4-default.log'), 'utf8');
  writeFileSync(join(dir, 'log.txt'), log);
  const bin = join(dir, 'fake_gup_longterm');
  writeFileSync(bin, `#!/bin/sh\ncat '${join(dir, 'log.txt')}'\nexit 0\n`);
  chmodSync(bin, 0o755);
  const r = await cli(['live', '--binary', bin, '--json', '--keep-log', join(dir, 'kept.log')]);
  t.ok(r.code === 0 || r.code === 1);
  const j = JSON.parse(r.stdout) as { runs: { subtests: unknown[] }[] };
  t.equal(j.runs[0]!.subtests.length, 50);
  t.match(readFileSync(join(dir, "kept.log"), "utf8"), /\nok 1 selftests: mm: gup_longterm\n$/);
  const slow = join(dir, 'slow');
  writeFileSync(slow, '#!/bin/sh\necho "# [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... with memfd"\nsleep 5\n');
  chmodSync(slow, 0o755);
  const to = await cli(['live', '--binary', slow, '--timeout', '1', '--keep-log', join(dir, 'slow.log')]);
  t.equal(to.code, 1, 'a timeout needs a human');
  t.match(readFileSync(join(dir, 'slow.log'), 'utf8'), /# TIMEOUT 1 seconds/);
});
