/**
 * Golden cow logs: every real run of cow.c in test/fixtures/logs/cow (copied unchanged from
 * the shared logs with their INDEX.md) is reproduced byte for byte, exit code included, from an
 * environment file written from its INDEX.md row — in process and through `gupsim run --env`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parseEnvironment } from '../cases/env.js';
import { predict } from '../cases/predict.js';
import { cli, FIXTURES } from './helpers.js';

const DIR = join(FIXTURES, 'cow');

/** The `exit` column of INDEX.md, by log name. */
function indexExitCodes(): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readFileSync(join(DIR, 'INDEX.md'), 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 7 || !cells[1]!.endsWith('.log')) continue;
    out.set(cells[1]!.replace(/\.log$/, ''), Number(cells[5]));
  }
  return out;
}

const exits = indexExitCodes();
const envs = readdirSync(DIR)
  .filter((f) => f.endsWith('.env.json'))
  .sort();

t.test('every cow log has an INDEX row and an environment file', async (t) => {
  const logs = readdirSync(DIR).filter((f) => f.endsWith('.log'));
  // The runs whose io_uring rows real timing decides keep theirs in cow-timing/ (cow-timing.test.ts).
  const timing = new Set(readdirSync(join(FIXTURES, 'cow-timing')).filter((f) => f.endsWith('.env.json')));
  for (const l of logs) {
    const env = l.replace(/\.log$/, '.env.json');
    t.ok(envs.includes(env) || timing.has(env), `${l} has an environment file`);
    t.ok(exits.has(l.replace(/\.log$/, '')), `${l} in INDEX.md`);
  }
  for (const e of envs) t.ok(logs.includes(e.replace(/\.env\.json$/, '.log')), `${e} has its log`);
});

for (const f of envs) {
  const name = f.replace('.env.json', '');
  t.test(`reproduces ${name}`, async (t) => {
    const envPath = join(DIR, f);
    const r = parseEnvironment(readFileSync(envPath, 'utf8'));
    if (!r.ok) throw new Error(r.error);
    const log = readFileSync(join(DIR, `${name}.log`), 'utf8');
    const p = predict(r.env);
    if ('error' in p) throw new Error(p.error);
    t.equal(p.stdout, log, 'byte for byte');
    t.equal(p.exitCode, exits.get(name), 'exit code from INDEX.md');
    const viaCli = await cli(['run', '--env', envPath]);
    t.equal(viaCli.stdout, log, 'gupsim run prints the same bytes');
    t.equal(viaCli.code, exits.get(name), 'gupsim run exits with the test’s code');
  });
}
