/**
 * The line stream: text, string iterables and byte streams all become the same sequence of
 * physical lines, so parseLog, parseLines and parseStream share one state machine.
 *
 * Lines are split on `\n` only; a trailing `\r` (CRLF) is removed later by the transport step,
 * which also reports it. Lines longer than MAX_LINE_CHARS are cut (a 100 MB log with no newline
 * must neither hold a 100 MB line in memory nor be scanned by a dozen regexes in full).
 */
import { Utf8Decoder } from './utf8.js';

/** Longest line the parser looks at; longer lines are cut and reported as 'overlong-line'. */
export const MAX_LINE_CHARS = 64 * 1024;

/**
 * Bytes to read from a log at a time. Its text must stay under V8's largest ordinary heap
 * object (128 KiB): a bigger string is a large object, given freshly mapped memory of its own
 * and unmapped when it dies, and first touches of memory dominated `gupsim diff` of a 50 MB log
 * read 1 MiB at a time (~15,000 page faults for the chunks alone, where 64 KiB pieces reuse
 * the young generation's pages).
 */
export const CHUNK_BYTES = 64 * 1024;

/** Lines of a whole string, without their `\n`. No final empty line after a trailing newline. */
export function* splitText(text: string): Generator<string> {
  let start = 0;
  const n = text.length;
  while (start < n) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) {
      yield text.slice(start);
      return;
    }
    yield text.slice(start, nl);
    start = nl + 1;
  }
}

/**
 * Incremental splitter for chunked input. Memory stays bounded by MAX_LINE_CHARS per pending
 * line: the tail of an overlong line is dropped (its head is kept, one char over the cap so the
 * parser can still tell it was cut).
 */
export class LineSplitter {
  private carry = '';
  private overflow = false;

  /** Feed a chunk; returns the lines it completed. */
  push(chunk: string): string[] {
    const out: string[] = [];
    this.feed(chunk, (line) => void out.push(line));
    return out;
  }

  /** Feed a chunk; each line it completes goes to `sink` (no array per chunk). */
  feed(chunk: string, sink: (line: string) => void): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl < 0) break;
      // The common case, no line pending: the line is a slice of the chunk, nothing joined.
      sink(
        this.carry === '' && !this.overflow && nl - start <= MAX_LINE_CHARS
          ? chunk.slice(start, nl)
          : this.take(chunk.slice(start, nl)),
      );
      start = nl + 1;
    }
    if (start < chunk.length) this.append(chunk.slice(start));
  }

  /** The final line, if the input did not end with a newline. */
  end(): string[] {
    if (this.carry === '' && !this.overflow) return [];
    const last = this.take('');
    return [last];
  }

  private append(s: string): void {
    if (this.overflow || s === '') return;
    if (this.carry.length + s.length > MAX_LINE_CHARS) {
      this.carry = (this.carry + s.slice(0, MAX_LINE_CHARS + 1 - this.carry.length)).slice(
        0,
        MAX_LINE_CHARS + 1,
      );
      this.overflow = true;
    } else {
      this.carry += s;
    }
  }

  private take(rest: string): string {
    this.append(rest);
    const line = this.carry;
    this.carry = '';
    this.overflow = false;
    return line;
  }
}

/**
 * The text of a byte or string stream, piece by piece: bytes decoded as UTF-8, lossily (as a
 * whole-file read decodes them; a character cut between chunks is joined), strings as they are.
 * A chunk that ends inside a character gives its piece without it (possibly '').
 */
export async function* textOfStream(
  stream: AsyncIterable<string | Uint8Array>,
): AsyncGenerator<string> {
  // The text of TextDecoder('utf-8') streaming, faster (utf8.ts); a chunk is decoded before
  // the next is asked for, so a reader may reuse its buffer.
  const decoder = new Utf8Decoder();
  for await (const chunk of stream) yield typeof chunk === 'string' ? chunk : decoder.decode(chunk);
  const tail = decoder.end();
  if (tail !== '') yield tail;
}

/**
 * Lines of a byte or string stream (e.g. fs.createReadStream), decoded by textOfStream, one
 * batch per chunk: a consumer pays one promise round-trip per chunk, not one per line.
 */
export async function* lineBatchesOfStream(
  stream: AsyncIterable<string | Uint8Array>,
): AsyncGenerator<string[]> {
  const splitter = new LineSplitter();
  for await (const text of textOfStream(stream)) yield splitter.push(text);
  yield splitter.end();
}

/** Lines of a byte or string stream, one at a time (lineBatchesOfStream, flattened). */
export async function* linesOfStream(
  stream: AsyncIterable<string | Uint8Array>,
): AsyncGenerator<string> {
  for await (const batch of lineBatchesOfStream(stream)) yield* batch;
}

/**
 * A copy of `s` that does not share memory with the string it was sliced from. Lines are
 * slices of their input chunk, so a cache that keeps a line's text would keep the whole chunk
 * alive; caches store detached copies instead.
 */
export function detach(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}
