/**
 * fs.debugfs read off a log: the gup_test programs run_vmtests.sh runs beside gup_longterm say
 * why they could not open /sys/kernel/debug/gup_test, and as a user who is not root only an
 * unmounted debugfs gives ENOENT ("check if CONFIG_GUP_TEST is enabled"); mounted, EACCES
 * ("Please run this test as root"). The search's score does not compare these words.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { environmentFromJson } from '../cases/env.js';
import { predict } from '../cases/predict.js';
import { diffLog } from '../reports/diff/index.js';
import { FIXTURES } from './helpers.js';

const real = (p: string): string => readFileSync(join(FIXTURES, p), 'utf8');

t.test('a real non-root 7.2 run_vmtests log on a host without debugfs mounted', async (t) => {
  const r = diffLog(
    real('live/realruns/6.18-host-st7.2-ext4-nonroot-hp2M2-memlockdefault-run_vmtests.log'),
    'x',
  ).runs[0]!;
  t.equal(r.inferred.root?.value, false);
  t.match(r.inferred.debugfs, { value: false, certainty: 'certain' });
  t.equal(r.env.fs.debugfs, false, 'the inferred machine has it');
  t.match(r.parsed.wrapper.stream?.siblings[0]?.message, /^check if CONFIG_GUP_TEST is enabled/);
});

t.test('as root, ENOENT is no CONFIG_GUP_TEST as well: a guess', async (t) => {
  const r = diffLog(real('live/6.18-host-ext4-run_vmtests-gup_test.log'), 'x').runs[0]!;
  t.equal(r.inferred.root?.value, true);
  t.equal(r.inferred.debugfs?.certainty, 'guess');
  t.equal(r.inferred.gupTest.value, false);
});

t.test('a non-root run with debugfs mounted: "Please run this test as root"', async (t) => {
  const env = environmentFromJson({
    kernel: { release: '7.2', config: { GUP_TEST: true } },
    hugetlb: [{ sizeKiB: 2048, free: 2 }],
    fs: { debugfs: true },
    user: { root: false },
    selftest: { tree: '7.2', liburing: '2.5' },
    runner: 'run_vmtests',
  });
  if (!env.ok) throw new Error(env.error);
  const p = predict(env.env, { trace: false });
  if ('error' in p) throw new Error(p.error);
  t.match(p.stdout, /# # Please run this test as root/);
  const r = diffLog(p.stdout, 'x').runs[0]!;
  t.match(r.inferred.debugfs, { value: true, certainty: 'certain' });
  t.equal(r.env.fs.debugfs, true);
  // With it unmounted, the same machine reads as unmounted.
  const un = predict({ ...env.env, fs: { ...env.env.fs, debugfs: false } }, { trace: false });
  if ('error' in un) throw new Error(un.error);
  t.match(diffLog(un.stdout, 'y').runs[0]!.inferred.debugfs, {
    value: false,
    certainty: 'certain',
  });
});

t.test('a log whose gup_test programs say nothing of it has no debugfs fact', async (t) => {
  const r = diffLog(real('live/realruns/6.18-host-st7.2-ext4-nonroot-hp2M2-memlock8.log'), 'x')
    .runs[0]!;
  t.equal(r.inferred.debugfs, undefined);
});
