/**
 * Child processes of the tests (recorders killed with SIGKILL, CLI processes whose stdout is
 * closed) run their TypeScript entry bundled by esbuild into one file: a child then starts in
 * ~0.2 s instead of ~1 s under `--import tsx`, which is most of what the kill and EPIPE suites
 * spend. The bundle is the same source, built with the test suite's own esbuild setup
 * (scripts/esbuild-options.mjs: packages external, each module's own import.meta.url), once
 * per test process or not at all when no input changed since an earlier one built it, as
 * CommonJS: an external package imported by a module that is itself loaded with import() (pg
 * by the store, cli-progress and tap-parser by the commands) is then require()d when that
 * module is first used, as in the installed CLI (scripts/build-cli.mjs).
 * In an ES module bundle every package import is hoisted and loaded at start: a
 * `harness/main.ts` child cost 0.45 s of CPU against 0.2 s. So child entries use no top-level
 * await (esbuild cannot put it in CommonJS).
 */
import { build, version } from 'esbuild';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testBundleOptions } from '../../scripts/esbuild-options.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Under node_modules so that the bundle's bare imports (better-sqlite3, pg, …) resolve.
const CACHE = join(ROOT, 'node_modules/.cache/gupsim-test');
const built = new Map<string, Promise<string>>();

/**
 * The path of `entry` (absolute, .ts) bundled for `node <path>`. Named by its content's hash:
 * test processes running at once share one file, and a source change makes a new one.
 */
export function bundledEntry(entry: string): Promise<string> {
  let done = built.get(entry);
  if (!done) {
    done = buildEntry(entry);
    built.set(entry, done);
  }
  return done;
}

/** What a build read: its options' key, each input's hash, and the bundle it wrote. */
interface BuildRecord {
  key: string;
  inputs: Record<string, string>;
  out: string;
}

/** The hash of an input named as esbuild's metafile names it (relative to ROOT). */
const hashOf = (path: string): string =>
  createHash('sha1')
    .update(readFileSync(join(ROOT, path)))
    .digest('hex');

/**
 * The bundle the last build of `entry` wrote, if every file it read is unchanged: each test
 * process that spawns children used to build its entry again (~0.5 s of CPU each, five
 * processes a suite) to find the same bytes. A record is written whole (rename), so a test
 * process never reads half of another's.
 */
function lastBuild(record: string, key: string): string | undefined {
  try {
    const r = JSON.parse(readFileSync(record, 'utf8')) as BuildRecord;
    if (r.key !== key || !existsSync(r.out)) return undefined;
    for (const [path, hash] of Object.entries(r.inputs))
      if (hashOf(path) !== hash) return undefined;
    return r.out;
  } catch {
    return undefined; // no record yet, or an input is gone
  }
}

async function buildEntry(entry: string): Promise<string> {
  const options = {
    ...testBundleOptions,
    format: 'cjs' as const,
    entryPoints: [entry],
    write: false as const,
    outdir: CACHE,
    metafile: true as const,
    // Input paths in the metafile relative to the project, whatever a test's working directory.
    absWorkingDir: ROOT,
  };
  // Everything but the inputs that decides the bytes: esbuild, these options, the shared setup.
  const key = JSON.stringify({
    esbuild: version,
    options: { ...options, plugins: (options.plugins ?? []).map((p) => p.name) },
    setup: hashOf('scripts/esbuild-options.mjs'),
  });
  const record = join(CACHE, `${basename(entry, '.ts')}.inputs.json`);
  const reused = lastBuild(record, key);
  if (reused) return reused;
  const result = await build(options);
  const code = result.outputFiles[0]?.contents;
  if (!code) throw new Error(`esbuild produced nothing for ${entry}`);
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const out = join(CACHE, `${basename(entry, '.ts')}-${hash}.cjs`);
  mkdirSync(CACHE, { recursive: true });
  if (!existsSync(out)) {
    const tmp = `${out}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, out);
    pruneOlderBuilds(basename(entry, '.ts'), out);
  }
  const inputs: Record<string, string> = {};
  for (const path of Object.keys(result.metafile.inputs)) inputs[path] = hashOf(path);
  const tmp = `${record}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ key, inputs, out } satisfies BuildRecord));
  renameSync(tmp, record);
  return out;
}

/** How old another build of the same entry must be before a new build removes it. */
const STALE_MS = 60 * 60 * 1000;

/**
 * A new build leaves the entry's earlier builds (older sources) behind; remove those not
 * touched for an hour. Not sooner: a test process still running from older sources (a
 * suite started before an edit) may be about to spawn one.
 */
function pruneOlderBuilds(name: string, keep: string): void {
  const now = Date.now();
  // .mjs: the ES module builds of earlier versions.
  const build = new RegExp(`^${name.replace(/[^\w]/g, '\\$&')}-[0-9a-f]{16}\\.[cm]js$`);
  for (const file of readdirSync(CACHE)) {
    const path = join(CACHE, file);
    if (path === keep || !build.test(file)) continue;
    try {
      if (now - statSync(path).mtimeMs > STALE_MS) rmSync(path, { force: true });
    } catch {
      // Another test process removed it first.
    }
  }
}

/**
 * The environment for a test's child processes: this one's without tap's --import hooks
 * (process tracking, coverage), which would double a child's start-up and be measured too.
 */
const { NODE_OPTIONS: _tapHooks, NODE_V8_COVERAGE: _coverage, ...childEnv } = process.env;
export const CHILD_ENV: NodeJS.ProcessEnv = childEnv;

/**
 * spawn()'s command and arguments for `node <args>` as a child without tap's hooks. CHILD_ENV
 * alone does not do it: under tap, @tapjs/processinfo wraps child_process and puts its
 * `--import` loader back into NODE_OPTIONS of every process a test spawns, whatever env it is
 * given, and that loader (an off-thread module hook) costs each child about half a second of
 * CPU — about 40 s of the suite's. `env -u NODE_OPTIONS` drops it between the spawn and node's
 * start; env execs node, so the child's pid (what the kill tests signal) is node's.
 */
export function nodeChild(args: readonly string[]): [command: string, args: string[]] {
  return ['env', ['-u', 'NODE_OPTIONS', process.execPath, ...args]];
}
