/**
 * Golden logs: every real log with an environment file is reproduced byte for byte, exit code
 * included, from the simulated kernel and the simulated selftest — and scenario logs whose
 * environment is known from their source (the 9p, overlayfs and run_vmtests cases).
 */
import t from 'tap';
import { predict } from '../cases/predict.js';
import { cli, env, goldenLogs, programOutputOfMailLog } from './helpers.js';

/** Exit codes stated in the logs' INDEX files. */
const EXPECTED_EXIT: Record<string, number> = {
  '001-hildenbrand-v1-cover-all-pass': 0,
  '002-hildenbrand-pin_longterm-prototype-iouring-fail': 1,
  '011-kitayama-arm64-fvp-9p-no-gup_test-strace-reconstructed': 1,
  '6.1.0-50-qemu-ext4-default': 1,
  '6.12.113-qemu-tmpfs-default': 0,
  '6.12.117-guptest-qemu-ext4-default': 0,
  '6.18-host-ext4-default': 0,
  '6.18-host-ext4-iouringdisabled2': 0,
  '6.18-host-ext4-run_vmtests-gup_test': 0,
  '6.18-host-tmpfs-default': 0,
  '6.18-host-ext4-memlock8k-nonroot': 1,
  '6.18-host-st7.2-ext4-default': 0,
  '6.18-host-st7.2-ext4-kselftest-ksft_gup_test': 0,
  '6.18-host-st7.2-ext4-nonroot-default': 1,
  '7.2.13-guptest-qemu-ext4-default': 0,
  '7.2.13-guptest-qemu-ext4-default-mem4G': 0,
};

for (const g of goldenLogs()) {
  t.test(`reproduces ${g.name}`, async (t) => {
    const p = predict(g.env);
    if ('error' in p) throw new Error(p.error);
    t.equal(p.stdout, programOutputOfMailLog(g.log), 'byte for byte');
    t.equal(p.exitCode, EXPECTED_EXIT[g.name], 'exit code');
    const viaCli = await cli(['run', '--env', g.envPath]);
    t.equal(viaCli.stdout, p.stdout, 'gupsim run prints the same bytes');
    t.equal(viaCli.code, p.exitCode, 'gupsim run exits with the test’s code');
  });
}

t.test('the gup_longterm section of the run_vmtests log is the bare run, prefixed', async (t) => {
  const g = goldenLogs().find((x) => x.name === '6.18-host-ext4-run_vmtests-gup_test')!;
  const start = g.log.indexOf('# ----------------------\n# running ./gup_longterm');
  const end = g.log.indexOf('ok 4 gup_longterm\n') + 'ok 4 gup_longterm\n'.length;
  const p = predict({ ...g.env, runner: 'direct' });
  if ('error' in p) throw new Error(p.error);
  const section = g.log.slice(start, end);
  const body = p.stdout.replace(/^/gm, '# ').replace(/# $/, '');
  t.equal(section, `# ----------------------\n# running ./gup_longterm\n# ----------------------\n${body}# [PASS]\nok 4 gup_longterm\n`);
});

t.test('virtme-ng on overlayfs with a 6.18 test: 4 results missing (commit 21c68ad1d977 message)', async (t) => {
  const e = env({
    kernel: { release: '6.18' },
    hugetlb: [
      { sizeKiB: 2048, free: 0 },
      { sizeKiB: 1048576, free: 0 },
    ],
    fs: { tmp: 'overlayfs', cwd: 'overlayfs' },
  });
  const p = predict(e);
  if ('error' in p) throw new Error(p.error);
  t.match(p.stdout, /# Planned tests != run tests \(50 != 46\)\n# Totals: pass:24 fail:0 xfail:0 xpass:0 skip:22 error:0\n$/);
  t.equal(p.exitCode, 1);
  t.equal(p.run.subtests.filter((s) => s.verdict === 'missing').length, 4);
  const fixed = predict({ ...e, kernel: { ...e.kernel, release: '6.18.7' }, selftest: { ...e.selftest, tree: '6.18.7' } });
  if ('error' in fixed) throw new Error(fixed.error);
  t.match(fixed.stdout, /# Unknown filesystem\nok 2 # SKIP R\/W longterm GUP pin in MAP_SHARED file mapping \.\.\. with tmpfile\n/);
  t.equal(fixed.exitCode, 0, '6.18.y with the fix exits 0');
});

t.test('9p test directory: ftruncate ENOENT is FAIL before v6.15 and the dodgy-fs SKIP after', async (t) => {
  const base = {
    kernel: { release: '6.9', config: { GUP_TEST: true } },
    arch: 'arm64',
    hugetlb: [{ sizeKiB: 2048, free: 2 }],
    fs: { tmp: 'tmpfs', cwd: { type: '9p' } },
    selftest: { liburing: null },
  };
  const old = predict(env(base));
  if ('error' in old) throw new Error(old.error);
  t.match(old.stdout, /\nnot ok 3 ftruncate\(\) failed\n/);
  const b = predict(env({ ...base, kernel: { release: '6.15' } }));
  if ('error' in b) throw new Error(b.error);
  t.match(b.stdout, /\nok 3 # SKIP ftruncate\(\) failed with ENOENT\. Filesystem might be buggy \(9pfs\?\)\n/);
  t.equal(b.exitCode, 0);
});

t.test('v6.15 EINVAL typo glues the next line onto the skip (pre-6.2 kernel, gup_test present)', async (t) => {
  const p = predict(env({ kernel: { release: '6.1' }, selftest: { tree: '6.15' }, hugetlb: [] }));
  if ('error' in p) throw new Error(p.error);
  t.match(p.stdout, /\nok 1 # SKIP PIN_LONGTERM_TEST_START failed \(EINVAL\)n# \[RUN\] R\/W longterm GUP pin in MAP_SHARED file mapping \.\.\. with tmpfile\n/);
  const c = predict(env({ kernel: { release: '6.1' }, selftest: { tree: '6.17' }, hugetlb: [] }));
  if ('error' in c) throw new Error(c.error);
  t.match(c.stdout, /\n# PIN_LONGTERM_TEST_START failed \(EINVAL\)nok 1 # SKIP R\/W longterm GUP pin in MAP_SHARED file mapping \.\.\. with memfd\n/);
});
