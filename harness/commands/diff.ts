/**
 * `gupsim diff LOG…`: parse real logs, infer (or take) each run's environment, compare with the
 * model and triage. Exit 0 when every run is explained (match, expected-failure, environment,
 * test-bug), 1 when something needs a human (a conflict, a failure or any line the model does
 * not predict), 2 for bad input.
 */
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { diffStream, type DiffOptions, type RunDiff } from '../../reports/diff/index.js';
import { TextWriter } from '../../reports/diff/render/text.js';
import { SummaryTextWriter } from '../../reports/diff/render/summary.js';
import { DistinctJsonWriter, JsonRunsWriter } from '../../reports/diff/render/json.js';
import { TapCollector } from '../../reports/diff/render/tap.js';
import { KnownTally, tallyBlock, tallyJson } from '../../reports/known/tally.js';
import { KNOWN_HELP, loadKnown } from '../known-file.js';
import { readProgress } from './read-progress.js';
import { ENV_FLAG_OPTIONS, ENV_FLAGS_HELP, environmentFromFlags, hasEnvOverrides, pinFromFlags, type EnvFlagValues } from '../env-flags.js';
import { EXIT_ATTENTION, EXIT_OK, EXIT_USAGE, UsageError, type CliIO } from '../io.js';
import { checkRegularFile, checkStdin, fileBytes, limitStream, LOG_LIMIT_BYTES } from '../read-input.js';
import { NO_RUN_FOUND } from './common.js';
import { diffExport, originArg } from './diff-export.js';

export const DIFF_HELP = `usage: gupsim diff LOG... [--env FILE] [flags] [--known FILE] [--all-runs] [--json | --tap | --kcidb | --junit]

Read selftest logs — gup_longterm and cow; bare, runner-wrapped (a CI log may hold both),
mailed, console-captured; "-" for stdin — each run as its test's (named by its runner, prompt
or [RUN] wording), infer the environment each run implies, compare every sub-test with the
simulated kernel's prediction — and every other line of the run: its Bail out!, Totals and
plan, the runners' verdicts, statuses and counters, the gup_test programs run beside
gup_longterm — and triage: match, expected-failure, environment, test-bug,
kernel-regression, conflict, crash, infrastructure, missing, unexplained (and known: a
failure the lab's --known file lists).

A log of many runs is summarised: one block per distinct outcome (its triage, the sub-tests
that differ, the cause) with how many runs had it and which (run numbers and lines), then the
log's totals; a log whose runs all differ reads run by run.

  --all-runs  one block per run, every run (with --json: every run in full)
  --json      machine-readable report: each distinct result once in "results", each run in
              "runs" referring to it (sub-tests, and the run's other evidence)
  --tap       one TAP line per sub-test (ok when observed equals predicted; a known failure
              is "not ok … # TODO known ID"), then one per piece of run-level evidence (ok
              when predicted or implied by the results)
  --kcidb     KCIDB v5.3 JSON: checkouts, builds, tests, and an issue per triaged cause
              with an incident per test it explains (as \`record\` + \`report --format kcidb\`)
  --junit     JUnit XML for CI dashboards (as \`record\` + \`report --format junit\`)
  --origin NAME     KCIDB origin / JUnit producer (default gupsim; [a-z0-9_]+)
  --machine NAME    the machine the logs come from: --known entries may be scoped by it, and
                    it labels --kcidb/--junit builds and suites
${KNOWN_HELP}

A LAVA job log (log.yaml: records of {dt, lvl, msg}) is read as the console its \`target\`
records hold; line numbers then count records.

--env FILE pins the whole environment; the other environment flags pin single facts and let
the rest be inferred. The log says which selftest each run is: --test and selftest.name do not
change it.
${ENV_FLAGS_HELP}

Exit: 0 every run explained (or known), 1 something needs a human, 2 bad input (also a
known-issues file with a mistake: one FILE:LINE line each).`;

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
  /** The log has been read (a summary prints its outcomes now). */
  logDone(source: string): void;
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
      known: { type: 'string' },
      'all-runs': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) {
    io.stdout.write(DIFF_HELP + '\n');
    return EXIT_OK;
  }
  if (positionals.length === 0) throw new UsageError('no log given (gupsim diff LOG..., "-" for stdin)');
  let total: number | null = 0;
  for (const path of positionals) {
    if (path !== '-' && !existsSync(path)) throw new UsageError(`${path}: no such file`);
    // Regular files (a directory, FIFO or /dev/zero is refused by its type) and stdin, each
    // at most LOG_LIMIT_BYTES: an explicit refusal, never a silent cut.
    if (path !== '-') total = total === null ? null : total + checkRegularFile(path, LOG_LIMIT_BYTES);
    else {
      checkStdin(io.stdin);
      total = null;
    }
  }
  const { json, tap, kcidb, junit, origin, machine, known: knownPath, 'all-runs': allRuns, help: _h, ...flags } = values;
  const forms = [json && '--json', tap && '--tap', kcidb && '--kcidb', junit && '--junit'].filter(Boolean);
  if (forms.length > 1) throw new UsageError(`${forms.join(' and ')}: choose one output form`);
  if (origin !== undefined && !kcidb && !junit) throw new UsageError('--origin labels --kcidb or --junit output');
  if (machine !== undefined && !kcidb && !junit && knownPath === undefined) {
    throw new UsageError('--machine labels --kcidb or --junit output, or scopes --known entries');
  }
  if (allRuns && (tap || kcidb || junit)) throw new UsageError('--all-runs applies to the text and --json reports');
  // Checked whole before any log is read: a file with a mistake is not applied at all.
  const matcher = loadKnown(knownPath);
  const opts = { ...diffOptionsFromFlags(flags), ...(matcher ? { known: { matcher, machine } } : {}) };
  if (kcidb || junit) return diffExport(kcidb ? 'kcidb' : 'junit', positionals, opts, { origin: originArg(origin), machine, kernel: flags.kernel }, io);
  const write = (s: string): void => void io.stdout.write(s);
  const colour = { colour: io.isTTY && !('NO_COLOR' in io.env) };
  // Every run is diffed as it ends; --all-runs writes it then, a summary keeps its outcome.
  const summary = !allRuns && !json && !tap;
  const writer = json
    ? allRuns
      ? new JsonRunsWriter(write)
      : new DistinctJsonWriter(write)
    : tap
      ? new TapCollector(write)
      : summary
        ? new SummaryTextWriter(write, colour)
        : new TextWriter(write, colour);
  const each: RunWriter = writer;
  // The bar shares the terminal only with output that waits for the end of the read.
  const bar = readProgress(io, total, !(allRuns && !json && io.isTTY));
  const tally = matcher ? new KnownTally(matcher) : undefined;
  let runs = 0;
  let attention = false;
  try {
    for (const path of positionals) {
      const input = path === '-' ? (io.stdin as AsyncIterable<string | Uint8Array>) : fileBytes(path);
      const seen: { error?: UsageError } = {};
      const stream = limitStream(paced(bar.wrap(input, path), io), LOG_LIMIT_BYTES, path, seen);
      const s = await diffStream(stream, path, opts, (d) => {
        bar.run();
        tally?.add(d.knownNotes, positionals.length > 1 ? `${path} run ${d.index + 1}` : `run ${d.index + 1}`);
        each.run(path, d);
      });
      if (seen.error) throw seen.error;
      runs += s.runs;
      attention ||= s.needsHuman;
      each.logIssues(path, s.issues);
      bar.stop();
      each.logDone(path);
    }
  } finally {
    bar.stop();
  }
  if (runs === 0) {
    io.stderr.write(`gupsim diff: ${NO_RUN_FOUND} in ${positionals.join(', ')}\n`);
    return EXIT_USAGE;
  }
  const tallies = tally?.result();
  if (writer instanceof DistinctJsonWriter || writer instanceof JsonRunsWriter) {
    writer.end(tally && tallies ? tallyJson(tally.file, tallies) : undefined);
  } else if (writer instanceof TapCollector) writer.end();
  else writer.end(tally && tallies ? [tallyBlock(tally.file, tallies)] : []);
  return attention ? EXIT_ATTENTION : EXIT_OK;
}
