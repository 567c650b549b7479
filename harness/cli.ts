/**
 * gupsim's command line: a thin dispatcher over library functions. Every command takes
 * `--help`; bad input is one line on stderr and exit 2; nothing prints a stack trace.
 */
import { EXIT_BROKEN_PIPE, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, UsageError, usageLines, type CliIO } from './io.js';
import { OutputError, terminalSafe } from './terminal-io.js';

// For bin/gupsim.js, which loads this bundle: the line for a stream that fails after the
// command returned (stdout through a non-blocking pipe), escaped like every other line.
export { outputErrorText } from './terminal-io.js';
export { visibleControls } from '../reports/formats/escape.js';

type Command = (argv: string[], io: CliIO) => Promise<number>;

interface CommandEntry {
  /** Loaded on use: `gupsim run` should not pay for SQLite, pg or the log parser. */
  load: () => Promise<Command>;
  summary: string;
}

const COMMANDS: Record<string, CommandEntry> = {
  run: {
    load: async () => (await import('./commands/run.js')).runCommand,
    summary: 'print what gup_longterm prints in an environment (TAP, exit code)',
  },
  versions: {
    load: async () => (await import('./commands/versions.js')).versionsCommand,
    summary: 'list modelled selftest versions and kernel behaviours',
  },
  diff: {
    load: async () => (await import('./commands/diff.js')).diffCommand,
    summary: 'read real logs, infer the environment, triage every difference from the model',
  },
  explain: {
    load: async () => (await import('./commands/explain.js')).explainCommand,
    summary: 'the simulated kernel trace for one sub-test',
  },
  env: { load: async () => (await import('./commands/env.js')).envCommand, summary: '"env detect": this machine as an environment file' },
  live: {
    load: async () => (await import('./commands/live.js')).liveCommand,
    summary: 'run a real gup_longterm here and diff it against the model',
  },
  record: {
    load: async () => (await import('./commands/record.js')).recordCommand,
    summary: 'parse, triage and store logs in the result history (SQLite or PostgreSQL)',
  },
  history: {
    load: async () => (await import('./commands/history.js')).historyCommand,
    summary: 'per sub-test timelines, failing since, flapping, disappeared results',
  },
  compare: {
    load: async () => (await import('./commands/compare.js')).compareCommand,
    summary: 'regressions, fixes, newly missing/skipped between two runs, with the model’s account',
  },
  scenario: {
    load: async () => (await import('./commands/scenario.js')).scenarioCommand,
    summary: 'run a story of what goes wrong after a pin (dirty-after-writeback, cow-either-way, …)',
  },
  report: {
    load: async () => (await import('./commands/report.js')).reportCommand,
    summary: 'export the history as JUnit, KCIDB, HTML or JSON',
  },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'usage: gupsim <command> [options]    (gupsim <command> --help for its options)',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Exit codes: 0 fine, 1 something needs a human (or the simulated test failed), 2 bad input.',
  ].join('\n');
}

export async function main(argv: string[], given: CliIO): Promise<number> {
  // Every command writes through this: controls from input shown, never sent to the terminal.
  const io = terminalSafe(given);
  try {
    return await dispatch(argv, io);
  } catch (e) {
    if (!(e instanceof OutputError)) throw e;
    if (e.brokenPipe) return EXIT_BROKEN_PIPE;
    // stdout is gone (a full disk): say so on stderr if it still works, exit as for bad input.
    try {
      io.stderr.write(`gupsim${argv[0] === undefined ? '' : ` ${argv[0]}`}: ${e.message}\n`);
    } catch {
      // stderr failed too: the exit code is all that is left.
    }
    return EXIT_USAGE;
  }
}

async function dispatch(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage() + '\n');
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  // Own properties only: "__proto__" or "toString" are not commands.
  const cmd = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!cmd) {
    io.stderr.write(`gupsim: unknown command "${name}" (see gupsim --help)\n`);
    return EXIT_USAGE;
  }
  try {
    return await (await cmd.load())(rest, io);
  } catch (e) {
    if (e instanceof OutputError) throw e;
    if (e instanceof UsageError) {
      for (const line of usageLines(e)) io.stderr.write(`gupsim ${name}: ${line}\n`);
      return EXIT_USAGE;
    }
    const code = (e as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`gupsim ${name}: ${(e as Error).message.split('\n')[0]}\n`);
      return EXIT_USAGE;
    }
    io.stderr.write(`gupsim ${name}: internal error: ${(e as Error).message}\n`);
    return EXIT_INTERNAL;
  }
}
