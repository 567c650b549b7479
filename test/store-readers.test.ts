// The readers of a history (history, compare, report) and record, on files that are not what
// they expect (issue 17): a FIFO or device named by --db is refused by type, not opened (it
// blocked forever); a directory on stdin or an unreadable log is named in one line; a WAL
// history is read by a user who may not write it, and no reader leaves -wal/-shm files behind;
// a damaged page is refused by every command alike.
import t from 'tap';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../harness/cli.js';
import { cli, FIXTURES } from './helpers.js';
import { CHILD_ENV, nodeChild } from './helpers/bundle.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'node_modules/.bin/gupsim');
const REPRO = fileURLToPath(new URL('./fixtures/repro/', import.meta.url));
const LOG = join(FIXTURES, 'live/6.18-host-ext4-default.log');
const LOG2 = join(FIXTURES, 'live/6.1.0-50-qemu-ext4-default.log');

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The installed CLI as a process: a reader that blocks is killed after 20 s (code null). */
function gupsim(args: string[], opts: { user?: string; stdin?: number } = {}): Ran {
  const [cmd, argv] = nodeChild([BIN, ...args]);
  const [command, full] = opts.user
    ? ['runuser', ['-u', opts.user, '--', cmd, ...argv]]
    : [cmd, argv];
  const r = spawnSync(command, full, {
    cwd: ROOT,
    env: CHILD_ENV,
    encoding: 'utf8',
    timeout: 20_000,
    stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A command in process whose stdin is a stream on `fd`, as process.stdin is on descriptor 0
 * (the stream closes it).
 */
async function cliWithStdinFd(args: string[], fd: number): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const stdin = createReadStream('', { fd });
  const code = await main(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin,
    env: {},
    isTTY: false,
  });
  stdin.destroy();
  return { code, stdout, stderr };
}

const skipBin = existsSync(join(ROOT, 'dist/gupsim.cjs'))
  ? false
  : 'dist/gupsim.cjs missing (npm ci builds it)';
const asNobody =
  process.getuid?.() === 0 &&
  spawnSync('id', ['nobody']).status === 0 &&
  existsSync('/usr/sbin/runuser');
/** Whether nobody can run this Node on the installed CLI at all (a 0700 directory on the way: 126). */
function nobodyRunsTheCli(): string | false {
  if (skipBin) return skipBin;
  if (!asNobody) return 'needs root and the user nobody (runuser)';
  const r = gupsim(['--help'], { user: 'nobody' });
  if (r.code === 0) return false;
  return `the user nobody cannot run ${process.execPath} on ${BIN} (exit ${r.code}: ${r.stderr.trim()}); make the directories on the way world-searchable`;
}
const skipNobody = nobodyRunsTheCli();

/** A history of two runs, its WAL checkpointed into the file (as the last writer leaves it). */
async function history(dir: string): Promise<string> {
  const db = join(dir, 'h.db');
  for (const log of [LOG, LOG2]) t.equal((await cli(['record', '--db', db, log])).code, 0);
  t.notOk(existsSync(`${db}-wal`), 'the writer removed its -wal on close');
  return db;
}

const READERS = (db: string): string[][] => [
  ['history', '--db', db],
  ['compare', '1', '2', '--db', db],
  ['report', '--format', 'json', '--db', db],
];

t.test(
  '--db naming a FIFO, a device or a directory: refused by type in one line, exit 2, never opened',
  async (t) => {
    const dir = t.testdir();
    const fifo = join(dir, 'fifo');
    t.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const said = (args: string[], path: string, what: string): string =>
      `gupsim ${args[0]}: ${path}: is ${what}, not a regular file (a SQLite history is one)\n`;
    // A FIFO as a process of the installed CLI: opening one blocks, and only a process can be
    // killed after 20 s (a blocked open in this process would stop the whole test file). One
    // reader and the writer: every command refuses a path by type in the one function that
    // also refuses the device and the directory below, in process, for each command (one that
    // skipped it would open /dev/null as a history, not exit 2 with these words).
    if (!skipBin)
      for (const args of [READERS(fifo)[0]!, ['record', '--db', fifo, LOG]]) {
        const r = gupsim(args);
        const name = `${args[0]} --db a FIFO`;
        t.equal(r.code, 2, `${name}: exit 2 (null: still blocked after 20 s)`);
        t.equal(r.stderr, said(args, fifo, 'a FIFO'), name);
      }
    // A device and a directory open without blocking: the same refusal, in process.
    for (const [path, what] of [
      ['/dev/null', 'a device'],
      [dir, 'a directory'],
    ] as const) {
      for (const args of [...READERS(path), ['record', '--db', path, LOG]]) {
        const r = await cli(args);
        const name = `${args[0]} --db ${what}`;
        t.equal(r.code, 2, `${name}: exit 2`);
        t.equal(r.stderr, said(args, path, what), name);
      }
    }
  },
);

t.test(
  'a directory on stdin, an unreadable log: named in one line, not "no gup_longterm run found"',
  { skip: skipBin },
  async (t) => {
    const dir = t.testdir();
    const db = join(dir, 'h.db');
    // Each command in process, its stdin a stream on the directory's descriptor (what the
    // installed bin hands it: process.stdin, whose fd the commands fstat), and one as a process
    // of the installed CLI whose stdin is the directory.
    for (const args of [
      ['diff', '-'],
      ['record', '--db', db, '-'],
      ['compare', '-', LOG],
    ]) {
      const r = await cliWithStdinFd(args, openSync(dir, 'r'));
      t.equal(r.code, 2, `${args.join(' ')} < a directory`);
      t.equal(r.stderr, `gupsim ${args[0]}: -: stdin is a directory, not a log\n`);
    }
    const fd = openSync(dir, 'r');
    const r = gupsim(['diff', '-'], { stdin: fd });
    closeSync(fd);
    t.equal(r.code, 2, 'the installed CLI: diff - < a directory');
    t.equal(r.stderr, 'gupsim diff: -: stdin is a directory, not a log\n');
    t.notOk(
      existsSync(db) && (await cli(['history', '--db', db])).stdout !== 'no runs match\n',
      'nothing was recorded',
    );
    if (skipNobody) return;
    const unreadable = join(dir, 'u.log');
    copyFileSync(LOG, unreadable);
    chmodSync(unreadable, 0o000);
    chmodSync(dir, 0o777);
    // A log file is checked and opened by one function for every command (harness/read-input.ts):
    // the command that reads a log and the one that records it.
    for (const args of [
      ['diff', unreadable],
      ['record', '--db', join(dir, 'n.db'), unreadable],
    ]) {
      const r = gupsim(args, { user: 'nobody' });
      t.equal(r.code, 2, `${args[0]} of an unreadable log`);
      t.equal(r.stderr, `gupsim ${args[0]}: ${unreadable}: EACCES\n`);
    }
  },
);

t.test(
  'a user who may read but not write a WAL history reads it; nothing is left beside it',
  { skip: skipNobody },
  async (t) => {
    const top = t.testdir();
    chmodSync(top, 0o755);
    // The reproducer's case: the file 0644 root, its directory not writable by the reader.
    const closed = join(top, 'closed');
    mkdirSync(closed, { mode: 0o755 });
    const db = await history(closed);
    // And a directory the reader may write, the file still not: SQLite would open it read-only
    // and leave the reader's -wal and -shm there.
    const open = join(top, 'open');
    mkdirSync(open, { mode: 0o777 });
    chmodSync(open, 0o777);
    const db2 = join(open, 'h.db');
    copyFileSync(db, db2);
    for (const path of [db, db2]) {
      const before = readFileSync(path);
      for (const args of READERS(path)) {
        const r = gupsim(args, { user: 'nobody' });
        t.ok(r.code === 0 || r.code === 1, `${args[0]}: exit ${r.code}`, { stderr: r.stderr });
        t.equal(r.stderr, '', `${args[0]}: no error`);
        if (args[0] === 'history') t.match(r.stdout, /^2 runs /, 'both runs read');
      }
      t.same(readdirSync(join(path, '..')), ['h.db'], 'no -wal or -shm left');
      t.same(readFileSync(path), before, 'the file unchanged');
    }
    // A history this user may not read at all: said so, not "no such database".
    const secret = join(open, 'secret.db');
    copyFileSync(db, secret);
    chmodSync(secret, 0o600);
    // A reader and the writer: the refusal is checkDatabaseFile()'s, before any open, for all.
    for (const args of [READERS(secret)[0]!, ['record', '--db', secret, LOG]]) {
      const r = gupsim(args, { user: 'nobody' });
      t.equal(r.code, 2, `${args[0]}: an unreadable history`);
      t.equal(r.stderr, `gupsim ${args[0]}: ${secret}: EACCES (this user may not read it)\n`);
    }
    // A writer at work (its -wal and -shm there, root's): read beside it.
    const writer = new Database(db);
    t.teardown(() => writer.close());
    writer.prepare('SELECT COUNT(*) FROM runs').get();
    t.ok(existsSync(`${db}-wal`), 'the writer has its -wal open');
    const r = gupsim(['history', '--db', db], { user: 'nobody' });
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, /^2 runs /);
  },
);

t.test(
  'readers leave nothing beside a history, one they refuse included, and change no byte',
  async (t) => {
    const dir = t.testdir();
    const db = await history(dir);
    const foreign = join(dir, 'foreign.db');
    copyFileSync(join(REPRO, 'foreign-app.db'), foreign);
    const corrupt = join(dir, 'page-corrupt.db');
    copyFileSync(join(REPRO, 'page-corrupt.db'), corrupt);
    for (const [path, codes] of [
      [db, [0, 1]],
      [foreign, [2]],
      [corrupt, [2]],
    ] as const) {
      const before = readFileSync(path);
      const mtime = statSync(path).mtimeMs;
      for (const args of READERS(path)) {
        const r = await cli(args);
        t.ok((codes as readonly number[]).includes(r.code), `${args[0]} ${path}: exit ${r.code}`, {
          stderr: r.stderr,
        });
      }
      t.notOk(
        existsSync(`${path}-wal`) || existsSync(`${path}-shm`),
        `${path}: no -wal or -shm left`,
      );
      t.same(readFileSync(path), before, `${path}: unchanged`);
      t.equal(statSync(path).mtimeMs, mtime, `${path}: not even rewritten in place`);
    }
    // An empty -wal a crash left (or an older gupsim's reader): it holds nothing; a reader
    // beside it made a -shm and left both.
    writeFileSync(`${db}-wal`, '');
    t.equal((await cli(['history', '--db', db])).code, 0);
    t.notOk(existsSync(`${db}-wal`) || existsSync(`${db}-shm`), 'a stale empty -wal: nothing left');
  },
);

t.test('a damaged page: every command refuses the history alike, one line, exit 2', async (t) => {
  const dir = t.testdir();
  const db = await history(dir);
  // An index page that history never reads (it answered exit 0 from this file) and compare
  // does (it refused it): garbage in place of the B-tree page.
  const ro = new Database(db, { readonly: true });
  const { rootpage } = ro
    .prepare("SELECT rootpage FROM sqlite_master WHERE name = 'results_by_id'")
    .get() as { rootpage: number };
  const pageSize = Number(ro.pragma('page_size', { simple: true }));
  ro.close();
  const fd = openSync(db, 'r+');
  writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, (rootpage - 1) * pageSize);
  closeSync(fd);
  const lines = new Set<string>();
  for (const args of [
    ...READERS(db),
    ['report', '--format', 'html', '--db', db],
    ['compare', LOG, '1', '--db', db],
    ['record', '--db', db, LOG],
  ]) {
    const r = await cli(args);
    t.equal(r.code, 2, `${args.join(' ')}: exit 2`);
    t.match(
      r.stderr,
      /^gupsim \w+: .*h\.db: database disk image is malformed \(.+\); gupsim neither reads nor writes a damaged history\n$/,
      args[0] ?? '',
    );
    lines.add(r.stderr.replace(/^gupsim \w+: /, ''));
  }
  t.equal(lines.size, 1, 'the same words from every command');
  t.notOk(existsSync(`${db}-wal`), 'nothing left beside it');
});
