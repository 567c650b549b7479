// The tests' child processes run bundles written under node_modules/.cache
// (test/helpers/bundle.ts), built with the suite's own esbuild setup
// (scripts/esbuild-options.mjs): a module's import.meta.url, and every path computed from it,
// stays its source file's, not the bundle's.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundledEntry, CHILD_ENV, nodeChild } from './helpers/bundle.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// (Not named in a string here: the plugin rewrites the text wherever it occurs.)
t.test('a bundled child entry keeps its own module URL', async (t) => {
  const entry = join(ROOT, 'test/helpers/meta-url-child.ts');
  const bundle = await bundledEntry(entry);
  t.not(dirname(bundle), dirname(entry), 'the bundle is written elsewhere');
  t.equal(await bundledEntry(entry), bundle, 'and built once per process');
  const [command, args] = nodeChild([bundle]);
  const r = spawnSync(command, args, { cwd: ROOT, env: CHILD_ENV, encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout, pathToFileURL(entry).href);
});
