// A test that never ran is never a MATCH (issue 8): a runner line with an exit code and no
// output, an exit code the model does not predict, a run without a single result.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnvironment } from '../cases/env.js';
import { prefixLines } from '../cases/runners/output.js';
import { diffLog, needsHuman } from '../reports/diff/index.js';
import { signalOfExit } from '../reports/diff/unpredicted-outcome.js';
import { cli, FIXTURES } from './helpers.js';

const REPRO = fileURLToPath(new URL('./fixtures/repro/', import.meta.url));
const LIVE618 = join(FIXTURES, 'live/6.18-host-ext4-default');
const HDR = 'selftests: mm: gup_longterm';

/** The program's output as the kselftest runner records it, ending with `line`. */
function underRunner(output: string, line: string): string {
  return `# ${HDR}\n${prefixLines(output, '# ')}${output && !output.endsWith('\n') ? '\n' : ''}${line}\n`;
}

t.test('the repro logs: exit 128 or 139 and no output is not a MATCH', async (t) => {
  for (const [file, triage, summary] of [
    ['runner-only-exit128.log', 'INFRASTRUCTURE', /exit 128 without a single result \(the model predicts exit 0\): the test never ran/],
    ['runner-only-exit139.log', 'CRASH', /killed by SIGSEGV \(exit 139\) before printing any result: the test never ran/],
  ] as const) {
    const r = await cli(['diff', join(REPRO, file)]);
    t.equal(r.code, 1, `${file}: needs a human`);
    t.match(r.stdout, new RegExp(`: run 1 \\(lines 1–2\\): ${triage}\\n`), file);
    t.match(r.stdout, summary);
    t.notMatch(r.stdout, /MATCH/);
  }
});

t.test('no results, any exit code: never match', async (t) => {
  for (const [line, triage] of [
    [`not ok 1 ${HDR} # exit=1`, 'infrastructure'],
    [`not ok 1 ${HDR} # exit=134`, 'crash'],
    [`ok 1 ${HDR}`, 'missing'],
  ] as const) {
    const report = diffLog(underRunner('', line), 'x');
    t.equal(report.runs.length, 1, line);
    t.equal(report.runs[0]?.triage, triage, line);
    t.ok(needsHuman(report), `${line}: needs a human`);
  }
  t.equal(signalOfExit(139), 'SIGSEGV');
  t.equal(signalOfExit(134), 'SIGABRT');
  t.equal(signalOfExit(128), undefined, '128 itself is no signal');
  t.equal(signalOfExit(1), undefined);
});

t.test('every result matches but the exit code is not the model’s: unexplained, not match', async (t) => {
  const output = readFileSync(`${LIVE618}.log`, 'utf8');
  const parsed = parseEnvironment(readFileSync(`${LIVE618}.env.json`, 'utf8'));
  if (!parsed.ok) throw new Error(parsed.error);
  const env = { ...parsed.env, runner: 'kselftest' as const };
  const asPredicted = diffLog(underRunner(output, `ok 1 ${HDR}`), 'ok', { env });
  t.equal(asPredicted.runs[0]?.exitCode.predicted, 0, 'the model predicts exit 0 for this log');
  t.equal(asPredicted.runs[0]?.triage, 'match', 'with the predicted exit code: a match');
  const wrong = diffLog(underRunner(output, `not ok 1 ${HDR} # exit=3`), 'exit3', { env });
  t.equal(wrong.runs[0]?.triage, 'unexplained');
  t.equal(wrong.runs[0]?.summary, "every result matches the model, but the log's exit code 3 is not the model's 0");
  t.ok(wrong.runs[0]?.subtests.every((s) => s.class === 'match'), 'the sub-tests themselves still match');
});
