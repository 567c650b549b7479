/** `gupsim versions`: the selftest versions and kernel behaviours gupsim models. */
import { parseArgs } from 'node:util';
import { selftestPlugin } from '../../cases/selftests/index.js';
import { BEHAVIOURS } from '../../kernel-model/behaviours.js';
import { compareMainline, isRelease, parseRelease, type Release } from '../../kernel-model/release.js';

function releaseOf(text: string): Release {
  const r = parseRelease(text);
  /* c8 ignore next */
  if (!isRelease(r)) throw new Error(`bad release constant ${text}`);
  return r;
}
import { RUNNER_EVIDENCE } from '../../cases/runners/eras.js';
import { EXIT_OK, type CliIO } from '../io.js';

export const VERSIONS_HELP = `usage: gupsim versions [--json]

List the gup_longterm and cow versions (selected by selftest.tree, and selftest.name for
cow) and the kernel behaviours (selected by kernel.release and kernel.patches) that gupsim
models.`;

export async function versionsCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    io.stdout.write(VERSIONS_HELP + '\n');
    return EXIT_OK;
  }
  const listed = (name: 'gup_longterm' | 'cow'): { id: string; firstShipped: string; summary: string }[] =>
    selftestPlugin(name).versions.map(({ id, firstShipped, summary }) => ({ id, firstShipped, summary }));
  const selftests = listed('gup_longterm');
  const cow = listed('cow');
  if (values.json) {
    io.stdout.write(JSON.stringify({ selftests, cow, behaviours: BEHAVIOURS, runners: RUNNER_EVIDENCE }, null, 2) + '\n');
    return EXIT_OK;
  }
  const out: string[] = ['gup_longterm versions (selftest.tree picks the newest at or before it):'];
  for (const v of selftests) out.push(`  ${v.id.padEnd(3)} ${v.firstShipped.padEnd(34)} ${v.summary}`);
  out.push('', 'cow versions (selftest.name cow; selftest.tree picks the newest at or before it):');
  for (const v of cow) {
    out.push(`  ${v.id.padEnd(9)} ${v.firstShipped}`);
    out.push(`  ${' '.repeat(9)} ${v.summary}`);
  }
  out.push('', 'Kernel behaviours (kernel.release; kernel.patches +ID/-ID):');
  // By release, so the timeline reads in order whatever order the table was written in.
  const byRelease = [...BEHAVIOURS].sort((a, b) => compareMainline(releaseOf(a.release), releaseOf(b.release)));
  for (const b of byRelease) {
    const bp = b.backports ? ` (backported: ${Object.values(b.backports).join(', ')})` : '';
    out.push(`  ${(b.commit ?? '(no commit)').padEnd(12)} ${b.release.padEnd(5)} ${b.name.padEnd(36)} ${b.title}${bp}`);
    if (b.evidence) out.push(`  ${' '.repeat(19)}evidence: ${b.evidence}`);
  }
  out.push('', 'Runners (chosen by selftest.tree):');
  for (const e of RUNNER_EVIDENCE) out.push(`  ${e}`);
  io.stdout.write(out.join('\n') + '\n');
  return EXIT_OK;
}
