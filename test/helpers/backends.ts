/**
 * The store suites' two backends: every suite written with forBackends() runs as
 * `title [sqlite]` (a file in the test's directory) and `title [postgresql]` (a fresh schema on
 * the server named by $GUPSIM_TEST_PG; skipped with the reason when unset, a failure when unset
 * under CI=true).
 */
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { openStore, type Store } from '../../reports/store/index.js';
import { SqliteDriver } from '../../reports/store/sqlite-driver.js';
import { PgDriver } from '../../reports/store/pg-driver.js';
import type { SqlDriver } from '../../reports/store/driver.js';
import { pgTestUrl, scratchSchema } from './pg.js';

/** Where a test's store lives: a file in its testdir, or a fresh schema on the PostgreSQL server. */
export interface Backend {
  name: 'sqlite' | 'postgresql';
  /** A new, empty store location (PostgreSQL: a scratch schema, dropped at teardown). */
  location(t: Test, name?: string): Promise<string>;
  /** A raw driver on a location (to build old or foreign databases by hand). */
  driver(location: string): Promise<SqlDriver>;
}

export const SQLITE: Backend = {
  name: 'sqlite',
  location: async (t, name = 'g.db') => join(t.testdir(), name),
  driver: async (location) => SqliteDriver.open(location, { readOnly: false }),
};

export const PG = pgTestUrl();
export const POSTGRESQL: Backend = {
  name: 'postgresql',
  async location(t) {
    if (!('url' in PG)) throw new Error('no PostgreSQL server');
    const scratch = await scratchSchema(PG.url);
    t.teardown(() => scratch.drop());
    return scratch.url;
  },
  driver: (location) => PgDriver.open(location, { readOnly: false }),
};

/** A suite on each backend: `title [sqlite]`, `title [postgresql]`. */
export function forBackends(title: string, body: (t: Test, backend: Backend) => Promise<void>): void {
  t.test(`${title} [sqlite]`, (t) => body(t, SQLITE));
  if ('skip' in PG) {
    t.test(`${title} [postgresql]`, { skip: PG.skip }, async () => undefined);
    return;
  }
  t.test(`${title} [postgresql]`, async (t) => {
    if ('fail' in PG) {
      t.fail(PG.fail);
      return;
    }
    await body(t, POSTGRESQL);
  });
}

export async function fresh(t: Test, backend: Backend, name = 'g.db'): Promise<{ path: string; store: Store }> {
  const path = await backend.location(t, name);
  const store = await openStore(path);
  t.teardown(() => store.close());
  return { path, store };
}

/** One number from a query (COUNT(*) AS n …). */
export async function num(store: Store, sql: string, params: (string | number)[] = []): Promise<number> {
  const [row] = await store.sql.all<{ n: number }>(sql, params);
  return Number(row?.n);
}
