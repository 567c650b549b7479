// The installed command (node_modules/.bin/gupsim → bin/gupsim.js → dist/gupsim.cjs, a
// vm.Script with its code cache): every command along each of its lazy paths. The bundle is not
// the source: an import() left in it failed only here (`record -`: "A dynamic import callback
// was not specified", exit 70), while every in-process test of the same command passed.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { main } from '../harness/cli.js';
import { cli, FIXTURES } from './helpers.js';
import { CHILD_ENV, nodeChild } from './helpers/bundle.js';
import { inBundle } from './helpers/installed.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'node_modules/.bin/gupsim');
const LIVE618 = join(FIXTURES, 'live/6.18-host-ext4-default');
const LOG = `${LIVE618}.log`;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function gupsim(args: string[], input = ''): Ran {
  const r = spawnSync(...nodeChild([BIN, ...args]), {
    cwd: ROOT,
    env: { ...CHILD_ENV, NO_COLOR: '1' },
    input,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const skip = existsSync(join(ROOT, 'dist/gupsim.cjs'))
  ? false
  : 'dist/gupsim.cjs missing (npm ci builds it)';

t.test('every command of the installed CLI, along its lazy paths', { skip }, async (t) => {
  // Each command in this process from the installed bundle (helpers/installed.ts), except
  // those marked `process`: the bin's own boundary (stdin as a process's, stdout as its
  // descriptor, the exit code) taken by the commands that read stdin, the reproducer of the
  // import() bug among them. A process per command cost ~0.3 s of CPU each and checked that
  // boundary 19 times.
  const dir = t.testdir();
  const db = join(dir, 'h.db');
  const script = join(dir, 'fake-gup_longterm.sh');
  // `live` runs a binary: one that prints a real log is enough to take the whole path.
  writeFileSync(script, `#!/bin/sh\ncat '${LOG}'\n`);
  chmodSync(script, 0o755);
  const log = readFileSync(LOG, 'utf8');
  const cases: [
    args: string[],
    input: string,
    codes: number[],
    stdout: RegExp,
    process?: 'process',
  ][] = [
    [['run'], '', [0, 1], /^TAP version 13$/m],
    [['--version'], '', [0], /^gupsim \d+\.\d+\.\d+\n$/],
    [['versions', '--json'], '', [0], /^\{/],
    [['explain', 'rw/gup/shared/local-tmpfile', '--kernel', '6.12'], '', [0], /local-tmpfile/],
    [['scenario', 'dirty-after-writeback', '--kernel', '6.1'], '', [0, 1], /# outcome: corrupted/],
    [['env', 'detect'], '', [0], /"kernel"/],
    [['diff', LOG], '', [0, 1], /: run 1 \(lines/],
    [['diff', '-'], log, [0, 1], /^-: run 1 \(lines/, 'process'],
    [['diff', '--json', '-'], log, [0, 1], /^\{/],
    [['record', '--db', db, LOG], '', [0], /^run 1: /],
    // The reproducer: stdin is spooled to a temporary file (node:os, loaded on demand).
    [['record', '--db', db, '--machine', 'stdin', '-'], `x\n${log}`, [0], /^run 2: - /, 'process'],
    [['history', '--db', db], '', [0], /^2 runs /],
    [['compare', '1', '2', '--db', db], '', [0, 1], /^run 1 .* → run 2 /],
    [['compare', '-', '1', '--db', db], log, [0, 1], /^- → run 1 /],
    [['report', '--format', 'junit', '--db', db], '', [0], /^<\?xml/],
    [['report', '--format', 'kcidb', '--db', db], '', [0], /^\{/],
    [['report', '--format', 'html', '--db', db], '', [0], /^<!DOCTYPE html>/],
    [['report', '--format', 'json', '--db', db], '', [0], /^\{/],
    [['live', '--binary', script, '--timeout', '60'], '', [0, 1], /: run 1 \(lines/],
  ];
  // The PostgreSQL driver is required only when a URL is given: its load is a lazy path too
  // (port 1 on loopback: nothing listens, the refusal is the expected answer).
  const pg = await inBundle(['history', '--db', 'postgresql://lab@127.0.0.1:1/gupsim']);
  t.equal(pg.code, 2);
  t.equal(
    pg.stderr,
    'gupsim history: postgresql://lab@127.0.0.1:1/gupsim: connect ECONNREFUSED 127.0.0.1:1\n',
    'pg loads; the refusal in one line',
  );
  for (const [args, input, codes, stdout, where] of cases) {
    const name = `gupsim ${args.map((a) => a.replace(dir, '…').replace(ROOT, '')).join(' ')}${input ? ' < log' : ''}${where ? ' (a process)' : ''}`;
    const r = where ? gupsim(args, input) : await inBundle(args, input);
    t.ok(
      r.code !== null && codes.includes(r.code),
      `${name}: exit ${r.code} (${codes.join(' or ')})`,
      { stderr: r.stderr },
    );
    t.notMatch(
      r.stderr,
      /internal error|dynamic import|ExperimentalWarning|\n\s+at /,
      `${name}: no internal error, no stack`,
    );
    t.match(r.stdout, stdout, `${name}: its output`);
  }
});

t.test('the bundle has no import() left for a loader it does not have', { skip }, async (t) => {
  // The build refuses one (scripts/build-cli.mjs); this is the same fact read from its output.
  // Both bundles: the whole CLI and `gupsim run`'s own (bin/load-cli.js).
  for (const name of ['dist/gupsim.cjs', 'dist/gupsim-run.cjs']) {
    const bundle = readFileSync(join(ROOT, name), 'utf8');
    t.same(
      bundle.match(/\bimport\(\s*["'`][^"'`]*["'`]\s*\)/g) ?? [],
      [],
      `no import("…") in ${name}`,
    );
  }
});

/** Commands whose output can outgrow a pipe, with the log on stdin for those that read it. */
const EPIPE_COMMANDS = (dir: string, db: string): string[][] => [
  ['diff', '--json', LOG],
  ['history', '--db', db],
  ['report', '--format', 'html', '--db', db],
  ['compare', '1', LOG, '--db', db],
  ['record', '--db', join(dir, 'h2.db'), '-'],
];

t.test(
  'the installed CLI: a reader that goes away (EPIPE) ends a command quietly, 141',
  { skip },
  async (t) => {
    const dir = t.testdir();
    const db = join(dir, 'h.db');
    t.equal((await cli(['record', '--db', db, LOG])).code, 0);
    // bin/gupsim.js's fdWriter exits 141 on EPIPE before any command sees it, so one process
    // per bundle path is the boundary: the largest outputs, certain to outgrow the pipe.
    for (const args of EPIPE_COMMANDS(dir, db).filter(([c]) => c === 'diff' || c === 'report')) {
      // stdout is a pipe whose reader has gone (or goes while the pipe buffer still takes a
      // short output: then exit 0): a write fails with EPIPE.
      const r = spawnSync(
        'bash',
        [
          '-c',
          `"$@" < '${LOG}' | true; exit \${PIPESTATUS[0]}`,
          'bash',
          ...nodeChild([BIN, ...args]).flat(),
        ],
        { cwd: ROOT, env: CHILD_ENV, encoding: 'utf8' },
      );
      t.ok(
        r.status === 141 || r.status === 0,
        `${args[0]}: exit ${r.status} (141, or 0 if the pipe took it all)`,
      );
      t.equal(r.stderr, '', `${args[0]}: nothing on stderr`);
    }
  },
);

t.test('every command whose writer fails with EPIPE ends quietly, 141, in process', async (t) => {
  const dir = t.testdir();
  const db = join(dir, 'h.db');
  t.equal((await cli(['record', '--db', db, LOG])).code, 0);
  const log = readFileSync(LOG, 'utf8');
  for (const args of EPIPE_COMMANDS(dir, db)) {
    let err = '';
    const stdin = new PassThrough();
    stdin.end(log);
    const code = await main(args, {
      stdout: {
        write: (): never => {
          throw Object.assign(new Error('EPIPE: broken pipe, write'), { code: 'EPIPE' });
        },
      },
      stderr: { write: (s: string) => (err += s) },
      stdin,
      env: {},
      isTTY: false,
    });
    t.equal(code, 141, `${args[0]}: exit 141`);
    t.equal(err, '', `${args[0]}: nothing on stderr`);
  }
});

t.test(
  '`gupsim run` from its own bundle (dist/gupsim-run.cjs) answers as the whole CLI does',
  { skip },
  async (t) => {
    // bin/gupsim.js loads the smaller bundle for `run` (a faster start); its answers must be
    // those of the same command in the whole CLI, errors and help included. The two bundles
    // differ only around the command (its dispatcher and usage), so one answer of each kind:
    // output and exit status, the command's help, a usage error (a process each, ~0.3 s).
    for (const args of [
      ['run', '--test', 'cow'],
      ['run', '--help'],
      ['run', '--bogus'],
    ]) {
      const installed = gupsim(args);
      const whole = await cli(args);
      const name = args.join(' ');
      t.equal(installed.code, whole.code, `${name}: exit code`);
      t.equal(installed.stdout, whole.stdout, `${name}: stdout`);
      t.equal(installed.stderr, whole.stderr, `${name}: stderr`);
    }
  },
);
