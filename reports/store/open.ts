/**
 * Opening the store named by `--db`: a SQLite file (the embedded default) or a PostgreSQL URL
 * (a history shared by many machines). Writers create gupsim's schema in an empty database and
 * migrate an older one; readers open read-only, migrate only a database that is gupsim's, and
 * refuse anything else, so pointing gupsim at another application's database changes nothing.
 */
import type { Dialect, SqlDriver } from './driver.js';
import { StoreError } from './errors.js';
import { isPostgresUrl } from './location.js';
import { inspect, migrate } from './migrate.js';
import { SCHEMA_VERSION } from './schema.js';
import { SqliteDriver } from './sqlite-driver.js';

export interface Store {
  sql: SqlDriver;
  backend: Dialect;
  /** For messages: the file path, or the URL with its password masked. */
  location: string;
  /** Schema version found before opening (0 for a new database). */
  openedAtVersion: number;
  readOnly: boolean;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Readers (history, compare, report): never create or write a database. */
  readOnly?: boolean;
}

/**
 * A connection, nothing set on it yet: a writer's pragmas wait until the file is known to be
 * empty or gupsim's, since switching another application's file to WAL would change it.
 */
async function driver(location: string, readOnly: boolean): Promise<SqlDriver> {
  if (!isPostgresUrl(location)) return SqliteDriver.open(location, { readOnly });
  // Loaded on use: `pg` costs a SQLite command 50–120 ms of start-up (the installed bundle turns
  // this import() into a lazy part of itself, scripts/build-cli.mjs).
  const { PgDriver } = await import('./pg-driver.js');
  return PgDriver.open(location, { readOnly });
}

/** The schema version of a usable database; anything else is a StoreError. */
async function usableVersion(sql: SqlDriver, readOnly: boolean): Promise<number> {
  const found = await inspect(sql);
  if (found.kind === 'foreign') throw new StoreError(`${sql.location}: not a gupsim history: ${found.why}; refusing to touch it`);
  if (found.kind === 'empty' && readOnly) throw new StoreError(`${sql.location}: not a gupsim history (no gupsim schema; \`gupsim record\` creates one)`);
  const version = found.kind === 'gupsim' ? found.version : 0;
  if (version > SCHEMA_VERSION) {
    throw new StoreError(`${sql.location}: schema version ${version} is newer than this gupsim understands (${SCHEMA_VERSION}); upgrade gupsim`);
  }
  // A damaged file is refused by every command alike, before it reads or writes anything: a
  // reader's answer would depend on which pages it happens to touch (history answered from a
  // file compare refused), and a writer or a migration would spread the damage. PRAGMA
  // quick_check reads every page: about a second for a 10,000-run, 317 MB history (bench/store.ts).
  if (version > 0 && sql instanceof SqliteDriver) {
    const damage = sql.damage();
    if (damage) throw new StoreError(`${sql.location}: database disk image is malformed (${damage}); gupsim neither reads nor writes a damaged history`);
  }
  return version;
}

/** Migrate through a short-lived writable connection (a reader's own connection cannot write). */
async function migrateWithWriter(location: string): Promise<void> {
  const writer = await driver(location, false);
  try {
    if (writer instanceof SqliteDriver) writer.configureWriter();
    await migrate(writer);
  } finally {
    await writer.close();
  }
}

export async function openStore(location: string, options: OpenOptions = {}): Promise<Store> {
  const readOnly = options.readOnly === true;
  let sql = await driver(location, readOnly);
  try {
    const version = await usableVersion(sql, readOnly);
    if (!readOnly) {
      if (sql instanceof SqliteDriver) sql.configureWriter();
      if (version < SCHEMA_VERSION) await migrate(sql);
    } else if (version < SCHEMA_VERSION) {
      // An older gupsim history is migrated even for a reader: it is gupsim's, and this
      // gupsim cannot read the old schema otherwise. Then the reader reconnects read-only.
      await sql.close();
      await migrateWithWriter(location);
      sql = await driver(location, true);
    }
    const opened = sql;
    return { sql: opened, backend: opened.dialect, location: opened.location, openedAtVersion: version, readOnly, close: () => opened.close() };
  } catch (e) {
    await sql.close();
    throw e;
  }
}
