// The run store, history, compare and their CLI commands, on both backends: every suite that
// takes a `backend` runs once on SQLite and once on PostgreSQL (test/helpers/backends.ts).
// Crash-safety and concurrency are in test/store-concurrency.test.ts.
import t from 'tap';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseEnvironment, type Environment } from '../cases/env.js';
import type { DiffReport, SubtestComparison, SubtestVerdict } from '../reports/diff/types.js';
import {
  checkIntegrity,
  countRuns,
  diffLogText,
  getRun,
  listRuns,
  logHash,
  migrate,
  openStore,
  recordLog,
  recordLogs,
  rawLog,
  resultsOf,
  SCHEMA_VERSION,
  StoreError,
  verdictRows,
  type RecordInput,
} from '../reports/store/index.js';
import { MIGRATIONS } from '../reports/store/schema.js';
import { pgTestUrl } from './helpers/pg.js';
import { fresh, forBackends, num } from './helpers/backends.js';
import { buildTimelines, compareRuns, disappeared, failingSince, flapping, FlipExplainer, timelineGlyphs } from '../reports/history/index.js';
import { recordCommand } from '../harness/commands/record.js';
import { historyCommand } from '../harness/commands/history.js';
import { compareCommand } from '../harness/commands/compare.js';
import { reportCommand } from '../harness/commands/report.js';
import type { CliIO } from '../harness/io.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LOGS = join(ROOT, 'test/fixtures/logs');
const read = (rel: string): string => readFileSync(join(LOGS, rel), 'utf8');
const env = (rel: string): Environment => {
  const r = parseEnvironment(read(rel));
  if (!r.ok) throw new Error(r.error);
  return r.env;
};
const LOG004 = 'public/004-kitayama-arm64-fvp-9p-run_vmtests-ftruncate-failed.log';
const LIVE61 = 'live/6.1.0-50-qemu-ext4-default';
const LIVE618 = 'live/6.18-host-ext4-default';
const LIVE612 = 'live/6.12.117-guptest-qemu-ext4-default';

/** A synthetic triaged log: the base run of 004 with its sub-tests replaced. */
const BASE = diffLogText(read(LOG004), 'base');
function synth(verdicts: Record<string, SubtestVerdict | null>, opts: { triage?: 'crash' | 'unexplained' } = {}): DiffReport {
  const base = BASE.runs[0];
  if (!base) throw new Error('004 has a run');
  const subtests: SubtestComparison[] = Object.entries(verdicts).map(([id, v], i) => ({
    id,
    number: i + 1,
    name: id,
    observed: v,
    predicted: null,
    observedReason: null,
    predictedReason: null,
    class: opts.triage ?? 'unexplained',
    explanation: `observed ${v ?? 'absent'}`,
    commits: [],
  }));
  return { source: 'synthetic', issues: [], runs: [{ ...base, triage: opts.triage ?? 'unexplained', subtests }] };
}

let seq = 0;
function input(report: DiffReport, meta: RecordInput['meta']): RecordInput {
  return { text: `synthetic log ${seq++} ${Math.random()}`, source: 'synthetic', meta, report };
}

function memIO(stdin = ''): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const s = new PassThrough();
  s.end(stdin);
  return {
    stdout: { write: (x: string) => (out += x) },
    stderr: { write: (x: string) => (err += x), isTTY: false },
    stdin: s,
    env: {},
    isTTY: false,
    out: () => out,
    err: () => err,
  };
}

t.test('PostgreSQL tests skip only outside CI: under CI=true a missing server URL fails', async (t) => {
  t.same(pgTestUrl({ GUPSIM_TEST_PG: 'postgresql://x@/db' }), { url: 'postgresql://x@/db' });
  t.match(pgTestUrl({}), { skip: /GUPSIM_TEST_PG is unset: no PostgreSQL server to test against/ });
  t.match(pgTestUrl({ CI: 'true' }), { fail: /GUPSIM_TEST_PG is unset under CI=true: the PostgreSQL store suite must run in CI/ });
  t.match(pgTestUrl({ CI: 'true', GUPSIM_TEST_PG: '' }), { fail: /unset under CI=true/ }, 'empty is unset');
});

forBackends('recording: runs and results by stable id, metadata, hash de-duplication', async (t, backend) => {
  const { store } = await fresh(t, backend);
  const text = read(`${LIVE61}.log`);
  const e = env(`${LIVE61}.env.json`);
  const a = await recordLog(store, { text, source: 'a.log', meta: { machine: 'qemu', date: '2025-03-01T00:00:00.000Z', env: e }, report: diffLogText(text, 'a.log', e) });
  t.equal(a.duplicate, false);
  t.equal(a.runIds.length, 1);
  // The report does not matter for a duplicate: the bytes decide.
  const b = await recordLog(store, { text, source: 'again.log', meta: { machine: 'other' }, report: synth({}) });
  t.equal(b.duplicate, true, 'same bytes: no-op');
  t.same(b.runIds, a.runIds, 'returns the stored run ids');
  t.equal(await countRuns(store), 1);
  const run = await getRun(store, a.runIds[0] ?? -1);
  t.match(run, { kernel: '6.1.176', arch: 'x86_64', machine: 'qemu', date: '2025-03-01T00:00:00.000Z', envSource: 'given', triage: 'expected-failure', selftest: 'A3', resultCount: 50, source: 'a.log' });
  const results = await resultsOf(store, run?.id ?? -1);
  t.equal(results.length, 50);
  // 6.1 predates 34ed8d0dcd69: io_uring refuses file-backed MAP_PRIVATE buffers, as the model predicts.
  for (const id of ['iouring/private/tmpfile', 'iouring/private/local-tmpfile']) {
    t.match(results.find((r) => r.id === id), { verdict: 'fail', class: 'expected-failure', predicted: 'fail', commits: ['34ed8d0dcd69'], explanation: /predates 34ed8d0dcd69/ }, id);
  }
  t.match(results.find((r) => r.id === 'iouring/private/tmpfile'), { number: 47, reason: 'Should have failed' });
  t.same([...new Set(results.map((r) => r.class))].sort(), ['expected-failure', 'match'], 'every other result as modelled');
  t.equal(new Set(results.map((r) => r.id)).size, 50, 'distinct stable ids');

  const inferred = await recordLog(store, { text: read(`${LIVE618}.log`), source: 'b.log', meta: {}, report: diffLogText(read(`${LIVE618}.log`), 'b.log') });
  t.match(await getRun(store, inferred.runIds[0] ?? -1), { envSource: 'inferred', kernel: null, machine: null, triage: 'match' });

  // 004 (arm64 FVP, test directory on 9p) with its environment inferred: the ftruncate()
  // failures of the local-tmpfile rows are the 9p server's, not the kernel's.
  const r004 = await recordLog(store, { text: read(LOG004), source: '004', meta: { machine: 'fvp' }, report: BASE });
  const run004 = await getRun(store, r004.runIds[0] ?? -1);
  t.match(run004, { envSource: 'inferred', arch: 'arm64', triage: 'environment', resultCount: 56, env: { fs: { cwd: { type: '9p' } } } });
  const env004 = (await resultsOf(store, run004?.id ?? -1)).filter((r) => r.class === 'environment');
  t.equal(env004.length, 8, 'the 8 local-tmpfile rows');
  t.ok(env004.every((r) => r.verdict === 'fail' && r.id?.endsWith('/local-tmpfile') && /9p/.test(r.explanation)), 'each blamed on 9p');

  const noRun = read('public/006-lkft-next-20250616-liburing-missing-exit127.log');
  const report006 = diffLogText(noRun, '006');
  const n = await recordLog(store, { text: noRun, source: '006', meta: {}, report: report006 });
  t.equal(n.runIds.length, 1, 'the loader error is a run of its own');
  t.match(await getRun(store, n.runIds[0] ?? -1), { triage: 'infrastructure', resultCount: 0, summary: /liburing\.so\.2.*not a kernel result/ });
  t.equal((await recordLog(store, { text: noRun, source: '006', meta: {}, report: report006 })).duplicate, true);
  t.same(await checkIntegrity(store), { engine: ['ok'], incompleteRuns: [], incompleteLogs: [] });
  if (backend.name === 'sqlite') t.same(await store.sql.all('PRAGMA journal_mode'), [{ journal_mode: 'wal' }]);
  t.equal(store.backend, backend.name);
  if (backend.name === 'postgresql') {
    // The PostgreSQL engine check is the store's keys: a streamed log's chunks' keys count too.
    await store.sql.exec('ALTER TABLE log_chunks DROP CONSTRAINT log_chunks_pkey; ALTER TABLE log_chunks DROP CONSTRAINT log_chunks_log_hash_fkey');
    t.same((await checkIntegrity(store)).engine, ['log_chunks: primary key missing', 'log_chunks: foreign key missing']);
  }
});

forBackends('the same log with CRLF line endings is the same log; a NUL byte survives the round trip', async (t, backend) => {
  const { store } = await fresh(t, backend);
  const lf = read(`${LIVE618}.log`);
  const crlf = lf.replace(/\n/g, '\r\n');
  const a = await recordLog(store, { text: lf, source: 'lf.log', meta: {}, report: synth({ x: 'pass' }) });
  const b = await recordLog(store, { text: crlf, source: 'crlf.log', meta: {}, report: synth({ x: 'pass' }) });
  t.equal(b.duplicate, true, 'CRLF copy deduplicates to the LF log');
  t.same(b.runIds, a.runIds);
  t.equal(await countRuns(store), 1);
  const nul = 'console junk \u0000\u0000 then\n' + lf;
  const c = await recordLog(store, { text: nul, source: 'nul.log', meta: {}, report: synth({ x: 'pass' }) });
  const run = await getRun(store, c.runIds[0] ?? -1);
  t.equal(await rawLog(store, run?.logHash ?? ''), nul, 'the raw log is kept byte for byte');
});

forBackends('schema: a v1 database opens in a newer gupsim; a newer database is refused', async (t, backend) => {
  const path = await backend.location(t, 'v1.db');
  const old = await backend.driver(path);
  await migrate(old, 1);
  t.same(await old.all('SELECT MAX(version) AS v FROM schema_version'), [{ v: 1 }]);
  await old.exec(`INSERT INTO logs VALUES ('h1', 'old.log', 'raw text', '2024-01-01T00:00:00.000Z', 1);
    INSERT INTO runs (id, log_hash, run_index, kernel, arch, machine, date, env_json, env_source, selftest, triage, summary, result_count)
      VALUES (1, 'h1', 0, '6.5', 'x86_64', 'box', '2024-01-01T00:00:00.000Z', '{"kernel":{"release":"6.5"}}', 'given', 'A1', 'match', 'old run', 2);
    INSERT INTO results VALUES (1, 0, 'rw/gup/shared/memfd', 1, 'n', 'pass', 'match', 'ok', NULL);
    INSERT INTO results VALUES (1, 1, 'iouring/private/tmpfile', 2, 'n', 'fail', 'match', 'expected', 'Should have worked');`);
  // PostgreSQL's identity sequence does not see explicit ids; a real v1 history had none.
  if (backend.name === 'postgresql') await old.all("SELECT setval(pg_get_serial_sequence('runs', 'id'), 1)");
  await old.close();

  // A reader migrates an older gupsim history (it is gupsim's) and reads it read-only.
  const reader = await openStore(path, { readOnly: true });
  t.equal(reader.openedAtVersion, 1, 'the reader found v1');
  t.ok(reader.readOnly);
  t.match((await listRuns(reader))[0], { id: 1, kernel: '6.5' }, 'and reads it after migrating');
  await reader.close();

  const store = await openStore(path);
  t.teardown(() => store.close());
  t.equal(store.openedAtVersion, SCHEMA_VERSION, 'already migrated by the reader');
  t.equal(SCHEMA_VERSION, MIGRATIONS.length);
  t.equal(await num(store, 'SELECT MAX(version) AS n FROM schema_version'), SCHEMA_VERSION);
  const [run] = await listRuns(store);
  t.match(run, { id: 1, kernel: '6.5', machine: 'box', triage: 'match', test: 'gup_longterm' }, 'v6: a run recorded before is gup_longterm’s');
  t.match(run?.envKey, /^[0-9a-f]{16}$/, 'v2 computed the environment key of the old run');
  t.match(await resultsOf(store, 1), [{ verdict: 'pass', predicted: null, commits: [] }, { verdict: 'fail', reason: 'Should have worked' }]);
  const next = await recordLog(store, input(synth({ 'rw/gup/shared/memfd': 'fail' }), { machine: 'box', kernel: '6.5' }));
  t.equal(next.runIds[0], 2, 'recording continues in the migrated database');
  t.same((await checkIntegrity(store)).incompleteRuns, []);

  const newer = await backend.location(t, 'newer.db');
  const n = await backend.driver(newer);
  await migrate(n);
  await n.run("INSERT INTO schema_version VALUES (99, 'from the future', 'x')");
  await n.close();
  const thrown = async (f: () => Promise<unknown>): Promise<unknown> => f().then(() => undefined, (e: unknown) => e);
  const e1 = await thrown(() => openStore(newer));
  t.ok(e1 instanceof StoreError, 'refuses a schema it does not know');
  t.match((e1 as Error).message, new RegExp(`schema version 99 is newer than this gupsim understands \\(${SCHEMA_VERSION}\\); upgrade gupsim`));
  const e2 = await thrown(() => openStore(newer, { readOnly: true }));
  t.match((e2 as Error).message, /newer than this gupsim/, 'readers too');
});

forBackends('migration 3: logs stored under the raw CRLF hash are re-keyed, so their LF copy deduplicates', async (t, backend) => {
  const path = await backend.location(t, 'v2.db');
  const old = await backend.driver(path);
  await migrate(old, 2);
  const lf = read(`${LIVE618}.log`);
  const crlf = lf.replace(/\n/g, '\r\n');
  const rawHash = (text: string): string => createHash('sha256').update(text).digest('hex');
  const raw = (text: string): string | Uint8Array => (backend.name === 'postgresql' ? Buffer.from(text) : text);
  // A v2 gupsim stored this CRLF log under the hash of its bytes; a second log was stored in
  // both forms (the bug), which must keep both runs.
  const both = 'both forms\n' + lf;
  const rows: [string, string][] = [
    [rawHash(crlf), crlf],
    [rawHash(both), both],
    [rawHash(both.replace(/\n/g, '\r\n')), both.replace(/\n/g, '\r\n')],
  ];
  let id = 0;
  for (const [hash, text] of rows) {
    id++;
    await old.run('INSERT INTO logs VALUES (?, ?, ?, ?, 1)', [hash, `old${id}.log`, raw(text), '2024-01-01T00:00:00.000Z']);
    await old.run(
      `INSERT INTO runs (id, log_hash, run_index, kernel, arch, machine, date, env_json, env_source, selftest, triage, summary, result_count, env_key)
        VALUES (?, ?, 0, '6.18', 'x86_64', 'box', '2024-01-01T00:00:00.000Z', '{}', 'given', 'C2', 'match', 'old', 0, '')`,
      [id, hash],
    );
  }
  if (backend.name === 'postgresql') await old.all("SELECT setval(pg_get_serial_sequence('runs', 'id'), 3)");
  await old.close();

  const store = await openStore(path);
  t.teardown(() => store.close());
  t.equal(store.openedAtVersion, 2);
  const again = await recordLog(store, { text: lf, source: 'lf.log', meta: {}, report: synth({ x: 'pass' }) });
  t.same(again, { hash: logHash(lf), duplicate: true, runIds: [1] }, 'the LF copy is the stored CRLF log');
  t.equal(await rawLog(store, logHash(lf)), crlf, 'its bytes are as recorded');
  t.equal(await countRuns(store), 3, 'the log stored in both forms keeps both runs');
  t.same(await checkIntegrity(store), { engine: ['ok'], incompleteRuns: [], incompleteLogs: [] });
});

forBackends('readers never create, write or adopt a database that is not gupsim’s', async (t, backend) => {
  const thrown = async (f: () => Promise<unknown>): Promise<unknown> => f().then(() => undefined, (e: unknown) => e);
  // Another application's data, with one of gupsim's table names.
  const foreign = await backend.location(t, 'foreign.db');
  const d = await backend.driver(foreign);
  await d.exec("CREATE TABLE runs (who TEXT); INSERT INTO runs VALUES ('someone else')");
  await d.close();
  for (const readOnly of [true, false]) {
    const e = await thrown(() => openStore(foreign, { readOnly }));
    t.ok(e instanceof StoreError, readOnly ? 'a reader refuses it' : 'a writer refuses it too');
    t.match((e as Error).message, /not a gupsim history: it holds table\(s\) runs but no gupsim schema; refusing to touch it/);
  }
  const after = await backend.driver(foreign);
  t.same(await after.tableNames(), ['runs'], 'nothing was added');
  t.same(await after.all('SELECT who FROM runs'), [{ who: 'someone else' }]);
  await after.close();

  // An empty database: a reader says so and leaves it empty; a writer creates the schema.
  const empty = await backend.location(t, 'empty.db');
  if (backend.name === 'sqlite') writeFileSync(empty, '');
  const e = await thrown(() => openStore(empty, { readOnly: true }));
  t.match((e as Error).message, /not a gupsim history \(no gupsim schema; `gupsim record` creates one\)/);
  const check = await backend.driver(empty);
  t.same(await check.tableNames(), [], 'the reader created nothing');
  await check.close();
  if (backend.name === 'sqlite') {
    const absent = join(t.testdir(), 'absent.db');
    t.match(((await thrown(() => openStore(absent, { readOnly: true }))) as Error).message, /no such database \(readers never create one\)/);
    t.notOk(existsSync(absent));
  }

  // A reader's connection cannot write, even through the raw driver.
  const { path } = await fresh(t, backend, 'ro.db');
  const reader = await openStore(path, { readOnly: true });
  t.teardown(() => reader.close());
  t.ok(reader.readOnly);
  const w = await thrown(() => reader.sql.run("INSERT INTO schema_version VALUES (50, 'x', 'y')"));
  t.ok(w instanceof StoreError, 'a write through a reader fails as a store error');
  t.match((w as Error).message, backend.name === 'sqlite' ? /readonly/ : /read-only transaction/);
});

forBackends('10,000 runs: recorded, and history queries over them answer correctly', async (t, backend) => {
  const { path, store } = await fresh(t, backend, 'big.db');
  const batch: RecordInput[] = [];
  for (let i = 0; i < 10_000; i++) {
    const machine = `m${i % 4}`;
    const v: Record<string, SubtestVerdict | null> = {
      'rw/gup/shared/memfd': 'pass',
      // m1 regresses from its 5000th-ish run on.
      'iouring/private/tmpfile': machine === 'm1' && i >= 5001 ? 'fail' : 'pass',
      // m2 flaps every run.
      'ro/gup-fast/private/memfd': machine === 'm2' && i % 8 === 2 ? 'skip' : 'pass',
    };
    // m3's last run lost a result.
    if (!(machine === 'm3' && i === 9999)) v['rw/gup/private/tmpfile'] = 'pass';
    const date = new Date(Date.UTC(2020, 0, 1) + i * 3_600_000).toISOString();
    batch.push(input(synth(v), { machine, kernel: '6.18', date }));
    if (batch.length === 1000) await recordLogs(store, batch.splice(0));
  }
  t.equal(await countRuns(store), 10_000);
  const runs = await listRuns(store);
  const rows = await verdictRows(store);
  t.equal(rows.length, 10_000 * 4 - 1);
  const fs = failingSince(runs, rows);
  t.equal(fs.length, 1);
  t.match(fs[0], { id: 'iouring/private/tmpfile', machine: 'm1', lastPass: { date: new Date(Date.UTC(2020, 0, 1) + 4997 * 3_600_000).toISOString() }, failingRuns: 1250 });
  const fl = flapping(runs, rows);
  t.equal(fl.length, 1, 'm1 regressed once: not flapping');
  t.match(fl[0], { id: 'ro/gup-fast/private/memfd', machine: 'm2', kernel: '6.18', runs: 2500 });
  t.equal(fl[0]?.changes, 2 * 1250 - 1, 'every other m2 run is a skip');
  const gone = disappeared(runs, rows);
  t.match(gone, [{ id: 'rw/gup/private/tmpfile', machine: 'm3', crashed: false }]);
  const io = memIO();
  t.equal(await historyCommand(['--db', path, '--id', 'iouring/private/tmpfile', '--machine', 'm1', '--json'], io), 0);
  const h = JSON.parse(io.out()) as { runs: unknown[]; timelines: { id: string; verdicts: string[] }[]; failingSince: unknown[] };
  t.equal(h.runs.length, 2500);
  t.equal(h.timelines.length, 1);
  t.equal(h.timelines[0]?.verdicts.filter((v) => v === 'fail').length, 1250);
  t.equal(h.failingSince.length, 1);
  const since = memIO();
  t.equal(await historyCommand(['--db', path, '--since', '2021-02-01'], since), 0);
  t.match(since.out(), /^\d+ runs \(2021-02-01/);
});

forBackends('history analyses on hand-made sequences', async (t, backend) => {
  const { path, store } = await fresh(t, backend);
  const rec = async (v: Record<string, SubtestVerdict | null>, meta: RecordInput['meta'], triage?: 'crash'): Promise<void> => {
    await recordLog(store, input(synth(v, triage ? { triage } : {}), meta));
  };
  const d = (n: number): string => `2025-01-${String(n).padStart(2, '0')}T00:00:00.000Z`;
  await rec({ a: 'pass', b: 'pass', c: 'pass', f: 'pass' }, { machine: 'x', kernel: '6.12', date: d(1) });
  await rec({ a: 'skip', b: 'fail', c: 'pass', f: 'fail' }, { machine: 'x', kernel: '6.12', date: d(2) });
  await rec({ a: 'pass', b: 'pass', c: 'fail', f: 'pass' }, { machine: 'x', kernel: '6.12', date: d(3) });
  await rec({ a: 'fail', b: 'missing', f: 'fail' }, { machine: 'x', kernel: '6.13', date: d(4) }, 'crash');
  await rec({ a: 'fail', f: 'fail' }, { machine: 'y', kernel: '6.13', date: d(5) });
  const runs = await listRuns(store);
  const rows = await verdictRows(store);
  const tl = buildTimelines(runs, rows);
  t.same(
    tl.map((x) => [x.id, timelineGlyphs(x)]),
    [['a', 'PSPFF'], ['b', 'PFPM.'], ['c', 'PPF..'], ['f', 'PFPFF']],
  );
  const fsx = failingSince(runs, rows);
  t.match(fsx, [
    { id: 'a', machine: 'x', lastPass: { id: 3 }, firstFail: { id: 4 }, failingRuns: 1 },
    { id: 'c', machine: 'x', lastPass: { id: 2 }, firstFail: { id: 3 } },
    { id: 'f', machine: 'x', lastPass: { id: 3 }, firstFail: { id: 4 } },
    { id: 'a', machine: 'y', lastPass: null },
    { id: 'f', machine: 'y', lastPass: null, firstFail: { id: 5 } },
  ].sort((p, q) => p.machine.localeCompare(q.machine) || p.id.localeCompare(q.id)));
  t.same(
    flapping(runs, rows).map((f) => [f.id, f.changes, f.runs]),
    [['a', 2, 3], ['b', 2, 3], ['f', 2, 3]],
    'flapping counts only the 6.12 runs of one environment; kernel 6.13 starts a new group',
  );
  const gone = disappeared(runs, rows);
  t.match(gone, [
    { id: 'b', machine: 'x', previous: { id: 3 }, run: { id: 4 }, crashed: true },
    { id: 'c', machine: 'x', was: 'fail', run: { id: 4 }, crashed: true },
  ]);
  t.equal(gone.length, 2, 'machine y has no previous run: nothing disappeared there');

  const io = memIO();
  t.equal(await historyCommand(['--db', path], io), 0);
  t.match(io.out(), /Failing since \(5\):/);
  t.match(io.out(), /a @x: last pass run 3 \(6\.12, 2025-01-03\), first fail run 4 \(6\.13, 2025-01-04\)/);
  t.match(io.out(), /Flapping \(3\):/);
  t.match(io.out(), /b @x: pass in run 3 .*, absent in run 4 .* \(crash\)/);
});

t.test('flip explanations: predict() decides expected or not, the kernel timeline names commits', async (t) => {
  const a = env(`${LIVE61}.env.json`);
  const b = env(`${LIVE618}.env.json`);
  const x = new FlipExplainer();
  const fix = x.explain(a, b, 'iouring/private/tmpfile', { a: 'fail', b: 'pass' });
  t.equal(fix.expectation, 'expected');
  t.same(fix.predicted, { a: 'fail', b: 'pass' });
  t.ok(fix.commits.some((c) => c.commit === '34ed8d0dcd69' && c.direction === 'added'));
  t.match(fix.text, /^34ed8d0dcd69 \(6\.5\) io_uring: rsrc: delegate VMA file-backed check to GUP.* — expected$/);
  t.ok(x.kernelDelta(a, b).length >= fix.commits.length, 'cited commits are a subset of the kernel delta');
  const odd = x.explain(b, b, 'iouring/shared/memfd', { a: 'pass', b: 'fail' });
  t.equal(odd.expectation, 'unexpected', 'same environment, a flip the model cannot produce');
  t.same(odd.commits, []);
  t.match(odd.text, /no modelled commit explains it — not expected \(real regression\)/);
  const back = x.explain(b, a, 'iouring/private/tmpfile', { a: 'pass', b: 'fail' });
  t.equal(back.expectation, 'expected', 'going back to 6.1 the failure is expected');
  t.ok(back.commits.every((c) => c.direction === 'removed'));
  t.match(back.text, /without 34ed8d0dcd69/);

  const cmp = compareRuns(
    { label: 'A', env: b, results: [{ id: 'iouring/private/tmpfile', verdict: 'pass' }, { id: 'k', verdict: 'pass' }, { id: 's', verdict: 'pass' }, { id: 'gone', verdict: 'fail' }] },
    { label: 'B', env: a, results: [{ id: 'iouring/private/tmpfile', verdict: 'fail' }, { id: 'k', verdict: 'pass' }, { id: 's', verdict: 'skip' }, { id: 'gone', verdict: null }] },
    x,
  );
  t.same(cmp.regressions.map((f) => f.id), ['iouring/private/tmpfile']);
  t.same(cmp.newlySkipped.map((f) => f.id), ['s']);
  t.same(cmp.newlyMissing.map((f) => f.id), ['gone']);
  t.equal(cmp.unchanged, 1);
});

forBackends('CLI: record, history, compare, report', async (t, backend) => {
  const dir = t.testdir();
  const db = await backend.location(t, 'cli.db');
  const l61 = join(LOGS, `${LIVE61}.log`);
  const l612 = join(LOGS, `${LIVE612}.log`);

  for (const cmd of [recordCommand, historyCommand, compareCommand, reportCommand]) {
    const io = memIO();
    t.equal(await cmd(['--help'], io), 0);
    t.match(io.out(), /^Usage: gupsim /);
  }

  let io = memIO();
  t.equal(await recordCommand([l61, '--db', db, '--env', join(LOGS, `${LIVE61}.env.json`), '--machine', 'qemu', '--date', '2025-01-01'], io), 0);
  t.match(io.out(), /^run 1: .*6\.1\.0-50-qemu-ext4-default\.log 6\.1\.176 @qemu expected-failure: 2 failure\(s\), all predicted for kernel 6\.1\.176, .*iouring\/private\/tmpfile: .*34ed8d0dcd69/);
  t.equal(io.out().trim().split('\n').length, 1, 'one line per run');
  t.equal(io.err(), '', 'no progress on a non-TTY stderr');

  io = memIO(read(`${LIVE612}.log`));
  t.equal(await recordCommand(['-', '--db', db, '--env', join(LOGS, `${LIVE612}.env.json`), '--machine', 'qemu', '--date', '2025-02-01', '--json'], io), 0);
  const j = JSON.parse(io.out()) as { source: string; duplicate: boolean; runs: { id: number }[] };
  t.match(j, { source: '-', duplicate: false, runs: [{ id: 2 }] });

  io = memIO();
  t.equal(await recordCommand([l612, join(dir, 'missing.log'), '--db', db], io), 2, 'an unreadable log: exit 2, others still recorded');
  t.match(io.out(), /already recorded \(run 2\)/);
  t.match(io.err(), /^gupsim record: .*missing\.log: ENOENT\n$/);

  for (const [args, msg] of [
    [[], /expected at least one LOG/],
    [['--bogus', 'x.log'], /Unknown option '--bogus'/],
    [[l61, '--date', 'yesterday-ish'], /--date: not a date/],
    [[l61, '--env', join(dir, 'nope.json')], /--env .*nope\.json: ENOENT/],
  ] as const) {
    io = memIO();
    t.equal(await recordCommand([...args, '--db', db], io), 2);
    t.match(io.err(), msg);
    t.equal(io.err().trim().split('\n').length, 1, 'one-line error');
  }

  io = memIO();
  t.equal(await historyCommand(['--db', db, '--id', 'iouring/private/tmpfile'], io), 0);
  t.match(io.out(), /iouring\/private\/tmpfile\s+FP/);
  io = memIO();
  t.equal(await historyCommand(['--db', join(dir, 'none.db')], io), 2, 'readers do not create a database');
  t.notOk(existsSync(join(dir, 'none.db')));

  io = memIO();
  t.equal(await compareCommand(['1', '2', '--db', db], io), 0, 'only expected fixes: exit 0');
  t.match(io.out(), /^run 1 \(6\.1\.176 @qemu\) → run 2 \(6\.12\.117 @qemu\): 0 regression\(s\), 2 fix\(es\)/);
  t.match(io.out(), /iouring\/private\/tmpfile: fail → pass — 34ed8d0dcd69 \(6\.5\) io_uring: rsrc: delegate VMA file-backed check to GUP.* — expected/);
  io = memIO();
  t.equal(
    await compareCommand([l612, l61, '--env-a', join(LOGS, `${LIVE612}.env.json`), '--env-b', join(LOGS, `${LIVE61}.env.json`), '--json'], io),
    0,
    'two log files; the regressions back to 6.1 are expected by the model',
  );
  const c = JSON.parse(io.out()) as { regressions: { id: string; account: { expectation: string } }[] };
  t.same(c.regressions.map((r) => [r.id, r.account.expectation]), [
    ['iouring/private/local-tmpfile', 'expected'],
    ['iouring/private/tmpfile', 'expected'],
  ]);
  io = memIO();
  t.equal(await compareCommand([l612, l61], io), 0, 'without --env the inferred environments (a pre-6.5 kernel for the 6.1 log) account for them too');
  t.match(io.out(), /\n {2}iouring\/private\/tmpfile: pass → fail — without 34ed8d0dcd69 \(6\.5\).* — expected\n/);
  t.notMatch(io.out(), /not expected/, 'no flip left unexplained');
  io = memIO();
  t.equal(await compareCommand(['1', '99', '--db', db], io), 2);
  t.match(io.err(), /no run 99/);

  for (const f of ['junit', 'kcidb', 'html', 'json']) {
    const out = join(dir, `r.${f}`);
    io = memIO();
    t.equal(await reportCommand(['--format', f, '--out', out, '--db', db], io), 0, f);
    t.ok(readFileSync(out, 'utf8').length > 1000, `${f} written`);
  }
  io = memIO();
  t.equal(await reportCommand(['--format', 'json', '--run', '2', '--db', db], io), 0);
  t.same((JSON.parse(io.out()) as { runs: { run: { id: number } }[] }).runs.map((r) => r.run.id), [2]);
  io = memIO();
  t.equal(await reportCommand(['--format', 'pdf', '--db', db], io), 2);
  t.match(io.err(), /--format: unknown "pdf"/);
  io = memIO();
  t.equal(await reportCommand(['--format', 'kcidb', '--origin', 'Bad:Origin', '--db', db], io), 2);

  // GUPSIM_DB is the default when --db is absent.
  io = memIO();
  io.env.GUPSIM_DB = db;
  t.equal(await historyCommand(['--json'], io), 0);
  t.equal((JSON.parse(io.out()) as { runs: unknown[] }).runs.length, 2);
  writeFileSync(join(dir, 'keep'), '');
});

forBackends('CLI: 6.1 → 6.18 ext4 live runs flip on 34ed8d0dcd69; 007 and 008 line up under one id', async (t, backend) => {
  const db = await backend.location(t, 'flip.db');
  let io = memIO();
  t.equal(await recordCommand([join(LOGS, `${LIVE61}.log`), '--db', db, '--env', join(LOGS, `${LIVE61}.env.json`), '--machine', 'qemu', '--date', '2025-01-01'], io), 0);
  io = memIO();
  t.equal(await recordCommand([join(LOGS, `${LIVE618}.log`), '--db', db, '--env', join(LOGS, `${LIVE618}.env.json`), '--machine', 'host', '--date', '2025-03-01'], io), 0);
  t.match(io.out(), /^run 2: .* 6\.18\.44 @host match: matches the model/);

  io = memIO();
  t.equal(await compareCommand(['1', '2', '--db', db], io), 0, 'only expected fixes');
  const out = io.out();
  t.match(out, /^run 1 \(6\.1\.176 @qemu\) → run 2 \(6\.18\.44 @host\): 0 regression\(s\), 2 fix\(es\), 0 newly missing, 0 newly skipped, 0 other change\(s\), 48 unchanged\n/);
  for (const id of ['iouring/private/tmpfile', 'iouring/private/local-tmpfile']) {
    t.match(out, new RegExp(`\\n {2}${id}: fail → pass — 34ed8d0dcd69 \\(6\\.5\\) io_uring: rsrc: delegate VMA file-backed check to GUP.* — expected\\n`), id);
  }
  io = memIO();
  t.equal(await compareCommand(['1', '2', '--db', db, '--json'], io), 0);
  const j = JSON.parse(io.out()) as { fixes: { id: string; account: { expectation: string; predicted: unknown; commits: { commit: string; direction: string }[] } }[] };
  t.same(j.fixes.map((f) => f.id).sort(), ['iouring/private/local-tmpfile', 'iouring/private/tmpfile']);
  for (const f of j.fixes) {
    t.equal(f.account.expectation, 'expected');
    t.same(f.account.predicted, { a: 'fail', b: 'pass' }, 'predict() itself flips it');
    t.ok(f.account.commits.some((c) => c.commit === '34ed8d0dcd69' && c.direction === 'added'));
  }
  io = memIO();
  t.equal(await compareCommand(['2', '1', '--db', db], io), 0, 'back to 6.1: the regressions are expected');
  t.match(io.out(), /2 regression\(s\), 0 fix\(es\)[^]*iouring\/private\/tmpfile: pass → fail — without 34ed8d0dcd69 .* — expected/);

  // 007 printed "ok 39 # SKIP" with no description, 008 the description: the same sub-test.
  const stoakes = [
    ['public/007-stoakes-2025-before-unique-names-skip.log', '2025-04-01'],
    ['public/008-stoakes-2025-after-unique-names-fail.log', '2025-05-01'],
  ] as const;
  // 008's two `not ok` are failures no modelled environment predicts: recorded, and a human's (exit 1).
  for (const [[log, date], code] of stoakes.map((s, i) => [s, i === 0 ? 0 : 1] as const)) {
    io = memIO();
    t.equal(await recordCommand([join(LOGS, log), '--db', db, '--machine', 'stoakes', '--date', date], io), code, log);
  }
  io = memIO();
  t.equal(await historyCommand(['--db', db, '--machine', 'stoakes'], io), 0);
  t.match(io.out(), /^2 runs \(2025-04-01 … 2025-05-01\), 2 sub-tests\n/);
  t.match(io.out(), /\n {2}ro\/gup-fast\/private\/memfd-hugetlb-2048kB +SF\n/);
  t.match(io.out(), /\n {2}ro\/gup-fast\/private\/memfd-hugetlb-1048576kB +SF\n/);
  io = memIO();
  t.equal(await historyCommand(['--db', db, '--machine', 'stoakes', '--json'], io), 0);
  const h = JSON.parse(io.out()) as { runs: { id: number; triage: string }[]; timelines: { id: string; verdicts: string[] }[] };
  t.same(h.runs.map((r) => [r.id, r.triage]), [[3, 'match'], [4, 'unexplained']], '007 as modelled; 008 fails where every modelled machine skips');
  t.same(h.timelines.map((x) => [x.id, x.verdicts]), [
    ['ro/gup-fast/private/memfd-hugetlb-1048576kB', ['skip', 'fail']],
    ['ro/gup-fast/private/memfd-hugetlb-2048kB', ['skip', 'fail']],
  ]);
});
