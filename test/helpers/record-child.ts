/**
 * A recorder process for the store's crash and concurrency tests (test/store-kill.test.ts,
 * test/store-concurrency.test.ts; test/helpers/recorders.ts runs it bundled):
 *   node <bundle of test/helpers/record-child.ts> DB TAG COUNT BATCH [ENV.json|-] [shared,pretriaged]
 * records COUNT distinct logs (a fixture log with a unique first line, which the parser
 * keeps as an unknown line) through the same triage + store path as `gupsim record`, BATCH
 * logs per transaction, printing `committed N` after each commit and the run ids at the end
 * (`ids` in order, and `shared` as {log index: run id} for the shared logs). DB is a SQLite
 * path or a PostgreSQL URL. With `shared`, every even-numbered log is the same text in every
 * recorder (`shared log N`), so concurrent recorders race to store the same logs. With
 * `pretriaged`, the fixture is triaged once and that report stored with every log (the
 * concurrency tests are about the store; triaging 1,600 logs would only cost CPU).
 * With `stream`, each log goes through recordStream() as `gupsim record` sends it (BATCH 1).
 * With `hold`, the child prints `opened` once its store is open and then waits (60 s at most)
 * without recording: a kill timed "before the first commit" then lands there for certain,
 * however fast the machine starts the child.
 * With ENV.json every log is triaged against that environment (as `gupsim record --env`
 * does: ~1 ms a log); without it each log's environment is inferred (~0.2–0.9 s a log).
 */
import { readFileSync } from 'node:fs';
import { parseEnvironment, type Environment } from '../../cases/env.js';
import { openStore } from '../../reports/store/open.js';
import { recordLog, recordLogs } from '../../reports/store/record.js';
import { recordStream } from '../../reports/store/record-stream.js';
import { diffLogText } from '../../reports/store/triage-source.js';
import type { RecordInput } from '../../reports/store/types.js';

const [db = '', tag = 'w', countText = '1', batchText = '1', envPath, modeText = ''] =
  process.argv.slice(2);
const modes = modeText.split(',');
const shared = modes.includes('shared');
const pretriaged = modes.includes('pretriaged');
// `stream`: each log through recordStream(), the path `gupsim record` takes (BATCH is then 1).
const stream = modes.includes('stream');
const hold = modes.includes('hold');
const count = Number(countText);
const batch = stream ? 1 : Math.max(1, Number(batchText));
const base = readFileSync(
  // Relative to the project root, the child's working directory (it runs bundled, elsewhere).
  'test/fixtures/logs/public/004-kitayama-arm64-fvp-9p-run_vmtests-ftruncate-failed.log',
  'utf8',
);
let env: Environment | undefined;
if (envPath && envPath !== '-') {
  const parsed = parseEnvironment(readFileSync(envPath, 'utf8'));
  if (!parsed.ok) throw new Error(`${envPath}: ${parsed.error}`);
  env = parsed.env;
}

const once = pretriaged ? diffLogText(base, 'fixture', env) : undefined;
// In a function, not at the top level: the tests bundle child entries as CommonJS
// (test/helpers/bundle.ts), where packages load only when used. A rejection still ends the
// process with exit 1 and the error on stderr.
async function record(): Promise<void> {
  const store = await openStore(db);
  if (hold) {
    process.stdout.write('opened\n');
    await new Promise((r) => setTimeout(r, 60_000));
    process.stderr.write('held recorder was never killed\n');
    process.exit(3);
  }
  const ids: number[] = [];
  const sharedIds: Record<number, number[]> = {};
  /** One log through recordStream(), read in 4 KiB pieces (several log_chunks rows), its run ids read back. */
  async function streamed(i: RecordInput): Promise<{ runIds: number[] }> {
    const bytes = Buffer.from(i.text);
    const open = async function* (): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < bytes.length; at += 4096) yield bytes.subarray(at, at + 4096);
    };
    const out = await recordStream(store, { source: i.source, meta: i.meta, env, open });
    const rows = await store.sql.all<{ id: number }>(
      'SELECT id FROM runs WHERE log_hash = ? ORDER BY run_index',
      [out.hash],
    );
    return { runIds: rows.map((r) => Number(r.id)) };
  }

  // recordStream() triages each log itself: its inputs carry no report.
  const NOT_TRIAGED = { source: '', runs: [], issues: [] };
  let done = 0;
  while (done < count) {
    const inputs: RecordInput[] = [];
    for (let i = 0; i < batch && done + i < count; i++) {
      const n = done + i;
      const isShared = shared && n % 2 === 0;
      const text = isShared ? `shared log ${n}\n${base}` : `recorder ${tag} log ${n}\n${base}`;
      const source = `${isShared ? 'shared' : tag}-${n}.log`;
      inputs.push({
        text,
        source,
        meta: { machine: isShared ? 'shared' : tag, kernel: '6.18' },
        report: stream ? NOT_TRIAGED : (once ?? diffLogText(text, source, env)),
      });
    }
    const outs = stream
      ? await Promise.all(inputs.map((i) => streamed(i)))
      : inputs.length === 1 && inputs[0]
        ? [await recordLog(store, inputs[0])]
        : await recordLogs(store, inputs);
    outs.forEach((o, i) => {
      const n = done + i;
      if (shared && n % 2 === 0) sharedIds[n] = o.runIds;
      else ids.push(...o.runIds);
    });
    done += inputs.length;
    process.stdout.write(`committed ${done}\n`);
  }
  await store.close();
  process.stdout.write(`ids ${JSON.stringify(ids)}\n`);
  if (shared) process.stdout.write(`shared ${JSON.stringify(sharedIds)}\n`);
}

void record();
