// Crash-safety and concurrency of the store on both backends, proven with real recorder
// processes (test/helpers/record-child.ts): killed with SIGKILL at many points, and racing
// each other on a brand-new store and on the same logs.
import { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkIntegrity, countRuns, diffLogText, openStore, SCHEMA_VERSION } from '../reports/store/index.js';
import { forBackends, num } from './helpers/backends.js';
import { bundledEntry } from './helpers/bundle.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LOG004 = join(ROOT, 'test/fixtures/logs/public/004-kitayama-arm64-fvp-9p-run_vmtests-ftruncate-failed.log');
/** 004 triaged with its environment inferred: what the recorders triage against. */
const BASE = diffLogText(readFileSync(LOG004, 'utf8'), 'base');

const CHILD = bundledEntry(join(ROOT, 'test/helpers/record-child.ts'));
// Without tap's --import hooks (process tracking, coverage): they double a child's start-up,
// and the children are killed before they could report anyway.
const { NODE_OPTIONS: _tapHooks, NODE_V8_COVERAGE: _coverage, ...CHILD_ENV } = process.env;
interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** ms from spawn to the first `committed` line; null when none came. */
  firstCommitMs: number | null;
}
/** When to SIGKILL a child: a delay after spawn, or after its first reported commit. */
type Kill = { afterSpawnMs: number } | { afterFirstCommitMs: number };
function runChild(args: string[], kill?: Kill): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const c = spawn(process.execPath, [CHILD, ...args], { cwd: ROOT, env: CHILD_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let firstCommitMs: number | null = null;
    let timer: NodeJS.Timeout | undefined;
    const killIn = (ms: number): void => {
      timer = setTimeout(() => c.kill('SIGKILL'), ms);
    };
    if (kill && 'afterSpawnMs' in kill) killIn(kill.afterSpawnMs);
    c.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (firstCommitMs === null && /^committed \d+$/m.test(stdout)) {
        firstCommitMs = performance.now() - started;
        if (kill && 'afterFirstCommitMs' in kill) killIn(kill.afterFirstCommitMs);
      }
    });
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('error', reject);
    c.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (code !== 0 && signal === null) reject(new Error(`child failed (${code}): ${stderr}`));
      else resolve({ code, signal, stdout, firstCommitMs });
    });
  });
}
const lastCommitted = (out: string): number => {
  const m = [...out.matchAll(/^committed (\d+)$/gm)].pop();
  return m ? Number(m[1]) : 0;
};
/** The environment 004's runs are triaged against in the child recorders (inferred once, by BASE). */
function baseEnvFile(t: Test): string {
  const file = join(t.testdir(), '004.env.json');
  writeFileSync(file, JSON.stringify(BASE.runs[0]?.env));
  return file;
}

forBackends('kill -9 during record at many points: never a corrupt store or half a run', async (t, backend) => {
  const path = await backend.location(t, 'kill.db');
  const envPath = baseEnvFile(t);
  // Fewer on PostgreSQL: each kill there also drops a server connection mid-transaction,
  // which is the point, and a handful already covers it.
  const kills = backend.name === 'sqlite' ? 14 : 6;
  let killedMidWay = 0;
  let killedEarly = 0;
  // Start-up (tsx, the model, opening the store) takes a few hundred ms and varies with the
  // machine's load, so the kill points are timed from what the children report: every fourth
  // child (from the second pair on) is killed at a random point before its first commit would
  // come (the shortest start-up measured so far), the others at a random point up to 400 ms
  // after their first commit, deep into recording.
  let startup: number | null = null;
  const kill = async (k: number): Promise<{ k: number; batch: number; early: boolean; r: ChildResult }> => {
    const batch = 1 + ((k * 7) % 40);
    const early = startup !== null && k % 4 === 1;
    const when: Kill = early ? { afterSpawnMs: Math.floor(Math.random() * (startup ?? 0)) } : { afterFirstCommitMs: Math.floor(Math.random() * 400) };
    const r = await runChild([path, `k${k}`, '100000', String(batch), envPath], when);
    t.equal(r.signal, 'SIGKILL', `child ${k} killed ${JSON.stringify(when)} (batch ${batch})`);
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
