// Recorder processes for the store's crash and concurrency suites (store-kill.test.ts,
// store-concurrency.test.ts): test/helpers/record-child.ts run bundled, killed on a schedule
// or left to finish, and what they report.
import { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Environment } from '../../cases/env.js';
import { diffLogText } from '../../reports/store/index.js';
import { bundledEntry, CHILD_ENV, nodeChild } from './bundle.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LOG004 = join(ROOT, 'test/fixtures/logs/public/004-kitayama-arm64-fvp-9p-run_vmtests-ftruncate-failed.log');
/**
 * The environment inferred for 004's run: what the recorders triage against. Inferred on first
 * use, not at import (an inference of 004 is a few hundred ms, which a suite importing these
 * helpers for a test that never asks need not pay).
 */
let baseEnv: Environment | undefined;
function inferredBaseEnv(): Environment | undefined {
  baseEnv ??= diffLogText(readFileSync(LOG004, 'utf8'), 'base').runs[0]?.env;
  return baseEnv;
}

const CHILD = await bundledEntry(join(ROOT, 'test/helpers/record-child.ts'));
export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** ms from spawn to the first `committed` line; null when none came. */
  firstCommitMs: number | null;
}
/** When to SIGKILL a child: a delay after spawn, or after its first reported commit. */
export type Kill = { afterSpawnMs: number } | { afterFirstCommitMs: number };
export function runChild(args: string[], kill?: Kill): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const c = spawn(...nodeChild([CHILD, ...args]), { cwd: ROOT, env: CHILD_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let firstCommitMs: number | null = null;
    let timer: NodeJS.Timeout | undefined;
    const killIn = (ms: number): void => {
      timer = setTimeout(() => c.kill('SIGKILL'), ms);
    };
    if (kill && 'afterSpawnMs' in kill) killIn(kill.afterSpawnMs);
    c.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (firstCommitMs === null && /^committed \d+$/m.test(stdout)) {
        firstCommitMs = performance.now() - started;
        if (kill && 'afterFirstCommitMs' in kill) killIn(kill.afterFirstCommitMs);
      }
    });
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('error', reject);
    c.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (code !== 0 && signal === null) reject(new Error(`child failed (${code}): ${stderr}`));
      else resolve({ code, signal, stdout, firstCommitMs });
    });
  });
}
export const lastCommitted = (out: string): number => {
  const m = [...out.matchAll(/^committed (\d+)$/gm)].pop();
  return m ? Number(m[1]) : 0;
};
/** The environment 004's runs are triaged against in the child recorders (inferred once per process). */
export function baseEnvFile(t: Test): string {
  const file = join(t.testdir(), '004.env.json');
  writeFileSync(file, JSON.stringify(inferredBaseEnv()));
  return file;
}

