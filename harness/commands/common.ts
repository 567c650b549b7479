/**
 * What record/history/compare/report share: flag parsing that turns every bad flag into a
 * one-line UsageError, the --db default, reading a log from a file or stdin (bounded), and
 * the error-to-exit-code wrapper (bad input → one line on stderr, exit 2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { environmentFromFlags } from '../env-flags.js';
import { EXIT_USAGE, UsageError, usageLines, type CliIO } from '../io.js';
import { LOG_LIMIT_BYTES, readRegularFile, readStdin } from '../read-input.js';
import type { Environment } from '../../cases/env.js';
import { isSelftestName, SELFTEST_NAMES, type SelftestName } from '../../cases/selftests/names.js';
import { openStore, type Store } from '../../reports/store/open.js';
import { StoreError } from '../../reports/store/errors.js';
import { defaultStorePath } from '../../reports/store/location.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs, strict, with its errors as UsageError (node's messages are already one line). */
export function parseFlags<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0] ?? 'bad arguments');
  }
}

export const DB_HELP = `  --db PATH|URL     the store: a SQLite file, or postgresql://user@host/db for a shared
                    PostgreSQL history (default: $GUPSIM_DB, else ./gupsim.db)`;

export function storePath(db: string | undefined, io: CliIO): string {
  return db ?? defaultStorePath(io.env);
}

/**
 * Readers open read-only: they never create a database, and refuse one that is not gupsim's
 * (another application's SQLite file stays untouched).
 */
export function openExisting(location: string): Promise<Store> {
  return openStore(location, { readOnly: true });
}

/** A log from a regular file or stdin (-), at most LOG_LIMIT_BYTES. */
export async function readLogArg(path: string, io: CliIO): Promise<string> {
  if (path === '-') return readStdin(io.stdin as AsyncIterable<string | Uint8Array>, LOG_LIMIT_BYTES);
  return readRegularFile(path, LOG_LIMIT_BYTES);
}

export function envFile(path: string | undefined): Environment | undefined {
  return path === undefined ? undefined : environmentFromFlags({ env: path });
}

/** Years a stored date may have: ISO text sorts as dates only with four-digit years. */
export const DATE_YEARS = { min: 1970, max: 9999 } as const;

/** `--since`/`--date`: any date Date.parse accepts, normalised to ISO so stored dates sort as text. */
export function isoDate(flag: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new UsageError(`--${flag}: not a date: "${text}" (e.g. 2025-06-16 or 2025-06-16T12:00:00Z)`);
  const year = new Date(t).getUTCFullYear();
  if (year < DATE_YEARS.min || year > DATE_YEARS.max) {
    throw new UsageError(`--${flag}: year ${year} is outside ${DATE_YEARS.min}–${DATE_YEARS.max}: "${text}"`);
  }
  return new Date(t).toISOString();
}

/** `--test NAME`: one of the selftests gupsim knows. */
export function testArg(text: string | undefined): SelftestName | undefined {
  if (text === undefined) return undefined;
  if (!isSelftestName(text)) throw new UsageError(`--test: unknown selftest "${text}" (known: ${SELFTEST_NAMES.join(', ')})`);
  return text;
}

export const TEST_HELP = `  --test NAME       runs of one selftest (${SELFTEST_NAMES.join(', ')})`;

/** What a log without a single selftest run is told. */
export const NO_RUN_FOUND = `no selftest run (${SELFTEST_NAMES.join(', ')}) found`;

export function runIdArg(flag: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag}: expected a run id (a whole number), got "${text}"`);
  return Number(text);
}

/** Run a command body; bad input (UsageError, StoreError) becomes one line and exit 2. */
export async function guarded(name: string, io: CliIO, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof UsageError || e instanceof StoreError) {
      const lines = e instanceof UsageError ? usageLines(e) : [e.message];
      for (const line of lines) io.stderr.write(`gupsim ${name}: ${line}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
}
