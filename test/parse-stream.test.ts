// The streaming parser and the edge cases of the 7.x CI shape: every run reported (no cap),
// runs handed out as they end, caps that say what they dropped, ksft_gup_test.sh as a
// container, a runner TIMEOUT after a partial run, an oops fragment with no TAP header.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { LogParser, parseLog, parseStream, type ParsedRun } from '../reports/parse/index.js';
import { buildRunnerLog } from '../bench/big-log.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/logs/', import.meta.url));
const read = (rel: string): string => readFileSync(FIXTURES + rel, 'utf8');
const LIVE = read('live/6.18-host-ext4-default.log');
const KSFT = read('7x/6.18-host-st7.2-ext4-kselftest-ksft_gup_test.log');

/** `copies` bare runs, each wrapped by the kselftest runner as one test. */
function runnerLog(copies: number): string {
  const body = LIVE.trimEnd().split('\n');
  const out = ['TAP version 13', `1..${copies}`];
  for (let n = 1; n <= copies; n++) {
    out.push('# selftests: mm: gup_longterm', ...body.map((l) => `# ${l}`), `ok ${n} selftests: mm: gup_longterm`);
  }
  return out.join('\n') + '\n';
}

t.test('every run is reported: no cap on runs (2,500 > the old 2,000)', async (t) => {
  const log = parseLog(runnerLog(2500));
  t.equal(log.runs.length, 2500);
  t.equal(log.stats.runs, 2500);
  t.same(log.errors, [], 'nothing dropped, nothing to report');
  t.same(
    log.runs.map((r) => r.index),
    Array.from({ length: 2500 }, (_, i) => i),
  );
});

t.test('onRun: each run handed out as it ends, none kept, same runs as parseLog', async (t) => {
  const text = runnerLog(30);
  const whole = parseLog(text);
  const seen: ParsedRun[] = [];
  const streamed = parseLog(text, { onRun: (r) => seen.push(r) });
  t.same(seen, whole.runs);
  t.same(streamed.runs, [], 'ParsedLog.runs stays empty');
  t.equal(streamed.stats.runs, 30);
  // Handed out before the input ends: the first run arrives while lines are still pushed.
  const p = new LogParser({ onRun: (r) => seen.push(r) });
  seen.length = 0;
  const lines = text.split('\n');
  const firstEnd = lines.findIndex((l) => l.startsWith('ok 1 selftests'));
  for (const l of lines.slice(0, firstEnd + 1)) p.push(l);
  t.equal(seen.length, 1, 'run 1 is out as soon as its verdict line arrives');
  const viaStream = await parseStream(Readable.from([Buffer.from(text)]), { onRun: () => {} });
  t.equal(viaStream.stats.runs, 30);
});

t.test('weak runs still wait for the end of the log when nothing names gup_longterm', async (t) => {
  const trailer = '# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0';
  const seen: ParsedRun[] = [];
  const log = parseLog(['TAP version 13', '1..1', 'ok 1 x', trailer].join('\n'), { onRun: (r) => seen.push(r) });
  t.equal(seen.length, 1);
  t.equal(log.stats.runs, 1);
  t.ok(seen[0]!.issues.some((i) => i.code === 'weak-run'));
});

t.test('a cap is never silent: issues beyond the per-run limit are counted', async (t) => {
  // 1,200 results all numbered 5: every one after the first is an unexpected number.
  const text = ['TAP version 13', '1..1200', ...Array.from({ length: 1200 }, () => 'ok 5 x')].join('\n');
  const r = parseLog(text).runs[0]!;
  t.equal(r.subtests.length, 1200, 'every result kept');
  // 1,200 unexpected numbers, and the run ended early: one sub-test reported 1,200 times is
  // one of 1,200 planned results.
  t.ok(r.endedEarly);
  t.ok(
    r.issues.some((i) => i.code === 'dropped-lines' && /^201 more issues not kept$/.test(i.message)),
    'the 201 issues past the limit are counted and reported',
  );
});

t.test('7.x ksft_gup_test.sh: a container; its timeout and verdict belong to the run', async (t) => {
  const log = parseLog(KSFT);
  t.equal(log.runs.length, 1);
  const r = log.runs[0]!;
  t.equal(r.subtests.length, 50);
  t.match(r.wrapper, {
    kind: 'run_vmtests-tap',
    underKselftestRunner: true,
    nesting: 2,
    timeoutSetTo: 900,
    verdict: { ok: true, number: 6, name: 'gup_longterm' },
    container: {
      name: 'ksft_gup_test.sh',
      timeoutSetTo: 900,
      verdict: { ok: true, number: 1, name: 'selftests: mm: ksft_gup_test.sh', directive: null },
    },
  });
  t.same(r.infrastructure, []);
  t.equal(log.otherPrograms.length, 5, 'the five gup_test programs are skipped');
});

t.test('7.x runner TIMEOUT after a partial run: a timeout marker on the run', async (t) => {
  const lines = KSFT.split('\n');
  const cut = lines.findIndex((l) => l.startsWith('# # ok 20 '));
  const text = [...lines.slice(0, cut + 2), '#', 'not ok 1 selftests: mm: ksft_gup_test.sh # TIMEOUT 900 seconds'].join('\n');
  const r = parseLog(text).runs[0]!;
  t.equal(r.subtests.filter((s) => s.verdict !== 'missing').length, 20);
  t.match(r.wrapper.timedOut, { seconds: 900 });
  t.match(r.wrapper.container?.verdict, { ok: false, directive: 'TIMEOUT 900 seconds' });
  t.ok(r.infrastructure.some((i) => i.kind === 'timeout'));
});

t.test('a runner TIMEOUT of the container after a complete run is not the run’s', async (t) => {
  const text = KSFT.replace('ok 1 selftests: mm: ksft_gup_test.sh', 'not ok 1 selftests: mm: ksft_gup_test.sh # TIMEOUT 900 seconds');
  const r = parseLog(text).runs[0]!;
  t.equal(r.wrapper.timedOut, null, 'gup_longterm printed its own verdict: it was not cut');
  t.same(r.infrastructure, []);
});

t.test('an oops fragment with a [RUN] line and no TAP header is a run', async (t) => {
  const text = [
    '# # # [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... with memfd',
    '[   42.000001] BUG: kernel NULL pointer dereference, address: 0000000000000008',
    '[   42.000002] Oops: 0000 [#1] PREEMPT SMP',
    '[   42.000003] RIP: 0010:io_check_coalesce_buffer+0x2c/0x1a0',
  ].join('\n');
  const log = parseLog(text);
  t.equal(log.runs.length, 1);
  const r = log.runs[0]!;
  t.equal(r.subtests.length, 1);
  t.match(r.subtests[0], { id: 'rw/gup/shared/memfd', verdict: 'missing' });
  t.ok(r.crashes.some((c) => c.kind === 'bug' && c.duringSubtest === 1), 'the crash is at that sub-test');
});

t.test('a parsed log is not kept alive by the parser once its result is dropped', async (t) => {
  // gc() for this process only (the flag set at run time, the function from a fresh context).
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const live = (): number => {
    gc();
    return process.memoryUsage().heapUsed;
  };
  const base = live();
  // A 16 MB log, parsed, and nothing but a count kept: every line of the parse is a slice of
  // the text, so anything the parser's module state kept of one would hold all 16 MB.
  const runs = ((): number => parseLog(buildRunnerLog([readFileSync(`${FIXTURES}live/6.18-host-ext4-default.log`, 'utf8')], 16e6).text).runs.length)();
  t.ok(runs > 100, `${runs} runs parsed`);
  const grown = (live() - base) / 1e6;
  t.ok(grown < 4, `live heap after the parse is within a few MB of before it (${grown.toFixed(1)} MB more)`);
});
