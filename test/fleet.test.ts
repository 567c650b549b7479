// What a CI lab meets when it drives gupsim hard (issue 8): readers that go away, hostile
// names and inputs that would exhaust the machine, databases that are not gupsim's or are
// damaged, disks that fill up. Each answer is one line and a stable exit code.
import t, { type Test } from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, lstatSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli, FIXTURES } from './helpers.js';
import { EXIT_BROKEN_PIPE } from '../harness/io.js';
import { checkIntegrity, countRuns, openStore } from '../reports/store/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(ROOT, 'harness/main.ts');
const LIVE618 = join(FIXTURES, 'live/6.18-host-ext4-default');
// Without tap's --import hooks (process tracking, coverage): they double a child's start-up.
const { NODE_OPTIONS: _tapHooks, NODE_V8_COVERAGE: _coverage, ...CHILD_ENV } = process.env;

/** Run the real CLI process with its stdout closed before it writes: every write fails with EPIPE. */
function withClosedStdout(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, env: CHILD_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
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
  const commands = [
    ['run', '--explain'],
    ['versions'],
    ['diff', `${LIVE618}.log`],
    ['history', '--db', db],
    ['report', '--format', 'html', '--db', db],
    ['compare', '1', `${LIVE618}.log`, '--db', db],
  ];
  const results = await Promise.all(commands.map((args) => withClosedStdout(args)));
  results.forEach((r, i) => {
    const name = commands[i]?.join(' ') ?? '?';
    t.equal(r.code, EXIT_BROKEN_PIPE, `${name}: exit ${EXIT_BROKEN_PIPE} (128 + SIGPIPE)`);
    t.equal(r.stderr, '', `${name}: nothing on stderr, no stack trace`);
  });
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
