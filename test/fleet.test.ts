// What a CI lab meets when it drives gupsim hard (issue 8): readers that go away, hostile
// names and inputs that would exhaust the machine, databases that are not gupsim's or are
// damaged, disks that fill up. Each answer is one line and a stable exit code.
import t, { type Test } from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, lstatSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli, FIXTURES } from './helpers.js';
import { bundledEntry, CHILD_ENV, nodeChild } from './helpers/bundle.js';
import { EXIT_BROKEN_PIPE } from '../harness/io.js';
import { checkIntegrity, countRuns, openStore } from '../reports/store/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = await bundledEntry(join(ROOT, 'harness/main.ts'));
const LIVE618 = join(FIXTURES, 'live/6.18-host-ext4-default');

/** Run the real CLI process with its stdout closed before it writes: every write fails with EPIPE. */
function withClosedStdout(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(...nodeChild([MAIN, ...args]), { cwd: ROOT, env: CHILD_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout.destroy();
    let stderr = '';
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('error', reject);
    c.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

t.test('a reader that goes away (EPIPE) ends every command quietly', async (t) => {
  const db = join(t.testdir(), 'h.db');
  t.equal((await cli(['record', `${LIVE618}.log`, '--db', db, '--env', `${LIVE618}.env.json`])).code, 0);
  // The source entry's stream (harness/main.ts: EPIPE arrives as an 'error' event, after the
  // write) with the shortest and the longest outputs, and a log read between; every command's
  // own answer to a writer that fails with EPIPE is checked in process (installed-bin.test.ts),
  // so history and compare (a store read, a mid-size output) have no process of their own here.
  const commands = [
    ['run', '--explain'],
    ['versions'],
    ['diff', `${LIVE618}.log`],
    ['report', '--format', 'html', '--db', db],
  ];
  const results = await Promise.all(commands.map((args) => withClosedStdout(args)));
  results.forEach((r, i) => {
    const name = commands[i]?.join(' ') ?? '?';
    t.equal(r.code, EXIT_BROKEN_PIPE, `${name}: exit ${EXIT_BROKEN_PIPE} (128 + SIGPIPE)`);
    t.equal(r.stderr, '', `${name}: nothing on stderr, no stack trace`);
  });
});

t.test('the installed command (the bundle bin/gupsim.js loads) ends quietly on EPIPE too', async (t) => {
  const bin = join(ROOT, 'bin/gupsim.js');
  t.ok(existsSync(join(ROOT, 'dist/gupsim.cjs')), 'npm ci built the bundle');
  // The `run` bundle (bin/load-cli.js); the whole CLI's bundle is installed-bin.test.ts's EPIPE
  // test (diff --json, report html as installed processes).
  for (const args of [['run', '--explain']]) {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const c = spawn(...nodeChild([bin, ...args]), { cwd: ROOT, env: CHILD_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
      c.stdout.destroy();
      let stderr = '';
      c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      c.on('error', reject);
      c.on('close', (code) => resolve({ code, stderr }));
    });
    t.equal(r.code, EXIT_BROKEN_PIPE, `${args.join(' ')}: exit ${EXIT_BROKEN_PIPE}`);
    t.equal(r.stderr, '', `${args.join(' ')}: nothing on stderr`);
  }
});

t.test('commands are looked up by their own names, never through the object prototype', async (t) => {
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
    const r = await cli([name]);
    t.equal(r.code, 2, name);
    t.equal(r.stderr, `gupsim: unknown command "${name}" (see gupsim --help)\n`, `${name}: one line`);
  }
});

/** Why a tmpfs cannot be mounted here (not root, no CAP_SYS_ADMIN), or false when it can. */
function cannotMount(): string | false {
  const probe = mkdtempSync(join(tmpdir(), 'gupsim-mount-'));
  try {
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { encoding: 'utf8' });
    if (r.status !== 0) return `cannot mount a tmpfs to fill up (${(r.stderr || r.error?.message || 'not root').trim()})`;
    spawnSync('umount', [probe]);
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

/** A tiny tmpfs (outside the test's directory, which tap removes itself), unmounted at teardown. */
function tinyFs(t: Test, kib: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'gupsim-full-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mount: ${r.stderr}`);
  t.teardown(() => {
    spawnSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Fill the filesystem of `dir` until a write fails with ENOSPC. */
function fill(dir: string): void {
  const fd = openSync(join(dir, 'filler'), 'w');
  const block = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
}

t.test('report --out is atomic: a temporary file renamed over FILE, never through a symlink', async (t) => {
  const dir = t.testdir();
  const db = join(dir, 'r.db');
  t.equal((await cli(['record', `${LIVE618}.log`, '--db', db, '--env', `${LIVE618}.env.json`])).code, 0);

  // A symlink at FILE (planted by someone else) is replaced; what it pointed to is untouched.
  const victim = join(dir, 'victim.txt');
  writeFileSync(victim, 'precious');
  const out = join(dir, 'report.json');
  symlinkSync(victim, out);
  t.equal((await cli(['report', '--format', 'json', '--out', out, '--db', db])).code, 0);
  t.equal(readFileSync(victim, 'utf8'), 'precious', 'the symlink target was not written');
  t.ok(lstatSync(out).isFile(), 'FILE is now a regular file');
  t.match(JSON.parse(readFileSync(out, 'utf8')), { runs: [{ run: { id: 1 } }] });
  t.same(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');

  for (const [target, msg] of [
    [dir, /--out .*: is a directory$/],
    ['/dev/null', /--out \/dev\/null: exists and is not a regular file$/],
    [join(dir, 'no/such/dir/r.json'), /--out .*: ENOENT; nothing written$/],
  ] as const) {
    const r = await cli(['report', '--format', 'json', '--out', target, '--db', db]);
    t.equal(r.code, 2, target);
    t.match(r.stderr.trim(), msg);
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  }
});

t.test('a full disk: record and report --out fail in one line, exit 2, and leave nothing half-written', { skip: cannotMount() }, async (t) => {
  const tiny = tinyFs(t, 768);
  const db = join(tiny, 'full.db');
  t.equal((await cli(['record', `${LIVE618}.log`, '--db', db, '--env', `${LIVE618}.env.json`])).code, 0);
  fill(tiny);

  // A log big enough that its row cannot fit in what is left.
  const big = join(t.testdir(), 'big.log');
  writeFileSync(big, `${'x'.repeat(400_000)}\n${readFileSync(`${LIVE618}.log`, 'utf8')}`);
  const rec = await cli(['record', big, '--db', db, '--env', `${LIVE618}.env.json`]);
  t.equal(rec.code, 2, 'disk full is the machine, not a gupsim bug');
  // SQLite reports a full tmpfs as SQLITE_FULL or as an I/O error on its WAL/shm file.
  t.match(rec.stderr, /^gupsim record: .*full\.db: (database or disk is full \(disk full|disk I\/O error \(SQLITE_IOERR\w*: the disk is full or failing); the transaction was rolled back\)\n$/);

  rmSync(join(tiny, 'filler'));
  // The report goes to another full filesystem (the store must stay readable).
  const other = tinyFs(t, 256);
  const out = join(other, 'report.html');
  writeFileSync(out, 'the previous report');
  fill(other);
  const rep = await cli(['report', '--format', 'html', '--out', out, '--db', db]);
  t.equal(rep.code, 2);
  t.match(rep.stderr, /^gupsim report: --out .*report\.html: ENOSPC \(disk full\); nothing written\n$/);
  t.equal(readFileSync(out, 'utf8'), 'the previous report', 'the old report is intact');
  t.same(readdirSync(other).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
  const store = await openStore(db, { readOnly: true });
  t.teardown(() => store.close());
  t.same(await checkIntegrity(store), { engine: ['ok'], incompleteRuns: [], incompleteLogs: [] }, 'the store is sound');
  t.equal(await countRuns(store), 1, 'the first run is there, the failed one is not');
});

// Copies of the shared repro directory's inputs, unchanged: the suite reads only the project.
const REPRO = join(ROOT, 'test', 'fixtures', 'repro');

t.test('inputs that would exhaust the machine: regular files or stdin only, 64 MiB at most, one line, exit 2', async (t) => {
  const dir = t.testdir();
  const fifo = join(dir, 'fifo');
  spawnSync('mkfifo', [fifo]);
  // 300 MB of NULs, sparse: costs no disk, but a reader that trusted it would hold 300 MB.
  const nuls = join(dir, 'nuls.log');
  closeSync(openSync(nuls, 'w'));
  truncateSync(nuls, 300 * 1024 * 1024);
  const db = join(dir, 'x.db');
  const env = `${LIVE618}.env.json`;
  const cases: [string[], RegExp][] = [
    [['diff', dir], /^gupsim diff: .*: is a directory$/],
    [['diff', fifo], /^gupsim diff: .*fifo: is a FIFO, not a regular file \(redirect it to stdin with - to read it\)$/],
    [['diff', '/dev/zero'], /^gupsim diff: \/dev\/zero: is a device, not a regular file$/],
    [['diff', nuls], /^gupsim diff: .*nuls\.log: 300 MiB is over the 64 MiB limit$/],
    [['record', '--db', db, '/dev/zero'], /^gupsim record: \/dev\/zero: is a device, not a regular file$/],
    [['record', '--db', db, fifo], /^gupsim record: .*fifo: is a FIFO/],
    [['record', '--db', db, nuls], /^gupsim record: .*nuls\.log: 300 MiB is over the 64 MiB limit$/],
    [['record', '--db', db, dir], /^gupsim record: .*: is a directory$/],
    [['run', '--env', '/dev/zero'], /^gupsim run: --env \/dev\/zero: is a device, not a regular file$/],
    [['run', '--env', fifo], /^gupsim run: --env .*fifo: is a FIFO/],
    [['run', '--env', nuls], /^gupsim run: --env .*nuls\.log: 300 MiB is over the 1 MiB limit$/],
    [['diff', `${LIVE618}.log`, '--env', dir], /^gupsim diff: --env .*: is a directory$/],
    [['record', '--db', db, '--env', '/dev/zero', `${LIVE618}.log`], /^gupsim record: --env \/dev\/zero: is a device/],
    [['compare', fifo, `${LIVE618}.log`, '--env-b', env], /^gupsim compare: .*fifo: is a FIFO/],
  ];
  for (const [argv, re] of cases) {
    const r = await cli(argv);
    t.equal(r.code, 2, argv.join(' '));
    t.match(r.stderr.trimEnd(), re, argv.join(' '));
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  }
  // stdin is read with the same limit (65 MiB of NULs here).
  const flood = '\u0000'.repeat(65 * 1024 * 1024);
  for (const argv of [['diff', '-'], ['record', '--db', db, '-']]) {
    const r = await cli(argv, flood);
    t.equal(r.code, 2, `${argv.join(' ')} < 65 MiB`);
    t.match(r.stderr, /: -: more than the 64 MiB limit on stdin\n$/);
  }
  const h = await cli(['history', '--db', db, '--json']);
  t.same(h.code === 0 ? (JSON.parse(h.stdout) as { runs: unknown[] }).runs : [], [], 'nothing was recorded');
});

t.test('record --date and --since: a year outside 1970–9999 is refused', async (t) => {
  const db = join(t.testdir(), 'd.db');
  for (const date of ['99999', '+099999-01-01', '1969-12-31', '-000001-01-01']) {
    const r = await cli(['record', `${LIVE618}.log`, '--db', db, `--date=${date}`]);
    t.equal(r.code, 2, date);
    t.match(r.stderr, /^gupsim record: --date: year -?\d+ is outside 1970–9999: /);
  }
  t.equal((await cli(['record', `${LIVE618}.log`, '--db', db, '--date', '9999-12-31', '--env', `${LIVE618}.env.json`])).code, 0, 'year 9999 is fine');
  const h = await cli(['history', '--db', db, '--since', '12000-01-01']);
  t.equal(h.code, 2);
  t.match(h.stderr, /--since: year 12000 is outside/);
});

t.test('another application’s SQLite file and a malformed one: refused in one line, exit 2, untouched', async (t) => {
  const dir = t.testdir();
  const foreign = join(dir, 'f.db');
  copyFileSync(join(REPRO, 'foreign-app.db'), foreign);
  const before = readFileSync(foreign);
  for (const argv of [['history'], ['report', '--format', 'json'], ['compare', '1', '2'], ['record', `${LIVE618}.log`]]) {
    const r = await cli([...argv, '--db', foreign]);
    t.equal(r.code, 2, argv.join(" "));
    t.match(r.stderr, /^gupsim \w+: .*f\.db: not a gupsim history: it holds table\(s\) customers but no gupsim schema; refusing to touch it\n$/);
  }
  t.same(readFileSync(foreign), before, 'the file is byte for byte what it was');
  t.notOk(existsSync(`${foreign}-wal`), 'not even switched to WAL');

  // A copy: the reproducer is an input, and a reader must not change even a copy of it
  // (it is an older gupsim history; migrating it would rewrite its damaged pages).
  const corrupt = join(dir, 'page-corrupt.db');
  copyFileSync(join(REPRO, 'page-corrupt.db'), corrupt);
  const pristine = readFileSync(corrupt);
  for (const argv of [['history'], ['report', '--format', 'html'], ['compare', '1', '2'], ['record', `${LIVE618}.log`]]) {
    const r = await cli([...argv, '--db', corrupt]);
    t.equal(r.code, 2, `${argv[0]} on a malformed database`);
    t.match(r.stderr, /^gupsim \w+: .*page-corrupt\.db: database disk image is malformed \(.+\); gupsim neither reads nor writes a damaged history\n$/);
  }
  t.same(readFileSync(corrupt), pristine, 'the malformed database is byte for byte what it was');
});

t.test('a PostgreSQL URL that cannot be used: one line, exit 2, the password never printed', async (t) => {
  // Port 1 on loopback: nothing listens, so this needs no server.
  const r = await cli(['history', '--db', 'postgresql://lab:s3cret@127.0.0.1:1/gupsim']);
  t.equal(r.code, 2);
  t.match(r.stderr, /^gupsim history: postgresql:\/\/lab:\*\*\*@127\.0\.0\.1:1\/gupsim: connect ECONNREFUSED 127\.0\.0\.1:1\n$/);
  t.notMatch(r.stderr, /s3cret/);
  const q = await cli(['history', '--db', 'postgresql://lab@127.0.0.1:1/gupsim?password=s3cret']);
  t.equal(q.code, 2);
  t.notMatch(q.stderr, /s3cret/, 'nor in the query string');
});
