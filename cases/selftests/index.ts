/**
 * The selftest plug-ins gupsim knows (./plugin.ts), and finding a run's: by its program's
 * name (`selftests: mm: NAME`, `running ./NAME`, a prompt, `ok N NAME`), or by a stable id.
 * Adding a selftest: a folder with its plug-in, listed here (and its name in ./names.ts).
 */
import { cow } from './cow/plugin.js';
import { gupLongterm } from './gup_longterm/plugin.js';
import type { SelftestName } from './names.js';
import type { SelftestPlugin } from './plugin.js';

/** Registry order is the order the parser tries id schemes and vocabularies in. */
export const PLUGINS: readonly SelftestPlugin[] = [gupLongterm, cow];

const BY_NAME = new Map<string, SelftestPlugin>(PLUGINS.map((p) => [p.name, p]));
const BY_PROGRAM = new Map<string, SelftestPlugin>(
  PLUGINS.flatMap((p) => p.runners.programs.map((prog) => [prog, p] as const)),
);

export function selftestPlugin(name: SelftestName): SelftestPlugin {
  return BY_NAME.get(name)!;
}

/** The plug-in whose binary this is (`gup_longterm`, `pin_longterm`, `cow`), without directory. */
export function pluginOfProgram(program: string): SelftestPlugin | undefined {
  return BY_PROGRAM.get(program);
}

/** The plug-in whose id scheme a stable id is of. */
export function pluginOfId(id: string): SelftestPlugin | undefined {
  return PLUGINS.find((p) => p.ids.owns(id));
}

/** Index of a plug-in in PLUGINS (the parser keeps per-plug-in tallies in arrays). */
export function pluginIndex(name: SelftestName): number {
  return PLUGINS.findIndex((p) => p.name === name);
}
