/**
 * `gupsim diff` on every shared log: the triage each must get, with the environment given and
 * inferred, the explanations' citations, and the inference's certainty labels.
 */
import t from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffLog, needsHuman } from '../reports/diff/index.js';
import { diffOnce, FIXTURES, goldenLogs } from './helpers.js';

const pub = (name: string): string => readFileSync(join(FIXTURES, 'public', name), 'utf8');
const run0 = (text: string, name: string, opts = {}) => {
  const rep = diffLog(text, name, opts);
  const r = rep.runs[0];
  if (!r) throw new Error(`${name}: no run`);
  return r;
};

t.test('001 (v1 cover letter): match', async (t) => {
  const r = run0(pub('001-hildenbrand-v1-cover-all-pass.log'), '001');
  t.equal(r.triage, 'match');
  t.equal(r.subtests.length, 50);
  t.equal(r.inferred.tmpFs.value, 'tmpfs');
  t.equal(r.inferred.cwdFs.value, 'ext4');
  t.match(r.inferred.kernelEra.because, /≥ 6\.5/);
});

t.test('002 (prototype): expected-failure at row 48, citing 34ed8d0dcd69', async (t) => {
  const r = run0(pub('002-hildenbrand-pin_longterm-prototype-iouring-fail.log'), '002');
  t.equal(r.triage, 'expected-failure');
  t.equal(r.selftest, 'P');
  const fails = r.subtests.filter((s) => s.class !== 'match');
  t.equal(fails.length, 1);
  t.equal(fails[0]!.number, 48);
  t.equal(fails[0]!.id, 'iouring/private/local-tmpfile');
  t.ok(fails[0]!.commits.includes('34ed8d0dcd69'));
  t.match(fails[0]!.explanation, /34ed8d0dcd69/);
  t.match(r.inferred.kernelEra.value, /^6\.4 .*\+8ac268436e6d/, 'the mm-unstable seed state');
});

t.test('004 (9p, run_vmtests under the runner): environment', async (t) => {
  const r = run0(pub('004-kitayama-arm64-fvp-9p-run_vmtests-ftruncate-failed.log'), '004');
  t.equal(r.triage, 'environment');
  t.equal(r.subtests.filter((s) => s.class === 'environment').length, 8);
  t.ok(r.subtests.filter((s) => s.class === 'environment').every((s) => s.id?.endsWith('/local-tmpfile')));
  t.equal(r.inferred.cwdFs.value, '9p');
  t.equal(r.inferred.arch.value, 'arm64');
  t.equal(r.inferred.liburing.value, false);
  t.equal(r.inferred.liburing.certainty, 'certain');
  t.equal(r.exitCode.observed, 1);
  t.equal(r.exitCode.predicted, 1);
});

t.test('006 (LKFT, liburing.so.2 missing): infrastructure, exit 1', async (t) => {
  const rep = diffLog(pub('006-lkft-next-20250616-liburing-missing-exit127.log'), '006');
  t.equal(rep.runs[0]!.triage, 'infrastructure');
  t.match(rep.runs[0]!.summary, /liburing\.so\.2/);
  t.ok(needsHuman(rep));
});

t.test('007/008: the same sub-tests under two wordings line up under one id', async (t) => {
  const a = run0(pub('007-stoakes-2025-before-unique-names-skip.log'), '007');
  const b = run0(pub('008-stoakes-2025-after-unique-names-fail.log'), '008');
  t.same(
    a.subtests.map((s) => s.id),
    b.subtests.map((s) => s.id),
  );
  t.same(a.subtests.map((s) => s.id), ['ro/gup-fast/private/memfd-hugetlb-2048kB', 'ro/gup-fast/private/memfd-hugetlb-1048576kB']);
  t.same(a.subtests.map((s) => s.observed), ['skip', 'skip']);
  t.same(b.subtests.map((s) => s.observed), ['fail', 'fail']);
  t.equal(a.selftest, 'B');
  t.equal(b.selftest, 'C0', 'a FAILed memfd_create() is the v6.16-rc1 wording');
});

t.test('009 (virtme-ng, overlayfs): test-bug, planned 50 ran 46', async (t) => {
  const r = run0(pub('009-stoakes-2026-virtme-ng-overlayfs-planned-mismatch.log'), '009');
  t.equal(r.triage, 'test-bug');
  t.match(r.summary, /planned 50, ran 46/);
  t.match(r.summary, /21c68ad1d977/);
  t.equal(r.inferred.tmpFs.value, 'overlayfs');
});

t.test('011 (9p, no gup_test, strace): environment', async (t) => {
  const r = run0(pub('011-kitayama-arm64-fvp-9p-no-gup_test-strace-reconstructed.log'), '011');
  t.equal(r.triage, 'environment');
  t.equal(r.inferred.gupTest.value, false);
});

for (const g of goldenLogs()) {
  t.test(`${g.name}: explained with its environment, and without`, async (t) => {
    // test-bug: the real 7.2 and memlock logs show the stale-errno io_uring verdicts, which
    // gupsim must call the test's defect (explained, exit 0), never a match.
    const clean = ['match', 'expected-failure', 'environment', 'test-bug'];
    const given = diffOnce(g.log, g.name, g.env);
    for (const r of given.runs) {
      t.ok(clean.includes(r.triage), `given env: ${r.triage}: ${r.summary}`);
      t.notOk(r.subtests.some((s) => s.observed !== s.predicted), 'every sub-test as predicted');
    }
    t.notOk(needsHuman(given), 'given env: nothing needs a human');
    const inferred = diffOnce(g.log, g.name);
    for (const r of inferred.runs) {
      t.ok(clean.includes(r.triage), `inferred: ${r.triage}: ${r.summary}`);
    }
    t.notOk(needsHuman(inferred), 'inferred: nothing needs a human');
  });
}

t.test('the 6.1 live log: io_uring MAP_PRIVATE ext4 failures are expected before 34ed8d0dcd69', async (t) => {
  const g = goldenLogs().find((x) => x.name.startsWith('6.1.0'))!;
  const r = diffLog(g.log, g.name, { env: g.env }).runs[0]!;
  t.equal(r.triage, 'expected-failure');
  t.same(
    r.subtests.filter((s) => s.class === 'expected-failure').map((s) => s.id),
    ['iouring/private/tmpfile', 'iouring/private/local-tmpfile'],
  );
});

t.test('a kernel that stops refusing R/W pins is a kernel-regression', async (t) => {
  const g = goldenLogs().find((x) => x.name.startsWith('6.12.117-guptest'))!;
  // Rows 2 and 3: the kernel refused (EFAULT) → "Should have failed". Pretend it pinned.
  const tampered = g.log.replace('ok 2 Should have failed', 'not ok 2 Should have worked');
  const r = diffLog(tampered, 'tampered', { env: g.env }).runs[0]!;
  t.equal(r.triage, 'kernel-regression');
  const s = r.subtests.find((x) => x.class === 'kernel-regression')!;
  t.equal(s.id, 'rw/gup/shared/tmpfile');
  t.match(s.explanation, /8ac268436e6d/);
});

t.test('a crash mid-run is triaged crash, later sub-tests too', async (t) => {
  const g = goldenLogs().find((x) => x.name.startsWith('6.12.117-guptest'))!;
  const cut = g.log.split('\n').slice(0, 30).join('\n') + '\n[  123.456] BUG: kernel NULL pointer dereference, address: 0000000000000008\n';
  const rep = diffLog(cut, 'crash', { env: g.env });
  t.equal(rep.runs[0]!.triage, 'crash');
  t.ok(rep.runs[0]!.subtests.some((s) => s.class === 'crash' && s.observed === null));
  t.ok(needsHuman(rep));
});

t.test('a glued EINVAL skip is read and predicted (v6.15 on a pre-6.2 kernel)', async (t) => {
  const log = [
    'TAP version 13',
    '1..24',
    '# [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... with memfd',
    'ok 1 # SKIP PIN_LONGTERM_TEST_START failed (EINVAL)n# [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... with tmpfile',
    'ok 2 # SKIP PIN_LONGTERM_TEST_START failed (EINVAL)n# [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... with local tmpfile',
    'ok 3 # SKIP PIN_LONGTERM_TEST_START failed (EINVAL)n',
  ].join('\n');
  const r = run0(log, 'glued');
  t.equal(r.selftest, 'B');
  t.same(r.subtests.slice(0, 3).map((s) => s.observed), ['skip', 'skip', 'skip']);
  t.same(r.subtests.slice(0, 3).map((s) => s.predictedReason), Array(3).fill('PIN_LONGTERM_TEST_START failed (EINVAL)n'));
  t.match(r.inferred.kernelEra.because, /fit kernels 5\.14–6\.1/, 'EINVAL: gup_test without PIN_LONGTERM_TEST (before c77369b437f9)');
  t.equal(r.triage, 'crash', 'an excerpt that stops after 3 of 24 planned results');
});

t.test('diff never throws on mangled logs', async () => {
  const logs = goldenLogs().map((g) => g.log);
  fc.assert(
    fc.property(fc.constantFrom(...logs), fc.nat(), fc.nat(), fc.string(), (log, a, b, junk) => {
      const lines = log.split('\n');
      const i = a % lines.length;
      const cut = lines.slice(0, i).concat(junk, lines.slice(i + (b % 5))).join('\n');
      diffLog(cut, 'mangled');
      return true;
    }),
    { numRuns: 25 },
  );
});

t.test('inference is memoised by run content, not by console noise or line numbers', async (t) => {
  const text = pub('011-kitayama-arm64-fvp-9p-no-gup_test-strace-reconstructed.log');
  const a = run0(text, 'a');
  const b = run0(`[    1.000000] random console line\n${text}`, 'b');
  t.equal(a.env, b.env, 'the same inferred environment object');
  t.equal(a.triage, b.triage);
  t.not(a.parsed.startLine, b.parsed.startLine);
});

t.test('an environment the model cannot run is reported, not half-built', async (t) => {
  const g = goldenLogs().find((x) => x.name.startsWith('6.18-host-ext4-default'))!;
  const bad = { ...g.env, selftest: { ...g.env.selftest, tree: '6.1' } };
  const r = diffLog(g.log, 'bad', { env: bad }).runs[0]!;
  t.equal(r.triage, 'unexplained');
  t.match(r.summary, /gup_longterm first shipped in v6\.5.*compared with the default environment instead/);
  t.ok(r.env, 'the comparison still has an environment');
  t.equal(r.subtests.length, 50);
});
