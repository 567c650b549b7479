/**
 * Every scenario on the kernels that bracket its fixes, and on the machines where it cannot
 * happen. Each expectation names the commit the history credits, and the trace of the run
 * must cite that commit where the outcome flips (or say it is absent just before), so the
 * TAP of `npm test` shows each flip at its commit.
 */
import t, { type Test } from 'tap';
import { SCENARIOS, scenarioByName } from '../cases/scenarios/index.js';
import type { Outcome, ScenarioResult } from '../cases/scenarios/scenario.js';
import { env } from './helpers.js';

interface Case {
  kernel: string;
  patches?: string[];
  fs?: { tmp?: string; cwd?: string };
  opts?: Record<string, string>;
  outcome: Outcome;
  /** A commit the run's trace must cite (decision or "not in this kernel"). */
  cites?: string;
}

function run(name: string, c: Case): ScenarioResult {
  const s = scenarioByName(name)!;
  const e = env({
    kernel: { release: c.kernel, patches: c.patches ?? [] },
    fs: { tmp: c.fs?.tmp ?? 'tmpfs', cwd: c.fs?.cwd ?? 'ext4' },
    hugetlb: [{ sizeKiB: 2048, free: 2 }],
  });
  const opts = Object.fromEntries(s.options.map((o) => [o.name, c.opts?.[o.name] ?? o.default]));
  const r = s.run(e, opts);
  if ('error' in r) throw new Error(r.error);
  return r;
}

function label(c: Case): string {
  const fs = c.fs?.cwd ?? 'ext4';
  const extra = [
    ...(c.patches ?? []),
    ...Object.entries(c.opts ?? {}).map(([k, v]) => `--${k} ${v}`),
  ].join(' ');
  return `${c.kernel}${extra ? ` ${extra}` : ''} (cwd ${fs}) → ${c.outcome}${c.cites ? ` [${c.cites}]` : ''}`;
}

function check(t: Test, name: string, cases: Case[]): void {
  for (const c of cases) {
    const r = run(name, c);
    t.equal(r.outcome, c.outcome, label(c));
    if (c.cites) {
      const trace = r.steps.flatMap((s) => s.trace);
      t.ok(
        trace.some((e) => e.commit === c.cites || e.detail.includes(`${c.cites} (`)),
        `${c.kernel}: the trace cites ${c.cites}`,
      );
    }
    // Outcomes and checks agree: a safe or refused run violates nothing it checked.
    const violated = r.checks.filter((x) => !x.skip && !x.holds);
    if (c.outcome === 'safe' || c.outcome === 'refused')
      t.same(violated, [], `${c.kernel}: no property violated`);
    else t.ok(violated.length > 0, `${c.kernel}: ${c.outcome} shows as a not-ok property`);
  }
}

t.test(
  'dirty-after-writeback, MAP_SHARED ext4: BUG → lost data (cc5095747edf) → untracked (d824ec2a1546) → refused (8ac268436e6d)',
  async (t) => {
    check(t, 'dirty-after-writeback', [
      { kernel: '5.15', outcome: 'crashed', cites: 'cc5095747edf' },
      { kernel: '6.1', outcome: 'corrupted', cites: 'cc5095747edf' },
      { kernel: '6.3', outcome: 'corrupted', cites: 'd824ec2a1546' },
      { kernel: '6.4', outcome: 'untracked', cites: 'd824ec2a1546' },
      { kernel: '6.5', outcome: 'refused', cites: '8ac268436e6d' },
      { kernel: '6.18.7', outcome: 'refused', cites: '8ac268436e6d' },
      { kernel: '6.4', patches: ['+8ac268436e6d'], outcome: 'refused', cites: '8ac268436e6d' },
      { kernel: '6.18.7', patches: ['-8ac268436e6d'], outcome: 'untracked' },
      { kernel: '6.1', patches: ['-cc5095747edf'], outcome: 'crashed' },
    ]);
  },
);

t.test('dirty-after-writeback on other writeback filesystems: untracked until 6.5', async (t) => {
  for (const fs of ['xfs', 'btrfs', 'ext2']) {
    check(t, 'dirty-after-writeback', [
      { kernel: '5.15', fs: { cwd: fs }, outcome: 'untracked' },
      { kernel: '6.4', fs: { cwd: fs }, outcome: 'untracked' },
      { kernel: '6.5', fs: { cwd: fs }, outcome: 'refused', cites: '8ac268436e6d' },
    ]);
  }
});

t.test('dirty-after-writeback cannot happen on shmem, hugetlbfs or MAP_PRIVATE', async (t) => {
  for (const kernel of ['5.15', '6.4', '6.18.7']) {
    check(t, 'dirty-after-writeback', [
      { kernel, fs: { cwd: 'tmpfs' }, outcome: 'safe' },
      { kernel, opts: { backing: 'memfd' }, outcome: 'safe' },
      { kernel, opts: { backing: 'hugetlb' }, outcome: 'safe' },
      { kernel, opts: { mapping: 'private' }, outcome: 'safe' },
      { kernel, opts: { backing: 'tmp' }, outcome: 'safe' },
    ]);
  }
});

t.test(
  'dirty-after-writeback via io_uring: the VMA filter refused file-backed buffers until GUP took over (34ed8d0dcd69)',
  async (t) => {
    check(t, 'dirty-after-writeback', [
      { kernel: '5.15', opts: { via: 'io_uring' }, outcome: 'refused', cites: '34ed8d0dcd69' },
      { kernel: '6.4', opts: { via: 'io_uring' }, outcome: 'refused', cites: '34ed8d0dcd69' },
      { kernel: '6.5', opts: { via: 'io_uring' }, outcome: 'refused', cites: '8ac268436e6d' },
      {
        kernel: '5.10',
        opts: { via: 'io_uring', backing: 'memfd' },
        outcome: 'refused',
        cites: '40dad765c045',
      },
      { kernel: '5.15', opts: { via: 'io_uring', backing: 'memfd' }, outcome: 'safe' },
    ]);
  },
);

t.test(
  'cow-either-way, anonymous memory: leaked → safe (17839856fd58) → diverged (09854ba94c6a) → safe (6c287605fd56/a7f226604170)',
  async (t) => {
    check(t, 'cow-either-way', [
      { kernel: '5.4', outcome: 'leaked', cites: '09854ba94c6a' },
      { kernel: '5.8', outcome: 'safe', cites: '17839856fd58' },
      { kernel: '5.10', outcome: 'diverged', cites: '09854ba94c6a' },
      { kernel: '5.18', outcome: 'diverged', cites: '09854ba94c6a' },
      { kernel: '5.19', outcome: 'safe', cites: '6c287605fd56' },
      { kernel: '6.12', outcome: 'safe', cites: '6c287605fd56' },
      { kernel: '6.12', patches: ['-a7f226604170'], outcome: 'diverged' },
    ]);
  },
);

t.test(
  'cow-either-way in MAP_ANONYMOUS memory (the memory map cow.c runs on): the same flips',
  async (t) => {
    const anonymous = { backing: 'anonymous' };
    check(t, 'cow-either-way', [
      { kernel: '5.4', opts: anonymous, outcome: 'leaked', cites: '09854ba94c6a' },
      { kernel: '5.8', opts: anonymous, outcome: 'safe', cites: '17839856fd58' },
      { kernel: '5.10', opts: anonymous, outcome: 'diverged', cites: '09854ba94c6a' },
      { kernel: '5.18', opts: anonymous, outcome: 'diverged', cites: '09854ba94c6a' },
      { kernel: '5.19', opts: anonymous, outcome: 'safe', cites: '6c287605fd56' },
      { kernel: '6.12', opts: anonymous, outcome: 'safe', cites: '6c287605fd56' },
      { kernel: '6.12', patches: ['-a7f226604170'], opts: anonymous, outcome: 'diverged' },
    ]);
  },
);

t.test(
  'cow-either-way, a private file page: reliable R/O long-term pins from 84209e87c696 (6.2)',
  async (t) => {
    check(t, 'cow-either-way', [
      { kernel: '5.4', opts: { backing: 'file' }, outcome: 'diverged' },
      { kernel: '5.8', opts: { backing: 'file' }, outcome: 'safe', cites: '17839856fd58' },
      { kernel: '6.1', opts: { backing: 'file' }, outcome: 'diverged' },
      { kernel: '6.2', opts: { backing: 'file' }, outcome: 'safe', cites: '84209e87c696' },
    ]);
  },
);

t.test('cow-either-way cannot happen in MAP_SHARED memory', async (t) => {
  for (const kernel of ['5.4', '5.10', '6.12'])
    check(t, 'cow-either-way', [{ kernel, opts: { backing: 'shared' }, outcome: 'safe' }]);
});

t.test('pfnmap-lifetime: the driver design decides, on every kernel', async (t) => {
  for (const kernel of ['5.10', '6.12', '7.2']) {
    check(t, 'pfnmap-lifetime', [
      { kernel, outcome: 'corrupted' },
      { kernel, opts: { driver: 'notifier' }, outcome: 'safe' },
      { kernel, opts: { driver: 'gup' }, outcome: 'refused' },
    ]);
  }
});

t.test(
  'kernel-va-access, MAP_SHARED ext4: set_page_dirty after the invalidation crashes, then loses data (cc5095747edf); a pin keeps buffers from 6.4',
  async (t) => {
    check(t, 'kernel-va-access', [
      { kernel: '5.15', outcome: 'crashed', cites: 'cc5095747edf' },
      { kernel: '6.1', outcome: 'corrupted' },
      { kernel: '6.12', outcome: 'corrupted' },
      { kernel: '6.1', opts: { ref: 'pin' }, outcome: 'corrupted', cites: 'd824ec2a1546' },
      { kernel: '6.12', opts: { ref: 'pin' }, outcome: 'untracked', cites: 'd824ec2a1546' },
      { kernel: '5.15', opts: { 'set-dirty': 'start' }, outcome: 'safe' },
      { kernel: '6.12', opts: { 'set-dirty': 'start' }, outcome: 'safe' },
    ]);
  },
);

t.test(
  'kernel-va-access needs no writeback on shmem, hugetlbfs, tmpfs or anonymous memory',
  async (t) => {
    for (const kernel of ['5.15', '6.12']) {
      check(t, 'kernel-va-access', [
        { kernel, opts: { backing: 'memfd' }, outcome: 'safe' },
        { kernel, opts: { backing: 'hugetlb' }, outcome: 'safe' },
        { kernel, opts: { backing: 'tmp' }, outcome: 'safe' },
        { kernel, opts: { backing: 'anon' }, outcome: 'safe' },
      ]);
    }
  },
);

t.test(
  'every scenario runs with its defaults on the default machine and fills every field',
  async (t) => {
    for (const s of SCENARIOS) {
      const r = s.run(
        env({ kernel: { release: '6.18.7' }, hugetlb: [{ sizeKiB: 2048, free: 2 }] }),
        Object.fromEntries(s.options.map((o) => [o.name, o.default])),
      );
      if ('error' in r) throw new Error(r.error);
      t.ok(r.steps.length >= 3 && r.checks.length >= 2, s.name);
      t.ok(r.summary.length > 10, `${s.name}: summary`);
    }
  },
);
