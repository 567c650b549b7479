/**
 * The one SQL interface both backends implement. Queries are written once, with `?`
 * placeholders, in the SQL that SQLite and PostgreSQL share (INSERT … ON CONFLICT …
 * RETURNING, CREATE INDEX, ALTER TABLE ADD COLUMN); the few differences (identity columns,
 * catalogue queries, integrity checks, locking) live behind this interface or in the
 * migrations' per-dialect DDL.
 */
export type Dialect = 'sqlite' | 'postgresql';

/**
 * Statements each driver keeps per connection, prepared (SQLite) or rewritten to `$n`
 * placeholders (PostgreSQL); the oldest is dropped first. gupsim's SQL is a few dozen fixed
 * texts, but a text built per call (an IN list of a caller's length) must not grow the cache
 * for the life of a long-running process.
 */
export const STATEMENT_CACHE_LIMIT = 64;
export type SqlValue = string | number | null | Uint8Array;

/** The raw log column as written: PostgreSQL keeps it as bytea (its text cannot hold NUL); SQLite as text. */
export function rawValue(sql: SqlDriver, text: string): SqlValue {
  return sql.dialect === 'postgresql' ? Buffer.from(text, 'utf8') : text;
}

/** The raw log column read back as text (PostgreSQL returns the bytea as a Buffer). */
export function rawText(raw: string | Uint8Array): string {
  return typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8');
}

export interface SqlDriver {
  readonly dialect: Dialect;
  /** Where the store is, for messages: a file path, or the URL with its password masked. */
  readonly location: string;
  /** Rows as objects keyed by column name. */
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Rows as arrays in SELECT order: the compact form for scans of many rows. */
  arrays<T extends unknown[]>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** A statement without result rows. */
  run(sql: string, params?: readonly SqlValue[]): Promise<void>;
  /** Several statements, no parameters (DDL). */
  exec(script: string): Promise<void>;
  /**
   * `fn` in one transaction holding the write lock from the start (SQLite BEGIN IMMEDIATE;
   * PostgreSQL row locks and unique constraints), committed when it resolves, rolled back
   * when it throws. A killed process leaves nothing of it.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** Tables of the store's schema (SQLite: the file; PostgreSQL: current_schema()). */
  tableNames(): Promise<string[]>;
  /** The engine's own soundness check; ['ok'] when sound. */
  engineCheck(): Promise<string[]>;
  /** Statements kept ready: at most STATEMENT_CACHE_LIMIT for each row form (objects, arrays). */
  readonly statementsKept: number;
  close(): Promise<void>;
}
