/**
 * The installed CLI's bundle (dist/gupsim.cjs, dist/gupsim-run.cjs) run in the test's own
 * process: loaded as bin/gupsim.js loads it (bin/load-cli.js: a vm.Script with its code cache
 * and no import() callback, so an import() left in the bundle fails here as it did in the
 * installed command), its `main` given what the bin gives it, stdout and stderr kept. A
 * process of the installed CLI costs ~0.3 s of CPU; this checks the same bundle's commands
 * without one. What it leaves out is bin/gupsim.js's own process-level code (its stdout
 * writer, stdin and stderr on first use, the exit code): tests that check that spawn it.
 */
import { createRequire } from 'node:module';
import { PassThrough } from 'node:stream';
import type { main } from '../../harness/cli.js';
import type { CliResult } from '../helpers.js';
import { CHILD_ENV } from './bundle.js';

type Bundle = 'all' | 'run';
interface LoadedCli {
  cli: { main: typeof main };
}
const loadCli = (
  createRequire(import.meta.url)('../../bin/load-cli.js') as {
    loadCli: (which: Bundle) => LoadedCli;
  }
).loadCli;
const loaded = new Map<Bundle, LoadedCli>();

/** `gupsim <args>` from the installed bundle, in process; `input` is its stdin. */
export async function inBundle(args: string[], input = ''): Promise<CliResult> {
  // bin/gupsim.js loads the smaller bundle for `run`.
  const which: Bundle = args[0] === 'run' ? 'run' : 'all';
  let bundle = loaded.get(which);
  if (!bundle) loaded.set(which, (bundle = loadCli(which)));
  let stdout = '';
  let stderr = '';
  const stdin = new PassThrough();
  stdin.end(input);
  // What a process would print on its stderr by itself (an ExperimentalWarning) counts too.
  const warned = (w: Error): void => void (stderr += `${w.name}: ${w.message}\n`);
  process.on('warning', warned);
  try {
    const code = await bundle.cli.main(args, {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      stdin,
      env: { ...CHILD_ENV, NO_COLOR: '1' },
      isTTY: false,
    });
    await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    return { code, stdout, stderr };
  } finally {
    process.off('warning', warned);
  }
}
