// The RunBuilder's own copy for the replay (reports/parse/replay-builder.ts) is the generic
// deep copy (replay-state.ts), field for field: for the open run's state at many points of
// every fixture log, of either test, bare and runner-wrapped, the two copies are deeply and
// strictly equal (same values, same classes, line numbers moved alike), and the copy is the
// original shifted.
import t from 'tap';
import { deepStrictEqual } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LogParser } from '../reports/parse/index.js';
import { RunBuilder } from '../reports/parse/run-builder.js';
import {
  equalShifted,
  genericEqualShifted,
  genericShiftedCopy,
  shiftedCopy,
} from '../reports/parse/replay-state.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/logs/', import.meta.url));

function logsUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) return logsUnder(p);
      return f.endsWith('.log') ? [p] : [];
    });
}

const wrapped = (text: string): string =>
  [
    'TAP version 13',
    '1..1',
    '# timeout set to 180',
    '# selftests: mm: gup_longterm',
    ...text
      .trimEnd()
      .split('\n')
      .map((l) => (l === '' ? '#' : `# ${l}`)),
    'not ok 1 selftests: mm: gup_longterm # exit=1',
  ].join('\n');

/** The parser's open run (its router's), read from outside for this test only. */
const openRun = (p: LogParser): RunBuilder | null =>
  (p as unknown as { router: { run: RunBuilder | null } }).router.run;

t.test(
  'the RunBuilder copy is the generic copy, at every point of every fixture log',
  async (t) => {
    let checked = 0;
    const differ: string[] = [];
    for (const file of logsUnder(FIXTURES)) {
      const text = readFileSync(file, 'utf8');
      for (const [form, input] of [
        ['bare', text],
        ['wrapped', wrapped(text)],
      ] as const) {
        const p = new LogParser({ replay: false });
        const lines = input.split('\n');
        // About 16 points per log, spread over it, and its last line (the fullest state).
        const every = Math.max(1, Math.ceil(lines.length / 16));
        lines.forEach((line, i) => {
          p.push(line);
          const run = openRun(p);
          if (run === null || (i % every !== 0 && i !== lines.length - 1)) return;
          const shift = 1 + (i % 97);
          const fast = shiftedCopy(run, shift);
          try {
            deepStrictEqual(fast, genericShiftedCopy(run, shift));
          } catch {
            differ.push(`${file} ${form} line ${i + 1}`);
          }
          if (!equalShifted(run, fast, shift))
            differ.push(`${file} ${form} line ${i + 1}: not the run shifted`);
          checked++;
        });
      }
    }
    t.same(differ.slice(0, 10), [], 'no state copies differently');
    t.ok(checked > 2_000, `states checked (${checked})`);
  },
);

t.test('the RunBuilder comparison is the generic comparison', async (t) => {
  // The states the replay compares (a run just opened, replay.ts classOf()) and later ones,
  // of runs bare and wrapped, each against every other: equal or not, both say the same.
  const states: RunBuilder[] = [];
  for (const file of logsUnder(join(FIXTURES, 'live')).slice(0, 12)) {
    const text = readFileSync(file, 'utf8');
    for (const input of [text, wrapped(text)]) {
      const p = new LogParser({ replay: false });
      let last: RunBuilder | null = null;
      input.split('\n').forEach((line, i) => {
        p.push(line);
        const run = openRun(p);
        if (run !== null && (run !== last || i % 40 === 0)) states.push(shiftedCopy(run, 0));
        last = run;
      });
    }
  }
  let equal = 0;
  const differ: string[] = [];
  for (const a of states) {
    for (const b of states) {
      const shift = b.startLine - a.startLine;
      const fast = equalShifted(a, b, shift);
      if (fast !== genericEqualShifted(a, b, shift))
        differ.push(`${a.startLine} vs ${b.startLine}`);
      if (fast) equal++;
    }
  }
  t.same(differ.slice(0, 10), [], 'no pair compares differently');
  t.ok(
    equal > states.length,
    `pairs equal beyond each with itself (${equal} of ${states.length ** 2})`,
  );
});

t.test('a field the copy does not know goes through the generic copy', async (t) => {
  const p = new LogParser({ replay: false });
  for (const line of [
    'TAP version 13',
    '1..2',
    '# [RUN] R/W longterm GUP pin in MAP_SHARED file mapping ... with memfd',
  ])
    p.push(line);
  const run = openRun(p)!;
  t.ok(run instanceof RunBuilder);
  const extra = { nested: { line: 5, text: 'x' }, list: [{ line: 6, text: 'y' }] };
  (run as unknown as { extra: unknown }).extra = extra;
  const c = shiftedCopy(run, 10) as unknown as { extra: typeof extra };
  t.same(c.extra, { nested: { line: 15, text: 'x' }, list: [{ line: 16, text: 'y' }] });
  t.not(c.extra.nested, extra.nested, 'copied, not shared');
  deepStrictEqual(c, genericShiftedCopy(run, 10));
});
