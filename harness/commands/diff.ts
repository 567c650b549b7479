/**
 * `gupsim diff LOG…`: parse real logs, infer (or take) each run's environment, compare with the
 * model and triage. Exit 0 when every run is explained (match, expected-failure, environment,
 * test-bug), 1 when something needs a human (a conflict, a failure or any line the model does
 * not predict), 2 for bad input.
 */
import { parseArgs } from 'node:util';
import { createReadStream, existsSync } from 'node:fs';
import { diffStream, type DiffOptions, type RunDiff } from '../../reports/diff/index.js';
import { TextWriter } from '../../reports/diff/render/text.js';
import { JsonRunsWriter } from '../../reports/diff/render/json.js';
import { TapCollector } from '../../reports/diff/render/tap.js';
import { ENV_FLAG_OPTIONS, ENV_FLAGS_HELP, environmentFromFlags, hasEnvOverrides, pinFromFlags, type EnvFlagValues } from '../env-flags.js';
import { EXIT_ATTENTION, EXIT_OK, EXIT_USAGE, UsageError, type CliIO } from '../io.js';
import { checkRegularFile, checkStdin, limitStream, LOG_LIMIT_BYTES } from '../read-input.js';
import { NO_RUN_FOUND } from './common.js';
import { diffExport, originArg } from './diff-export.js';

export const DIFF_HELP = `usage: gupsim diff LOG... [--env FILE] [flags] [--json | --tap | --kcidb | --junit]

Read selftest logs — gup_longterm and cow; bare, runner-wrapped (a CI log may hold both),
mailed, console-captured; "-" for stdin — each run as its test's (named by its runner, prompt
or [RUN] wording), infer the environment each run implies, compare every sub-test with the
simulated kernel's prediction — and every other line of the run: its Bail out!, Totals and
plan, the runners' verdicts, statuses and counters, the gup_test programs run beside
gup_longterm — and triage: match, expected-failure, environment, test-bug,
kernel-regression, conflict, crash, infrastructure, missing, unexplained.

  --json      machine-readable report (sub-tests, and the run's other evidence)
  --tap       one TAP line per sub-test (ok when observed equals predicted), then one per
              piece of run-level evidence (ok when predicted or implied by the results)
  --kcidb     KCIDB v5.3 JSON: checkouts, builds, tests, and an issue per triaged cause
              with an incident per test it explains (as \`record\` + \`report --format kcidb\`)
  --junit     JUnit XML for CI dashboards (as \`record\` + \`report --format junit\`)
  --origin NAME     KCIDB origin / JUnit producer (default gupsim; [a-z0-9_]+)
  --machine NAME    the machine label of --kcidb/--junit builds and suites

A LAVA job log (log.yaml: records of {dt, lvl, msg}) is read as the console its \`target\`
records hold; line numbers then count records.

--env FILE pins the whole environment; the other environment flags pin single facts and let
the rest be inferred. The log says which selftest each run is: --test and selftest.name do not
change it.
${ENV_FLAGS_HELP}

Exit: 0 every run explained, 1 something needs a human, 2 bad input.`;

/** Diff options from the environment flags: a full environment, pinned facts, or nothing. */
export function diffOptionsFromFlags(flags: EnvFlagValues): DiffOptions {
  if (flags.env) return { env: environmentFromFlags(flags) };
  if (hasEnvOverrides(flags)) {
    const pin = pinFromFlags(flags);
    return { pin };
  }
  return {};
}

/** Where the streamed runs go: one writer per output form. */
interface RunWriter {
  run(source: string, r: RunDiff): void;
  logIssues(source: string, messages: readonly string[]): void;
  end(): void;
}

/**
 * The input of a log, paced by the output: a chunk is read only once stdout has drained, so
 * a slow reader of `gupsim diff --json` of a huge log does not make the process buffer it all.
 */
async function* paced(stream: AsyncIterable<string | Uint8Array>, io: CliIO): AsyncGenerator<string | Uint8Array> {
  const out = io.stdout as { writableNeedDrain?: boolean; once?: (e: 'drain', f: () => void) => unknown };
  for await (const chunk of stream) {
    if (out.writableNeedDrain && out.once) await new Promise<void>((resolve) => out.once?.('drain', resolve));
    yield chunk;
  }
}

export async function diffCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...ENV_FLAG_OPTIONS,
      json: { type: 'boolean' },
      tap: { type: 'boolean' },
      kcidb: { type: 'boolean' },
      junit: { type: 'boolean' },
      origin: { type: 'string' },
      machine: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) {
    io.stdout.write(DIFF_HELP + '\n');
    return EXIT_OK;
  }
  if (positionals.length === 0) throw new UsageError('no log given (gupsim diff LOG..., "-" for stdin)');
  for (const path of positionals) {
    if (path !== '-' && !existsSync(path)) throw new UsageError(`${path}: no such file`);
    // Regular files (a directory, FIFO or /dev/zero is refused by its type) and stdin, each
    // at most LOG_LIMIT_BYTES: an explicit refusal, never a silent cut.
    if (path !== '-') checkRegularFile(path, LOG_LIMIT_BYTES);
    else checkStdin(io.stdin);
  }
  const { json, tap, kcidb, junit, origin, machine, help: _h, ...flags } = values;
  const forms = [json && '--json', tap && '--tap', kcidb && '--kcidb', junit && '--junit'].filter(Boolean);
  if (forms.length > 1) throw new UsageError(`${forms.join(' and ')}: choose one output form`);
  if ((origin !== undefined || machine !== undefined) && !kcidb && !junit) throw new UsageError('--origin and --machine label --kcidb or --junit output');
  const opts = diffOptionsFromFlags(flags);
  if (kcidb || junit) return diffExport(kcidb ? 'kcidb' : 'junit', positionals, opts, { origin: originArg(origin), machine, kernel: flags.kernel }, io);
  const write = (s: string): void => void io.stdout.write(s);
  const writer: RunWriter = json
    ? new JsonRunsWriter(write)
    : tap
      ? new TapCollector(write)
      : new TextWriter(write, { colour: io.isTTY && !('NO_COLOR' in io.env) });
  // Every run is diffed and written as it ends (bounded memory for logs of any size).
  let runs = 0;
  let attention = false;
  for (const path of positionals) {
    const input = path === '-' ? (io.stdin as AsyncIterable<string | Uint8Array>) : createReadStream(path, { highWaterMark: 1 << 20 });
    const seen: { error?: UsageError } = {};
    const s = await diffStream(limitStream(paced(input, io), LOG_LIMIT_BYTES, path, seen), path, opts, (d) => writer.run(path, d));
    if (seen.error) throw seen.error;
    runs += s.runs;
    attention ||= s.needsHuman;
    writer.logIssues(path, s.issues);
  }
  if (runs === 0) {
    io.stderr.write(`gupsim diff: ${NO_RUN_FOUND} in ${positionals.join(', ')}\n`);
    return EXIT_USAGE;
  }
  writer.end();
  return attention ? EXIT_ATTENTION : EXIT_OK;
}
