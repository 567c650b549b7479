/**
 * predictionKey() names a trace-less prediction: the inference search predicts each key once
 * and scores every environment with that key by it. So environments that share a key must
 * print the same bytes and the same records (traces aside), whatever the key leaves out as
 * dead (cases/prediction-key.ts live()). Sweeps over the settings and kernels those
 * rules depend on check it, and that the rules do merge environments.
 */
import t, { type Test } from 'tap';
import { environmentFromJson, type Environment } from '../cases/env.js';
import { caseOfSubtestId } from '../cases/selftests/gup_longterm/ids.js';
import { predict, predictionKey } from '../cases/predict.js';
import type { SubtestRecord } from '../cases/subtest-recorder.js';

interface Setting {
  release: string;
  patches: readonly string[];
  tree: string;
  root: boolean;
  gupTest: boolean;
  debugFs: boolean;
  ioUring: boolean;
  disabled: number;
  memlockKiB: number | 'unlimited';
  liburing: string | null;
}

function env(o: Setting): Environment {
  const r = environmentFromJson({
    kernel: { release: o.release, patches: [...o.patches], config: { GUP_TEST: o.gupTest, DEBUG_FS: o.debugFs, IO_URING: o.ioUring } },
    hugetlb: [
      { sizeKiB: 2048, free: 2 },
      { sizeKiB: 1048576, free: 1 },
    ],
    user: { root: o.root, memlockKiB: o.memlockKiB },
    sysctl: { io_uring_disabled: o.disabled },
    selftest: { tree: o.tree, liburing: o.liburing },
  });
  if (!r.ok) throw new Error(r.error);
  return r.env;
}

/**
 * A sub-test's record as a trace-less prediction makes it. Its errno is left out: it is read
 * from the trace (cases/subtest-recorder.ts), so without one it is always null here.
 */
function recordOf(s: SubtestRecord): unknown[] {
  return [s.id, s.name, s.number, s.verdict, s.result, s.diagnostics];
}

/** Everything a trace-less prediction says, as one comparable value. */
function predictedWhole(e: Environment): string {
  const p = predict(e, { trace: false });
  if ('error' in p) return JSON.stringify(p);
  return JSON.stringify({
    stdout: p.stdout,
    exitCode: p.exitCode,
    program: [p.run.stdout, p.run.exitCode, p.run.plan, p.run.signal],
    subtests: p.run.subtests.map(recordOf),
  });
}

/** Every combination of the listed values. */
function sweep(axes: { [K in keyof Setting]: readonly Setting[K][] }): Setting[] {
  let out: Partial<Setting>[] = [{}];
  for (const [k, values] of Object.entries(axes) as [keyof Setting, readonly unknown[]][]) {
    out = out.flatMap((o) => values.map((v) => ({ ...o, [k]: v })));
  }
  return out as Setting[];
}

/** Kernels either side of every behaviour the rules name (5.11, 5.12, 6.2, 6.6, 6.14, 7.2). */
const RELEASES = ['5.10', '5.13', '6.1', '6.4', '6.12', '6.18', '7.2'];

/** What a search stopping before io_uring reads: the records of the GUP sub-tests. */
function gupRecords(e: Environment): string {
  const p = predict(e, { trace: false });
  if ('error' in p) return JSON.stringify(p);
  const gup = p.run.subtests.filter((s) => caseOfSubtestId(s.id) === 'gup');
  return JSON.stringify(gup.map(recordOf));
}

function check(t: Test, settings: Setting[], atLeast: number, beforeIoUring = false): void {
  const observable = beforeIoUring ? gupRecords : predictedWhole;
  const groups = new Map<string, Environment[]>();
  for (const s of settings) {
    const e = env(s);
    const key = predictionKey(e, beforeIoUring);
    if (key === undefined) throw new Error('no key');
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  let merged = 0;
  let mismatched = 0;
  for (const envs of groups.values()) {
    if (envs.length < 2) continue;
    merged += envs.length - 1;
    const first = observable(envs[0]!);
    for (const e of envs.slice(1)) {
      if (observable(e) === first) continue;
      mismatched++;
      const what = (x: Environment): string => JSON.stringify([x.kernel, x.user, x.sysctl, x.selftest]);
      t.fail(`${what(e)} predicts unlike ${what(envs[0]!)}, which has its key`);
    }
  }
  t.equal(mismatched, 0, 'every environment predicts like the others of its key');
  // Not vacuous: the rules do merge a good part of the sweep.
  t.ok(merged >= atLeast, `${merged} of ${settings.length} environments share a key with an earlier one`);
}

t.test('gup_test: CONFIG_GUP_TEST, gup_test_debugfs and pin_longterm_test where gup_test cannot open', async (t) => {
  check(
    t,
    sweep({
      release: RELEASES,
      // Kernels that differ in nothing but the gup_test behaviours.
      patches: [[], ['-c77369b437f9'], ['-9c84f229268f']],
      tree: ['6.12', '6.15', '7.2'],
      root: [true, false],
      gupTest: [true, false],
      debugFs: [true, false],
      ioUring: [true],
      disabled: [0],
      memlockKiB: [8192],
      liburing: [null],
    }),
    50,
  );
});

t.test('io_uring: the sysctl, RLIMIT_MEMLOCK and the io_uring behaviours where nothing reads them', async (t) => {
  check(
    t,
    sweep({
      release: RELEASES,
      patches: [[]],
      tree: ['6.15', '7.2'],
      root: [true, false],
      gupTest: [true],
      debugFs: [true],
      ioUring: [true, false],
      disabled: [0, 1, 2],
      memlockKiB: [8, 'unlimited'],
      liburing: ['2.5', null],
    }),
    300,
  );
});

t.test('before io_uring: every io_uring setting and behaviour, and liburing errno writing, for the GUP records', async (t) => {
  check(
    t,
    sweep({
      release: ['5.13', '6.4', '6.12', '7.2'],
      // Kernels without one of the io_uring behaviours (the sysctl, fast buffer pinning).
      patches: [[], ['-76d3ccecfa18'], ['-1943f96b3816']],
      tree: ['7.2'],
      root: [true, false],
      gupTest: [true],
      debugFs: [true],
      ioUring: [true, false],
      disabled: [0, 2],
      memlockKiB: [8, 'unlimited'],
      liburing: ['2.5', '2.1'],
    }),
    300,
    true,
  );
});

t.test('gup_longterm maps no anonymous memory: the behaviours only it reads are dead', async (t) => {
  check(
    t,
    sweep({
      release: ['6.12', '7.2'],
      // Kernels that differ in nothing but behaviours of anonymous memory (cow's).
      patches: [[], ['-64fe24a3e05e'], ['-1493a1913e34'], ['-b1f202060afe', '-7d8faaf15545']],
      tree: ['7.2'],
      root: [true],
      gupTest: [true],
      debugFs: [true],
      ioUring: [true],
      disabled: [0],
      memlockKiB: [8192],
      liburing: ['2.5'],
    }),
    6,
  );
  // For cow they live.
  const cow = (patches: string[]): string | undefined => {
    const r = environmentFromJson({ kernel: { release: '7.2', patches }, selftest: { name: 'cow' } });
    if (!r.ok) throw new Error(r.error);
    return predictionKey(r.env);
  };
  t.not(cow([]), cow(['-64fe24a3e05e']), 'cow: mprotect()\'s write upgrade is part of the key');
});
