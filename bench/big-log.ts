/**
 * The ingest bench's input: a kselftest-runner log of many gup_longterm runs, built from the
 * fixture logs that are a program's bare stdout (the `live/` runs with `runner: direct`).
 * Each copy is wrapped the way runner.sh wraps a test — `# timeout set to`, the
 * `# selftests: mm: gup_longterm` header, every line prefixed with `# `, and the runner's
 * verdict — so the parser sees the real nesting, and the number of runs is known by
 * construction (not by asking the parser under test).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface BigLog {
  text: string;
  bytes: number;
  /** gup_longterm runs written: what a full parse must report. */
  runs: number;
  /** How many distinct run contents the log repeats (what a content cache can reuse). */
  distinct: number;
}

/** Bare fixture logs: a gup_longterm stdout with nothing around it (`"runner": "direct"`). */
export function bareFixtureLogs(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.env.json'))
    .sort()
    .filter((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { runner?: string }).runner === 'direct')
    .map((f) => readFileSync(join(dir, f.replace(/\.env\.json$/, '.log')), 'utf8'));
}

/** A log of about `targetBytes`, kselftest-runner wrapped, cycling through `bare`. */
export function buildRunnerLog(bare: readonly string[], targetBytes: number): BigLog {
  const perRound = bare.reduce((a, l) => a + l.length + 60 + l.split('\n').length * 2, 0);
  const runs = Math.max(1, Math.round((targetBytes / perRound) * bare.length));
  const parts: string[] = ['TAP version 13', `1..${runs}`];
  for (let n = 1; n <= runs; n++) parts.push(wrapOne(bare[(n - 1) % bare.length]!, n));
  const text = parts.join('\n') + '\n';
  return { text, bytes: Buffer.byteLength(text), runs, distinct: bare.length };
}

function wrapOne(log: string, n: number): string {
  const body = log.endsWith('\n') ? log.slice(0, -1) : log;
  const failed = /^# Totals: pass:\d+ fail:[1-9]/m.test(body) || /^Bail out!/m.test(body);
  const lines = [
    '# timeout set to 180',
    '# selftests: mm: gup_longterm',
    ...body.split('\n').map((l) => (l === '' ? '#' : `# ${l}`)),
    failed ? `not ok ${n} selftests: mm: gup_longterm # exit=1` : `ok ${n} selftests: mm: gup_longterm`,
  ];
  return lines.join('\n');
}
