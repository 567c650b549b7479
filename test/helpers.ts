/** Shared test helpers: fixture paths, environment loading, in-process CLI runs. */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { environmentFromJson, parseEnvironment, type Environment } from '../cases/env.js';
import { main } from '../harness/cli.js';
import { diffLog, type DiffReport } from '../reports/diff/index.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'logs');

export interface GoldenLog {
  name: string;
  log: string;
  envPath: string;
  env: Environment;
}

/** Every fixture log that has an environment file beside it. */
export function goldenLogs(): GoldenLog[] {
  const out: GoldenLog[] = [];
  for (const dir of ['public', 'live']) {
    for (const f of readdirSync(join(FIXTURES, dir)).sort()) {
      if (!f.endsWith('.env.json')) continue;
      const envPath = join(FIXTURES, dir, f);
      const r = parseEnvironment(readFileSync(envPath, 'utf8'));
      if (!r.ok) throw new Error(`${f}: ${r.error}`);
      out.push({ name: f.replace('.env.json', ''), log: readFileSync(envPath.replace('.env.json', '.log'), 'utf8'), envPath, env: r.env });
    }
  }
  return out;
}

/**
 * The program's stdout as a mail preserved it: drop the one-tab mail indentation and a
 * leading shell-prompt line (`# ./gup_longterm`, `# ./pin_longterm`), which the shell, not the
 * program, printed.
 */
export function programOutputOfMailLog(log: string): string {
  const lines = log.startsWith('\t') ? log.replace(/^\t/gm, '') : log;
  return lines.replace(/^# \.\/\S+\n/, '');
}

export function env(partial: Record<string, unknown>): Environment {
  const r = environmentFromJson(partial);
  if (!r.ok) throw new Error(r.error);
  return r.env;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(argv: string[], stdinText = ''): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const stdin = new PassThrough();
  stdin.end(stdinText);
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin,
    env: {},
    isTTY: false,
  });
  return { code, stdout, stderr };
}

/**
 * `gupsim diff --json`'s runs as whole objects: the document holds each distinct result once
 * (`results`) and each run refers to it (`runs[].result`); this joins them back.
 */
export function diffJsonRuns(stdout: string): Record<string, unknown>[] {
  const j = JSON.parse(stdout) as { results: Record<string, unknown>[]; runs: { result: number }[] };
  return j.runs.map((r) => ({ ...j.results[r.result], ...r }));
}

/** diffOnce's reports: by the log's text, then by its name and environment. */
const DIFFS = new Map<string, Map<string, DiffReport>>();

/**
 * `diffLog(text, source, env ? { env } : {})`, computed once per test process: files of one
 * group diff the same gup_longterm fixtures with the same environment, given or inferred
 * (diff.test.ts and verdict-property.test.ts, every golden log). The report is shared: read
 * it, never change it. Not for cow logs: holding their reports made the collector's work cost
 * more than diffing them again (cow-read.test.ts), and the inference is memoised already.
 */
export function diffOnce(text: string, source: string, env?: Environment): DiffReport {
  let byText = DIFFS.get(text);
  if (!byText) DIFFS.set(text, (byText = new Map()));
  const key = JSON.stringify([source, env ?? null]);
  let report = byText.get(key);
  if (!report) byText.set(key, (report = diffLog(text, source, env ? { env } : {})));
  return report;
}
