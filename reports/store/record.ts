/**
 * Recording a triaged log: the log row, its runs and every result are written in ONE
 * `BEGIN IMMEDIATE` transaction. A process killed at any instant therefore leaves either the
 * whole log or nothing (SQLite rolls an uncommitted WAL tail back), and IMMEDIATE takes the
 * write lock up front so concurrent recorders queue on the busy timeout instead of failing
 * with SQLITE_BUSY halfway through.
 */
import type Database from 'better-sqlite3';
import { envKey, logHash } from './env-key.js';
import type { Store } from './open.js';
import type { RecordInput, RecordOutcome } from './types.js';

interface Statements {
  findLog: Database.Statement<[string], { hash: string }>;
  runIdsOf: Database.Statement<[string], { id: number }>;
  insertLog: Database.Statement<[string, string, string, string, number]>;
  insertRun: Database.Statement<unknown[]>;
  insertResult: Database.Statement<unknown[]>;
}

const cache = new WeakMap<Database.Database, Statements>();

function statements(db: Database.Database): Statements {
  let s = cache.get(db);
  if (!s) {
    s = {
      findLog: db.prepare('SELECT hash FROM logs WHERE hash = ?'),
      runIdsOf: db.prepare('SELECT id FROM runs WHERE log_hash = ? ORDER BY run_index'),
      insertLog: db.prepare('INSERT INTO logs (hash, source, raw, recorded_at, run_count) VALUES (?, ?, ?, ?, ?)'),
      insertRun: db.prepare(`INSERT INTO runs (log_hash, run_index, kernel, arch, machine, date, env_json, env_source,
        selftest, triage, summary, result_count, env_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      insertResult: db.prepare(`INSERT INTO results (run_id, ordinal, stable_id, number, name, verdict, class,
        explanation, reason, predicted, commits) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    };
    cache.set(db, s);
  }
  return s;
}

function write(db: Database.Database, input: RecordInput, now: string): RecordOutcome {
  const s = statements(db);
  const hash = logHash(input.text);
  // Checked inside the write lock: two recorders of the same log cannot both insert it.
  if (s.findLog.get(hash)) {
    return { hash, duplicate: true, runIds: s.runIdsOf.all(hash).map((r) => r.id) };
  }
  const { meta, report } = input;
  s.insertLog.run(hash, input.source, input.text, now, report.runs.length);
  const runIds: number[] = [];
  for (const run of report.runs) {
    const env = meta.env ?? run.env;
    const arch = meta.arch ?? meta.env?.arch ?? (run.inferred.arch.certainty === 'guess' ? null : run.inferred.arch.value);
    const info = s.insertRun.run(
      hash,
      run.index,
      meta.kernel ?? meta.env?.kernel.release ?? null,
      arch,
      meta.machine ?? null,
      meta.date ?? now,
      JSON.stringify(env),
      meta.env ? 'given' : 'inferred',
      run.selftest,
      run.triage,
      run.summary,
      run.subtests.length,
      envKey(env),
    );
    const runId = Number(info.lastInsertRowid);
    runIds.push(runId);
    run.subtests.forEach((c, ordinal) => {
      s.insertResult.run(
        runId,
        ordinal,
        c.id,
        c.number,
        c.name,
        c.observed,
        c.class,
        c.explanation,
        c.observedReason,
        c.predicted,
        JSON.stringify(c.commits),
      );
    });
  }
  return { hash, duplicate: false, runIds };
}

/** Store one triaged log; a log already stored (same bytes) is a no-op. */
export function recordLog(store: Store, input: RecordInput): RecordOutcome {
  const now = new Date().toISOString();
  return store.db.transaction(() => write(store.db, input, now)).immediate();
}

/** Store many logs in one transaction (bulk import; all or nothing). */
export function recordLogs(store: Store, inputs: readonly RecordInput[]): RecordOutcome[] {
  const now = new Date().toISOString();
  return store.db.transaction(() => inputs.map((i) => write(store.db, i, now))).immediate();
}
