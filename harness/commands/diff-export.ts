/**
 * `gupsim diff --kcidb | --junit`: the diffed runs exported without a store, as
 * `gupsim record` then `gupsim report --format kcidb|junit` would export them (same ids: each
 * log is hashed in a first pass, as record hashes it, then diffed in a second).
 */
import { textOfStream } from '../../reports/parse/lines.js';
import { diffStream, type DiffOptions } from '../../reports/diff/index.js';
import type { KnownOptions } from '../../reports/known/apply.js';
import { LogHasher } from '../../reports/store/env-key.js';
import type { RunMeta } from '../../reports/store/types.js';
import {
  FORMATS,
  KcidbJsonWriter,
  LOG_EXCERPT_MAX,
  reportRunOfDiff,
  type ReportRun,
} from '../../reports/formats/index.js';
import { EXIT_ATTENTION, EXIT_OK, EXIT_USAGE, UsageError, type CliIO } from '../io.js';
import { LOG_LIMIT_BYTES, reopenableLog } from '../read-input.js';
import { NO_RUN_FOUND } from './common.js';

export type DiffExport = 'kcidb' | 'junit';

export interface ExportLabels {
  origin: string;
  machine?: string | undefined;
  kernel?: string | undefined;
}

/**
 * A log's hash (record's logHash) and the end of its text: the suite node's log excerpt is the
 * last LOG_EXCERPT_MAX characters, so LOG_EXCERPT_MAX + 1 of them give the same excerpt.
 */
async function hashAndTail(
  chunks: AsyncIterable<Uint8Array>,
): Promise<{ hash: string; tail: string }> {
  const hasher = new LogHasher();
  let tail = '';
  for await (const text of textOfStream(chunks)) {
    hasher.update(text);
    tail = (tail + text).slice(-(LOG_EXCERPT_MAX + 1));
  }
  return { hash: hasher.digest(), tail };
}

export async function diffExport(
  format: DiffExport,
  paths: readonly string[],
  opts: DiffOptions & { known?: KnownOptions | undefined },
  labels: ExportLabels,
  io: CliIO,
): Promise<number> {
  const write = (s: string): void => void io.stdout.write(s);
  // KCIDB streams its tests as runs end; JUnit needs every run first (names unique over the file).
  const kcidb = format === 'kcidb' ? new KcidbJsonWriter(labels.origin, write) : null;
  const held: ReportRun[] = [];
  const meta: RunMeta = {
    env: opts.env ?? null,
    kernel: labels.kernel ?? null,
    machine: labels.machine ?? null,
  };
  let runs = 0;
  let attention = false;
  // A log named twice (or two copies of one) is exported once, as `record` stores it once:
  // its ids are its hash's, and a document may hold each id once.
  const exported = new Map<string, string>();
  for (const path of paths) {
    const log = await reopenableLog(
      path,
      io.stdin as AsyncIterable<string | Uint8Array>,
      LOG_LIMIT_BYTES,
    );
    try {
      const { hash, tail } = await hashAndTail(log.open());
      const first = exported.get(hash);
      if (first !== undefined) {
        io.stderr.write(`gupsim diff: ${path}: the same log as ${first}; exported once\n`);
        continue;
      }
      exported.set(hash, path);
      const ctx = { hash, source: path, meta, rawLog: tail };
      const s = await diffStream(log.open(), path, opts, (d) => {
        const r = reportRunOfDiff(d, ctx);
        if (kcidb) kcidb.add(r);
        else held.push(r);
      });
      runs += s.runs;
      attention ||= s.needsHuman;
      for (const issue of s.issues) io.stderr.write(`gupsim diff: ${path}: ${issue}\n`);
    } finally {
      log.close();
    }
  }
  if (runs === 0) {
    io.stderr.write(`gupsim diff: ${NO_RUN_FOUND} in ${paths.join(', ')}\n`);
    return EXIT_USAGE;
  }
  if (kcidb) kcidb.end();
  else
    write(
      FORMATS.junit.render({
        generatedAt: new Date().toISOString(),
        origin: labels.origin,
        runs: held,
      }),
    );
  return attention ? EXIT_ATTENTION : EXIT_OK;
}

/** --origin: KCIDB ids are "<origin>:…" and origins are lower-case identifiers. */
export function originArg(origin: string | undefined): string {
  const o = origin ?? 'gupsim';
  if (!/^[a-z0-9_]+$/.test(o)) throw new UsageError(`--origin: expected [a-z0-9_]+, got "${o}"`);
  return o;
}
