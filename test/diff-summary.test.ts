/**
 * `gupsim diff` of a log of many runs reads like a summary (issue 18 part 4): one block per
 * distinct outcome with its runs as compressed ranges, then the totals — and exactly the runs
 * `--all-runs` lists, grouped by the block they print. `--json` holds each distinct result once
 * and the runs refer to it: the same information as `--all-runs --json`, and smaller than the
 * log. Small logs read as before. Progress shows on a terminal's stderr only.
 */
import t from 'tap';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { bareFixtureLogs, buildRunnerLog } from '../bench/big-log.js';
import { RunRanges } from '../reports/diff/render/run-ranges.js';
import { main } from '../harness/cli.js';
import { cli, diffJsonRuns, FIXTURES } from './helpers.js';

const BARE = bareFixtureLogs(join(FIXTURES, 'live'));

/** The run numbers a summary block's `runs …` line names. */
function runsOf(text: string): number[] {
  const out: number[] = [];
  for (const part of text.replace(/ \([^)]*\)/g, '').split(', ')) {
    const m = /^(\d+)(?:–(\d+)(?: every (\d+)\w\w)?)?$/.exec(part.trim());
    if (!m) throw new Error(`not a run range: "${part}"`);
    const [a, b, step] = [Number(m[1]), Number(m[2] ?? m[1]), Number(m[3] ?? 1)];
    for (let n = a; n <= b; n += step) out.push(n);
  }
  return out;
}

t.test('RunRanges: progressions, strays and the runs past the shown ones', async (t) => {
  const text = (runs: number[]): string => {
    const r = new RunRanges();
    for (const n of runs) r.add(n, { start: n * 10, end: n * 10 + 5 });
    return r.text();
  };
  t.equal(text([7]), '7 (lines 70–75)');
  t.equal(text([3, 4, 5, 6]), '3–6 (lines 30–65)');
  t.equal(text([2, 13, 24, 35]), '2–35 every 11th (lines 20–25 … 350–355)');
  t.equal(text([2, 13]), '2 (lines 20–25), 13 (lines 130–135)');
  t.equal(
    text([1, 3, 4, 5]),
    '1 (lines 10–15), 3–5 (lines 30–55)',
    'two at a stride start no progression',
  );
  t.equal(
    text([1, 2, 3, 10, 12, 14, 16, 40]),
    '1–3 (lines 10–35), 10–16 every 2nd (lines 100–105 … 160–165), 40 (lines 400–405)',
  );
  const many = Array.from({ length: 20 }, (_, i) => i * 3 + (i % 2));
  const m = text(many);
  t.match(
    m,
    /, … \d+ more run\(s\) in \d+ range\(s\), up to run 58 \(--all-runs lists every run\)$/,
  );
  t.ok(m.split(', ').length <= 8, 'a few ranges, then a count');
  for (const seq of [
    [1, 2, 3],
    [5, 16, 27, 38, 49],
    [1, 4, 5, 9, 13, 17, 30],
  ]) {
    t.same(runsOf(text(seq)), seq, `${seq.join(',')} read back`);
  }
});

t.test(
  'a log of many runs: one block per distinct outcome, the runs --all-runs lists, the totals',
  async (t) => {
    const big = buildRunnerLog(BARE, 400_000);
    t.ok(big.runs > 3 * big.distinct, `${big.runs} runs of ${big.distinct} contents`);
    const dir = t.testdir({ 'runner.log': big.text });
    const log = join(dir, 'runner.log');
    const sum = await cli(['diff', log]);
    const all = await cli(['diff', '--all-runs', log]);
    t.equal(sum.code, all.code, 'the same exit code');
    t.equal(sum.stderr, '');
    const allBlocks = all.stdout.trimEnd().split('\n\n');
    t.equal(allBlocks.length, big.runs, '--all-runs: a block per run');
    // --all-runs, grouped by the text under each header.
    const bodies = new Map<string, number[]>();
    for (const b of allBlocks) {
      const m = /^\S+: run (\d+) \(lines \d+–\d+\): [A-Z-]+\n([^]*)$/.exec(b);
      if (!m) throw new Error(`a block without a header: ${b.slice(0, 80)}`);
      bodies.set(m[2]!, [...(bodies.get(m[2]!) ?? []), Number(m[1])]);
    }
    const blocks = sum.stdout.trimEnd().split('\n\n');
    const totals = blocks.pop()!;
    t.equal(blocks.length, bodies.size, `one block per distinct outcome (${bodies.size})`);
    let counted = 0;
    for (const b of blocks) {
      const many = /^\S+: (\d+) runs: [A-Z-]+\n  runs ([^\n]+)\n([^]*)$/.exec(b);
      const one = /^\S+: run (\d+) \(lines \d+–\d+\): [A-Z-]+\n([^]*)$/.exec(b);
      const runs = many ? runsOf(many[2]!) : one ? [Number(one[1])] : [];
      const body = many ? many[3]! : one ? one[2]! : '';
      t.same(runs, bodies.get(body), `the runs of "${body.split('\n')[0]}"`);
      if (many) t.equal(Number(many[1]), runs.length, 'the count it prints');
      counted += runs.length;
    }
    t.equal(counted, big.runs, 'every run in exactly one block');
    t.match(
      totals,
      new RegExp(
        `^\\S+: ${big.runs} runs, ${bodies.size} distinct outcomes: \\d+ \\w[^;]*; (none needs a human|\\d+ needs? a human)$`,
      ),
    );
    t.ok(
      sum.stdout.split('\n').length * 4 < all.stdout.split('\n').length,
      'a fraction of the lines',
    );
  },
);

t.test(
  '--json: each distinct result once, the runs refer to it; the same information, smaller than the log',
  async (t) => {
    const big = buildRunnerLog(BARE, 400_000);
    const dir = t.testdir({ 'runner.log': big.text });
    const log = join(dir, 'runner.log');
    const j = await cli(['diff', '--json', log]);
    const full = await cli(['diff', '--json', '--all-runs', log]);
    t.equal(j.code, full.code);
    const doc = JSON.parse(j.stdout) as {
      results: unknown[];
      runs: { result: number; source: string }[];
      issues: unknown[];
    };
    t.same(Object.keys(doc), ['results', 'runs', 'issues']);
    t.equal(doc.runs.length, big.runs);
    t.ok(doc.results.length <= big.distinct, `${doc.results.length} distinct results`);
    t.same(
      new Set(doc.runs.map((r) => r.result)).size,
      doc.results.length,
      'every result is some run’s',
    );
    const fullRuns = (JSON.parse(full.stdout) as { runs: Record<string, unknown>[] }).runs;
    const joined = diffJsonRuns(j.stdout).map(({ result: _r, ...rest }) => rest);
    t.same(joined, fullRuns, 'runs joined with their results are --all-runs --json');
    t.ok(
      Buffer.byteLength(j.stdout) < big.bytes,
      `${Buffer.byteLength(j.stdout)} bytes of JSON for a ${big.bytes}-byte log`,
    );
    t.ok(
      Buffer.byteLength(full.stdout) > big.bytes,
      'where every run in full is larger than the log',
    );
  },
);

t.test('small logs read as before: a run per block, no totals', async (t) => {
  const dirs = ['public', '7x'].map((d) => join(FIXTURES, d));
  const logs = dirs.flatMap((d) =>
    readdirSync(d)
      .filter((f) => f.endsWith('.log'))
      .map((f) => join(d, f)),
  );
  logs.push(
    ...readdirSync(join(FIXTURES, '..', 'repro'))
      .filter((f) => f.endsWith('.log'))
      .map((f) => join(FIXTURES, '..', 'repro', f)),
  );
  t.ok(logs.length >= 15);
  for (const log of logs) {
    const a = await cli(['diff', log]);
    const b = await cli(['diff', '--all-runs', log]);
    t.same(a, b, log.slice(FIXTURES.length - 14));
  }
  // Two copies of one run are one outcome of two runs.
  const one = readFileSync(
    join(FIXTURES, 'public', '001-hildenbrand-v1-cover-all-pass.log'),
    'utf8',
  );
  const dir = t.testdir({ 'twice.log': `${one}\n${one}` });
  const twice = await cli(['diff', join(dir, 'twice.log')]);
  t.match(
    twice.stdout,
    /^\S+twice\.log: 2 runs: MATCH\n  runs 1–2 \(lines 1–\d+\)\n  matches the model/,
  );
  t.match(
    twice.stdout,
    /\n\n\S+twice\.log: 2 runs, 1 distinct outcome: 2 match; none needs a human\n$/,
  );
});

t.test(
  'progress: on a terminal’s stderr for a long read, never on a pipe or beside --all-runs output',
  async (t) => {
    const big = buildRunnerLog(BARE, 5_000_000);
    const dir = t.testdir();
    const log = join(dir, 'big.log');
    writeFileSync(log, big.text);
    const run = async (
      argv: string[],
      stderrTTY: boolean,
      stdoutTTY: boolean,
    ): Promise<{ out: string; err: string; code: number }> => {
      let out = '';
      let err = '';
      const stdin = new PassThrough();
      stdin.end('');
      const code = await main(argv, {
        stdout: { write: (s: string) => (out += s) },
        stderr: { write: (s: string) => (err += s), isTTY: stderrTTY },
        stdin,
        env: { NO_COLOR: '1' },
        isTTY: stdoutTTY,
      });
      return { out, err, code };
    };
    const tty = await run(['diff', log], true, false);
    t.match(
      tty.err,
      /reading \S*big\.log \[[^\]]*\] \d+% [\d.]+\/[\d.]+ MB, \d+ runs/,
      'the bar: file, bytes, runs',
    );
    const pipe = await run(['diff', log], false, false);
    t.equal(pipe.err, '', 'no progress on a pipe');
    t.equal(tty.out, pipe.out, 'stdout is the same');
    const beside = await run(['diff', '--all-runs', log], true, true);
    t.equal(beside.err, '', '--all-runs to the same terminal: no bar between its blocks');
    const small = await run(
      ['diff', join(FIXTURES, 'public', '001-hildenbrand-v1-cover-all-pass.log')],
      true,
      false,
    );
    t.equal(small.err, '', 'a short read: no bar');
  },
);
