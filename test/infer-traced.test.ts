/**
 * Traced predictions are shared by environment (reports/diff/infer-cache.ts tracedPrediction()):
 * an equal environment — another object, fields in the same order — gets the very same
 * prediction; another gets its own. The prediction shared is the one predict() makes (same
 * stdout, exit code, records and traces).
 */
import t from 'tap';
import { defaultEnvironment } from '../cases/env.js';
import { predict } from '../cases/predict.js';
import { clearInferenceCaches, tracedPrediction } from '../reports/diff/infer-cache.js';

t.test('one traced prediction per environment', async (t) => {
  clearInferenceCaches();
  const env = defaultEnvironment();
  const a = tracedPrediction(env);
  const b = tracedPrediction(JSON.parse(JSON.stringify(env)) as typeof env);
  t.equal(a, b, 'an equal environment shares it');
  const other = tracedPrediction({ ...env, user: { ...env.user, root: false } });
  t.not(other, a, 'another environment has its own');
  const fresh = predict(env);
  if ('error' in a || 'error' in fresh || 'error' in other)
    throw new Error('unpredictable default');
  t.equal(a.stdout, fresh.stdout);
  t.equal(a.exitCode, fresh.exitCode);
  t.same(a.run.subtests, fresh.run.subtests, 'records and traces as predict() makes them');
  t.not(other.stdout, a.stdout, 'and they differ where the machines do');
});
