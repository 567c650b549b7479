/**
 * cow's inference reads io_uring's RLIMIT_MEMLOCK accounting off the log
 * (cases/selftests/cow/infer.ts memlockCharged()): buffers refused above a size while smaller
 * ones register pin "no CAP_IPC_LOCK" and a limit before the search, and a charge that outlives
 * its ring pins the 6.14+ era, so the search is a handful of predictions instead of every
 * kernel; "io_uring_queue_init() failed" on some rows only is that charge, not
 * kernel.io_uring_disabled.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { clearInferenceCaches, searchPredictions } from '../reports/diff/infer-cache.js';
import { inferEnvironment } from '../reports/diff/infer.js';
import { perfectScore } from '../reports/diff/score.js';
import { parseLog } from '../reports/parse/index.js';
import { FIXTURES } from './helpers.js';

const runOf = (name: string) =>
  parseLog(readFileSync(join(FIXTURES, 'cow', `${name}.log`), 'utf8')).runs[0]!;

function infer(name: string) {
  clearInferenceCaches();
  const run = runOf(name);
  const before = searchPredictions();
  const r = inferEnvironment(run);
  if ('error' in r) throw new Error(r.error);
  return { r, run, predictions: searchPredictions() - before };
}

t.test('memlock 1024 KiB without CAP_IPC_LOCK: read off the log, reproduced at once', async (t) => {
  const { r, run, predictions } = infer('6.18-host-st7.2-cow-root-noipclock-memlock1024');
  t.equal(r.score, perfectScore(run), 'the inferred machine reproduces the whole log');
  t.same(
    {
      memlockKiB: r.env.user.memlockKiB,
      ipcLock: r.env.user.ipcLock,
      release: r.env.kernel.release,
    },
    { memlockKiB: 1024, ipcLock: false, release: '6.18' },
  );
  t.equal(r.env.sysctl.io_uring_disabled, 0);
  t.equal(r.inferred.memlockKiB?.value, 1024);
  t.match(r.inferred.kernelEra, {
    value: '6.18',
    certainty: 'likely',
    because: /reproduced whole on this kernel, not on 7\.2/,
  });
  t.ok(predictions <= 1, `the start is the machine: ${predictions} search predictions`);
});

t.test(
  'memlock 64 KiB: rings refused on some rows are the charge, not io_uring_disabled',
  async (t) => {
    for (const name of [
      '6.18-host-st6.12-cow-root-noipclock-memlock64',
      '6.18-host-st7.2-cow-root-noipclock-memlock64',
    ]) {
      const { r, predictions } = infer(name);
      t.equal(r.env.sysctl.io_uring_disabled, 0, `${name}: io_uring enabled`);
      t.equal(r.env.user.ipcLock, false, `${name}: no CAP_IPC_LOCK`);
      t.equal(r.env.kernel.release, '6.18', `${name}: a kernel that charges the rings`);
      t.match(r.inferred.kernelEra, { certainty: 'likely', because: /ring regions/ });
      t.ok(
        [32, 64].includes(r.env.user.memlockKiB as number),
        `${name}: ${String(r.env.user.memlockKiB)} KiB`,
      );
      t.ok(predictions <= 4, `${name}: ${predictions} search predictions`);
    }
  },
);

t.test('io_uring_disabled=2 and a root with CAP_IPC_LOCK keep their reading', async (t) => {
  const disabled = infer('6.18-host-st7.2-cow-root-iouring2').r;
  t.equal(disabled.env.sysctl.io_uring_disabled, 2);
  t.equal(disabled.inferred.memlockKiB, undefined);
  const root = infer('6.18-host-st7.2-cow-root-memlock64').r;
  t.equal(root.env.user.ipcLock, undefined, 'root keeps CAP_IPC_LOCK: nothing is charged');
  t.equal(root.env.user.memlockKiB, 8192);
});
