/**
 * A recorder process for the store's crash and concurrency tests (test/store.test.ts):
 *   node --import tsx test/helpers/record-child.ts DB TAG COUNT BATCH [ENV.json]
 * records COUNT distinct logs (a fixture log with a unique first line, which the parser
 * keeps as an unknown line) through the same triage + store path as `gupsim record`, BATCH
 * logs per transaction, printing `committed N` after each commit and the run ids at the end.
 * With ENV.json every log is triaged against that environment (as `gupsim record --env`
 * does: ~1 ms a log); without it each log's environment is inferred (~0.2–0.9 s a log).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseEnvironment, type Environment } from '../../cases/env.js';
import { openStore } from '../../reports/store/open.js';
import { recordLog, recordLogs } from '../../reports/store/record.js';
import { diffLogText } from '../../reports/store/triage-source.js';
import type { RecordInput } from '../../reports/store/types.js';

const [db = '', tag = 'w', countText = '1', batchText = '1', envPath] = process.argv.slice(2);
const count = Number(countText);
const batch = Math.max(1, Number(batchText));
const base = readFileSync(
  fileURLToPath(new URL('../fixtures/logs/public/004-kitayama-arm64-fvp-9p-run_vmtests-ftruncate-failed.log', import.meta.url)),
  'utf8',
);
let env: Environment | undefined;
if (envPath) {
  const parsed = parseEnvironment(readFileSync(envPath, 'utf8'));
  if (!parsed.ok) throw new Error(`${envPath}: ${parsed.error}`);
  env = parsed.env;
}

const store = openStore(db);
const ids: number[] = [];
let done = 0;
while (done < count) {
  const inputs: RecordInput[] = [];
  for (let i = 0; i < batch && done + i < count; i++) {
    const text = `recorder ${tag} log ${done + i}\n${base}`;
    const source = `${tag}-${done + i}.log`;
    inputs.push({ text, source, meta: { machine: tag, kernel: '6.18' }, report: diffLogText(text, source, env) });
  }
  const outs = inputs.length === 1 && inputs[0] ? [recordLog(store, inputs[0])] : recordLogs(store, inputs);
  for (const o of outs) ids.push(...o.runIds);
  done += inputs.length;
  process.stdout.write(`committed ${done}\n`);
}
store.close();
process.stdout.write(`ids ${JSON.stringify(ids)}\n`);
