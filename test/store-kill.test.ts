// Crash-safety of the store on both backends, proven with real recorder processes
// (test/helpers/recorders.ts) killed with SIGKILL at many points. Its own file so that it runs
// beside the concurrency suite (store-concurrency.test.ts) rather than after it.
import t from 'tap';
import { existsSync } from 'node:fs';
import { searchPredictions } from '../reports/diff/infer-cache.js';
import { checkIntegrity, openStore } from '../reports/store/index.js';
import { forBackends, num } from './helpers/backends.js';
import { baseEnvFile, lastCommitted, runChild, type ChildResult, type Kill } from './helpers/recorders.js';

// The helpers infer the recorders' environment when a test first asks for it: a suite that
// imports them pays for no inference it does not use.
t.test('the recorders\' environment is inferred on first use, not at import', async (t) => {
  t.equal(searchPredictions(), 0, 'importing test/helpers/recorders.ts inferred nothing');
  baseEnvFile(t);
  t.ok(searchPredictions() > 0, 'the first baseEnvFile() inferred it');
});

forBackends('kill -9 during record at many points: never a corrupt store or half a run', async (t, backend) => {
  const path = await backend.location(t, 'kill.db');
  const envPath = baseEnvFile(t);
  // Fewer on PostgreSQL: each kill there also drops a server connection mid-transaction,
  // which is the point, and a handful already covers it. Ten on SQLite (was 14; each child is
  // ~0.7 s of CPU): still both write paths (children 2, 5, 8 stream, the rest batch 1–40),
  // two kills before the first commit (5, 9), five integrity checks, one per pair.
  const kills = backend.name === 'sqlite' ? 10 : 6;
  let killedMidWay = 0;
  let killedEarly = 0;
  // Start-up (the model, opening the store) takes a few hundred ms and varies with the
  // machine's load, so the kill points are timed from what the children report: every fourth
  // child (from the second pair on) is killed at a random point before its first commit would
  // come (the shortest start-up measured so far), the others at a random point up to 400 ms
  // after their first commit, deep into recording. An early child runs in `hold` mode: should
  // it open its store before the kill lands (a child can start faster than the ones measured),
  // it waits there instead of committing, so the early kill is early for certain.
  let startup: number | null = null;
  const kill = async (k: number): Promise<{ k: number; batch: number; early: boolean; r: ChildResult }> => {
    // Every third child records as `gupsim record` does (recordStream: one log per
    // transaction, its text in chunks); the others in batches through recordLogs().
    const stream = k % 3 === 2;
    const batch = stream ? 1 : 1 + ((k * 7) % 40);
    const early = startup !== null && k % 4 === 1;
    const when: Kill = early ? { afterSpawnMs: Math.floor(Math.random() * (startup ?? 0)) } : { afterFirstCommitMs: Math.floor(Math.random() * 400) };
    const modes = [stream ? 'stream' : '', early ? 'hold' : ''].filter(Boolean).join(',');
    const r = await runChild([path, `k${k}`, '100000', String(batch), envPath, modes], when);
    t.equal(r.signal, 'SIGKILL', `child ${k} killed ${JSON.stringify(when)} (${stream ? 'streamed' : `batch ${batch}`})`);
    return { k, batch, early, r };
  };
  // Two recorders at a time, each killed on its own schedule (the first pair measures start-up).
  for (let k = 0; k < kills; k += 2) {
    const pair = await Promise.all([kill(k), kill(k + 1)]);
    for (const { r } of pair) if (r.firstCommitMs !== null) startup = Math.min(startup ?? Infinity, r.firstCommitMs);
    if (backend.name === 'sqlite' && !existsSync(path)) continue;
    const store = await openStore(path);
    for (const { k: i, batch, early, r } of pair) {
      const reported = lastCommitted(r.stdout);
      if (reported > 0) killedMidWay++;
      if (early && reported === 0) killedEarly++;
      const logs = await num(store, 'SELECT COUNT(*) AS n FROM runs WHERE machine = ?', [`k${i}`]);
      t.ok(logs >= reported, `child ${i}: every reported commit is stored (${logs} >= ${reported})`);
      t.ok(logs <= reported + batch, `child ${i}: at most the one batch in flight committed unreported (${logs})`);
    }
    t.same(await checkIntegrity(store), { engine: ['ok'], incompleteRuns: [], incompleteLogs: [] }, `store sound after kills ${k} and ${k + 1}`);
    await store.close();
  }
  t.ok(killedMidWay >= kills / 2 + 1, `most children were killed while recording (${killedMidWay} of ${kills})`);
  t.ok(killedEarly >= 1, `some children were killed before their first commit (${killedEarly})`);
  const store = await openStore(path);
  t.teardown(() => store.close());
  const counts = await store.sql.all<{ n: number }>('SELECT result_count AS n, COUNT(*) AS c FROM runs GROUP BY result_count');
  t.same(counts.map((c) => c.n), [56], 'every stored run of log 004 has its 56 results');
  const triages = await store.sql.all<{ triage: string }>('SELECT DISTINCT triage FROM runs');
  t.same(triages.map((r) => r.triage), ['environment'], 'every stored run triaged as 004 is: its 9p failures are the machine');
  if (backend.name === 'postgresql') {
    // The server ends a killed client's session when it reads EOF on its socket; give it
    // a moment (bounded) rather than race it.
    const open = (): Promise<unknown[]> =>
      store.sql.all("SELECT pid FROM pg_stat_activity WHERE application_name = 'gupsim' AND state LIKE 'idle in transaction%'");
    let left = await open();
    for (let i = 0; i < 50 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = await open();
    }
    t.same(left, [], 'no killed recorder left a transaction open on the server');
  }
});

