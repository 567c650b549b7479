/**
 * "Same environment" for history (flapping is judged per kernel and environment): a hash of
 * the environment with keys sorted, so two env files that differ only in key order or
 * whitespace are the same environment.
 */
import { createHash } from 'node:crypto';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = canonical((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

export function envKey(env: unknown): string {
  return createHash('sha256').update(JSON.stringify(canonical(env))).digest('hex').slice(0, 16);
}

/**
 * The identity of a log for dedup: its text with CRLF line endings read as LF, so the same
 * log copied through a Windows tool or a mail gateway is the same log. (A log with only LF
 * endings hashes as it always did, so older histories keep deduplicating.)
 */
export function logHash(text: string): string {
  return createHash('sha256').update(text.includes('\r\n') ? text.replace(/\r\n/g, '\n') : text).digest('hex');
}
