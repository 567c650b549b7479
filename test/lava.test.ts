/**
 * LAVA job logs: a log.yaml is read as the console its `target` records hold, detected from
 * its first line, with line numbers counting records. A log.yaml made from a fixture log
 * gives the same diff as the plain log (line numbers mapped to records); hostile records are
 * issues, never exceptions.
 */
import t from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseEnvironment, type Environment } from '../cases/env.js';
import { diffLog } from '../reports/diff/index.js';
import { diffJson } from '../reports/diff/render/json.js';
import { parseLog, parseStream } from '../reports/parse/index.js';
import { consoleText, decodeLavaRecord, isLavaLog } from '../reports/parse/lava.js';
import { toLavaYaml, yamlQuote } from './helpers/lava-yaml.js';
import { cli, FIXTURES } from './helpers.js';
import { runs } from './helpers/property.js';

const read = (p: string): string => readFileSync(join(FIXTURES, p), 'utf8');
function envOf(p: string): Environment {
  const r = parseEnvironment(read(p));
  if (!r.ok) throw new Error(r.error);
  return r.env;
}

t.test('records: PyYAML double-quoted escapes, quoting styles, tags, nested msg', async (t) => {
  const rec = decodeLavaRecord(
    `- {"dt": "2025-06-16T10:00:00.000001", "lvl": "target", "msg": ${yamlQuote('# ok 1 \x1b[0m\t"x"\\ é 😀 \u2028 \xa0')}}`,
  );
  t.same(
    rec,
    { lvl: 'target', msg: '# ok 1 \x1b[0m\t"x"\\ é 😀 \u2028 \xa0' },
    'what yamlQuote wrote comes back',
  );
  t.same(
    decodeLavaRecord(
      '- {"dt": "x", "lvl": "target", "msg": "\\e\\x1b\\u00e9\\U0001F600\\N\\_\\L\\P\\0\\/\\ "}',
    ),
    { lvl: 'target', msg: '\x1b\x1bé😀\x85\xa0\u2028\u2029\0/ ' },
  );
  t.same(
    decodeLavaRecord(`- {'dt': 'a', 'lvl': 'target', 'msg': 'it''s'}`),
    { lvl: 'target', msg: "it's" },
    'single-quoted',
  );
  t.same(
    decodeLavaRecord('- {dt: 2025-06-16, lvl: debug, msg: plain text, ok: -1}'),
    { lvl: 'debug', msg: 'plain text' },
    'plain scalars',
  );
  t.same(
    decodeLavaRecord(
      '- {"dt": "x", "lvl": "results", "msg": {"case": "a", "duration": !!float "0.50", "extra": [!!int "-3", {"k": []}, \'q\']}}',
    ),
    { lvl: 'results', msg: { case: 'a', duration: '0.50', extra: ['-3', { k: [] }, 'q'] } },
    'a results dict with tags and nested collections',
  );
  t.same(
    decodeLavaRecord('- {"dt": "x", "lvl": "feedback", "msg": "m", "ns": "host"}\r'),
    { lvl: 'feedback', msg: 'm' },
    'extra keys, CRLF',
  );
  for (const [line, why] of [
    ['- {"dt": "x", "lvl": "target", "msg": "open', /unterminated/],
    ['- {"dt": "x", "lvl": "target", "msg": "\\q"}', /bad escape/],
    ['- {"dt": "x", "lvl": "target", "msg": "\\x4"}', /bad escape/],
    ['- {"dt": "x", "lvl": "target", "msg": "a"} trailing', /text after the record/],
    ['- {"dt": "x", "lvl": "target"}', /needs dt, lvl and msg/],
    ['- {"lvl": "target", "msg": "a"}', /needs dt, lvl and msg/],
    [`- {"dt": "x", "lvl": "t", "msg": ${'['.repeat(5000)}}`, /nested too deep/],
    ['- {"dt": "x", "lvl": "target", "msg": "\\UFFFFFFFF"}', /beyond Unicode/],
    ['# ok 1 not yaml', /not a "- \{…\}" record/],
    ['- {"dt": "x", "lvl": "target", "msg": ,}', /expected a value/],
  ] as const) {
    const r = decodeLavaRecord(line);
    t.match('error' in r ? r.error : 'decoded', why, line.slice(0, 50));
  }
  t.same(
    consoleText({ lvl: 'target', msg: 'a\r\nb\n' }),
    'a\rb',
    'embedded lines: CR-separated, the trailing newline dropped',
  );
  t.same(
    consoleText({ lvl: 'target', msg: '\udc00x\ud800' }),
    '\ufffdx\ufffd',
    'lone surrogates: U+FFFD',
  );
  t.equal(consoleText({ lvl: 'info', msg: 'x' }), null);
  t.match(consoleText({ lvl: 'target', msg: ['x'] }), { error: /not text/ });
  t.ok(
    isLavaLog('\ufeff- {"dt": "x", "lvl": "info", "msg": "m"}'),
    'a BOM before the first record',
  );
  t.notOk(isLavaLog('- {"dt": "x", "lvl": "info"'), 'a cut first record: a plain log');
});

t.test('hostile records never throw', async () => {
  const valid = toLavaYaml(read('public/008-stoakes-2025-after-unique-names-fail.log')).yaml.split(
    '\n',
  );
  fc.assert(
    fc.property(fc.constantFrom(...valid), fc.nat(), fc.nat(), fc.string(), (line, a, b, junk) => {
      const cut = line.slice(0, a % (line.length + 1)) + junk + line.slice(b % (line.length + 1));
      const r = decodeLavaRecord(cut);
      return 'error' in r ? typeof r.error === 'string' : typeof r.lvl === 'string';
    }),
    { numRuns: runs(3000) },
  );
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (s) => decodeLavaRecord(`- {${s}`) !== undefined),
    { numRuns: runs(3000) },
  );
  // A log that starts as LAVA and goes on as anything: every line a record number, never a throw.
  fc.assert(
    fc.property(
      fc.array(
        fc
          .oneof(fc.constantFrom(...valid), fc.string({ unit: 'binary' }))
          .map((l) => l.replace(/\n/g, '')),
      ),
      (lines) => {
        const log = parseLog([valid[0]!, ...lines].join('\n'));
        return (
          log.transport.lava &&
          log.errors.every((e) => e.line === null || (e.line >= 1 && e.line <= lines.length + 1))
        );
      },
    ),
    { numRuns: runs(300) },
  );
});

/** `gupsim diff --json` of a log; `mapLine` moves the plain log's line numbers to records. */
function diffDoc(
  text: string,
  source: string,
  env: Environment | undefined,
  mapLine = (n: number): number => n,
): unknown {
  const rep = diffLog(text, source, env ? { env } : {});
  const doc = diffJson([rep]) as {
    runs: { lines: { start: number; end: number }; summary: string }[];
    issues: { message: string }[];
  };
  const moveText = (s: string): string =>
    s.replace(
      /\b(lines? )(\d+)(?:–(\d+))?/g,
      (_m, w: string, a: string, b?: string) =>
        `${w}${mapLine(Number(a))}${b ? `–${mapLine(Number(b))}` : ''}`,
    );
  // Every line number a run's report holds, in its fields and in its sentences.
  const move = (v: unknown, key: string): unknown => {
    if (typeof v === 'string') return moveText(v);
    if (typeof v === 'number') return key === 'line' ? mapLine(v) : v;
    if (Array.isArray(v)) return v.map((x) => move(x, ''));
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, move(x, k)]));
    return v;
  };
  for (const r of doc.runs) {
    const { lines, ...rest } = r;
    Object.assign(r, move(rest, ''));
    r.lines = { start: mapLine(lines.start), end: mapLine(lines.end) };
  }
  for (const i of doc.issues) i.message = moveText(i.message);
  return doc;
}

const g612 = read('live/6.12.117-guptest-qemu-ext4-default.log');
const CASES: { name: string; text: string; env?: Environment }[] = [
  {
    name: '004 (run_vmtests under the runner, 9p)',
    text: read('public/004-kitayama-arm64-fvp-9p-run_vmtests-ftruncate-failed.log'),
  },
  {
    name: '006 (LKFT, the loader fails)',
    text: read('public/006-lkft-next-20250616-liburing-missing-exit127.log'),
  },
  {
    name: '007 + 008 (two excerpts)',
    text: `${read('public/007-stoakes-2025-before-unique-names-skip.log')}${read('public/008-stoakes-2025-after-unique-names-fail.log')}`,
  },
  {
    name: '6.18 ksft_gup_test (7.2 runner)',
    text: read('7x/6.18-host-st7.2-ext4-kselftest-ksft_gup_test.log'),
  },
  {
    name: '6.1 qemu, environment given',
    text: read('live/6.1.0-50-qemu-ext4-default.log'),
    env: envOf('live/6.1.0-50-qemu-ext4-default.env.json'),
  },
  {
    name: 'a crash mid-run',
    text: `${g612.split('\n').slice(0, 30).join('\n')}\n[  123.456] BUG: kernel NULL pointer dereference, address: 0000000000000008\n`,
    env: envOf('live/6.12.117-guptest-qemu-ext4-default.env.json'),
  },
];

t.test('a log.yaml made from a fixture log gives the same diff, at record numbers', async (t) => {
  for (const c of CASES) {
    const plain = diffDoc(c.text, 'log', c.env);
    const bare = toLavaYaml(c.text, false);
    t.same(
      diffDoc(bare.yaml, 'log', c.env),
      plain,
      `${c.name}: one record per line — the same diff, line numbers and all`,
    );
    const lava = toLavaYaml(c.text);
    t.same(
      diffDoc(lava.yaml, 'log', c.env),
      diffDoc(c.text, 'log', c.env, (n) => lava.recordOf[n] ?? -1),
      `${c.name}: with dispatcher records around and between — the same diff at record numbers`,
    );
  }
  const crash = CASES[CASES.length - 1]!;
  const lava = toLavaYaml(crash.text);
  const run = diffLog(lava.yaml, 'crash.yaml', { env: crash.env! }).runs[0]!;
  t.equal(run.triage, 'crash');
  t.match(
    run.summary,
    new RegExp(`^crashed: line ${lava.recordOf[31]}: BUG: kernel NULL pointer`),
    'the crash at its record number',
  );
  t.match(
    lava.yaml.split('\n')[lava.recordOf[31]! - 1],
    /"lvl": "target", "msg": "\[  123\.456\] BUG/,
    'which is the BUG record',
  );
});

t.test('streamed in small chunks, with and without replay: the same parse', async (t) => {
  const { yaml } = toLavaYaml(read('live/6.18-host-ext4-default.log').repeat(4));
  const whole = parseLog(yaml);
  t.ok(whole.transport.lava, 'detected');
  t.equal(whole.runs.length, 4);
  t.same(
    JSON.stringify(parseLog(yaml, { replay: false })),
    JSON.stringify(whole),
    'replay changes nothing',
  );
  const bytes = Buffer.from(yaml);
  const chunks = function* () {
    for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7);
  };
  t.same(
    JSON.stringify(await parseStream(Readable.from(chunks()))),
    JSON.stringify(whole),
    '7-byte chunks',
  );
  const p = parseLog(yaml);
  t.equal(p.stats.lines, yaml.split('\n').length - 1, 'a line per record');
});

t.test('a broken record is an issue at its record number; a plain log stays plain', async (t) => {
  const lava = toLavaYaml(
    read('public/004-kitayama-arm64-fvp-9p-run_vmtests-ftruncate-failed.log'),
  );
  const lines = lava.yaml.split('\n');
  const at = lava.recordOf[40]!; // a result line inside the run
  const broken = [...lines.slice(0, at - 1), lines[at - 1]!.slice(0, 60), ...lines.slice(at)].join(
    '\n',
  );
  const log = parseLog(broken);
  t.match(log.errors, [
    {
      line: at,
      code: 'lava-record',
      message:
        /not a LAVA log\.yaml record \(unterminated double-quoted scalar at column \d+\); skipped/,
    },
  ]);
  t.equal(log.runs.length, 1);
  const whole = parseLog(lava.yaml).runs[0]!.subtests;
  const changed = log.runs[0]!.subtests.filter(
    (s, i) => JSON.stringify(s) !== JSON.stringify(whole[i]),
  );
  t.equal(changed.length, 1, 'only the sub-test of the broken record changed');
  const multi = parseLog(
    `- {"dt": "x", "lvl": "info", "msg": "m"}\n- {"dt": "x", "lvl": "target", "msg": "TAP version 13\\n1..1"}\n- {"dt": "x", "lvl": "target", "msg": ["not", "text"]}\n`,
  );
  t.same(
    multi.errors.map((e) => [e.line, e.code]),
    [[3, 'lava-record']],
    'a target record without text',
  );
  t.equal(multi.stats.lines, 3);
  const plain = parseLog(
    `- {not a record\n${read('public/008-stoakes-2025-after-unique-names-fail.log')}`,
  );
  t.notOk(plain.transport.lava, 'the first line decides: not a record, not LAVA');
  t.equal(plain.runs.length, 1);
});

t.test('the CLI reads a log.yaml with no conversion step', async (t) => {
  const dir = t.testdir();
  const text = read('public/004-kitayama-arm64-fvp-9p-run_vmtests-ftruncate-failed.log');
  const { yaml } = toLavaYaml(text);
  const file = join(dir, 'log.yaml');
  const plainFile = join(dir, 'console.log');
  (await import('node:fs')).writeFileSync(file, yaml);
  (await import('node:fs')).writeFileSync(plainFile, text);
  const viaYaml = await cli(['diff', file]);
  const viaPlain = await cli(['diff', plainFile]);
  t.equal(viaYaml.code, viaPlain.code);
  t.match(viaYaml.stdout, /run 1 \(lines \d+–\d+\): ENVIRONMENT/);
  const k1 = JSON.parse((await cli(['diff', '--kcidb', file])).stdout) as {
    issues: unknown[];
    incidents: { test_id: string }[];
  };
  const k2 = JSON.parse((await cli(['diff', '--kcidb', plainFile])).stdout) as {
    issues: unknown[];
    incidents: { test_id: string }[];
  };
  t.same(k1.issues, k2.issues, 'the same KCIDB issues');
  t.equal(k1.incidents.length, k2.incidents.length);
  const rec = await cli(['record', '--db', join(dir, 'g.db'), '--machine', 'lava-fvp', file]);
  t.equal(rec.code, 0);
  t.match(rec.stdout, /run 1: .*log\.yaml .*environment/);
});
