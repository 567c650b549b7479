// Property tests: mutate the real logs (truncation, prefixes, CRLF, interleaved oops text,
// random bytes) and check the parser never throws, stays linear (by its own operation
// counter, never wall-clock time), and that unknown lines never change a result.
import t from 'tap';
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseLog, type ParsedLog } from '../reports/parse/index.js';
import { runs } from './helpers/property.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/logs/', import.meta.url));
const LOGS: string[] = ['public', 'live'].flatMap((d) =>
  readdirSync(FIXTURES + d)
    .filter((f) => f.endsWith('.log'))
    .map((f) => readFileSync(`${FIXTURES}${d}/${f}`, 'utf8')),
);

/** The linear bound: a constant per line plus one step per character (for `# # # ...` runs). */
const withinLinearBound = (log: ParsedLog): boolean =>
  log.stats.work <= 64 * (log.stats.lines + 1) + log.stats.chars;

const OOPS = [
  '[   42.000001] Unable to handle kernel NULL pointer dereference at virtual address 0000000000000008',
  '[   42.000002] Internal error: Oops: 0000000096000004 [#1] PREEMPT SMP',
  '[   42.000003] Call trace:',
  '[   42.000004]  io_check_coalesce_buffer+0x2c/0x1a0',
  'BUG: kernel NULL pointer dereference, address: 0000000000000008',
  'RIP: 0010:io_check_coalesce_buffer+0x2c/0x1a0',
  'Kernel panic - not syncing: Fatal exception',
  'Segmentation fault (core dumped)',
];

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'prefix'; p: string }
  | { kind: 'crlf' }
  | { kind: 'oops'; at: number; which: number }
  | { kind: 'bytes'; at: number; junk: string }
  | { kind: 'dropLine'; at: number }
  | { kind: 'glue'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('prefix' as const),
    p: fc.constantFrom('# ', '\t', '> ', '[   12.345678] ', '07:05:40.369554  ', '12 | ', '  '),
  }),
  fc.record({ kind: fc.constant('crlf' as const) }),
  fc.record({ kind: fc.constant('oops' as const), at: fc.nat(), which: fc.nat() }),
  fc.record({
    kind: fc.constant('bytes' as const),
    at: fc.nat(),
    junk: fc.string({ maxLength: 40 }),
  }),
  fc.record({ kind: fc.constant('dropLine' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('glue' as const), at: fc.nat() }),
);

function mutate(text: string, m: Mutation): string {
  const lines = text.split('\n');
  const i = lines.length === 0 ? 0 : 'at' in m ? m.at % lines.length : 0;
  switch (m.kind) {
    case 'truncate':
      return text.slice(0, m.at % (text.length + 1));
    case 'prefix':
      return lines.map((l) => m.p + l).join('\n');
    case 'crlf':
      return text.replace(/\n/g, '\r\n');
    case 'oops':
      lines.splice(i, 0, OOPS[m.which % OOPS.length] ?? '');
      return lines.join('\n');
    case 'bytes': {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + m.junk + text.slice(at);
    }
    case 'dropLine':
      lines.splice(i, 1);
      return lines.join('\n');
    case 'glue':
      // A missing newline: join this line with the next.
      if (i + 1 < lines.length) lines.splice(i, 2, `${lines[i]}${lines[i + 1]}`);
      return lines.join('\n');
  }
}

t.test('mutated real logs: never throws, stays within the linear bound', async (t) => {
  fc.assert(
    fc.property(fc.constantFrom(...LOGS), fc.array(mutation, { maxLength: 6 }), (log, ms) => {
      const text = ms.reduce(mutate, log);
      const parsed = parseLog(text);
      if (!withinLinearBound(parsed)) return false;
      // Line numbers point into the input.
      for (const r of parsed.runs) {
        for (const s of r.subtests) if (s.line < 1 || s.line > parsed.stats.lines) return false;
      }
      return JSON.stringify(parsed).length > 0;
    }),
    { numRuns: runs(400) },
  );
  t.pass(`${runs(400)} mutated logs parsed`);
});

t.test('arbitrary strings and unicode: never throws', async (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), (s) => {
      const parsed = parseLog(s);
      return withinLinearBound(parsed) && Array.isArray(parsed.runs);
    }),
    { numRuns: runs(300) },
  );
  fc.assert(
    fc.property(
      fc.array(
        fc.constantFrom(
          'TAP version 13',
          '1..50',
          'ok 1',
          'not ok 2 x',
          '# [RUN] x',
          'Bail out!',
          '# # ',
          '# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0',
          'running ./gup_longterm',
          '# selftests: mm: gup_longterm',
          'ok 1 gup_longterm',
          '[PASS]',
          ')n',
          '(EINVAL)nok 1',
          '# [INFO] detected hugetlb page size: 2048 KiB',
          '# Planned tests != run tests (2 != 1)',
        ),
        { maxLength: 60 },
      ),
      fc.constantFrom('\n', '', '\r\n'),
      (parts, sep) => withinLinearBound(parseLog(parts.join(sep))),
    ),
    { numRuns: runs(300) },
  );
  t.pass('random input parsed');
});

t.test('unknown lines inserted anywhere never change a verdict or an id', async (t) => {
  // Unknown = not TAP and not `# `: console text, kernel messages (KTAP "unknown lines").
  const unknownLine = fc
    .string({ minLength: 1, maxLength: 30 })
    .map((s) => 'kernel: ' + s.replace(/[\r\n]/g, ' '));
  const live = LOGS.filter((l) => l.includes('TAP version 13'));
  fc.assert(
    fc.property(
      fc.constantFrom(...live),
      fc.array(fc.tuple(fc.nat(), unknownLine), { maxLength: 10 }),
      (log, inserts) => {
        const lines = log.split('\n');
        for (const [at, u] of inserts) lines.splice(at % lines.length, 0, u);
        const a = parseLog(log).runs.map((r) => r.subtests.map((s) => [s.id, s.verdict, s.number]));
        const b = parseLog(lines.join('\n')).runs.map((r) =>
          r.subtests.map((s) => [s.id, s.verdict, s.number]),
        );
        return JSON.stringify(a) === JSON.stringify(b);
      },
    ),
    { numRuns: runs(200) },
  );
  t.pass('verdicts unchanged');
});

t.test('work grows linearly with input size (operation counts, not time)', async (t) => {
  const unit = LOGS.join('\n');
  const w = (k: number): ParsedLog => parseLog(Array.from({ length: k }, () => unit).join('\n'));
  const one = w(1);
  const big = w(64);
  const ratio = big.stats.work / one.stats.work;
  t.ok(ratio > 48 && ratio < 80, `64× the input costs ${ratio.toFixed(1)}× the work`);
  t.ok(big.stats.lines >= 64 * one.stats.lines - 64);
  // Output stays proportional too: every kept line refers to an input line.
  const kept = big.runs.reduce((n, r) => n + r.subtests.length + r.diagnostics.length, 0);
  t.ok(kept <= big.stats.lines, 'no output amplification');
  t.equal(big.runs.length, 64 * one.runs.length, 'every run of every copy is returned');
});

t.test('pathological lines stay linear: deep `# ` nesting, repeated glue, long junk', async (t) => {
  for (const text of [
    '# '.repeat(30_000) + 'ok 1 x',
    ')nok 1 '.repeat(20_000),
    '[ 1.234567] '.repeat(10_000),
    '> '.repeat(30_000) + 'TAP version 13',
    'ok 1 ' + '# '.repeat(30_000),
  ]) {
    const log = parseLog(text + '\n' + text);
    t.ok(
      withinLinearBound(log),
      `${text.slice(0, 12)}…: work ${log.stats.work} for ${log.stats.chars} chars`,
    );
  }
});
