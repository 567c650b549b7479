/** Proof that the store holds whole runs only (what a killed or racing recorder must never break). */
import type { Store } from './open.js';

export interface IntegrityReport {
  /** The engine's own check (SQLite `PRAGMA integrity_check`; PostgreSQL: the store's keys); ['ok'] when sound. */
  engine: string[];
  /** Runs whose stored results are fewer or more than the run says it has. */
  incompleteRuns: number[];
  /** Logs whose run rows are fewer than recorded in the log row. */
  incompleteLogs: string[];
}

export async function checkIntegrity(store: Store): Promise<IntegrityReport> {
  const engine = await store.sql.engineCheck();
  const runs = await store.sql.all<{ id: number }>(`SELECT u.id FROM runs u LEFT JOIN (SELECT run_id, COUNT(*) AS n FROM results GROUP BY run_id) c
    ON c.run_id = u.id WHERE COALESCE(c.n, 0) != u.result_count`);
  const logs = await store.sql.all<{ hash: string }>(`SELECT l.hash FROM logs l LEFT JOIN (SELECT log_hash, COUNT(*) AS n FROM runs GROUP BY log_hash) c
    ON c.log_hash = l.hash WHERE COALESCE(c.n, 0) != l.run_count`);
  return { engine, incompleteRuns: runs.map((r) => Number(r.id)), incompleteLogs: logs.map((r) => r.hash) };
}
