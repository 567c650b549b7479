/**
 * Each stored run keeps its rest — its triage beyond its sub-tests (reports/diff/types.ts
 * RunRest) — so readers can apply a known-issues file exactly: recorded by record, read back by
 * every reader, and inferred by migration 5 for runs an older gupsim recorded.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from '../reports/store/migrate.js';
import { getRun, listRuns, resultsOf } from '../reports/store/read.js';
import { openStore } from '../reports/store/open.js';
import { recordLog } from '../reports/store/record.js';
import { diffLogText } from '../reports/store/triage-source.js';
import { knownStored } from '../reports/known/apply.js';
import { KnownMatcher } from '../reports/known/match.js';
import { parseKnownIssues } from '../reports/known/schema.js';
import { forBackends } from './helpers/backends.js';
import { FIXTURES } from './helpers.js';

const REPRO = join(FIXTURES, '..', 'repro');

forBackends('record stores each run’s rest; readers read it back', async (t, backend) => {
  const path = await backend.location(t);
  const store = await openStore(path);
  t.teardown(() => store.close());
  // A failing sub-test beside a Bail out! its results do not explain.
  const text = readFileSync(join(REPRO, 'bail-after-results.log'), 'utf8').replace(
    '\nok 48 Should have worked',
    '\nnot ok 48 Should have worked',
  );
  const report = diffLogText(text, 'bail.log');
  const d = report.runs[0]!;
  t.equal(d.rest?.triage, 'unexplained');
  const plain = readFileSync(
    join(FIXTURES, 'public', '001-hildenbrand-v1-cover-all-pass.log'),
    'utf8',
  );
  await recordLog(store, { text, source: 'bail.log', meta: { machine: 'm' }, report });
  await recordLog(store, {
    text: plain,
    source: 'pass.log',
    meta: { machine: 'm' },
    report: diffLogText(plain, 'pass.log'),
  });
  const [bail, pass] = await listRuns(store);
  t.same(bail?.rest, d.rest, 'the rest as the diff found it');
  t.equal(pass?.rest, null, 'a run its sub-tests decide alone');
  const k = parseKnownIssues(
    'version: 1\nissues:\n  - id: all\n    test: "**"\n    reason: r\n    link: https://example.org/\n',
    'k',
  );
  if (!k.ok) {
    t.fail(k.errors.join());
    return;
  }
  const applied = knownStored(bail!, await resultsOf(store, bail!.id), new KnownMatcher(k.known));
  t.ok(
    applied.results.some((r) => r.class === 'known'),
    'the failing sub-test is accepted',
  );
  t.equal(applied.run.triage, 'unexplained', 'the bail-out is not: the run still needs a human');
});

forBackends(
  'migration 5: runs recorded before get their rest from what their results do not explain',
  async (t, backend) => {
    const path = await backend.location(t, 'v4.db');
    const old = await backend.driver(path);
    await migrate(old, 4);
    await old.run("INSERT INTO logs VALUES ('h', 'old.log', ?, '2024-01-01T00:00:00.000Z', 4)", [
      backend.name === 'postgresql' ? Buffer.from('x') : 'x',
    ]);
    const runs: [number, string, string[]][] = [
      [1, 'match', ['match']],
      [2, 'kernel-regression', ['match', 'kernel-regression']],
      [3, 'unexplained', ['match', 'test-bug']],
      [4, 'crash', ['crash']],
    ];
    for (const [id, triage, classes] of runs) {
      await old.run(
        `INSERT INTO runs (id, log_hash, run_index, kernel, arch, machine, date, env_json, env_source, selftest, triage, summary, result_count, env_key)
        VALUES (?, 'h', ?, '6.18', 'x86_64', 'box', '2024-01-01T00:00:00.000Z', '{}', 'given', 'C2', ?, ?, ?, '')`,
        [id, id - 1, triage, `summary ${id}`, classes.length],
      );
      for (const [i, c] of classes.entries()) {
        await old.run(
          `INSERT INTO results (run_id, ordinal, stable_id, number, name, verdict, class, explanation, reason) VALUES (?, ?, ?, ?, NULL, 'fail', ?, 'e', NULL)`,
          [id, i, `x/${i}`, i + 1, c],
        );
      }
    }
    await old.close();
    const store = await openStore(path, { readOnly: true });
    t.teardown(() => store.close());
    t.equal(store.openedAtVersion, 4);
    const rest = async (id: number): Promise<unknown> => (await getRun(store, id))?.rest;
    t.equal(await rest(1), null, 'a match: nothing beyond its results');
    t.equal(await rest(2), null, 'a triage a result has: its results decide it');
    t.same(
      await rest(3),
      { triage: 'unexplained', summary: 'summary 3' },
      'a triage no result has came from the rest of the run',
    );
    t.same(await rest(4), { triage: 'crash', summary: 'summary 4' }, 'a crash stays the run’s');
  },
);
