/**
 * Store failures that are facts about the user's database or machine (a file that is not
 * gupsim's, a malformed page, a full disk, a server that refuses the connection) become one
 * StoreError line and exit 2; anything else is a bug in gupsim and stays internal (exit 70).
 */

/** A store that cannot be used as asked. One line, no stack. */
export class StoreError extends Error {}

/** SQLite result codes that describe the file or the disk, never gupsim's SQL. */
const SQLITE_ENVIRONMENT = /^SQLITE_(CORRUPT|NOTADB|FULL|IOERR|CANTOPEN|READONLY|PERM|BUSY|LOCKED|AUTH|NOLFS|PROTOCOL)/;

/**
 * PostgreSQL SQLSTATE classes about the connection, credentials, resources or the server's
 * state: 08 connection, 28 authorisation, 3D no such database, 3F no such schema, 42501
 * permission denied, 53 insufficient resources (53100 disk full), 57 operator intervention,
 * 25006 read-only transaction, 58 system errors.
 */
const PG_ENVIRONMENT = /^(08|28|3D|3F|53|57|58)|^42501$|^25006$/;

/** Node's socket errors while reaching a server. */
const NET_ENVIRONMENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOENT', 'EACCES', 'EPIPE']);

/** What a full or failing disk looks like to the user (the transaction in flight is rolled back). */
function hint(code: string): string {
  if (code.startsWith('SQLITE_FULL')) return ' (disk full; the transaction was rolled back)';
  // A full tmpfs or disk often surfaces as an I/O error on the WAL or shared-memory file.
  if (code.startsWith('SQLITE_IOERR')) return ` (${code}: the disk is full or failing; the transaction was rolled back)`;
  if (code === '53100') return ' (disk full on the server; the transaction was rolled back)';
  return '';
}

function message(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0] ?? m;
}

/** A StoreError for environmental failures (prefixed with where the store is); other errors unchanged. */
export function asStoreError(e: unknown, location: string): unknown {
  if (e instanceof StoreError) return e;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && (SQLITE_ENVIRONMENT.test(code) || PG_ENVIRONMENT.test(code) || NET_ENVIRONMENT.has(code))) {
    return new StoreError(`${location}: ${message(e)}${hint(code)}`);
  }
  // pg reports an unusable URL or a dropped connection as plain Errors without a code.
  if (e instanceof Error && /^(Connection terminated|Client has encountered a connection error|connect ETIMEDOUT|timeout expired)/.test(e.message)) {
    return new StoreError(`${location}: ${message(e)}`);
  }
  return e;
}
