// `gupsim live` against binaries that cannot start, bad limits, and tests that leave children
// behind (issue 8): a binary that never ran is bad input, and a timeout bounds the whole group.
import t from 'tap';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from './helpers.js';

/** Dead: gone, or a zombie waiting for init to reap it. */
function dead(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Wait (bounded) until `pid` is dead; a signalled process may take a moment to be reaped. */
async function settles(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && !dead(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return dead(pid);
}

function script(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

t.test('a binary that cannot start is bad input (exit 2, one line), never a triaged run', async (t) => {
  const dir = t.testdir({ 'plain.txt': 'not a program\n' });
  const badInterp = script(dir, 'bad-interp', '');
  writeFileSync(badInterp, '#!/nonexistent/interpreter\n');
  for (const [binary, msg] of [
    [dir, /--binary .*: is a directory$/],
    [join(dir, 'plain.txt'), /--binary .*plain\.txt: not executable \(chmod \+x\?\)$/],
    [join(dir, 'absent'), /--binary .*absent: no such file$/],
    ['/dev/null', /--binary \/dev\/null: not a regular file$/],
    [badInterp, /--binary .*bad-interp: cannot start: ENOENT$/],
  ] as const) {
    const r = await cli(['live', '--binary', binary]);
    t.equal(r.code, 2, binary);
    t.match(r.stderr.trim(), msg);
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    t.equal(r.stdout, '', 'no report: nothing ran');
  }
});

t.test('--timeout has a validated range; --cwd must be a directory', async (t) => {
  const dir = t.testdir();
  const ok = script(dir, 'ok', 'echo "TAP version 13"; echo "1..0"');
  for (const v of ['1e10', '0', '-1', 'abc', '86401', '', 'Infinity']) {
    const r = await cli(['live', '--binary', ok, `--timeout=${v}`]);
    t.equal(r.code, 2, `--timeout ${v}`);
    t.match(r.stderr, /^gupsim live: --timeout: expected seconds from 0\.1 to 86400 \(a day\), got ".*"\n$/);
  }
  for (const [cwd, msg] of [
    ['/nonexistent', /--cwd \/nonexistent: no such directory$/],
    [ok, /--cwd .*ok: not a directory$/],
  ] as const) {
    const r = await cli(['live', '--binary', ok, '--cwd', cwd]);
    t.equal(r.code, 2, cwd);
    t.match(r.stderr.trim(), msg, 'an error, not a guessed filesystem');
  }
});

t.test('a timeout kills the whole process group, even a child that holds the output pipe', async (t) => {
  const dir = t.testdir();
  const pidFile = join(dir, 'child.pid');
  const quietFile = join(dir, 'quiet.pid');
  // One background child keeps stdout open (waiting for the pipe alone would take 20 s), one
  // has let go of it and would outlive a kill of the direct child by minutes.
  const bin = script(
    dir,
    'grandchild',
    `sleep 20 & echo $! > '${pidFile}'\nsleep 300 > /dev/null 2>&1 & echo $! > '${quietFile}'\necho "TAP version 13"\nsleep 100`,
  );
  const r = await cli(['live', '--binary', bin, '--timeout', '1', '--keep-log', join(dir, 'kept.log')]);
  t.equal(r.code, 1, 'a timeout needs a human');
  t.match(readFileSync(join(dir, 'kept.log'), 'utf8'), /\nnot ok 1 selftests: mm: gup_longterm # TIMEOUT 1 seconds\n$/);
  for (const f of [pidFile, quietFile]) {
    const pid = Number(readFileSync(f, 'utf8'));
    t.ok(await settles(pid), `background child ${pid} was killed with the group`);
  }
});

t.test('children a test leaves behind are killed when it exits', async (t) => {
  const dir = t.testdir();
  const pidFile = join(dir, 'left.pid');
  const bin = script(dir, 'leaves-child', `sleep 100 > /dev/null 2>&1 & echo $! > '${pidFile}'\necho "TAP version 13"\necho "1..0"\nexit 0`);
  const r = await cli(['live', '--binary', bin, '--keep-log', join(dir, 'kept.log')]);
  t.match(readFileSync(join(dir, 'kept.log'), 'utf8'), /\nok 1 selftests: mm: gup_longterm\n$/);
  t.not(r.code, 2);
  t.ok(await settles(Number(readFileSync(pidFile, 'utf8'))), 'the left-over sleep is dead');
});
