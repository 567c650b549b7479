/**
 * Recording a log as it streams (`gupsim record`): a log of any size — a 50 MB CI capture of
 * thousands of runs — in bounded memory, with the guarantees of record.ts:
 *
 *  - dedup by the LF-normalised content hash. The hash is needed before anything is written
 *    (it is the log's key), so the log is read twice: once to hash it (LogHasher, constant
 *    memory), once to parse, triage and store it. The second read is hashed again and must
 *    give the same digest, else the log changed in between and nothing is kept;
 *  - all or nothing: the log row, its raw text (in chunks, log_chunks), every run and result
 *    are written in ONE transaction, in batches as the parser hands runs out. A recorder killed
 *    mid-way leaves nothing (the engine drops the uncommitted transaction), so no reader ever
 *    sees a partial log or half a run;
 *  - concurrent recorders: the log row is claimed first with `ON CONFLICT DO NOTHING`; a second
 *    recorder of the same log waits on that key (PostgreSQL) or on the write lock (SQLite)
 *    until the first commits, then finds it recorded.
 *
 * What stays in memory is one input chunk (also the raw text's unit: one log_chunks row each),
 * the runs one 64 KiB slice of it completed (until they are inserted) and the parser's current
 * run — not the log, not its runs.
 */
import type { Environment } from '../../cases/env.js';
import type { RunDiff } from '../diff/types.js';
import { textOfStream } from '../parse/lines.js';
import { rawValue } from './driver.js';
import { LogHasher } from './env-key.js';
import type { Store } from './open.js';
import { insertRuns } from './run-rows.js';
import { diffLogStream, logIssuesOfStream } from './triage-source.js';
import type { RunMeta } from './types.js';

/** Characters handed to the parser at a time (see fedInSlices). */
const FEED_CHARS = 1 << 16;

export interface StreamRecordInput {
  /** The log's name (file path or `-`). */
  source: string;
  meta: RunMeta;
  /** The environment to triage against (else inferred per run). */
  env?: Environment | undefined;
  /** A fresh stream of the log's bytes each call: it is read twice (hash, then store). */
  open(): AsyncIterable<string | Uint8Array>;
}

export interface StreamRecordOutcome {
  hash: string;
  /** The log was already stored: nothing was written. */
  duplicate: boolean;
  /** Runs stored (or, for a duplicate, found by the triage of this copy). */
  runs: number;
  /** Problems reading the log, as in DiffReport.issues. */
  issues: string[];
}

/** A log changed between the two reads: nothing of it was stored. */
export class LogChangedError extends Error {
  override name = 'LogChangedError';
}

/**
 * The stream's text (textOfStream), each piece also given to `hasher`. Errors are kept in
 * `seen` as well: the parser turns a failing stream into an issue, and the recorder must still
 * know that the log was not read to its end.
 */
async function* decoded(
  stream: AsyncIterable<string | Uint8Array>,
  hasher: LogHasher,
  seen: { error?: unknown },
  each: (text: string) => Promise<void> = async () => {},
): AsyncGenerator<string> {
  try {
    for await (const text of textOfStream(stream)) {
      hasher.update(text);
      await each(text);
      yield text;
    }
  } catch (e) {
    seen.error ??= e;
    throw e;
  }
}

/**
 * The text to the parser in slices of FEED_CHARS, `between` awaited before each: the runs one
 * slice completed are inserted before the next is parsed, so at most a slice's runs wait in
 * memory (a 256 KiB read chunk of a CI log completes ~40 runs).
 */
async function* fedInSlices(pieces: AsyncIterable<string>, between: () => Promise<void>): AsyncGenerator<string> {
  for await (const p of pieces) {
    for (let i = 0; i < p.length; i += FEED_CHARS) {
      await between();
      yield p.length <= FEED_CHARS ? p : p.slice(i, i + FEED_CHARS);
    }
  }
}

/** The log's hash (logHash of its whole text), read in constant memory. */
export async function streamHash(stream: AsyncIterable<string | Uint8Array>): Promise<string> {
  const hasher = new LogHasher();
  const seen: { error?: unknown } = {};
  for await (const _ of decoded(stream, hasher, seen));
  return hasher.digest();
}

/** Parse, triage and store one log as it streams; a log already stored is a no-op. */
export async function recordStream(store: Store, input: StreamRecordInput): Promise<StreamRecordOutcome> {
  const hash = await streamHash(input.open());
  const now = new Date().toISOString();
  const sql = store.sql;
  const stored = await sql.transaction(async () => {
    const claimed = await sql.all<{ hash: string }>(
      'INSERT INTO logs (hash, source, raw, recorded_at, run_count) VALUES (?, ?, ?, ?, 0) ON CONFLICT (hash) DO NOTHING RETURNING hash',
      [hash, input.source, rawValue(sql, ''), now],
    );
    if (claimed.length === 0) return null;

    let seq = 0;
    let pending: RunDiff[] = [];
    let runs = 0;
    const flushRuns = async (): Promise<void> => {
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      await insertRuns(sql, [{ hash, meta: input.meta, runs: batch }], now);
      runs += batch.length;
    };
    const hasher = new LogHasher();
    const seen: { error?: unknown } = {};
    // Each decoded read chunk (256 KiB from a file) is one log_chunks row.
    const pieces = decoded(input.open(), hasher, seen, (t) => sql.run('INSERT INTO log_chunks (log_hash, seq, raw) VALUES (?, ?, ?)', [hash, seq++, rawValue(sql, t)]));
    const streamed = await diffLogStream(fedInSlices(pieces, flushRuns), input.source, input.env, (d) => void pending.push(d));
    if (seen.error !== undefined) throw seen.error;
    await flushRuns();
    if (hasher.digest() !== hash) throw new LogChangedError(`${input.source}: the log changed while it was being recorded; nothing stored`);
    await sql.run('UPDATE logs SET run_count = ? WHERE hash = ?', [runs, hash]);
    return { hash, duplicate: false, runs, issues: streamed.issues };
  });
  if (stored) return stored;
  // Already recorded: this copy is read only for its run count and issues (what `record`
  // reports of it), which the parse alone gives: no inference, no triage.
  const read = await logIssuesOfStream(input.open());
  return { hash, duplicate: true, runs: read.runs, issues: read.issues };
}
