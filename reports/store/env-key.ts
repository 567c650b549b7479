/**
 * "Same environment" for history (flapping is judged per kernel and environment): a hash of
 * the environment with keys sorted, so two env files that differ only in key order or
 * whitespace are the same environment.
 */
import { createHash, type Hash } from 'node:crypto';

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
  const h = new LogHasher();
  h.update(text);
  return h.digest();
}

/**
 * logHash of a text that arrives in pieces (a log streamed into the store): the same digest as
 * logHash of the pieces joined. A CR at the end of a piece is held back until the next piece
 * shows whether an LF follows it (a CRLF split across two pieces is still one LF).
 */
export class LogHasher {
  private readonly hash: Hash = createHash('sha256');
  private heldCr = false;

  update(piece: string): void {
    if (piece === '') return;
    let s = this.heldCr ? '\r' + piece : piece;
    this.heldCr = s.charCodeAt(s.length - 1) === 13;
    if (this.heldCr) s = s.slice(0, -1);
    this.hash.update(s.includes('\r\n') ? s.replace(/\r\n/g, '\n') : s);
  }

  digest(): string {
    if (this.heldCr) this.hash.update('\r');
    this.heldCr = false;
    return this.hash.digest('hex');
  }
}
