// What reaches the terminal (issue 17): control characters and escape sequences from a log, an
// environment file, a label or a file name are shown escaped in every command's text output
// and error lines, never interpreted; JSON output stays JSON with the same values; gupsim's own
// colours still colour. And stdout on a full device is one line and exit 2, not exit 70.
import t from 'tap';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../harness/cli.js';
import { sgr, terminalText, visibleControls } from '../reports/formats/escape.js';
import { cli, FIXTURES } from './helpers.js';
import { bundledEntry, CHILD_ENV, nodeChild } from './helpers/bundle.js';
import { inBundle } from './helpers/installed.js';
import { runs } from './helpers/property.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REPRO = fileURLToPath(new URL('./fixtures/repro/', import.meta.url));
const ANSI_LOG = join(REPRO, 'ansi-in-log.log');
const LIVE618 = join(FIXTURES, 'live/6.18-host-ext4-default');
const BIN = join(ROOT, 'node_modules/.bin/gupsim');

/** Anything a terminal or the bidi algorithm would act on (tab and newline are layout). */
const ACTIVE =
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/;
/** Each character ACTIVE matches, the printable ones beside its ranges, and JSON's escapes. */
const NEAR_ACTIVE = [
  ...[
    [0x00, 0x20],
    [0x7e, 0xa0],
    [0x61b, 0x61d],
    [0x200d, 0x2010],
    [0x2027, 0x202f],
    [0x2065, 0x206a],
  ].flatMap(([from, to]) =>
    Array.from({ length: to! - from! + 1 }, (_, i) => String.fromCodePoint(from! + i)),
  ),
  '"',
  '\\',
  '\ud800',
  '\udfff',
];
/** A label with an OSC title, a clear screen, a CR overwrite, a C1 CSI and a bidi override. */
const LABEL = 'lab\u001b]0;pwned\u0007\u001b[2J\rfake\u009b31m\u202eevil';
const LABEL_SHOWN = 'lab\\x1b]0;pwned\\x07\\x1b[2J\\rfake\\u009b31m\\u202eevil';

t.test(
  'visibleControls: one visible form per character; JSON stays JSON with the same value',
  async (t) => {
    t.equal(visibleControls('a\u001b[2Jb'), 'a\\x1b[2Jb');
    t.equal(
      visibleControls('\r\b\u0000\u007f\u0085\u202e\u2066\u200f\u2028'),
      '\\r\\x08\\x00\\u007f\\u0085\\u202e\\u2066\\u200f\\u2028',
    );
    t.equal(
      visibleControls('tab\there\nnewline é ✓ 日本'),
      'tab\there\nnewline é ✓ 日本',
      'tab, newline and printable text unchanged',
    );
    // Any code point, half of them drawn from the characters that matter here (every one ACTIVE
    // names, their neighbours, and what JSON escapes): 2,000 plain binary strings held not one
    // bidi or C1 control (fast-check, seed 1); 300 of these hold about 90 and 240.
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.oneof(
            fc.constantFrom(...NEAR_ACTIVE),
            fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
          ),
        }),
        (s) => {
          const shown = visibleControls(s);
          const json = visibleControls(JSON.stringify({ s }));
          return (
            !ACTIVE.test(shown) && !ACTIVE.test(json) && (JSON.parse(json) as { s: string }).s === s
          );
        },
      ),
      { numRuns: runs(2000) },
    );
  },
);

t.test('gupsim colours pass, everything else is shown', async (t) => {
  const text = `${sgr('31;1')}crash${sgr('0')} \u001b[32mMATCH\u001b[0m`;
  t.equal(terminalText(text), '\u001b[31;1mcrash\u001b[0m \\x1b[32mMATCH\\x1b[0m');
  t.equal(terminalText('no token \u001b[0m'), 'no token \\x1b[0m');
});

t.test('diff, record, history, compare: the repro log and label are shown escaped', async (t) => {
  const log = readFileSync(ANSI_LOG, 'utf8');
  t.ok(
    log.includes('\u001b]0;gupsim: all clean\u0007'),
    'the fixture carries the escape sequences',
  );
  const d = await cli(['diff', ANSI_LOG]);
  t.notMatch(d.stdout, ACTIVE, 'diff: nothing raw');
  t.ok(
    d.stdout.includes(
      'Should have worked \\x1b]0;gupsim: all clean\\x07\\x1b[2J\\x1b[H\\x1b[32mMATCH\\x1b[0m \\x01\\x08\\x08\\x08',
    ),
    'diff: the failure text, escaped',
  );
  for (const form of ['--json', '--tap']) {
    const r = await cli(['diff', form, ANSI_LOG]);
    t.notMatch(r.stdout, ACTIVE, `diff ${form}: nothing raw`);
  }
  const json = JSON.parse((await cli(['diff', '--json', ANSI_LOG])).stdout) as unknown;
  t.ok(
    JSON.stringify(json).includes('\\u001b]0;gupsim: all clean\\u0007'),
    'diff --json: JSON, with the exact text as its value',
  );

  const db = join(t.testdir(), 'h.db');
  t.equal((await cli(['record', '--db', db, '--machine', LABEL, `${LIVE618}.log`])).code, 0);
  // Recorded second: its failure is the one "failing since" names, with the label.
  const rec = await cli([
    'record',
    '--db',
    db,
    '--machine',
    LABEL,
    '--kernel',
    `6.12${LABEL}`,
    ANSI_LOG,
  ]);
  // Recorded, and (as diff says) its io_uring failure contradicts the model: exit 1.
  t.equal(rec.code, 1, rec.stderr);
  t.notMatch(rec.stdout, ACTIVE, 'record: nothing raw');
  t.ok(rec.stdout.includes(`@${LABEL_SHOWN}`), 'record: the label escaped');
  for (const argv of [
    ['history'],
    ['compare', '1', '2'],
    ['compare', ANSI_LOG, '1'],
    ['report', '--format', 'junit'],
  ]) {
    const r = await cli([...argv, '--db', db]);
    t.ok(r.code === 0 || r.code === 1, `${argv.join(' ')}: exit ${r.code}`);
    t.notMatch(r.stdout, ACTIVE, `${argv.join(' ')}: nothing raw`);
  }
  t.ok(
    (await cli(['history', '--db', db])).stdout.includes(`@${LABEL_SHOWN}`),
    'history: the label escaped',
  );
  // JSON forms: the stored label is the exact label.
  const h = JSON.parse((await cli(['history', '--json', '--db', db])).stdout) as {
    runs: { machine: string }[];
  };
  t.equal(h.runs[0]?.machine, LABEL, 'history --json: the exact label');
  for (const format of ['json', 'kcidb']) {
    const r = await cli(['report', '--format', format, '--db', db]);
    t.notMatch(r.stdout, ACTIVE, `report ${format}: nothing raw`);
    t.doesNotThrow(() => JSON.parse(r.stdout), `report ${format}: still JSON`);
  }
  const rj = JSON.parse((await cli(['report', '--format', 'json', '--db', db])).stdout) as {
    runs: { run: { machine: string } }[];
  };
  t.equal(rj.runs[0]?.run.machine, LABEL, 'report json: the exact label');
});

t.test(
  'error lines: file names, arguments and environment values are shown escaped, one line',
  async (t) => {
    const dir = t.testdir();
    const env = join(dir, 'env.json');
    writeFileSync(env, JSON.stringify({ kernel: { release: `6.12${LABEL}` } }));
    const cases: string[][] = [
      [`nope${LABEL}`],
      ['diff', join(dir, `missing${LABEL}.log`)],
      ['run', '--env', env],
      ['run', '--kernel', LABEL],
      ['history', '--db', join(dir, `no${LABEL}.db`)],
      ['report', '--format', LABEL],
    ];
    for (const argv of cases) {
      const r = await cli(argv);
      t.equal(r.code, 2, argv[0] ?? '');
      t.notMatch(r.stderr, ACTIVE, `${argv[0]}: nothing raw on stderr`);
      t.ok(r.stderr.includes(LABEL_SHOWN), `${argv[0]}: the value escaped: ${r.stderr}`);
      t.equal(r.stderr.split('\n').length, 2, `${argv[0]}: one line`);
    }
    // A newline in a name does not make a second error line either.
    const nl = await cli(['diff', join(dir, 'forged\ngupsim diff: all clean.log')]);
    t.equal(nl.code, 2);
    t.match(nl.stderr, /^gupsim diff: .*forged\\ngupsim diff: all clean\.log: no such file\n$/);
  },
);

t.test('on a terminal: gupsim colours its triage words; the log still cannot', async (t) => {
  let stdout = '';
  const stdin = new PassThrough();
  stdin.end();
  const code = await main(['diff', ANSI_LOG], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: () => true },
    stdin,
    env: {},
    isTTY: true,
  });
  t.equal(code, 1);
  const sequences = stdout.match(/\u001b\[[0-9;]*m/g) ?? [];
  t.ok(sequences.length > 0, 'coloured');
  const own = new Set(['0', '32', '36', '33', '35', '31;1', '33;1'].map((c) => `\u001b[${c}m`));
  t.ok(
    sequences.every((q) => own.has(q)),
    "only gupsim's own colours",
  );
  t.ok(stdout.includes('\\x1b[32mMATCH\\x1b[0m'), "the log's colour is shown, not applied");
  t.notMatch(stdout.replace(/\u001b\[[0-9;]*m/g, ''), ACTIVE, 'no other control');
});

const skipBin = existsSync(join(ROOT, 'dist/gupsim.cjs'))
  ? false
  : 'dist/gupsim.cjs missing (npm ci builds it)';

t.test('the installed CLI: the terminal-escapes reproducer', { skip: skipBin }, async (t) => {
  const db = join(t.testdir(), 'h.db');
  // The bundle's commands in process (helpers/installed.ts: the installed bundle as the bin
  // loads it); the unknown command as a process, its error line on the bin's own stderr.
  const run = async (
    args: string[],
  ): Promise<{ code: number | null; stdout: string; stderr: string }> => {
    if (args[0] !== `x${LABEL}`) return inBundle(args);
    const r = spawnSync(...nodeChild([BIN, ...args]), {
      cwd: ROOT,
      env: CHILD_ENV,
      encoding: 'utf8',
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  for (const args of [
    ['diff', ANSI_LOG],
    ['record', '--db', db, '--machine', LABEL, ANSI_LOG],
    ['history', '--db', db],
    [`x${LABEL}`],
  ]) {
    const r = await run(args);
    t.notMatch(r.stdout + r.stderr, ACTIVE, `${args[0]}: nothing raw`);
    t.ok(r.stdout.includes('\\x1b') || r.stderr.includes('\\x1b'), `${args[0]}: shown escaped`);
  }
});

// Every command's writer, in process: the installed bin hands the command a writer that throws
// what writeSync(1) threw (bin/gupsim.js fdWriter), so a writer throwing ENOSPC is that path
// for each command, without a process per command.
const FULL_COMMANDS = (dir: string, db: string): string[][] => [
  ['run'],
  ['--help'],
  ['versions'],
  ['diff', ANSI_LOG],
  ['diff', '--json', `${LIVE618}.log`],
  ['record', '--db', join(dir, 'h2.db'), `${LIVE618}.log`],
  ['history', '--db', db],
  ['compare', '1', `${LIVE618}.log`, '--db', db],
  ['report', '--format', 'html', '--db', db],
];
const ONE_LINE_ENOSPC = /^gupsim [\w-]+: cannot write stdout: ENOSPC \(disk full\)\n$/;

t.test('stdout that fails with ENOSPC, every command: one line on stderr, exit 2', async (t) => {
  const dir = t.testdir();
  const db = join(dir, 'h.db');
  t.equal((await cli(['record', '--db', db, `${LIVE618}.log`])).code, 0);
  for (const args of FULL_COMMANDS(dir, db)) {
    let err = '';
    const stdin = new PassThrough();
    stdin.end();
    const code = await main(args, {
      stdout: {
        write: (): never => {
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
            code: 'ENOSPC',
            errno: -28,
            syscall: 'write',
          });
        },
      },
      stderr: { write: (s: string) => (err += s) },
      stdin,
      env: {},
      isTTY: false,
    });
    t.equal(code, 2, `${args[0]}: exit 2`);
    t.match(err, ONE_LINE_ENOSPC, `${args[0]}: one line`);
  }
});

// The real device, one process per distinct boundary (each command's own handling is checked
// in process above): the installed bin's `run` bundle and whole-CLI bundle (fdWriter), and the
// source entry (harness/main.ts: the stream's error event), each with a short and a long write.
t.test(
  'stdout on a full device: one line on stderr, exit 2 — the installed CLI and the source entry',
  { skip: existsSync('/dev/full') ? false : 'no /dev/full' },
  async (t) => {
    const entries: [string, string, string[][]][] = [];
    if (!skipBin) entries.push([BIN, 'installed', [['run'], ['diff', '--json', `${LIVE618}.log`]]]);
    entries.push([
      await bundledEntry(join(ROOT, 'harness/main.ts')),
      'source',
      [['--help'], ['diff', '--json', `${LIVE618}.log`]],
    ]);
    for (const [entry, which, commands] of entries) {
      for (const args of commands) {
        const r = spawnSync(
          'sh',
          ['-c', 'exec "$@" > /dev/full', 'sh', ...nodeChild([entry, ...args]).flat()],
          { cwd: ROOT, env: CHILD_ENV, encoding: 'utf8' },
        );
        const name = `${which}: ${args[0]}`;
        t.equal(r.status, 2, `${name}: exit 2`);
        t.match(r.stderr, ONE_LINE_ENOSPC, `${name}: one line`);
      }
    }
  },
);

t.test(
  'a writer that throws: ENOSPC is one line and exit 2, EPIPE ends quietly with 141',
  async (t) => {
    for (const [code, exit, stderr] of [
      ['ENOSPC', 2, 'gupsim versions: cannot write stdout: ENOSPC (disk full)\n'],
      ['EIO', 2, 'gupsim versions: cannot write stdout: EIO (I/O error)\n'],
      ['EPIPE', 141, ''],
    ] as const) {
      let err = '';
      const stdin = new PassThrough();
      stdin.end();
      const failing = (): never => {
        throw Object.assign(new Error(`${code}: write`), { code });
      };
      const r = await main(['versions'], {
        stdout: { write: failing },
        stderr: { write: (s: string) => (err += s) },
        stdin,
        env: {},
        isTTY: false,
      });
      t.equal(r, exit, code);
      t.equal(err, stderr, `${code}: stderr`);
    }
  },
);
