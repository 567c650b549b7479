/**
 * The kernel log as far as the scenarios need it: WARN_ON_ONCE() splats and BUG()s. A BUG
 * kills the task that hit it (here: the writeback worker); the machine lives on, tainted.
 */
import type { Kernel } from './kernel.js';

export type LogLevel = 'warning' | 'bug';

export interface LogLine {
  level: LogLevel;
  fn: string;
  text: string;
}

const logs = new WeakMap<Kernel, LogLine[]>();

export function printk(k: Kernel, level: LogLevel, fn: string, text: string): void {
  let log = logs.get(k);
  if (!log) logs.set(k, (log = []));
  log.push({ level, fn, text });
  if (k.tracing) k.note(fn, `${level === 'bug' ? 'kernel BUG' : 'WARNING'}: ${text}`);
}

export function kernelLog(k: Kernel): readonly LogLine[] {
  return logs.get(k) ?? [];
}
