/**
 * The store's schema as an ordered list of migrations. A database records the highest
 * migration applied in `schema_version`; opening it applies the missing ones in order, each
 * in its own transaction, so a newer gupsim opens any older database. Migrations are never
 * edited once released: a change is a new entry at the end.
 */
import type Database from 'better-sqlite3';
import { envKey } from './env-key.js';

export interface Migration {
  version: number;
  /** Why the schema changed, kept in the table for whoever inspects an old database. */
  description: string;
  up(db: Database.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'logs, runs and per-sub-test results',
    up(db) {
      db.exec(`
        CREATE TABLE logs (
          hash        TEXT PRIMARY KEY,          -- sha256 of the raw log: recording twice is a no-op
          source      TEXT NOT NULL,
          raw         TEXT NOT NULL,
          recorded_at TEXT NOT NULL,
          run_count   INTEGER NOT NULL
        );
        CREATE TABLE runs (
          id            INTEGER PRIMARY KEY,
          log_hash      TEXT NOT NULL REFERENCES logs(hash),
          run_index     INTEGER NOT NULL,
          kernel        TEXT,
          arch          TEXT,
          machine       TEXT,
          date          TEXT NOT NULL,
          env_json      TEXT NOT NULL,
          env_source    TEXT NOT NULL CHECK (env_source IN ('given', 'inferred')),
          selftest      TEXT NOT NULL,
          triage        TEXT NOT NULL,
          summary       TEXT NOT NULL,
          result_count  INTEGER NOT NULL,        -- lets a reader prove no run lost results
          UNIQUE (log_hash, run_index)
        );
        CREATE TABLE results (
          run_id      INTEGER NOT NULL REFERENCES runs(id),
          ordinal     INTEGER NOT NULL,
          stable_id   TEXT,
          number      INTEGER,
          name        TEXT,
          verdict     TEXT,
          class       TEXT NOT NULL,
          explanation TEXT NOT NULL,
          reason      TEXT,
          PRIMARY KEY (run_id, ordinal)
        );
      `);
    },
  },
  {
    version: 2,
    description: 'model verdicts and cited commits per result; indexes for history queries',
    up(db) {
      db.exec(`
        ALTER TABLE results ADD COLUMN predicted TEXT;
        ALTER TABLE results ADD COLUMN commits TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE runs ADD COLUMN env_key TEXT NOT NULL DEFAULT '';
        CREATE INDEX results_by_id ON results (stable_id, run_id);
        CREATE INDEX runs_by_machine_date ON runs (machine, date, id);
      `);
      // Runs recorded under v1 get their key now, so history groups old and new runs alike.
      const rows = db.prepare('SELECT id, env_json FROM runs').all() as { id: number; env_json: string }[];
      const set = db.prepare('UPDATE runs SET env_key = ? WHERE id = ?');
      for (const r of rows) set.run(envKey(JSON.parse(r.env_json)), r.id);
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
