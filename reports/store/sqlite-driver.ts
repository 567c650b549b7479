/**
 * The embedded backend: better-sqlite3 (synchronous) behind the async SqlDriver. Statements
 * are prepared once per connection. WAL lets readers run beside the one writer; the busy
 * timeout makes concurrent recorders queue instead of failing.
 */
import Database from 'better-sqlite3';
import { asStoreError, StoreError } from './errors.js';
import { STATEMENT_CACHE_LIMIT, type SqlDriver, type SqlValue } from './driver.js';
import { checkDatabaseFile, openReader } from './sqlite-file.js';

/**
 * Waiting for another writer. A batch of recordLogs() holds the lock for milliseconds, but a
 * streamed `record` parses and triages its log inside its transaction (record-stream.ts): about
 * 10 s for a 50 MB log of distinct runs on the bench machine, so the wait is generous.
 */
export const BUSY_TIMEOUT_MS = 30_000;


export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  private readonly objects = new Map<string, Database.Statement>();
  private readonly rows = new Map<string, Database.Statement>();

  private constructor(
    readonly db: Database.Database,
    readonly location: string,
  ) {}

  /**
   * `readOnly`: the file must exist and is never written (readers of someone's database), and
   * nothing is left beside it (sqlite-file.ts). Anything but a regular file is refused first.
   */
  static open(path: string, options: { readOnly: boolean }): SqliteDriver {
    checkDatabaseFile(path);
    try {
      const db = options.readOnly ? openReader(path, BUSY_TIMEOUT_MS) : new Database(path, { timeout: BUSY_TIMEOUT_MS });
      return new SqliteDriver(db, path);
    } catch (e) {
      if (e instanceof StoreError) throw e;
      // Every failure to open is about the file named (missing, a directory, unreadable).
      const code = (e as { code?: string }).code;
      if (code === 'SQLITE_CANTOPEN' && options.readOnly) throw new StoreError(`${path}: no such database (readers never create one)`);
      throw new StoreError(`${path}: ${(e as Error).message}`);
    }
  }

  /**
   * The first problem PRAGMA quick_check finds (pages, cells, indexes), undefined when the file
   * is sound. Asked before a migration: rewriting a damaged file would spread the damage.
   */
  damage(): string | undefined {
    const rows = this.guard(() => this.db.pragma('quick_check(1)') as { quick_check: string }[]);
    const first = rows[0]?.quick_check ?? 'no answer';
    return first === 'ok' ? undefined : first.replace(/^\*\*\* in database main \*\*\*\n/, '').split('\n')[0];
  }

  private guard<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      throw asStoreError(e, this.location);
    }
  }

  get statementsKept(): number {
    return this.objects.size + this.rows.size;
  }

  private statement(sql: string, raw: boolean): Database.Statement {
    const cache = raw ? this.rows : this.objects;
    let s = cache.get(sql);
    if (!s) {
      // Bounded: a long-lived writer must not keep every statement text it ever ran.
      if (cache.size >= STATEMENT_CACHE_LIMIT) cache.delete(cache.keys().next().value!);
      s = this.db.prepare(sql);
      if (raw) s.raw(true);
      cache.set(sql, s);
    }
    return s;
  }

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.guard(() => this.statement(sql, false).all(...params) as T[]);
  }

  async arrays<T extends unknown[]>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.guard(() => this.statement(sql, true).all(...params) as T[]);
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<void> {
    this.guard(() => this.statement(sql, false).run(...params));
  }

  async exec(script: string): Promise<void> {
    this.guard(() => this.db.exec(script));
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    // IMMEDIATE takes the write lock up front, so a recorder queues on the busy timeout
    // instead of failing with SQLITE_BUSY halfway through.
    this.guard(() => this.db.exec('BEGIN IMMEDIATE'));
    try {
      const out = await fn();
      this.guard(() => this.db.exec('COMMIT'));
      return out;
    } catch (e) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw e;
    }
  }

  async tableNames(): Promise<string[]> {
    const rows = await this.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
    return rows.map((r) => r.name);
  }

  async engineCheck(): Promise<string[]> {
    return this.guard(() => (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check));
  }

  /** Per-connection settings of a writer (WAL is persistent in the file, so readers inherit it). */
  configureWriter(): void {
    this.guard(() => {
      // WAL + NORMAL: a killed process never corrupts the file or leaves half a transaction;
      // only a power loss could drop the last commits, which a re-record restores.
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
    });
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
