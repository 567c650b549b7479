/**
 * `gupsim scenario [NAME]`: run one of the failure stories the gup_longterm matrix exists to
 * prevent on a simulated machine, and print TAP 13 (one result per checked property), the
 * kernel trace per step (--explain) or the result object (--json). Exit 0 whenever the
 * scenario ran, whatever its outcome; 2 for bad input.
 */
import { parseArgs } from 'node:util';
import { SCENARIOS, scenarioByName } from '../../cases/scenarios/index.js';
import type { Scenario } from '../../cases/scenarios/scenario.js';
import { ENV_FLAG_OPTIONS, ENV_FLAGS_HELP, environmentFromFlags } from '../env-flags.js';
import { EXIT_OK, UsageError, type CliIO } from '../io.js';
import { scenarioTap } from '../scenario/tap.js';

const OPTION_NAMES = [...new Set(SCENARIOS.flatMap((s) => s.options.map((o) => o.name)))];
const SCENARIO_OPTIONS = Object.fromEntries(
  OPTION_NAMES.map((n) => [n, { type: 'string' as const }]),
);

export function scenarioList(): string {
  const width = Math.max(...SCENARIOS.map((s) => s.name.length));
  return SCENARIOS.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`).join('\n');
}

export const SCENARIO_HELP = `usage: gupsim scenario [NAME [options] [env flags] [--json | --explain]]

Run a story of what goes wrong after a long-term pin that should not have been allowed (or
why a refusal matters) on a simulated kernel. Without NAME: the list. Output is TAP 13, one
result per checked property, the steps as comments; the outcome word is one of refused,
crashed, corrupted, untracked, leaked, diverged, safe. Exit 0 when the scenario ran.

  --explain   the kernel trace of every step (function, decision, commit)
  --json      {scenario, kernel, options, outcome, summary, steps, checks, final}

Scenarios (gupsim scenario NAME --help for the story and its options):
${scenarioList()}

${ENV_FLAGS_HELP}`;

function scenarioHelp(s: Scenario): string {
  const opts = s.options.map(
    (o) => `  --${o.name} ${o.values.join('|')}  (default ${o.default})\n      ${o.help}`,
  );
  return [
    `usage: gupsim scenario ${s.name} [options] [env flags] [--json | --explain]`,
    '',
    s.story,
    '',
    'Options:',
    ...opts,
    '',
    ENV_FLAGS_HELP,
  ].join('\n');
}

/** The scenario's own options, defaulted and validated; any other scenario's option is an error. */
function scenarioOptions(
  s: Scenario,
  given: Record<string, string | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of OPTION_NAMES) {
    const v = given[name];
    const opt = s.options.find((o) => o.name === name);
    if (!opt) {
      if (v !== undefined)
        throw new UsageError(
          `--${name} is not an option of ${s.name} (see gupsim scenario ${s.name} --help)`,
        );
      continue;
    }
    if (v !== undefined && !opt.values.includes(v))
      throw new UsageError(`--${name}: expected ${opt.values.join(', ')}, got "${v}"`);
    out[name] = v ?? opt.default;
  }
  return out;
}

export async function scenarioCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...ENV_FLAG_OPTIONS,
      ...SCENARIO_OPTIONS,
      explain: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  const name = positionals[0];
  if (positionals.length > 1)
    throw new UsageError('expected one scenario name (see gupsim scenario)');
  if (name === undefined) {
    io.stdout.write(values.help ? SCENARIO_HELP + '\n' : scenarioList() + '\n');
    return EXIT_OK;
  }
  const s = scenarioByName(name);
  if (!s)
    throw new UsageError(
      `unknown scenario "${name}" (known: ${SCENARIOS.map((x) => x.name).join(', ')})`,
    );
  if (values.help) {
    io.stdout.write(scenarioHelp(s) + '\n');
    return EXIT_OK;
  }
  if (values.json && values.explain)
    throw new UsageError('--json already carries the trace; use one of --json, --explain');
  const opts = scenarioOptions(s, values as Record<string, string | undefined>);
  const r = s.run(environmentFromFlags(values), opts);
  if ('error' in r) throw new UsageError(`${s.name}: ${r.error}`);
  io.stdout.write(
    values.json ? JSON.stringify(r, null, 2) + '\n' : scenarioTap(r, values.explain ?? false),
  );
  return EXIT_OK;
}
