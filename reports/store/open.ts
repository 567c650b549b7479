/**
 * Opening the store: WAL so readers never block the one writer, a busy timeout so concurrent
 * recorders queue instead of failing, and the schema migrated to the newest version.
 */
import Database from 'better-sqlite3';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';

export interface Store {
  db: Database.Database;
  path: string;
  /** Schema version found on disk before opening (0 for a new file). */
  openedAtVersion: number;
  close(): void;
}

/** A store that cannot be used (newer schema, not a gupsim database). One line, no stack. */
export class StoreError extends Error {}

/** Waiting for another writer: generous, since a recorder holds the lock for milliseconds. */
export const BUSY_TIMEOUT_MS = 30_000;

/** The default path: $GUPSIM_DB, else ./gupsim.db. */
export function defaultStorePath(env: NodeJS.ProcessEnv): string {
  return env.GUPSIM_DB && env.GUPSIM_DB !== '' ? env.GUPSIM_DB : 'gupsim.db';
}

function currentVersion(db: Database.Database): number {
  const hasTable = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
    .get();
  if (!hasTable) return 0;
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Apply the missing migrations. Each runs under BEGIN IMMEDIATE and re-reads the version
 * inside the lock, so several processes opening a new database at once migrate it once.
 */
export function migrate(db: Database.Database, upTo: number = SCHEMA_VERSION): number {
  const before = currentVersion(db);
  for (const m of MIGRATIONS) {
    if (m.version > upTo) break;
    const apply = db.transaction(() => {
      db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)');
      if (currentVersion(db) >= m.version) return;
      m.up(db);
      db.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.description,
        new Date().toISOString(),
      );
    });
    apply.immediate();
  }
  return before;
}

/** `mustExist`: readers (history, compare, report) must not create an empty database by accident. */
export function openStore(path: string, options: { mustExist?: boolean } = {}): Store {
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: BUSY_TIMEOUT_MS, fileMustExist: options.mustExist === true });
  } catch (e) {
    throw new StoreError(`${path}: ${(e as Error).message}`);
  }
  try {
    // WAL + NORMAL: a killed process never corrupts the file or leaves half a transaction;
    // only a power loss could drop the last commits, which a re-record restores.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    const found = currentVersion(db);
    if (found > SCHEMA_VERSION) {
      throw new StoreError(`${path}: schema version ${found} is newer than this gupsim understands (${SCHEMA_VERSION}); upgrade gupsim`);
    }
    if (found < SCHEMA_VERSION) migrate(db);
    return { db, path, openedAtVersion: found, close: () => db.close() };
  } catch (e) {
    db.close();
    if (e instanceof StoreError) throw e;
    throw new StoreError(`${path}: ${(e as Error).message}`);
  }
}
