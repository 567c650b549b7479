/** `gupsim explain ID`: the simulated kernel's trace for one sub-test in an environment. */
import { parseArgs } from 'node:util';
import { predict } from '../../cases/predict.js';
import { scenariosForTrace } from '../../cases/scenarios/index.js';
import { PLUGINS, pluginOfId, selftestPlugin } from '../../cases/selftests/index.js';
import { ENV_FLAG_OPTIONS, ENV_FLAGS_HELP, environmentFromFlags } from '../env-flags.js';
import { EXIT_OK, UsageError, type CliIO } from '../io.js';
import { formatTraceEvent } from './run.js';

export const EXPLAIN_HELP = `usage: gupsim explain ID [--env FILE] [flags] [--json]

Print what the simulated kernel did for one sub-test, e.g.
  gupsim explain rw/gup/shared/local-tmpfile --kernel 6.4
  gupsim explain iouring/private/tmpfile --env machine.env.json

IDs (the id names its selftest; --test or selftest.name need not):
${PLUGINS.map((p) => `  ${p.name}: ${p.ids.shapes}`).join('\n')}
(see gupsim run --json, gupsim run --test cow --json).
${ENV_FLAGS_HELP}`;

export async function explainCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...ENV_FLAG_OPTIONS, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    io.stdout.write(EXPLAIN_HELP + '\n');
    return EXIT_OK;
  }
  const id = positionals[0];
  if (!id || positionals.length > 1) throw new UsageError('expected exactly one sub-test ID (see gupsim explain --help)');
  let env = environmentFromFlags(values);
  // The id names its test: `explain cow/…` runs cow unless --test says otherwise.
  const owner = pluginOfId(id);
  if (owner && values.test === undefined && owner.name !== env.selftest.name) env = { ...env, selftest: { ...env.selftest, name: owner.name } };
  const p = predict(env);
  if ('error' in p) throw new UsageError(p.error);
  const s = p.run.subtests.find((x) => x.id === id);
  if (!s) {
    const known = p.run.subtests.map((x) => x.id);
    const near = known.filter((k) => k.split('/').slice(0, 2).join('/') === id.split('/').slice(0, 2).join('/'));
    throw new UsageError(`no sub-test "${id}" in this environment${near.length ? `; e.g. ${near.slice(0, 4).join(', ')}` : ` (${known.length} sub-tests; see gupsim run --json)`}`);
  }
  if (values.json) {
    io.stdout.write(JSON.stringify(s, null, 2) + '\n');
    return EXIT_OK;
  }
  const lines = [
    `${s.id}: ${s.name}`,
    `  selftest ${p.run.build.version.id} (tree ${p.run.build.tree}), kernel ${p.env.kernel.release}${p.env.kernel.patches.length ? ' ' + p.env.kernel.patches.join(' ') : ''}`,
    `  result: ${s.number === null ? 'no result line' : `#${s.number}`} ${s.verdict}${s.result ? ` "${s.result}"` : ''}${s.errno ? `, errno ${s.errno}` : ''}`,
    ...s.diagnostics.map((d) => `  # ${d}`),
    '  trace:',
    ...s.trace.map((e) => `    ${formatTraceEvent(e)}`),
  ];
  // Why the verdict matters: the story the cited commit prevents, on this kernel without it.
  const patches = p.env.kernel.patches.map((x) => ` --patch=${x}`).join('');
  const links = scenariosForTrace(s.trace);
  const plugin = selftestPlugin(p.env.selftest.name);
  const story = plugin.scenarioFor(s.id);
  if (story && !links.some((l) => l.scenario === story)) links.push({ scenario: story, commit: '', kind: 'story' });
  for (const link of links) {
    const label = {
      refusal: 'this refusal prevents',
      decision: 'why this matters',
      absent: 'what this kernel allows',
      story: s.verdict === 'pass' || s.verdict === 'skip' ? 'what this row checks' : 'what this row stands for',
    }[link.kind];
    const revert = link.kind === 'absent' || link.kind === 'story' ? '' : ` --patch=-${link.commit}`;
    lines.push(
      `  ${label}: ${link.scenario.name} — ${link.scenario.summary}`,
      `    gupsim scenario ${link.scenario.name}${plugin.scenarioArgs(s.id, link.scenario)} --kernel ${p.env.kernel.release}${patches}${revert}`,
    );
  }
  io.stdout.write(lines.join('\n') + '\n');
  return EXIT_OK;
}
