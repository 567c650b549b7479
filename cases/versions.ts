/**
 * The selftest builds gupsim runs: which version of which program a `selftest.tree` (the
 * kernel tree the binary was built from) and `selftest.name` give, asked of the selftest's
 * plug-in (cases/selftests/<test>/versions.ts), memoised (every prediction asks).
 */
import { PLUGINS, selftestPlugin } from './selftests/index.js';
import type { SelftestBuild, SelftestVersion } from './selftests/build.js';
import type { SelftestName } from './selftests/names.js';

export type { SelftestBuild, SelftestVersion, SelftestVersionId } from './selftests/build.js';
export { SELFTEST_NAMES, type SelftestName } from './selftests/names.js';

/**
 * Every version of every selftest (the modelled range of releases). A function: the plug-ins'
 * modules import this one's callers (cycles are only safe for what runs after loading).
 */
export function selftestVersions(): readonly SelftestVersion[] {
  return PLUGINS.flatMap((p) => p.versions);
}

const BUILDS = new Map<string, Map<string, SelftestBuild | { error: string }>>();

/** The build a tree gives (memoised: every prediction asks). */
export function selftestBuild(
  tree: string,
  name: SelftestName = 'gup_longterm',
): SelftestBuild | { error: string } {
  let memo = BUILDS.get(name);
  if (!memo) BUILDS.set(name, (memo = new Map()));
  let b = memo.get(tree);
  if (!b) {
    b = selftestPlugin(name).build(tree);
    if (memo.size < 4096) memo.set(tree, b);
  }
  return b;
}
