// Replaying repeated run bodies (reports/parse/replay.ts) changes nothing the parser returns:
// every fixture log, logs that repeat them (bare, runner-wrapped, inside containers, CRLF),
// and randomly damaged copies parse to the same ParsedLog — same JSON, key order included —
// with replay on and off, whole-text and streamed.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { LogParser, parseLog, parseStream, type ParsedLog } from '../reports/parse/index.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/logs/', import.meta.url));
const LOGS = ['live', 'public', '7x'].flatMap((d) =>
  readdirSync(join(FIXTURES, d))
    .filter((f) => f.endsWith('.log'))
    .sort()
    .map((f) => ({ name: `${d}/${f}`, text: readFileSync(join(FIXTURES, d, f), 'utf8') })),
);

/** Each log `copies` times as one kselftest-runner test each (as bench/big-log.ts builds them). */
function wrapped(texts: readonly string[], copies: number): string {
  const out = ['TAP version 13', `1..${texts.length * copies}`];
  let n = 0;
  for (let c = 0; c < copies; c++) {
    for (const text of texts) {
      n++;
      out.push('# timeout set to 180', '# selftests: mm: gup_longterm', ...text.trimEnd().split('\n').map((l) => (l === '' ? '#' : `# ${l}`)), `ok ${n} selftests: mm: gup_longterm`);
    }
  }
  return out.join('\n') + '\n';
}

function both(text: string): { on: string; off: string; replayed: number } {
  const p = new LogParser();
  for (const line of text.split('\n').slice(0, text.endsWith('\n') ? -1 : undefined)) p.push(line);
  const on = p.finish();
  return { on: JSON.stringify(on), off: JSON.stringify(parseLog(text, { replay: false })), replayed: p.replayed };
}

t.test('fixture logs, repeated bare and wrapped: the same parse with replay on and off', async (t) => {
  let replayed = 0;
  const differ: string[] = [];
  for (const { name, text } of LOGS) {
    for (const [form, input] of [
      ['once', text],
      ['three times', text + text + text],
      ['wrapped four times', wrapped([text], 4)],
      ['wrapped, CRLF', wrapped([text], 3).replace(/\n/g, '\r\n')],
    ] as const) {
      const r = both(input);
      replayed += r.replayed;
      if (r.on !== r.off) differ.push(`${name} ${form}`);
    }
  }
  t.same(differ, [], 'no log parses differently');
  t.ok(replayed > 0, `runs were replayed (${replayed})`);
  const mixed = both(wrapped(LOGS.map((l) => l.text), 3));
  t.equal(mixed.on, mixed.off, 'every fixture wrapped, cycled three times');
  t.ok(mixed.replayed > 0);
});

t.test('damaged copies: a line changed, dropped or doubled anywhere', async (t) => {
  const base = wrapped(LOGS.filter((l) => l.name.startsWith('live/')).slice(0, 3).map((l) => l.text), 4).split('\n');
  let seed = 11;
  const rnd = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const differ: number[] = [];
  let replayed = 0;
  for (let round = 0; round < 60; round++) {
    const lines = [...base];
    for (let k = 0; k < 1 + rnd(3); k++) {
      const i = rnd(lines.length);
      const what = rnd(4);
      if (what === 0) lines.splice(i, 1);
      else if (what === 1) lines.splice(i, 0, lines[i] ?? '');
      else if (what === 2) lines[i] = (lines[i] ?? '') + ' x';
      else lines[i] = (lines[i] ?? '').slice(0, rnd(20));
    }
    const r = both(lines.join('\n'));
    replayed += r.replayed;
    if (r.on !== r.off) differ.push(round);
  }
  t.same(differ, [], 'every damaged log parses the same');
  t.ok(replayed > 0, `the undamaged runs were replayed (${replayed})`);
});

t.test('streamed in small chunks: the same parse with replay on and off', async (t) => {
  const text = wrapped(LOGS.slice(0, 6).map((l) => l.text), 3);
  const chunks = (): string[] => Array.from({ length: Math.ceil(text.length / 777) }, (_, i) => text.slice(i * 777, (i + 1) * 777));
  const strip = (l: ParsedLog): string => JSON.stringify(l);
  t.equal(strip(await parseStream(Readable.from(chunks()))), strip(await parseStream(Readable.from(chunks()), { replay: false })));
});
