/**
 * Run a real test binary so that a timeout really bounds it: the binary leads its own process
 * group, a timeout signals the whole group (SIGTERM, then SIGKILL after a grace period), the
 * group is killed again when the leader exits (background children must not outlive the
 * test), and a hard deadline ends the wait even if something that escaped the group keeps
 * the output pipe open. stdout and stderr are kept interleaved, as a runner would see them.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** After SIGTERM, how long the group gets before SIGKILL. */
export const KILL_GRACE_MS = 2_000;
/** After the leader exits (or SIGKILL), how long pipes held by escaped processes are waited for. */
export const DRAIN_MS = 1_000;

export interface GroupResult {
  output: string;
  /** The exit status as a shell reports it: the code, or 128 + N for signal N; null if unknown. */
  exitStatus: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Output stopped at `maxOutputBytes`; the group was killed. */
  outputCapped: boolean;
}

export class StartError extends Error {}

export function runGroup(binary: string, options: { cwd: string; timeoutMs: number; maxOutputBytes: number }): Promise<GroupResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [], { cwd: options.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let bytes = 0;
    let timedOut = false;
    let outputCapped = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let done = false;
    const timers: NodeJS.Timeout[] = [];
    const later = (ms: number, f: () => void): void => {
      timers.push(setTimeout(f, ms));
    };
    const killGroup = (signal: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    const finish = (): void => {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
      child.stdout.destroy();
      child.stderr.destroy();
      const signal = exit?.signal ?? null;
      const exitStatus = exit?.code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : null);
      resolve({ output: Buffer.concat(chunks).toString('utf8'), exitStatus, signal, timedOut, outputCapped });
    };
    const stopGroup = (): void => {
      killGroup('SIGTERM');
      later(KILL_GRACE_MS, () => {
        killGroup('SIGKILL');
        // A process stuck in the kernel may never report its exit: stop waiting anyway.
        later(DRAIN_MS, finish);
      });
    };
    const collect = (c: Buffer): void => {
      if (outputCapped) return;
      bytes += c.length;
      chunks.push(c);
      if (bytes > options.maxOutputBytes) {
        outputCapped = true;
        stopGroup();
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
      reject(new StartError(e.code ?? e.message));
    });
    later(options.timeoutMs, () => {
      timedOut = true;
      stopGroup();
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      killGroup('SIGKILL');
      later(DRAIN_MS, finish);
    });
    child.on('close', () => {
      if (exit) finish();
    });
  });
}
