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

export function logHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
