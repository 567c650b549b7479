/**
 * The run store: embedded SQLite (better-sqlite3, WAL) holding recorded logs, their runs and
 * per-sub-test results by stable id. Triaged input comes only through triage-source.ts.
 */
export { openStore, migrate, defaultStorePath, StoreError, BUSY_TIMEOUT_MS, type Store } from './open.js';
export { MIGRATIONS, SCHEMA_VERSION, type Migration } from './schema.js';
export { recordLog, recordLogs } from './record.js';
export {
  listRuns,
  getRun,
  resultsOf,
  resultsOfRuns,
  verdictRows,
  rawLog,
  checkIntegrity,
  countRuns,
  type IntegrityReport,
} from './read.js';
export { envKey, logHash } from './env-key.js';
export { diffLogText } from './triage-source.js';
export type * from './types.js';
