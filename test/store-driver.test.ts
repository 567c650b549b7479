// The SQL drivers under a long-running process: statement texts built per call (an IN list of
// the caller's length) must not grow a driver's statement cache without bound.
import { STATEMENT_CACHE_LIMIT } from '../reports/store/driver.js';
import { forBackends } from './helpers/backends.js';

forBackends('statement caches stay bounded however many distinct statement texts run', async (t, backend) => {
  const sql = await backend.driver(await backend.location(t, 'driver.db'));
  t.teardown(() => sql.close());
  const texts = STATEMENT_CACHE_LIMIT * 3;
  let right = 0;
  for (let n = 0; n < texts; n++) {
    // A distinct text each time, with a parameter, read back in both row forms.
    const [row] = await sql.all<{ v: number }>(`SELECT ? + ${n} AS v`, [1]);
    const [arr] = await sql.arrays<[number]>(`SELECT ? * ${n + 1} AS v`, [2]);
    if (Number(row?.v) === n + 1 && Number(arr?.[0]) === 2 * (n + 1)) right++;
  }
  t.equal(right, texts, 'every statement answered, the evicted ones included');
  t.ok(sql.statementsKept > 0, 'statements are kept');
  t.ok(sql.statementsKept <= 2 * STATEMENT_CACHE_LIMIT, `at most the limit for each row form (${sql.statementsKept} kept)`);
  // A statement evicted long ago still runs (prepared or rewritten again).
  t.same(await sql.all<{ v: number }>('SELECT ? + 0 AS v', [5]).then((r) => r.map((x) => Number(x.v))), [5]);
});
