/**
 * The run store: one interface (driver.ts), two backends — embedded SQLite (better-sqlite3,
 * WAL; the default) and PostgreSQL (pg; a history shared by many machines) — holding recorded
 * logs, their runs and per-sub-test results by stable id. Triaged input comes only through
 * triage-source.ts.
 */
export { openStore, type Store, type OpenOptions } from './open.js';
export { StoreError } from './errors.js';
export { defaultStorePath, isPostgresUrl, redactUrl } from './location.js';
export { BUSY_TIMEOUT_MS } from './sqlite-driver.js';
export { migrate, inspect } from './migrate.js';
export { MIGRATIONS, SCHEMA_VERSION, type Migration } from './schema.js';
export type { SqlDriver, Dialect, SqlValue } from './driver.js';
export { recordLog, recordLogs } from './record.js';
export { listRuns, getRun, resultsOf, resultsOfRuns, verdictRows, rawLog, countRuns } from './read.js';
export { checkIntegrity, type IntegrityReport } from './integrity.js';
export { envKey, logHash } from './env-key.js';
export { diffLogText } from './triage-source.js';
export type * from './types.js';
