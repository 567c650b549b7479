/**
 * PostgreSQL for the store suite and the bench: the server named by $GUPSIM_TEST_PG (a URL
 * such as postgresql://postgres@/gupsim_test?host=/tmp/sock&port=5433; `.ci/run` starts a
 * throw-away cluster and exports it). Each test gets a fresh schema, dropped afterwards, so
 * tests never see each other's rows and need only CREATE on the database.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_ENV = 'GUPSIM_TEST_PG';

/** The URL, or why PostgreSQL tests cannot run. Under CI=true a missing URL is a failure, never a skip. */
export function pgTestUrl(env: NodeJS.ProcessEnv = process.env): { url: string } | { skip: string } | { fail: string } {
  const url = env[PG_ENV];
  if (url && url !== '') return { url };
  if (env.CI === 'true') return { fail: `${PG_ENV} is unset under CI=true: the PostgreSQL store suite must run in CI (.ci/run starts a server and sets it)` };
  return { skip: `${PG_ENV} is unset: no PostgreSQL server to test against (set it to a postgresql:// URL, or run .ci/run)` };
}

/** `url` with search_path set to `schema` (libpq `options`, which pg passes to the server). */
export function withSearchPath(url: string, schema: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

export interface Scratch {
  /** The store URL: the test database with search_path set to the fresh schema. */
  url: string;
  schema: string;
  drop(): Promise<void>;
}

async function admin<T>(url: string, f: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}

export async function scratchSchema(url: string, prefix = 'gupsim_t'): Promise<Scratch> {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin(url, (c) => c.query(`CREATE SCHEMA ${schema}`));
  return { url: withSearchPath(url, schema), schema, drop: () => admin(url, (c) => c.query(`DROP SCHEMA ${schema} CASCADE`)).then(() => undefined) };
}
