/**
 * The inference search leaves work out only where it cannot change the answer (starts that
 * predict like one already tried, environments already scored, starts after a perfect one,
 * candidates whose prediction key says they predict like one already predicted). A pinned
 * search with a pin that changes nothing skips none of the first two, and with views cached
 * per distinct environment none of the last, so all must infer the same environment, facts
 * and score for logs that exercise every starting kernel. Excerpts (007, 006) are searched
 * with predictions stopped after their sub-tests, keyed with io_uring left out: against whole
 * runs keyed by every field, the search must infer the same too.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clearInferenceCaches, keyViewsBy, stopEarly } from '../reports/diff/infer-cache.js';
import { inferEnvironment } from '../reports/diff/infer.js';
import { parseLog } from '../reports/parse/index.js';
import { FIXTURES } from './helpers.js';

const LOGS = [
  'public/007-stoakes-2025-before-unique-names-skip.log',
  'live/6.18-host-ext4-memlock8k-nonroot.log',
  'public/009-stoakes-2026-virtme-ng-overlayfs-planned-mismatch.log',
  // io_uring_disabled=2 (io_uring refused): the io_uring rules of predictionKey() at work.
  'live/6.18-host-ext4-iouringdisabled2.log',
  // An excerpt without a single sub-test: every prediction stops at its first.
  'public/006-lkft-next-20250616-liburing-missing-exit127.log',
];

for (const name of LOGS) {
  t.test(name, async (t) => {
    const run = parseLog(readFileSync(join(FIXTURES, name), 'utf8')).runs[0];
    if (!run) throw new Error(`${name}: no run`);
    clearInferenceCaches();
    const pruned = inferEnvironment(run);
    const full = inferEnvironment(run, { pin: (e) => e });
    if ('error' in pruned || 'error' in full) throw new Error('inference failed');
    t.same(pruned.env, full.env);
    t.same(pruned.inferred, full.inferred);
    t.equal(pruned.score, full.score);
    clearInferenceCaches();
    const again = inferEnvironment(run);
    if ('error' in again) throw new Error('inference failed');
    t.same([again.env, again.inferred, again.score], [pruned.env, pruned.inferred, pruned.score], 'a cleared cache infers the same again');
    // predictionKey() leaves out settings and behaviours a prediction never reads: with a view
    // per distinct environment instead (every field, the kernel by its release), a pinned
    // search (no pruning) must still infer the same.
    clearInferenceCaches();
    keyViewsBy((e) => JSON.stringify(e));
    t.teardown(() => keyViewsBy(undefined));
    const exact = inferEnvironment(run, { pin: (e) => e });
    keyViewsBy(undefined);
    if ('error' in exact) throw new Error('inference failed');
    t.same([exact.env, exact.inferred, exact.score], [pruned.env, pruned.inferred, pruned.score], 'views by every field infer the same');
    // And with every prediction a whole run (no early stop, so no key that leaves io_uring out).
    stopEarly(false);
    keyViewsBy((e) => JSON.stringify(e));
    t.teardown(() => stopEarly(true));
    const whole = inferEnvironment(run, { pin: (e) => e });
    stopEarly(true);
    keyViewsBy(undefined);
    if ('error' in whole) throw new Error('inference failed');
    t.same([whole.env, whole.inferred, whole.score], [pruned.env, pruned.inferred, pruned.score], 'whole runs by every field infer the same');
  });
}
