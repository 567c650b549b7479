/**
 * The command-line dispatcher both bundled entries share (cli.ts: every command; cli-run.ts:
 * `gupsim run` alone): every command takes `--help`; bad input is one line on stderr and exit
 * 2; nothing prints a stack trace; all output goes through the terminal-safe writers.
 */
import { EXIT_BROKEN_PIPE, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, UsageError, usageLines, type CliIO } from './io.js';
import { OutputError, terminalSafe } from './terminal-io.js';
// Bundled into the CLI (esbuild inlines JSON): the installed command names its own version.
import pkg from '../package.json' with { type: 'json' };

export type Command = (argv: string[], io: CliIO) => Promise<number>;

export interface CommandEntry {
  /** Loaded on use: `gupsim run` should not pay for SQLite, pg or the log parser. */
  load: () => Promise<Command>;
  summary: string;
}

/** The commands one entry serves, and its usage text (no command, or --help). */
export interface CommandTable {
  commands: Record<string, CommandEntry>;
  usage(): string;
}

export async function dispatchMain(table: CommandTable, argv: string[], given: CliIO): Promise<number> {
  // Every command writes through this: controls from input shown, never sent to the terminal.
  const io = terminalSafe(given);
  try {
    return await dispatch(table, argv, io);
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

async function dispatch(table: CommandTable, argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(table.usage() + '\n');
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '--version' || name === '-V') {
    io.stdout.write(`gupsim ${pkg.version}\n`);
    return EXIT_OK;
  }
  // Own properties only: "__proto__" or "toString" are not commands.
  const cmd = Object.hasOwn(table.commands, name) ? table.commands[name] : undefined;
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
