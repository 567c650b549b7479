// Environment values the model cannot stand for (issue 8): kernels outside the modelled
// range, huge page sizes that are not powers of two or larger than any machine has, and
// lists long enough that a quadratic duplicate check would never finish.
import t from 'tap';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { environmentFromJson, isPowerOfTwo, MAX_GID, MAX_HUGETLB_KIB, MAX_SYSCTL_INT, maxPhysKiB } from '../cases/env.js';
import { detectEnvironment } from '../harness/detect.js';
import { newestModelled, OLDEST_MODELLED } from '../cases/modelled-releases.js';
import { selftestVersions } from '../cases/versions.js';
import { cli } from './helpers.js';

// Copies of the shared repro directory's inputs, unchanged: the suite reads only the project.
const REPRO = fileURLToPath(new URL('./fixtures/repro/', import.meta.url));

t.test('power of two: exact beyond 32 bits', async (t) => {
  for (const n of [1, 2, 64, 2048, 1048576, 2 ** 32, 2 ** 40, 2 ** 52]) t.ok(isPowerOfTwo(n), String(n));
  // 3·2^32 & (3·2^32 − 1) is 0 in JavaScript's 32-bit `&`: the bug this replaces.
  t.equal((3 * 2 ** 32) & (3 * 2 ** 32 - 1), 0, 'the 32-bit check is fooled');
  for (const n of [0, -2, 3, 3 * 2 ** 20, 3 * 2 ** 32, 2 ** 32 + 2 ** 31, 2 ** 60 + 1, 1.5, Number.NaN]) t.notOk(isPowerOfTwo(n), String(n));
});

t.test('hugetlb sizes: a power of two, at most 16 GiB, each once — checked in linear time', async (t) => {
  const env = (hugetlb: unknown[]): ReturnType<typeof environmentFromJson> => environmentFromJson({ kernel: { release: '6.18.44' }, hugetlb });
  t.match(env([{ sizeKiB: 3 * 2 ** 20, free: 0 }]), { ok: false, error: 'hugetlb[0].sizeKiB: 3145728 is not a power of two' });
  t.match(env([{ sizeKiB: 2 ** 60, free: 0 }]), { ok: false, error: /^hugetlb\[0\]\.sizeKiB: \d+ is larger than any huge page size \(at most 16777216 KiB, 16 GiB\)$/ });
  t.match(env([{ sizeKiB: 2048, free: 0 }, { sizeKiB: 2048, free: 1 }]), { ok: false, error: 'hugetlb[1].sizeKiB: 2048 listed twice' });
  t.match(env([{ sizeKiB: MAX_HUGETLB_KIB, free: 1 }]), { ok: true }, '16 GiB pages exist (powerpc64, arm64/64K)');
  // The repro: 10^6 sizes that fooled the 32-bit check, all distinct. Each was compared with
  // every earlier one (>60 s) and the list was accepted; the first is now refused at once.
  const million = Array.from({ length: 1_000_000 }, (_, i) => ({ sizeKiB: (i + 1) * 2 ** 32, free: 0 }));
  t.match(env(million), { ok: false, error: 'hugetlb[0].sizeKiB: 4294967296 is larger than any huge page size (at most 16777216 KiB, 16 GiB)' });
  // Every distinct valid size at once (25 of them) plus one repeat: the repeat is found.
  const all = Array.from({ length: 25 }, (_, i) => ({ sizeKiB: 2 ** i, free: 0 }));
  t.match(env(all), { ok: true });
  t.match(env([...all, { sizeKiB: 1024, free: 0 }]), { ok: false, error: 'hugetlb[25].sizeKiB: 1024 listed twice' });
});

t.test('the repro environment files are refused in one line, exit 2', async (t) => {
  for (const f of ['size-3x2p32.json', 'huge-size.json']) {
    const r = await cli(['run', '--env', join(REPRO, f)]);
    t.equal(r.code, 2, f);
    t.match(r.stderr, /^gupsim run: .*: hugetlb\[0\]\.sizeKiB: \d+ is larger than any huge page size \(at most 16777216 KiB, 16 GiB\)\n$/);
  }
  const r = await cli(['run', '--hugetlb', '3145728:1']);
  t.equal(r.code, 2);
  t.match(r.stderr, /hugetlb\[0\]\.sizeKiB: 3145728 is not a power of two/);
});

t.test('kernel releases outside the modelled range are refused, naming the range', async (t) => {
  const newest = newestModelled();
  t.equal(OLDEST_MODELLED, '5.4');
  t.ok(selftestVersions().some((v) => v.firstShipped.includes(`v${newest}`)), `the newest end (${newest}) is a modelled selftest version's release`);
  const range = `gupsim models 5\\.4 … ${newest.replace('.', '\\.')} \\(with their stable x\\.y\\.z and -rcN releases, and the next release's -rcN\\) and next`;
  for (const [k, which] of [
    ['99.99', 'newer'],
    ['5.3', 'older'],
    ['4.19.300', 'older'],
  ] as const) {
    const r = await cli(['run', '--kernel', k]);
    t.equal(r.code, 2, k);
    t.match(r.stderr, new RegExp(`^gupsim run: kernel\\.release: ${k.replace(/\./g, '\\.')} is ${which} than any modelled kernel; ${range}\\n$`), k);
  }
  const [major, minor] = newest.split('.').map(Number);
  const past = `${major}.${(minor ?? 0) + 1}`;
  t.equal((await cli(['run', '--kernel', past])).code, 2, `${past}: one past the newest`);
  for (const k of [newest, `${newest}.7`, `${newest}-rc2`, `${past}-rc2`, '5.4', '5.10', '6.1.176', 'next']) {
    const r = environmentFromJson({ kernel: { release: k }, selftest: { tree: '6.12' } });
    t.ok(r.ok, `${k} is modelled`);
  }
  t.match(environmentFromJson({ kernel: { release: '6.12' }, selftest: { tree: '99.1' } }), { ok: false, error: /^selftest\.tree: 99\.1 is newer than any modelled kernel/ });
});

t.test('numbers beyond anything physical: every numeric field bounded, one line naming it, exit 2', async (t) => {
  const base = { kernel: { release: '6.18.44' } };
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ user: { memlockKiB: 1e308 } }, /^user\.memlockKiB: 1e\+308 KiB is more memory than x86_64 can address \(at most 4 PiB, MAX_PHYSMEM_BITS 52\); for no limit write "unlimited"$/],
    [{ hugetlb: [{ sizeKiB: 2048, free: 2 ** 53 }] }, /^hugetlb\[0\]\.free: 9007199254740992 pages of 2048 KiB is more memory than x86_64 can address \(at most 4 PiB/],
    [{ hugetlb: [{ sizeKiB: 1048576, free: 2, allocatable: 2 ** 32 }] }, /^hugetlb\[0\]\.allocatable: 4294967296 pages of 1048576 KiB is more memory than x86_64/],
    [{ arch: 'riscv64', hugetlb: [{ sizeKiB: 2048, free: 2 ** 36 }] }, /^hugetlb\[0\]\.free: .* than riscv64 can address \(at most 64 PiB, MAX_PHYSMEM_BITS 56\)$/],
    [{ user: { groups: [27, 2 ** 32 - 1] } }, /^user\.groups\[1\]: 4294967295 is not a gid \(gid_t is 32 bits; at most 4294967294\)$/],
    [{ sysctl: { io_uring_group: 2 ** 31 } }, /^sysctl\.io_uring_group: 2147483648 is more than the sysctl holds \(an int: at most 2147483647\)$/],
  ];
  for (const [extra, error] of cases) t.match(environmentFromJson({ ...base, ...extra }), { ok: false, error }, JSON.stringify(extra));
  // The largest physical values are still environments.
  const edge = { ...base, hugetlb: [{ sizeKiB: 2048, free: maxPhysKiB('x86_64') / 2048 }], user: { memlockKiB: maxPhysKiB('x86_64'), groups: [MAX_GID] }, sysctl: { io_uring_group: MAX_SYSCTL_INT } };
  t.match(environmentFromJson(edge), { ok: true }, 'at the limits: accepted');
  t.match(environmentFromJson({ ...base, user: { memlockKiB: 'unlimited' } }), { ok: true });
  const flag = await cli(['run', '--memlock', '99999999999999999999']);
  t.equal(flag.code, 2);
  t.match(flag.stderr, /^gupsim run: user\.memlockKiB: .* is more memory than x86_64 can address .*\n$/);
  // env detect writes a limit beyond the machine as "unlimited", so its file stays valid.
  const limits = `Max locked memory         ${2 ** 62}              ${2 ** 62}              bytes\n`;
  const d = detectEnvironment('/work', {
    release: () => '6.18.44',
    arch: () => 'x64',
    readFile: (p) => (p === '/proc/self/limits' ? limits : undefined),
    readDir: () => [],
    statfsType: () => 0xef53,
    exists: () => false,
    uid: () => 0,
    groups: () => [],
    writeFile: () => false,
  });
  t.equal((d.env.user as { memlockKiB: unknown }).memlockKiB, 'unlimited');
  t.match(environmentFromJson(d.env), { ok: true });
});
