/**
 * Streaming UTF-8 decoding of a log's bytes, chunk by chunk, giving exactly the text a
 * streaming `TextDecoder('utf-8')` gives (lossy: U+FFFD for what is not UTF-8, a leading BOM
 * dropped) at a fraction of its cost: each chunk is cut where no character can be open, and the
 * part before the cut is decoded on its own — by V8's own decoder when it is valid UTF-8 (the
 * usual case, checked by Node's isUtf8()), by a TextDecoder otherwise.
 *
 * Why the cut is exact: the WHATWG decoder is back in its initial state before every ASCII byte
 * and every lead byte (0xC0–0xFF), since a byte that cannot continue the open sequence ends it
 * with U+FFFD and is read again afresh. So decoding the bytes before such a point on their own
 * and the rest on their own gives the same text as decoding them together. Only a cut sequence
 * — a lead byte followed by fewer continuation bytes than it announces, all at the end of the
 * chunk — is carried over to the next chunk (at most 3 bytes).
 */
import { isUtf8 } from 'node:buffer';

/** Where the text of `b` can end: before a character the chunk's end cuts, if any. */
export function completeEnd(b: Uint8Array): number {
  const n = b.length;
  for (let k = 1; k <= 3 && k <= n; k++) {
    const c = b[n - k]!;
    if (c < 0x80) return n; // ASCII: nothing is open after it
    if (c >= 0xc0) {
      // A lead byte (or one that is never valid, which ends itself): is its sequence complete?
      const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      return k < need ? n - k : n;
    }
  }
  // Three continuation bytes close any sequence (or are stray): nothing is open.
  return n;
}

export class Utf8Decoder {
  /** The start of a character the last chunk cut (≤ 3 bytes, copied: the chunk may be reused). */
  private carry: Buffer | null = null;
  /** The first text has been seen (a BOM is dropped only there, as TextDecoder does). */
  private started = false;
  /** For chunks that are not valid UTF-8: each is decoded whole, so no BOM handling of its own. */
  private lossy: TextDecoder | null = null;

  /** The text of `chunk` (the part of it that ends a character). The chunk is not kept. */
  decode(chunk: Uint8Array): string {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.carry) {
      buf = Buffer.concat([this.carry, buf]);
      this.carry = null;
    }
    const end = completeEnd(buf);
    if (end < buf.length) this.carry = Buffer.from(buf.subarray(end));
    return this.text(buf, end);
  }

  /** The end of the input: a character still open is U+FFFD, as TextDecoder's flush gives. */
  end(): string {
    const c = this.carry;
    this.carry = null;
    return c ? this.text(c, c.length) : '';
  }

  private text(buf: Buffer, end: number): string {
    if (end === 0) return '';
    const bytes = buf.subarray(0, end);
    let s = isUtf8(bytes)
      ? buf.toString('utf8', 0, end)
      : (this.lossy ??= new TextDecoder('utf-8', { ignoreBOM: true })).decode(bytes);
    if (!this.started && s !== '') {
      this.started = true;
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    }
    return s;
  }
}
