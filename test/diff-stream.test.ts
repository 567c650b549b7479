// The streaming diff: the same answers as diffing each run on its own, every run of a large
// log listed, the CLI's streamed JSON identical to the whole-report JSON, and the 7.x triage
// of a runner TIMEOUT (infrastructure, not crash) and of an oops fragment (crash).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { diffJson, JsonRunsWriter } from '../reports/diff/render/json.js';
import { diffLog, diffRun, diffStream, RunDiffer, type RunDiff } from '../reports/diff/index.js';
import { parseLog } from '../reports/parse/index.js';
import { FIXTURES, goldenLogs } from './helpers.js';

const KSFT = readFileSync(join(FIXTURES, '7x', '6.18-host-st7.2-ext4-kselftest-ksft_gup_test.log'), 'utf8');

t.test('RunDiffer: a reused diff is the diff of the run on its own', async (t) => {
  for (const g of goldenLogs()) {
    const twice = parseLog(g.log + g.log);
    const differ = new RunDiffer({ env: g.env });
    const reused = twice.runs.map((r) => differ.diff(r));
    t.equal(differ.reused, twice.runs.length / 2, `${g.name}: the second copy is reused`);
    for (const [i, r] of twice.runs.entries()) {
      t.same(reused[i], diffRun(r, r.index, { env: g.env }), `${g.name} run ${i}`);
    }
  }
});

t.test('RunDiffer: a changed result is not reused', async (t) => {
  const g = goldenLogs().find((x) => x.name === '6.18-host-ext4-default')!;
  const changed = g.log.replace(/^ok (\d+) (?!#)/m, 'not ok $1 '); // a pass becomes a fail
  t.not(changed, g.log);
  const log = parseLog(g.log + changed);
  const differ = new RunDiffer({ env: g.env });
  const [a, b] = log.runs.map((r) => differ.diff(r));
  t.equal(differ.reused, 0);
  t.notSame(a!.subtests, b!.subtests);
  t.equal(b!.subtests.filter((x) => x.observed === 'fail').length, a!.subtests.filter((x) => x.observed === 'fail').length + 1);
});

t.test('diffStream: every run of a 2,100-run log, diffed as it ends', async (t) => {
  const g = goldenLogs().find((x) => x.name === '6.18-host-ext4-default')!;
  const text = Array.from({ length: 2100 }, () => g.log).join('');
  const got: RunDiff[] = [];
  const s = await diffStream(Readable.from([Buffer.from(text)]), 'big', { env: g.env }, (d) => got.push(d));
  t.equal(s.runs, 2100);
  t.equal(got.length, 2100);
  t.same(s.issues, []);
  t.ok(got.every((d, i) => d.index === i && d.triage === got[0]!.triage));
});

t.test('JsonRunsWriter writes the bytes JSON.stringify(diffJson(…), null, 2) would', async (t) => {
  const reports = [diffLog(KSFT, 'a'), diffLog('no run here\n', 'b'), diffLog(KSFT + KSFT, 'c')];
  let out = '';
  const w = new JsonRunsWriter((s) => (out += s));
  for (const rep of reports) {
    for (const r of rep.runs) w.run(rep.source, r);
    w.logIssues(rep.source, rep.issues);
  }
  w.end();
  t.equal(out, JSON.stringify(diffJson(reports), null, 2) + '\n');
  let empty = '';
  const e = new JsonRunsWriter((s) => (empty += s));
  e.end();
  t.equal(empty, JSON.stringify(diffJson([]), null, 2) + '\n');
});

t.test('7.x: a runner TIMEOUT after a partial ksft_gup_test.sh run is infrastructure', async (t) => {
  const lines = KSFT.split('\n');
  const cut = lines.findIndex((l) => l.startsWith('# # ok 20 '));
  const text = [...lines.slice(0, cut + 2), '#', 'not ok 1 selftests: mm: ksft_gup_test.sh # TIMEOUT 900 seconds'].join('\n');
  const r = diffLog(text, 'timeout').runs[0]!;
  t.equal(r.triage, 'infrastructure');
  t.match(r.summary, /killed the test on a timeout.*TIMEOUT 900 seconds after 20 result\(s\)/);
});

t.test('7.x: an oops fragment with a [RUN] line and no TAP header is a crash at that sub-test', async (t) => {
  const text = [
    '# [RUN] io_uring fixed buffer with MAP_SHARED file mapping ... with tmpfile',
    '[  301.774512] Unable to handle kernel NULL pointer dereference at virtual address 0000000000000008',
    '[  301.774600] Internal error: Oops: 0000000096000004 [#1] PREEMPT SMP',
  ].join('\n');
  const rep = diffLog(text, 'oops');
  t.equal(rep.runs.length, 1, 'a run, not "no run found"');
  t.same(rep.issues, []);
  const r = rep.runs[0]!;
  t.equal(r.triage, 'crash');
  t.match(r.summary, /crashed: line 2: Unable to handle kernel/);
  t.match(r.subtests.find((s) => s.id === 'iouring/shared/tmpfile'), { observed: 'missing', class: 'crash' });
});
