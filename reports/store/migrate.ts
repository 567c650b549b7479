/**
 * What a database holds (nothing, gupsim's history at some version, or someone else's data)
 * and bringing gupsim's up to date. Each migration runs in its own transaction holding the
 * write lock and re-reads the version inside it, so several processes opening a new
 * database at once migrate it exactly once.
 */
import type { SqlDriver } from './driver.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';

/** Tables gupsim creates; in a shared PostgreSQL database only these names must be free. */
const GUPSIM_TABLES = ['logs', 'log_chunks', 'runs', 'results', 'schema_version'];

/** Serialises migrations across PostgreSQL sessions (pg_advisory_xact_lock key: "gups"). */
const PG_MIGRATION_LOCK = 0x67757073;

export type Contents = { kind: 'empty' } | { kind: 'gupsim'; version: number } | { kind: 'foreign'; why: string };

async function gupsimVersion(sql: SqlDriver): Promise<number | undefined> {
  try {
    const first = await sql.all<{ description: string }>('SELECT description FROM schema_version WHERE version = 1');
    if (first[0]?.description !== MIGRATIONS[0]?.description) return undefined;
    const max = await sql.all<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_version');
    return Number(max[0]?.v ?? 0);
  } catch {
    // A schema_version table of another shape (another tool's) is not gupsim's.
    return undefined;
  }
}

/**
 * SQLite: a file with any table but no gupsim schema is another application's database.
 * PostgreSQL: a database may hold other applications' tables; only gupsim's names must not
 * be taken by something that is not gupsim's.
 */
export async function inspect(sql: SqlDriver): Promise<Contents> {
  const tables = await sql.tableNames();
  if (tables.includes('schema_version')) {
    const v = await gupsimVersion(sql);
    return v === undefined ? { kind: 'foreign', why: 'its schema_version table is not gupsim’s' } : { kind: 'gupsim', version: v };
  }
  const clash = sql.dialect === 'sqlite' ? tables : tables.filter((t) => GUPSIM_TABLES.includes(t));
  if (clash.length === 0) return { kind: 'empty' };
  const shown = clash.slice(0, 5).join(', ') + (clash.length > 5 ? ', …' : '');
  return { kind: 'foreign', why: `it holds table(s) ${shown} but no gupsim schema` };
}

async function currentVersion(sql: SqlDriver): Promise<number> {
  if (!(await sql.tableNames()).includes('schema_version')) return 0;
  const row = await sql.all<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_version');
  return Number(row[0]?.v ?? 0);
}

/** Apply the missing migrations up to `upTo`; returns the version found before. */
export async function migrate(sql: SqlDriver, upTo: number = SCHEMA_VERSION): Promise<number> {
  const before = await currentVersion(sql);
  for (const m of MIGRATIONS) {
    if (m.version > upTo) break;
    await sql.transaction(async () => {
      if (sql.dialect === 'postgresql') await sql.all('SELECT pg_advisory_xact_lock(?)', [PG_MIGRATION_LOCK]);
      await sql.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)');
      if ((await currentVersion(sql)) >= m.version) return;
      await m.up(sql);
      await sql.run('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)', [m.version, m.description, new Date().toISOString()]);
    });
  }
  return before;
}
