// What a CI lab meets when it drives gupsim hard (issue 8): readers that go away, hostile
// names and inputs that would exhaust the machine, databases that are not gupsim's or are
// damaged, disks that fill up. Each answer is one line and a stable exit code.
import t from 'tap';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli, FIXTURES } from './helpers.js';
import { EXIT_BROKEN_PIPE } from '../harness/io.js';

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
