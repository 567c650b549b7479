/**
 * The non-root 7.2-tree runs with huge pages reserved (issue 17 part 3), through their two
 * mechanisms rather than a log: the helper files' own kselftest.h counters on their exit
 * paths, and a ring's RLIMIT_MEMLOCK charge that comes back only after its deferred teardown,
 * which a 1 GiB huge page outlasts; and the real logs (test/fixtures/logs/live/realruns/, the
 * last section of live/INDEX.md) reproduced, and diffed with their environment and inferred.
 */
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnvironment } from '../cases/env.js';
import { predict } from '../cases/predict.js';
import { kernelSpecFor } from '../cases/machine.js';
import { RING_EXIT_NS } from '../kernel-model/io-uring-account.js';
import { Kernel } from '../kernel-model/kernel.js';
import { MAP_SHARED, PROT_READ, PROT_WRITE, Task } from '../kernel-model/task.js';
import { diffLog, needsHuman } from '../reports/diff/index.js';
import { cli, diffJsonRuns, env, FIXTURES } from './helpers.js';

function kernel(release: string, memlockKiB: number): Kernel {
  const e = env({
    kernel: { release },
    hugetlb: [
      { sizeKiB: 2048, free: 2 },
      { sizeKiB: 1048576, free: 2 },
    ],
    user: { root: false, memlockKiB },
  });
  return new Kernel(kernelSpecFor(e));
}

/** A hugetlb memfd of one page of `kb`, allocated (fallocate) and written (memset) as the test does; whether all of it worked. */
function hugePageWritten(task: Task, kb: number): boolean {
  const fd = task.memfdCreate(kb);
  const size = kb * 1024;
  if (fd < 0 || task.ftruncate(fd, size) || task.fallocate(fd, 0, 0, size)) return false;
  const mem = task.mmap(size, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
  const ok = mem >= 0 && task.access(mem, size, true) === 'ok';
  task.munmap(mem, size);
  task.close(fd);
  return ok;
}

t.test(
  '6.18: a closed ring stays charged through 2 MiB pages, a 1 GiB page outlasts its teardown',
  async (t) => {
    const k = kernel('6.18.44', 8);
    const task = new Task(k);
    task.close(task.ioUringSetup(1));
    t.equal(k.lockedVmPages, 2, 'the closed ring is still charged');
    t.ok(hugePageWritten(task, 2048));
    t.ok(k.nowNs < RING_EXIT_NS, `a 2 MiB page takes ${(k.nowNs / 1e6).toFixed(2)} ms`);
    t.equal(k.lockedVmPages, 2, 'still charged: the teardown waits for a grace period');
    t.ok(task.ioUringSetup(1) < 0, 'a second ring does not fit an 8 KiB limit');
    const before = k.nowNs;
    t.ok(hugePageWritten(task, 1048576));
    t.ok(
      k.nowNs - before > 2 * RING_EXIT_NS,
      'clearing and writing 1 GiB takes longer than a ring teardown',
    );
    t.equal(k.lockedVmPages, 0, 'io_ring_exit_work() ran meanwhile and gave the charge back');
    t.equal(k.deferredWork.length, 0);
    t.ok(task.ioUringSetup(1) >= 0, 'now a ring fits again');
  },
);

t.test('7.2: rings are not charged, so nothing waits for their teardown', async (t) => {
  const k = kernel('7.2.13', 8);
  const task = new Task(k);
  for (let i = 0; i < 4; i++) task.close(task.ioUringSetup(1));
  t.equal(k.lockedVmPages, 0);
  t.ok(task.ioUringSetup(1) >= 0, 'a fifth ring fits an 8 KiB limit');
});

/** The io_uring section's diagnostic per sub-test, `-` for none. */
function ioUringReasons(stdout: string): string[] {
  const out: string[] = [];
  const lines = stdout.split('\n');
  lines.forEach((l, i) => {
    if (!l.startsWith('# [RUN] io_uring')) return;
    const next = lines[i + 1] ?? '';
    out.push(
      next.startsWith('# ') ? next.slice(2).replace(/ \(Cannot allocate memory\)$/, '') : '-',
    );
  });
  return out;
}

t.test(
  '2 MiB + 1 GiB reserved, non-root, 8 KiB: on 6.18 each 1 GiB sub-test finds the earlier rings freed',
  async (t) => {
    const base = {
      hugetlb: [
        { sizeKiB: 2048, free: 2 },
        { sizeKiB: 1048576, free: 2 },
      ],
      user: { root: false, memlockKiB: 8 },
      fs: { tmp: 'ext4', cwd: 'ext4' },
      kernel: { release: '6.18.44', config: { GUP_TEST: false } },
      selftest: { tree: '7.2.13', liburing: '2.3' },
    };
    const p = predict(env(base));
    if ('error' in p) throw new Error(p.error);
    const QI = 'io_uring_queue_init() failed';
    const RB = 'io_uring_register_buffers() failed';
    // 41: the ring fits, its 1-page buffer does not; 42–44: the first ring is still charged.
    // 45: clearing the 1 GiB page outlasted the teardown: a ring fits, the 1 GiB buffer does not.
    t.same(ioUringReasons(p.stdout), [RB, QI, QI, QI, RB, QI, QI, QI, QI, RB]);
    const s45 = p.run.subtests.find((s) => s.id === 'iouring/shared/memfd-hugetlb-1048576kB')!;
    t.ok(
      s45.trace.some((e) => e.fn === 'io_ring_exit_work' && e.detail.startsWith('ran: ')),
      'the trace shows the teardown running',
    );
    t.match(
      p.stdout,
      /# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:50 error:0\nBail out! \/sys\/kernel\/mm\/hugepages\/hugepages-2048kB\/nr_hugepages open failed: Permission denied\n# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:0 error:0\n$/,
    );
    t.equal(p.exitCode, 1);
    // 7.2.13: the rings are not charged; every ring fits, the huge page buffers do not, the
    // 1-page ones do.
    const k72 = predict(
      env({ ...base, kernel: { release: '7.2.13', config: { GUP_TEST: false } } }),
    );
    if ('error' in k72) throw new Error(k72.error);
    t.notMatch(k72.stdout, /io_uring_queue_init\(\) failed/);
    t.same(ioUringReasons(k72.stdout), [
      '-',
      'io_uring_register_buffers() failed (Bad address)',
      'io_uring_register_buffers() failed (Bad address)',
      RB,
      RB,
      '-',
      '-',
      '-',
      RB,
      RB,
    ]);
  },
);

t.test(
  'the helpers bail out with their own counters: the test counted 40, vm_util.c counted none',
  async (t) => {
    const p = predict(
      env({
        kernel: { release: '6.18.44' },
        hugetlb: [{ sizeKiB: 2048, free: 2 }],
        user: { root: false, memlockKiB: 8192 },
        selftest: { tree: '7.2.13' },
      }),
    );
    if ('error' in p) throw new Error(p.error);
    const totals = p.stdout.match(/^# Totals: .*$/gm) ?? [];
    t.equal(totals.length, 2);
    t.not(totals[0], totals[1]);
    t.equal(totals[1], '# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:0 error:0');
    t.equal(
      (p.stdout.match(/skipped test\(s\) detected/g) ?? []).length,
      1,
      'only the test prints the skip notice',
    );
    // Root: the restore succeeds, the run ends at the test's own counters.
    const root = predict(
      env({
        kernel: { release: '6.18.44' },
        hugetlb: [{ sizeKiB: 2048, free: 2 }],
        selftest: { tree: '7.2.13' },
      }),
    );
    if ('error' in root) throw new Error(root.error);
    t.notMatch(root.stdout, /Bail out!/);
  },
);

/*
 * The kind this machine cannot run (no 1 GiB hstate here): 2 MiB and 1 GiB pages reserved, as
 * on the host of the shared 7.2-tree logs. What the model prints for it, diffed with nothing
 * given, must come out clean and be found to be a non-root run with both pools reserved.
 */
for (const [release, memlockKiB] of [
  ['6.18.44', 8],
  ['6.18.44', 64],
  ['7.2.13', 8],
  ['7.2.13', 8192],
] as const) {
  t.test(
    `inferred: ${release}, non-root, memlock ${memlockKiB} KiB, 2 MiB and 1 GiB pages reserved`,
    async (t) => {
      const e = env({
        kernel: { release, config: { GUP_TEST: false } },
        hugetlb: [
          { sizeKiB: 2048, free: 2 },
          { sizeKiB: 1048576, free: 2 },
        ],
        user: { root: false, memlockKiB },
        fs: { tmp: 'ext4', cwd: 'ext4' },
        selftest: { tree: '7.2.13', liburing: '2.3' },
      });
      const p = predict(e);
      if ('error' in p) throw new Error(p.error);
      const rep = diffLog(p.stdout, 'model');
      t.notOk(needsHuman(rep), rep.runs[0]?.summary ?? 'no run');
      const found = rep.runs[0]!.env;
      t.equal(found.user.root, false);
      t.same(
        found.hugetlb.map((h) => h.free),
        [2, 2],
      );
    },
  );
}

const DIR = join(FIXTURES, 'live', 'realruns');

/** The rows of live/INDEX.md for these logs: name and the exit code the run gave. */
function indexRows(): { name: string; exit: number }[] {
  const index = readFileSync(join(FIXTURES, 'live', 'INDEX.md'), 'utf8');
  return index
    .split('\n')
    .filter((l) => l.startsWith('| realruns/'))
    .map((l) => {
      const cells = l.split(' | ');
      return {
        name: cells[0]!.slice('| realruns/'.length).replace(/\.log$/, ''),
        exit: Number.parseInt(cells[5]!, 10),
      };
    });
}

t.test('every realruns fixture has its INDEX row', async (t) => {
  const logs = readdirSync(DIR)
    .filter((f) => f.endsWith('.log'))
    .map((f) => f.replace(/\.log$/, ''));
  t.same(
    indexRows()
      .map((r) => r.name)
      .sort(),
    logs.sort(),
  );
  t.ok(logs.length >= 4);
});

for (const { name, exit } of indexRows()) {
  t.test(
    `${name}: reproduced byte for byte, and diffed clean with its environment and inferred`,
    async (t) => {
      const logPath = join(DIR, `${name}.log`);
      const envPath = join(DIR, `${name}.env.json`);
      const log = readFileSync(logPath, 'utf8');
      const parsed = parseEnvironment(readFileSync(envPath, 'utf8'));
      if (!parsed.ok) throw new Error(parsed.error);
      const p = predict(parsed.env);
      if ('error' in p) throw new Error(p.error);
      t.equal(p.stdout, log, 'byte for byte');
      t.equal(p.exitCode, exit, 'the exit code in the INDEX row');
      const viaCli = await cli(['run', '--env', envPath]);
      t.equal(viaCli.stdout, log, 'gupsim run prints the same bytes');
      t.equal(viaCli.code, exit);

      const given = diffLog(log, name, { env: parsed.env });
      for (const r of given.runs)
        t.notOk(
          r.subtests.some((s) => s.observed !== s.predicted),
          'every sub-test as predicted',
        );
      t.notOk(needsHuman(given), 'given: nothing needs a human');
      t.notOk(needsHuman(diffLog(log, name)), 'inferred: nothing needs a human');

      const givenCli = await cli(['diff', '--env', envPath, logPath]);
      t.equal(givenCli.code, 0, givenCli.stdout);
      const inferred = await cli(['diff', '--json', logPath]);
      t.equal(inferred.code, 0, inferred.stdout);
      const run = (
        ({ runs: diffJsonRuns(inferred.stdout) }) as unknown as {
          runs: { env: { user: { root: boolean }; hugetlb: { free: number }[] } }[];
        }
      ).runs[0]!;
      t.equal(run.env.user.root, false, 'found: not root');
      t.ok(
        run.env.hugetlb.every((h) => h.free >= 2),
        'found: the huge pages were reserved beforehand',
      );
    },
  );
}

t.test('gup_test as non-root: ENOENT without debugfs mounted, EACCES with it', async (t) => {
  const messages = (fs: Record<string, unknown>, config: Record<string, boolean> = {}): string[] => {
    const p = predict(
      env({
        kernel: { release: '6.18.44', config },
        hugetlb: [{ sizeKiB: 2048, free: 2 }],
        fs,
        user: { root: false },
        selftest: { tree: '7.2.13', liburing: '2.3' },
        runner: 'run_vmtests',
      }),
      { trace: false },
    );
    if ('error' in p) throw new Error(p.error);
    // The first gup_test program's reason line (`# # <message>`).
    return p.stdout.split('\n').filter((l) => /^# # (Please run|check if|mount debugfs)/.test(l)).slice(0, 2);
  };
  t.same(messages({ debugfs: false }), ['# # check if CONFIG_GUP_TEST is enabled in kernel config', '# # check if CONFIG_GUP_TEST is enabled in kernel config']);
  t.same(messages({ debugfs: true }), ['# # Please run this test as root', '# # Please run this test as root']);
  t.same(messages({}, { GUP_TEST: true }), ['# # Please run this test as root', '# # Please run this test as root'], 'absent: mounted when the kernel has gup_test');
  t.same(messages({}, { GUP_TEST: false }), messages({ debugfs: false }), 'absent: not mounted when it has not');
  t.same(
    messages({ debugfs: true }, { DEBUG_FS: false }).slice(0, 2),
    ['# # mount debugfs at /sys/kernel/debug', '# # check if CONFIG_GUP_TEST is enabled in kernel config'],
    'no CONFIG_DEBUG_FS: no /sys/kernel/debug at all, for any user',
  );
});
