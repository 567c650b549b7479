/**
 * `gupsim diff LOG…`: parse real logs, infer (or take) each run's environment, compare with the
 * model and triage. Exit 0 when every run is explained (match, expected-failure, environment,
 * test-bug), 1 when something needs a human, 2 for bad input.
 */
import { parseArgs } from 'node:util';
import { createReadStream, existsSync } from 'node:fs';
import { parseStream } from '../../reports/parse/index.js';
import { diffParsed, needsHuman, type DiffOptions, type DiffReport } from '../../reports/diff/index.js';
import { renderText } from '../../reports/diff/render/text.js';
import { diffJson } from '../../reports/diff/render/json.js';
import { diffTap } from '../../reports/diff/render/tap.js';
import { ENV_FLAG_OPTIONS, ENV_FLAGS_HELP, environmentFromFlags, hasEnvOverrides, pinFromFlags, type EnvFlagValues } from '../env-flags.js';
import { EXIT_ATTENTION, EXIT_OK, EXIT_USAGE, UsageError, type CliIO } from '../io.js';
import { checkRegularFile, limitStream, LOG_LIMIT_BYTES } from '../read-input.js';

export const DIFF_HELP = `usage: gupsim diff LOG... [--env FILE] [flags] [--json | --tap]

Read gup_longterm logs (bare, runner-wrapped, mailed, console-captured; "-" for stdin), infer
the environment each run implies, compare every sub-test with the simulated kernel's
prediction, and triage: match, expected-failure, environment, test-bug, kernel-regression,
crash, infrastructure, missing, unexplained.

  --json      machine-readable report
  --tap       one TAP line per sub-test (ok when observed equals predicted)

--env FILE pins the whole environment; the other environment flags pin single facts and let
the rest be inferred.
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

export async function readReports(paths: string[], io: CliIO, opts: DiffOptions): Promise<DiffReport[]> {
  const reports: DiffReport[] = [];
  for (const path of paths) {
    if (path !== '-' && !existsSync(path)) throw new UsageError(`${path}: no such file`);
    // Regular files (a directory, FIFO or /dev/zero is refused by its type) and stdin, each
    // at most LOG_LIMIT_BYTES.
    if (path !== '-') checkRegularFile(path, LOG_LIMIT_BYTES);
    const stream = path === '-' ? (io.stdin as AsyncIterable<string | Uint8Array>) : createReadStream(path);
    const seen: { error?: UsageError } = {};
    const log = await parseStream(limitStream(stream, LOG_LIMIT_BYTES, path, seen));
    if (seen.error) throw seen.error;
    reports.push(diffParsed(log, path, opts));
  }
  return reports;
}

export async function diffCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...ENV_FLAG_OPTIONS, json: { type: 'boolean' }, tap: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    io.stdout.write(DIFF_HELP + '\n');
    return EXIT_OK;
  }
  if (positionals.length === 0) throw new UsageError('no log given (gupsim diff LOG..., "-" for stdin)');
  const { json, tap, help: _h, ...flags } = values;
  const reports = await readReports(positionals, io, diffOptionsFromFlags(flags));
  if (reports.every((r) => r.runs.length === 0)) {
    io.stderr.write(`gupsim diff: no gup_longterm run found in ${positionals.join(', ')}\n`);
    return EXIT_USAGE;
  }
  if (json) io.stdout.write(JSON.stringify(diffJson(reports), null, 2) + '\n');
  else if (tap) io.stdout.write(diffTap(reports));
  else io.stdout.write(renderText(reports, { colour: io.isTTY && !('NO_COLOR' in io.env) }));
  return reports.some(needsHuman) ? EXIT_ATTENTION : EXIT_OK;
}
