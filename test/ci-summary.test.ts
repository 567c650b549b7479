// The last line CI reads (scripts/tap-summary.mjs): leaf points counted at every depth, and
// every failing point named with its diagnostic before that line, so that the tail of a CI
// log says which test failed, not only how many.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../scripts/tap-summary.mjs', import.meta.url));

function summary(t: Test, ...logs: string[]): { code: number | null; lines: string[] } {
  const dir = t.testdir();
  const files = logs.map((text, i) => {
    const f = join(dir, `log${i}.txt`);
    writeFileSync(f, text);
    return f;
  });
  const r = spawnSync(process.execPath, [SCRIPT, ...files], { encoding: 'utf8' });
  return { code: r.status, lines: r.stdout.trimEnd().split('\n') };
}

const NESTED = [
  'ci: npm test on Node v20',
  'TAP version 14',
  '# Subtest: .tap-bundle/a.test.mjs',
  '    # Subtest: inner',
  '        ok 1 - first',
  '        not ok 2 - the second is wrong',
  '          ---',
  '          found: 1',
  '          wanted: 2',
  '          ...',
  '        ok 3 - a skipped one # SKIP no server',
  '        1..3',
  '    not ok 1 - inner',
  '    1..1',
  'not ok 1 - .tap-bundle/a.test.mjs',
  '1..1',
  '',
].join('\n');

t.test('leaf points are counted and each failure is named with its diagnostic', async (t) => {
  const r = summary(t, NESTED);
  t.equal(r.code, 0);
  t.same(r.lines, [
    'FAILED (Node v20) .tap-bundle/a.test.mjs > inner > the second is wrong',
    '    "found": 1,',
    '    "wanted": 2',
    '1 passed, 1 failed, 1 skipped',
  ]);
});

t.test('two logs (Node 20 and 24) sum; a log without TAP is one named failure', async (t) => {
  const r = summary(t, NESTED, 'src/x.ts(3,1): error TS2304: Cannot find name y.\n');
  t.equal(r.lines.at(-1), '1 passed, 2 failed, 1 skipped');
  t.ok(r.lines.includes('FAILED no TAP at all: src/x.ts(3,1): error TS2304: Cannot find name y.'));
});
