/**
 * The entry of the `gupsim run` bundle (dist/gupsim-run.cjs, scripts/build-cli.mjs): the same
 * dispatcher and `run` command as the whole CLI (cli.ts), without the other commands. A start
 * reads, hashes and deserialises the whole bundle it runs, and `run` is the command whose start
 * is measured against a bare `node` (bin/gupsim.js picks this bundle for it): a third of the
 * source and of the code cache, a few milliseconds less at every start.
 */
import { dispatchMain, type CommandEntry } from './dispatch.js';
import type { CliIO } from './io.js';

export { outputErrorText } from './terminal-io.js';
export { visibleControls } from '../reports/formats/escape.js';

/** `gupsim run` (cli.ts lists it with the others). */
export const RUN: CommandEntry = {
  load: async () => (await import('./commands/run.js')).runCommand,
  summary: 'print what a selftest (gup_longterm, cow: --test) prints in an environment (TAP, exit code)',
};

const TABLE = {
  commands: { run: RUN },
  usage: () => 'usage: gupsim run [options]    (gupsim --help for every command)',
};

export function main(argv: string[], given: CliIO): Promise<number> {
  return dispatchMain(TABLE, argv, given);
}
