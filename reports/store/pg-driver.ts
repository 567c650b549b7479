/**
 * The shared backend: PostgreSQL through `pg`, one connection per store. `?` placeholders
 * become `$1…$n`; bigint columns (COUNT, identity ids) come back as numbers, since run ids and
 * counts stay far below 2^53.
 */
import pg from 'pg';
import { asStoreError, StoreError } from './errors.js';
import { redactUrl } from './location.js';
import { STATEMENT_CACHE_LIMIT, type SqlDriver, type SqlValue } from './driver.js';

/** How long to wait for a server to answer before saying it cannot be reached. */
export const CONNECT_TIMEOUT_MS = 15_000;

const INT8_OID = 20;

/** `?` → `$n`, outside string literals (gupsim's SQL never has `?` anywhere else). */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  let quoted = false;
  let out = '';
  for (const ch of sql) {
    if (ch === "'") quoted = !quoted;
    out += ch === '?' && !quoted ? `$${++n}` : ch;
  }
  return out;
}

export class PgDriver implements SqlDriver {
  readonly dialect = 'postgresql' as const;
  private readonly texts = new Map<string, string>();

  private constructor(
    private readonly client: pg.Client,
    readonly location: string,
  ) {}

  static async open(url: string, options: { readOnly: boolean }): Promise<PgDriver> {
    const location = redactUrl(url);
    let client: pg.Client;
    try {
      client = new pg.Client({
        connectionString: url,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        application_name: 'gupsim',
        types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format ?? 'text'))) as typeof pg.types.getTypeParser },
      });
    } catch (e) {
      throw new StoreError(`${location}: not a usable PostgreSQL URL: ${(e as Error).message}`);
    }
    // A connection lost while idle is reported by the next query; this listener only stops
    // Node from treating the event as an uncaught exception.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (e) {
      await client.end().catch(() => undefined);
      const err = asStoreError(e, location);
      throw err instanceof StoreError ? err : new StoreError(`${location}: cannot connect: ${(e as Error).message}`);
    }
    const d = new PgDriver(client, location);
    if (options.readOnly) await d.exec('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
    return d;
  }

  get statementsKept(): number {
    return this.texts.size;
  }

  private text(sql: string): string {
    let t = this.texts.get(sql);
    if (t === undefined) {
      t = numberPlaceholders(sql);
      if (this.texts.size >= STATEMENT_CACHE_LIMIT) this.texts.delete(this.texts.keys().next().value!);
      this.texts.set(sql, t);
    }
    return t;
  }

  private async guard<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      throw asStoreError(e, this.location);
    }
  }

  private query(config: pg.QueryConfig<unknown[]> | string): Promise<pg.QueryResult> {
    return this.guard(() => this.client.query(config));
  }

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.query({ text: this.text(sql), values: [...params] })).rows as T[];
  }

  async arrays<T extends unknown[]>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.guard(() => this.client.query<T>({ text: this.text(sql), values: [...params], rowMode: 'array' }))).rows;
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<void> {
    await this.query({ text: this.text(sql), values: [...params] });
  }

  async exec(script: string): Promise<void> {
    await this.query(script);
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    // READ COMMITTED: each statement sees what others committed before it; the unique keys
    // make a concurrent duplicate wait for the first writer, then find its rows.
    await this.exec('BEGIN');
    try {
      const out = await fn();
      await this.exec('COMMIT');
      return out;
    } catch (e) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  async tableNames(): Promise<string[]> {
    const rows = await this.all<{ name: string }>(
      'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name',
    );
    return rows.map((r) => r.name);
  }

  /**
   * PostgreSQL has no online equivalent of SQLite's integrity_check; what the store relies on
   * is its keys (dedup by hash, one row per run index and result ordinal, results tied to
   * runs, a streamed log's chunks one per seq and tied to their log), so those constraints are
   * checked to be present and validated.
   */
  async engineCheck(): Promise<string[]> {
    const want: [string, string][] = [
      ['logs', 'p'],
      ['log_chunks', 'p'],
      ['log_chunks', 'f'],
      ['runs', 'p'],
      ['runs', 'u'],
      ['runs', 'f'],
      ['results', 'p'],
      ['results', 'f'],
    ];
    const have = await this.all<{ tbl: string; contype: string; convalidated: boolean }>(
      `SELECT c.relname AS tbl, k.contype::text AS contype, k.convalidated FROM pg_constraint k
        JOIN pg_class c ON c.oid = k.conrelid WHERE c.relnamespace = current_schema()::regnamespace`,
    );
    const missing = want.filter(([tbl, type]) => !have.some((h) => h.tbl === tbl && h.contype === type && h.convalidated));
    return missing.length === 0 ? ['ok'] : missing.map(([tbl, type]) => `${tbl}: ${{ p: 'primary key', u: 'unique key', f: 'foreign key' }[type]} missing`);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
