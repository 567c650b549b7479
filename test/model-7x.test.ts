/**
 * The 7.x additions to the model, each through the mechanism rather than a log: io_uring ring
 * memory under RLIMIT_MEMLOCK and its deferred release, kernel.io_uring_group, the registered
 * buffer cap, fallocate capabilities of network and FUSE servers, liburing's raw syscalls per
 * arch, selftest versions and runners per tree.
 */
import t from 'tap';
import { predict } from '../cases/predict.js';
import { liburingSetsErrno } from '../cases/libc/liburing.js';
import { kernelSpecFor } from '../cases/machine.js';
import { selftestBuild } from '../cases/versions.js';
import { Errno } from '../kernel-model/errno.js';
import { Kernel } from '../kernel-model/kernel.js';
import { Task } from '../kernel-model/task.js';
import { env } from './helpers.js';

function kernel(release: string, extra: Record<string, unknown> = {}): Kernel {
  return new Kernel(kernelSpecFor(env({ kernel: { release }, ...extra })));
}

const NONROOT_8K = { user: { root: false, memlockKiB: 8 } };

t.test('io_uring rings: charged to RLIMIT_MEMLOCK on 6.14…7.1 (and ≤5.11), not on 5.12…6.13 or 7.2', async (t) => {
  for (const [release, charged] of [
    ['5.10', true],
    ['5.15', false],
    ['6.12', false],
    ['6.14', true],
    ['6.18.44', true],
    ['7.1', true],
    ['7.2.13', false],
  ] as const) {
    const k = kernel(release, NONROOT_8K);
    const fd = new Task(k).ioUringSetup(1);
    t.ok(fd >= 0, `${release}: a 1-entry ring fits in 8 KiB`);
    t.equal(k.lockedVmPages, charged ? 2 : 0, `${release}: rings + SQEs = 2 pages charged: ${charged}`);
  }
  const root = kernel('6.18.44', { user: { root: true, memlockKiB: 8 } });
  new Task(root).ioUringSetup(1);
  t.equal(root.lockedVmPages, 0, 'CAP_IPC_LOCK: no ctx->user, nothing charged');
});

t.test('6.18: the closed ring stays charged until io_ring_exit_work runs', async (t) => {
  const k = kernel('6.18.44', NONROOT_8K);
  const task = new Task(k);
  const fd = task.ioUringSetup(1);
  t.equal(task.close(fd), 0);
  t.equal(k.lockedVmPages, 2, 'close() only queues the teardown');
  t.equal(k.deferredWork.length, 1);
  t.equal(task.ioUringSetup(1), -Errno.ENOMEM, 'the next ring does not fit yet');
  k.runDeferredWork();
  t.equal(k.lockedVmPages, 0, 'the work item freed the regions and their charge');
  t.ok(task.ioUringSetup(1) >= 0, 'now it does');
  // 5.8–5.11 uncharged the ring as the exit work was queued (309fc03a3284); 5.4 did not.
  const old = kernel('5.10', NONROOT_8K);
  const t2 = new Task(old);
  t2.close(t2.ioUringSetup(1));
  t.equal(old.lockedVmPages, 0);
  t.ok(t2.ioUringSetup(1) >= 0);
  const older = kernel('5.4', NONROOT_8K);
  const t3 = new Task(older);
  t3.close(t3.ioUringSetup(1));
  t.equal(older.lockedVmPages, 2, '5.4: still charged until the exit work runs');
  t.equal(t3.ioUringSetup(1), -Errno.ENOMEM);
});

t.test('io_uring_disabled=1: CAP_SYS_ADMIN or a member of kernel.io_uring_group', async (t) => {
  const setup = (extra: Record<string, unknown>): number => new Task(kernel('7.2.13', extra)).ioUringSetup(1);
  const sysctl = (group: number) => ({ sysctl: { io_uring_disabled: 1, io_uring_group: group } });
  t.ok(setup({ ...sysctl(-1), user: { root: true } }) >= 0, 'root');
  t.equal(setup({ ...sysctl(-1), user: { root: false } }), -Errno.EPERM, 'the default group -1 allows nobody');
  t.ok(setup({ ...sysctl(27), user: { root: false, groups: [1000, 27] } }) >= 0, 'member of the group');
  t.equal(setup({ ...sysctl(27), user: { root: false, groups: [1000] } }), -Errno.EPERM, 'not a member');
  t.equal(setup({ sysctl: { io_uring_disabled: 2, io_uring_group: 27 }, user: { root: true, groups: [27] } }), -Errno.EPERM, '2 refuses everyone');
});

t.test('registered-buffer cap: SZ_1G → EFAULT before 7.2, SZ_1T → EINVAL from 7.2', async (t) => {
  for (const [release, len, errno] of [
    ['6.12', 2 ** 31, Errno.EFAULT],
    ['7.2.13', 2 ** 41, Errno.EINVAL],
  ] as const) {
    const task = new Task(kernel(release));
    const fd = task.ioUringSetup(1);
    t.equal(task.ioUringRegisterBuffers(fd, [{ base: 0x10000000, len }]), -errno, release);
  }
});

t.test('fallocate: NFS needs v4.2 ALLOCATE, FUSE a server that implements it', async (t) => {
  const fallocate = (cwd: unknown): number => {
    const task = new Task(kernel('6.18.44', { fs: { tmp: 'tmpfs', cwd } }));
    const fd = task.openCreateExcl('f');
    return task.fallocate(fd, 0, 0, 4096);
  };
  t.equal(fallocate('nfs'), 0, 'nfs negotiates v4.2 by default');
  t.equal(fallocate({ type: 'nfs', version: '4.1' }), -Errno.EOPNOTSUPP);
  t.equal(fallocate({ type: 'nfs', version: '4.2', fallocate: false }), -Errno.EOPNOTSUPP, 'a 4.2 server without ALLOCATE');
  t.equal(fallocate('nfs3'), -Errno.EOPNOTSUPP);
  t.equal(fallocate('fuse'), 0);
  t.equal(fallocate({ type: 'fuse', fallocate: false }), -Errno.EOPNOTSUPP);
  t.equal(fallocate({ type: 'virtiofs', fallocate: false }), -Errno.EOPNOTSUPP);
});

t.test('the test reports an unsupported fallocate() as SKIP from v6.17, as FAIL before', async (t) => {
  const lines = (tree: string) => {
    const p = predict(env({ kernel: { release: '7.2.13' }, fs: { tmp: 'tmpfs', cwd: { type: 'fuse', fallocate: false } }, selftest: { tree } }));
    if ('error' in p) throw new Error(p.error);
    return p.stdout;
  };
  t.match(lines('7.2.13'), /# fallocate\(\) not supported by filesystem\nok 3 # SKIP R\/W longterm GUP pin in MAP_SHARED file mapping \.\.\. with local tmpfile/);
  t.match(lines('6.12.117'), /not ok 3 fallocate\(\) failed/);
});

t.test('liburing issues raw syscalls (errno untouched) on x86_64/arm64 from 2.2, riscv64 from 2.5', async (t) => {
  t.ok(liburingSetsErrno({ version: '2.1', arch: 'x86_64' }));
  t.notOk(liburingSetsErrno({ version: '2.2', arch: 'arm64' }));
  t.ok(liburingSetsErrno({ version: '2.4', arch: 'riscv64' }));
  t.notOk(liburingSetsErrno({ version: '2.5', arch: 'riscv64' }));
  t.notOk(liburingSetsErrno({ version: '2.10', arch: 'x86_64' }), 'versions compare as numbers');
  t.ok(liburingSetsErrno({ version: '2.15', arch: 's390x' }), 'generic arches go through libc');
});

t.test('selftest versions by tree: D from v7.2, C3 for 6.19…7.1', async (t) => {
  const id = (tree: string): string => {
    const b = selftestBuild(tree);
    if ('error' in b) throw new Error(b.error);
    return b.version.id;
  };
  t.same(['6.19', '7.0', '7.1.5', '7.2-rc1', '7.2.13', '7.3-rc2', 'next'].map(id), ['C3', 'C3', 'C3', 'D', 'D', 'D', 'D']);
});

t.test('7.2 runners: six gup_test programs, ksft_gup_test.sh, Totals and exit 1 on a failure', async (t) => {
  const base = { kernel: { release: '7.2.13' }, hugetlb: [{ sizeKiB: 2048, free: 2 }], fs: { tmp: 'tmpfs', cwd: 'ext4' } };
  const ci = predict(env({ ...base, runner: 'kselftest+run_vmtests' }));
  if ('error' in ci) throw new Error(ci.error);
  t.match(ci.stdout, /^TAP version 13\n1\.\.1\n# timeout set to 900\n# selftests: mm: ksft_gup_test\.sh\n/);
  const programs = [...ci.stdout.matchAll(/^# ok \d+ (gup_\S+(?: [^\n]*)?)$/gm)].map((m) => m[1]);
  t.same(programs, ['gup_test -u -n 1', 'gup_test -u -n -1', 'gup_test -a -n 1', 'gup_test -a -n -1', 'gup_test -ct -F 0x1 0 19 0x1000', 'gup_longterm']);
  t.match(ci.stdout, /# # # DUMP_USER_PAGES_TEST: done\n# # ok 1 ioctl status 0\n/, 'gup_test with the device present');
  t.match(ci.stdout, /ok 1 selftests: mm: ksft_gup_test\.sh\n# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0\n$/);
  t.equal(ci.exitCode, 0);
  // A kernel that lets an R/W pin of an ext4 page through makes gup_longterm fail.
  const failing = predict(env({ ...base, kernel: { release: '7.2.13', patches: ['-8ac268436e6d'] }, runner: 'kselftest+run_vmtests' }));
  if ('error' in failing) throw new Error(failing.error);
  t.match(failing.stdout, /not ok 1 selftests: mm: ksft_gup_test\.sh # exit=1\n# Totals: pass:0 fail:1 /);
  t.equal(failing.exitCode, 1, 'run_kselftest.sh exits 1 when a test failed (7.x)');
  const old = predict(env({ ...base, kernel: { release: '6.12', patches: ['-8ac268436e6d'] }, runner: 'kselftest+run_vmtests' }));
  if ('error' in old) throw new Error(old.error);
  t.match(old.stdout, /# timeout set to 180\n# selftests: mm: run_vmtests\.sh\n/);
  t.notMatch(old.stdout, /# Totals: pass:\d+ fail:\d+ xfail:\d+ xpass:0 skip:\d+ error:0\n$/, 'the 6.x runner prints no totals of its own');
  t.equal(old.exitCode, 0, 'the 6.x runner exits 0 whatever failed');
});

t.test('7.2 run_vmtests.sh has no root gate; 6.12 gives up without root', async (t) => {
  const nonroot = (tree: string) => {
    const p = predict(env({ kernel: { release: '7.2.13' }, hugetlb: [{ sizeKiB: 2048, free: 0 }], user: { root: false }, selftest: { tree }, runner: 'run_vmtests' }));
    if ('error' in p) throw new Error(p.error);
    return p;
  };
  const old = nonroot('6.12.117');
  t.equal(old.stdout, 'Please run this test as root\n');
  t.equal(old.exitCode, 4);
  const now = nonroot('7.2.13');
  t.match(now.stdout, /# running \.\/gup_longterm\n/);
  t.match(now.stdout, /# Bail out! \/sys\/kernel\/mm\/hugepages\/hugepages-2048kB\/nr_hugepages open failed: Permission denied\n/);
  t.match(now.stdout, /not ok 6 gup_longterm # exit=1\n/);
  t.equal(now.exitCode, 1);
});
