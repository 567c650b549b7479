/**
 * RunOptions.until ends a run once every sub-test of a stop set has its record (the inference
 * stops an excerpt's predictions there). A stopped run's records must be the whole run's
 * first records, traces included, for every version of the test and with liburing; a stop
 * set that the run completes only at its last sub-test, or never, gives the whole run.
 */
import t from 'tap';
import { environmentFromJson, type Environment } from '../cases/env.js';
import { runSelftest, type SelftestRun } from '../cases/run.js';

function env(tree: string, release: string, liburing: string | null, root: boolean): Environment {
  const r = environmentFromJson({
    kernel: { release },
    hugetlb: [
      { sizeKiB: 2048, free: 2 },
      { sizeKiB: 1048576, free: 1 },
    ],
    fs: { tmp: 'ext4', cwd: 'tmpfs' },
    user: { root },
    selftest: { tree, liburing },
  });
  if (!r.ok) throw new Error(r.error);
  return r.env;
}

function run(e: Environment, until?: ReadonlySet<string>): SelftestRun {
  const r = runSelftest(e, until ? { until } : {});
  if ('error' in r) throw new Error(r.error);
  return r;
}

const ENVS = [
  env('prototype', '6.4', '2.5', true),
  env('6.5', '6.5', null, true),
  env('6.15', '6.15', '2.1', false),
  env('7.2', '7.2', '2.5', true),
];

for (const e of ENVS) {
  t.test(`${e.selftest.tree}, kernel ${e.kernel.release}, liburing ${String(e.selftest.liburing)}, root ${e.user.root}`, async (t) => {
    const whole = run(e);
    const ids = whole.subtests.map((s) => s.id);
    t.ok(ids.length > 10, 'the run has sub-tests');
    t.equal(new Set(ids).size, ids.length, 'no id repeats in a run');
    t.notOk(whole.stopped, 'a run without a stop set is whole');
    const last = ids.length - 1;
    // Stop sets, each with the index of the sub-test that completes it.
    const sets: [string[], number][] = [
      [[], -1],
      [[ids[0]!], 0],
      [[ids[7]!, ids[3]!], 7],
      [[ids[last - 1]!], last - 1],
      [[ids[last]!], last],
      [[ids[2]!, 'rw/gup/shared/memfd-hugetlb-64kB'], -2],
    ];
    for (const [set, upTo] of sets) {
      const stopped = run(e, new Set(set));
      const complete = upTo === -2 || upTo === last;
      const n = complete ? ids.length : upTo + 1;
      t.equal(stopped.stopped, !complete, `{${set.join(' ')}}: stopped only when sub-tests are left`);
      t.same(stopped.subtests, whole.subtests.slice(0, n), `{${set.join(' ')}}: the whole run's first ${n} records`);
      if (complete) t.same([stopped.stdout, stopped.exitCode, stopped.plan], [whole.stdout, whole.exitCode, whole.plan], 'and its output');
    }
  });
}
