// `gupsim record` streams a log into the store (reports/store/record-stream.ts): the same hash
// as a whole-text read, every run stored, all or nothing when the read fails or the log
// changes, and — in a child process — live memory that does not grow with the log's size,
// and a kill -9 mid-record that leaves nothing of the log.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnvironment } from '../cases/env.js';
import { buildRunnerLog } from '../bench/big-log.js';
import { checkIntegrity, countRuns, logHash, openStore, rawLog, recordLog } from '../reports/store/index.js';
import { LogHasher } from '../reports/store/env-key.js';
import { LogChangedError, recordStream, streamHash } from '../reports/store/record-stream.js';
import { forBackends, num } from './helpers/backends.js';
import { CHILD_ENV, nodeChild } from './helpers/bundle.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LIVE = join(ROOT, 'test/fixtures/logs/live/6.18-host-ext4-default');
const ENV_FILE = `${LIVE}.env.json`;
const parsedEnv = parseEnvironment(readFileSync(ENV_FILE, 'utf8'));
if (!parsedEnv.ok) throw new Error(parsedEnv.error);
const ENV = parsedEnv.env;
/** A kselftest-runner log of `bytes`, one fixture run repeated (bench/big-log.ts). */
const runnerLog = (bytes: number): { text: string; runs: number } => buildRunnerLog([readFileSync(`${LIVE}.log`, 'utf8')], bytes);

/** `bytes` as chunks of `size` (a stream's pieces, cut anywhere, even inside a character). */
async function* chunks(bytes: Uint8Array, size: number, failAfter = Infinity): AsyncGenerator<Uint8Array> {
  let n = 0;
  for (let i = 0; i < bytes.length; i += size) {
    if (n++ >= failAfter) throw new Error('read failed mid-way');
    yield bytes.subarray(i, i + size);
  }
}

t.test('LogHasher and streamHash give logHash of the whole text, however it is cut', async (t) => {
  let seed = 7;
  const rnd = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const alphabet = ['a', '\n', '\r', '\r\n', 'é', '😀', '\u0000'];
  const textMisses: string[] = [];
  for (let round = 0; round < 100; round++) {
    // Cut between characters (a decoder never splits one), CRLF pairs included.
    const chars = Array.from({ length: rnd(60) }, () => alphabet[rnd(alphabet.length)]!).join('');
    const points = Array.from(chars);
    const h = new LogHasher();
    for (let i = 0; i < points.length; ) {
      const j = i + 1 + rnd(5);
      h.update(points.slice(i, j).join(''));
      i = j;
    }
    if (h.digest() !== logHash(chars)) textMisses.push(JSON.stringify(chars));
  }
  t.same(textMisses, [], 'text cut into pieces');
  // Bytes cut inside a character, and invalid UTF-8: decoded as a whole-file read decodes them.
  const byteMisses: string[] = [];
  for (let round = 0; round < 60; round++) {
    const bytes = Buffer.from(Array.from({ length: rnd(80) }, () => [0x61, 0x0a, 0x0d, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80, 0xff][rnd(10)]!));
    if ((await streamHash(chunks(bytes, 1 + rnd(4)))) !== logHash(bytes.toString('utf8'))) byteMisses.push(bytes.toString('hex'));
  }
  t.same(byteMisses, [], 'bytes cut into chunks');
});

forBackends('a streamed log: every run stored, raw text kept, deduplicated with whole-text records', async (t, backend) => {
  const store = await openStore(await backend.location(t, 'stream.db'));
  t.teardown(() => store.close());
  const log = runnerLog(300_000);
  const bytes = Buffer.from(log.text);
  // 64 KiB chunks: runs are inserted in many batches, the text in as many log_chunks rows.
  const input = { source: 'big.log', meta: { machine: 'ci' }, env: ENV, open: () => chunks(bytes, 1 << 16) };
  const out = await recordStream(store, input);
  t.same({ duplicate: out.duplicate, runs: out.runs, hash: out.hash }, { duplicate: false, runs: log.runs, hash: logHash(log.text) });
  t.equal(await countRuns(store), log.runs, 'every run is stored');
  t.same(
    (await store.sql.all<{ run_index: number }>('SELECT run_index FROM runs ORDER BY run_index')).map((r) => Number(r.run_index)),
    Array.from({ length: log.runs }, (_, i) => i),
    'each run once, by index',
  );
  t.ok((await num(store, 'SELECT COUNT(*) AS n FROM log_chunks')) > 1, 'the text is stored in chunks');
  t.equal(await rawLog(store, out.hash), log.text, 'and reads back whole');
  t.same(await checkIntegrity(store), { engine: ['ok'], incompleteRuns: [], incompleteLogs: [] });
  t.equal((await recordStream(store, input)).duplicate, true, 'a second stream of it is a duplicate');
  const whole = await recordLog(store, { text: log.text.replace(/\n/g, '\r\n'), source: 'crlf.log', meta: {}, report: { source: 'crlf.log', runs: [], issues: [] } });
  t.equal(whole.duplicate, true, 'and so is its CRLF copy recorded as a whole text');
  t.equal(whole.runIds.length, log.runs);
});

forBackends('a streamed log that fails to read, or changes between reads, leaves nothing', async (t, backend) => {
  const store = await openStore(await backend.location(t, 'fail.db'));
  t.teardown(() => store.close());
  const bytes = Buffer.from(runnerLog(200_000).text);
  let opened = 0;
  // The hash pass reads it whole; the storing pass fails after a few chunks, with runs already inserted.
  const failing = { source: 'f.log', meta: {}, env: ENV, open: () => chunks(bytes, 1 << 14, opened++ === 0 ? Infinity : 6) };
  await t.rejects(recordStream(store, failing), /read failed mid-way/);
  opened = 0;
  const changed = Buffer.from(bytes);
  changed[changed.length - 2] = 0x21;
  const changing = { source: 'c.log', meta: {}, env: ENV, open: () => chunks(opened++ === 0 ? bytes : changed, 1 << 14) };
  const e = await recordStream(store, changing).catch((x: unknown) => x);
  t.ok(e instanceof LogChangedError, 'a log that changed between its two reads is refused');
  t.equal(await num(store, 'SELECT COUNT(*) AS n FROM logs'), 0, 'no log row');
  t.equal(await countRuns(store), 0, 'no run');
  t.equal(await num(store, 'SELECT COUNT(*) AS n FROM log_chunks'), 0, 'no chunk');
  t.equal(await num(store, 'SELECT COUNT(*) AS n FROM results'), 0, 'no result');
});

const BIN = join(ROOT, 'bin/gupsim.js');
const PROBE = join(ROOT, 'test/helpers/live-heap-probe.cjs');

/**
 * `gupsim record` in a child; resolves with its stderr once it exits. With `probe`, the heap
 * probe's figures are on it: the probe collects garbage every 50 ms, which costs the child CPU,
 * so only the children whose peak is read carry it.
 */
function record(args: string[], killWhen?: () => boolean, probe = false): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const node = probe ? ['--expose-gc', '--require', PROBE] : [];
    const c = spawn(...nodeChild([...node, BIN, 'record', ...args]), { env: CHILD_ENV, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const timer = killWhen ? setInterval(() => killWhen() && c.kill('SIGKILL'), 5) : undefined;
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('error', reject);
    c.on('close', (code) => {
      clearInterval(timer);
      resolve({ code, stderr });
    });
  });
}

t.test('gupsim record: live memory does not grow with the log; kill -9 mid-record leaves nothing; racing recorders', { skip: existsSync(BIN) ? false : 'bin/gupsim.js missing' }, async (t) => {
  const dir = t.testdir();
  // Both above the 1 MiB read chunk, so both hold a full chunk at their peak: what differs is
  // only what would grow with the log (its text, its runs).
  const small = join(dir, 'small.log');
  const large = join(dir, 'large.log');
  writeFileSync(small, runnerLog(1_200_000).text);
  const big = runnerLog(3_600_000);
  writeFileSync(large, big.text);
  const peak = async (log: string, db: string): Promise<number> => {
    const r = await record(['--env', ENV_FILE, '--db', join(dir, db), log], undefined, true);
    t.equal(r.code, 0, `${log} recorded`);
    const m = /gupsim-live-heap-peak-bytes (\d+)/.exec(r.stderr);
    return m ? Number(m[1]) : NaN;
  };
  const a = await peak(small, 'small.db');
  const b = await peak(large, 'large.db');
  const grown = (b - a) / 1e6;
  // Holding the text and every run's report (the whole-text recorder) costs ~9 MB more here.
  t.ok(grown < 3, `live heap at most a few MB larger for a 3x larger log (${(a / 1e6).toFixed(1)} → ${(b / 1e6).toFixed(1)} MB)`);
  const check = await openStore(join(dir, 'large.db'));
  t.equal(await countRuns(check), big.runs, 'all runs of the large log');
  await check.close();

  // Killed once its transaction has written part of the log (the WAL has grown past what a new
  // store's schema writes). Not later: the whole log's WAL is ~1.5 MB, and a recorder without the
  // heap probe's collections could commit between two 5 ms polls once it passed 1 MB.
  const db = join(dir, 'kill.db');
  const killed = await record(['--env', ENV_FILE, '--db', db, small], () => existsSync(`${db}-wal`) && statSync(`${db}-wal`).size > 256 * 1024);
  t.equal(killed.code, null, 'killed before it finished');
  const after = await openStore(db);
  t.teardown(() => after.close());
  t.equal(await num(after, 'SELECT COUNT(*) AS n FROM logs'), 0, 'no log row');
  t.equal(await countRuns(after), 0, 'no run');
  t.same(await checkIntegrity(after), { engine: ['ok'], incompleteRuns: [], incompleteLogs: [] });

  // Two recorders of that log at once, on the same store: one stores it, the other waits for
  // its transaction and finds it recorded.
  const both = await Promise.all([record(['--env', ENV_FILE, '--db', db, small]), record(['--env', ENV_FILE, '--db', db, small])]);
  t.same(both.map((r) => r.code), [0, 0], 'both recorders succeed');
  const logRuns = runnerLog(1_200_000).runs;
  t.equal(await countRuns(after), logRuns, 'its runs stored once');
  t.same(await checkIntegrity(after), { engine: ['ok'], incompleteRuns: [], incompleteLogs: [] });
});
