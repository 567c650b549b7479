/**
 * predictionKey() names a trace-less prediction: the inference search predicts each key once
 * and scores every environment with that key by it. So environments that share a key must
 * print the same bytes and the same records (traces aside), whatever settings the key leaves
 * out as dead (CONFIG_GUP_TEST where gup_test cannot be opened, kernel.io_uring_disabled where
 * the kernel never reads it or lets root through anyway). A sweep over the settings those
 * rules depend on checks it, and that the rules do merge environments.
 */
import t from 'tap';
import { environmentFromJson, type Environment } from '../cases/env.js';
import { predict, predictionKey } from '../cases/predict.js';

function env(o: {
  release: string;
  tree: string;
  root: boolean;
  gupTest: boolean;
  debugFs: boolean;
  ioUring: boolean;
  disabled: number;
}): Environment {
  const r = environmentFromJson({
    kernel: { release: o.release, config: { GUP_TEST: o.gupTest, DEBUG_FS: o.debugFs, IO_URING: o.ioUring } },
    hugetlb: [
      { sizeKiB: 2048, free: 2 },
      { sizeKiB: 1048576, free: 1 },
    ],
    user: { root: o.root, memlockKiB: 64 },
    sysctl: { io_uring_disabled: o.disabled },
    selftest: { tree: o.tree, liburing: '2.5' },
  });
  if (!r.ok) throw new Error(r.error);
  return r.env;
}

/** Everything a trace-less prediction says, as one comparable value. */
function observable(e: Environment): unknown {
  const p = predict(e, { trace: false });
  if ('error' in p) return p;
  return {
    stdout: p.stdout,
    exitCode: p.exitCode,
    program: [p.run.stdout, p.run.exitCode, p.run.plan, p.run.signal],
    subtests: p.run.subtests.map((s) => [s.id, s.name, s.number, s.verdict, s.result, s.diagnostics, s.errno]),
  };
}

t.test('environments with one prediction key predict alike', async (t) => {
  const groups = new Map<string, Environment[]>();
  for (const release of ['5.10', '6.1', '6.4', '6.12', '7.2']) {
    for (const tree of ['6.12', '6.15', '7.2']) {
      for (const root of [true, false]) {
        for (const gupTest of [true, false]) {
          for (const debugFs of [true, false]) {
            for (const ioUring of [true, false]) {
              for (const disabled of [0, 1, 2]) {
                const e = env({ release, tree, root, gupTest, debugFs, ioUring, disabled });
                const key = predictionKey(e);
                if (key === undefined) throw new Error('no key');
                groups.set(key, [...(groups.get(key) ?? []), e]);
              }
            }
          }
        }
      }
    }
  }
  let merged = 0;
  let mismatched = 0;
  for (const [, envs] of groups) {
    if (envs.length < 2) continue;
    merged += envs.length - 1;
    const first = observable(envs[0]!);
    for (const e of envs.slice(1)) {
      const other = observable(e);
      if (JSON.stringify(other) !== JSON.stringify(first)) {
        mismatched++;
        t.same(other, first, `${JSON.stringify([e.kernel, e.user.root, e.sysctl])} predicts like ${JSON.stringify([envs[0]!.kernel, envs[0]!.user.root, envs[0]!.sysctl])}`);
      }
    }
  }
  t.equal(mismatched, 0, 'every environment predicts like the others of its key');
  // Not vacuous: the dead-setting rules merge a good part of the sweep.
  t.ok(merged > 100, `${merged} environments share a key with an earlier one`);
});
