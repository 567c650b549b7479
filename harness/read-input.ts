/**
 * Reading what the user names (logs, environment files) without letting it exhaust the
 * machine: only regular files or stdin, never more than a stated limit in memory. A FIFO or
 * device named as a file would block or never end (`/dev/zero`), so it is refused by its
 * type before it is opened; stdin is read with the same limit. Every refusal is one line.
 */
import {
  closeSync,
  createReadStream,
  fstatSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './io.js';
import { CHUNK_BYTES } from '../reports/parse/lines.js';

/** A log larger than this is not a gup_longterm log (real ones are 5–200 KiB, whole-suite captures a few MiB). */
export const LOG_LIMIT_BYTES = 64 * 1024 * 1024;
/** An environment file is a few hundred bytes. */
export const ENV_LIMIT_BYTES = 1024 * 1024;

function mib(n: number): string {
  return `${(n / 1024 / 1024).toFixed(n < 1024 * 1024 ? 2 : 0)} MiB`;
}

function errnoText(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

/** What kind of thing `path` is, in words, when it is not a regular file. */
function notRegular(st: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}): string {
  if (st.isDirectory()) return 'is a directory';
  if (st.isFIFO()) return 'is a FIFO, not a regular file (redirect it to stdin with - to read it)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'is a device, not a regular file';
  if (st.isSocket()) return 'is a socket, not a regular file';
  return 'not a regular file';
}

/**
 * Refuse `path` unless it is a regular file this user can read, within `limit` bytes; returns
 * its size. Opened once to know: an unreadable log read as a stream is an empty log, which
 * `diff` called "no gup_longterm run found" instead of EACCES.
 */
export function checkRegularFile(path: string, limit: number, label = path): number {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new UsageError(`${label}: ${errnoText(e)}`);
  }
  if (!st.isFile()) throw new UsageError(`${label}: ${notRegular(st)}`);
  if (st.size > limit)
    throw new UsageError(`${label}: ${mib(st.size)} is over the ${mib(limit)} limit`);
  try {
    closeSync(openSync(path, 'r'));
  } catch (e) {
    throw new UsageError(`${label}: ${errnoText(e)}`);
  }
  return st.size;
}

/**
 * Refuse a directory on stdin (`gupsim diff - < /tmp`): Node reads one as an empty stream, so
 * it would be an empty log. Pipes, files, terminals and devices are what stdin may be.
 */
export function checkStdin(stdin: unknown): void {
  const fd = (stdin as { fd?: unknown }).fd;
  if (typeof fd !== 'number') return;
  let directory: boolean;
  try {
    directory = fstatSync(fd).isDirectory();
  } catch {
    return; // closed stdin: reads as empty, which is what it is
  }
  if (directory) throw new UsageError('-: stdin is a directory, not a log');
}

/**
 * A regular file's text, at most `limit` bytes (checked again while reading: a file that grows,
 * or a /proc file that reports size 0, cannot slip past it).
 */
export function readRegularFile(path: string, limit: number, label = path): string {
  checkRegularFile(path, limit, label);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new UsageError(`${label}: ${errnoText(e)}`);
  }
  try {
    if (!fstatSync(fd).isFile()) throw new UsageError(`${label}: not a regular file`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(1 << 20, limit + 1 - total));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > limit) throw new UsageError(`${label}: more than the ${mib(limit)} limit`);
      chunks.push(buf.subarray(0, n));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${label}: ${errnoText(e)}`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Chunks of `stream`, failing with a UsageError once more than `limit` bytes arrived. The
 * error is also left in `seen.error`, for a consumer (the log parser) that keeps a read error
 * as data instead of throwing it.
 */
export async function* limitStream(
  stream: AsyncIterable<string | Uint8Array>,
  limit: number,
  label = '-',
  seen: { error?: UsageError } = {},
): AsyncGenerator<Uint8Array> {
  let total = 0;
  const chunks = stream[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<string | Uint8Array>;
    try {
      next = await chunks.next();
    } catch (e) {
      // A read that fails (EIO, EACCES on a file that changed) is the input's fault, named in
      // one line: kept as a parse issue it ended as "no gup_longterm run found".
      seen.error = e instanceof UsageError ? e : new UsageError(`${label}: ${errnoText(e)}`);
      throw seen.error;
    }
    if (next.done) return;
    const c = next.value;
    const b = typeof c === 'string' ? Buffer.from(c) : c;
    total += b.length;
    if (total > limit) {
      seen.error = new UsageError(
        `${label}: more than the ${mib(limit)} limit${label === '-' ? ' on stdin' : ''}`,
      );
      throw seen.error;
    }
    yield b;
  }
}

/** All of stdin as text, at most `limit` bytes. */
export async function readStdin(
  stream: AsyncIterable<string | Uint8Array>,
  limit: number,
  label = '-',
): Promise<string> {
  checkStdin(stream);
  const chunks: Uint8Array[] = [];
  for await (const c of limitStream(stream, limit, label)) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

/** Bytes asked of the kernel per read (fileBytes hands them on CHUNK_BYTES at a time). */
const READ_BYTES = 16 * CHUNK_BYTES;

/**
 * A regular file's bytes, CHUNK_BYTES at a time, all read into one buffer: a chunk is valid
 * only until the next is asked for (textOfStream decodes each before it asks). One buffer, not
 * a stream's fresh one per read: first touches of memory are what a big read costs here
 * (lines.ts CHUNK_BYTES); and 1 MiB per read(2), a sixteenth of the system calls. A failure
 * to open or read is thrown by the iteration, as a stream's is.
 */
export async function* fileBytes(path: string): AsyncGenerator<Uint8Array> {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(READ_BYTES);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) return;
      for (let off = 0; off < n; off += CHUNK_BYTES)
        yield buf.subarray(off, Math.min(n, off + CHUNK_BYTES));
    }
  } finally {
    closeSync(fd);
  }
}

/** A log that can be read more than once, chunk by chunk (`gupsim record` hashes it, then stores it). */
export interface ReopenableLog {
  open(): AsyncIterable<Uint8Array>;
  /** Remove what was made to read it (stdin's spool file). */
  close(): void;
}

/** Chunks of a regular file, at most `limit` bytes; a read failure is a UsageError naming it. */
async function* fileChunks(path: string, limit: number, label: string): AsyncGenerator<Uint8Array> {
  try {
    // 256 KiB reads: what one chunk pins (its text, the runs it completes) stays small.
    yield* limitStream(createReadStream(path, { highWaterMark: 1 << 18 }), limit, label);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${label}: ${errnoText(e)}`);
  }
}

/**
 * A regular file, or stdin spooled to a private temporary file (stdin can be read only once),
 * as a ReopenableLog of at most `limit` bytes. Memory stays at one chunk either way.
 */
export async function reopenableLog(
  path: string,
  stdin: AsyncIterable<string | Uint8Array>,
  limit: number,
): Promise<ReopenableLog> {
  if (path !== '-') {
    checkRegularFile(path, limit);
    return { open: () => fileChunks(path, limit, path), close: () => {} };
  }
  checkStdin(stdin);
  // node:os loaded here, not at start-up: `gupsim run` would load it for nothing (~0.35 ms).
  // Synchronously, not with import(): the installed CLI is a vm.Script (bin/load-cli.js)
  // whose dynamic import() Node's loader does not serve (`record -` failed with exit 70).
  const { tmpdir } = process.getBuiltinModule('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'gupsim-stdin-'));
  const file = join(dir, 'stdin.log');
  const close = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const fd = openSync(file, 'wx', 0o600);
    try {
      for await (const c of limitStream(stdin, limit, '-')) writeSync(fd, c);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    close();
    throw e;
  }
  return { open: () => fileChunks(file, limit, '-'), close };
}
