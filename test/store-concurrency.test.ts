// Concurrency of the store on both backends, proven with real recorder processes
// (test/helpers/recorders.ts) racing each other on a brand-new store and on the same logs.
// The crash-safety suite is store-kill.test.ts.
import { checkIntegrity, countRuns, openStore, SCHEMA_VERSION } from '../reports/store/index.js';
import { forBackends, num } from './helpers/backends.js';
import { baseEnvFile, runChild } from './helpers/recorders.js';

/**
 * N recorders at once on a brand-new store (migration and setup race too), each recording
 * `perRecorder` logs, half of them the same logs in every recorder: nothing lost, nothing
 * stored twice, and every recorder told the same run ids for a shared log.
 */
forBackends('concurrent recorders lose nothing and duplicate nothing, even racing on the same logs', async (t, backend) => {
  const recorders = backend.name === 'sqlite' ? 4 : 8;
  const perRecorder = 200;
  const path = await backend.location(t, 'concurrent.db');
  const envPath = baseEnvFile(t);
  const tags = Array.from({ length: recorders }, (_, i) => `w${i}`);
  const started = performance.now();
  // Each log is its own transaction, as `gupsim record` writes it; the report is triaged once
  // per recorder (this is about the store, and the kill test triages every log).
  const results = await Promise.all(tags.map((w) => runChild([path, w, String(perRecorder), '1', envPath, 'shared,pretriaged'])));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const own = perRecorder / 2;
  const sharedLogs = perRecorder / 2;
  const ownIds = results.flatMap((r) => {
    t.equal(r.code, 0);
    const m = /^ids (.*)$/m.exec(r.stdout);
    return m ? (JSON.parse(m[1] ?? '[]') as number[]) : [];
  });
  t.equal(ownIds.length, recorders * own);
  t.equal(new Set(ownIds).size, recorders * own, 'no run id handed out twice');
  const shared = results.map((r) => JSON.parse(/^shared (.*)$/m.exec(r.stdout)?.[1] ?? '{}') as Record<string, number[]>);
  const first = shared[0] ?? {};
  t.equal(Object.keys(first).length, sharedLogs);
  t.ok(shared.every((m) => JSON.stringify(m) === JSON.stringify(first)), 'every recorder got the same run id for each shared log');
  t.equal(new Set(Object.values(first).flat()).size, sharedLogs, 'one run per shared log');
  t.notOk(Object.values(first).flat().some((id) => ownIds.includes(id)), 'shared and own runs are distinct');

  const store = await openStore(path);
  t.teardown(() => store.close());
  const runs = recorders * own + sharedLogs;
  t.equal(await countRuns(store), runs, `${recorders} × ${perRecorder} logs (${sharedLogs} of them shared): ${runs} runs`);
  for (const w of tags) t.equal(await num(store, 'SELECT COUNT(*) AS n FROM runs WHERE machine = ?', [w]), own, `${w}: ${own} runs of its own`);
  t.equal(await num(store, "SELECT COUNT(*) AS n FROM runs WHERE machine = 'shared'"), sharedLogs);
  t.equal(await num(store, 'SELECT COUNT(*) AS n FROM logs'), runs, 'one log row per distinct log');
  t.equal(await num(store, 'SELECT COUNT(*) AS n FROM results'), runs * 56);
  t.same(await store.sql.all('SELECT DISTINCT triage FROM runs'), [{ triage: 'environment' }], 'each run triaged (9p: environment)');
  t.same(await checkIntegrity(store), { engine: ['ok'], incompleteRuns: [], incompleteLogs: [] });
  t.equal(await num(store, 'SELECT COUNT(*) AS n FROM schema_version'), SCHEMA_VERSION, 'migrated once');
  t.comment(`${backend.name}: ${recorders} recorders × ${perRecorder} logs in ${seconds} s (figure only, not asserted)`);
});
