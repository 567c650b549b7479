/**
 * gupsim's command line: a thin dispatcher over library functions. Every command takes
 * `--help`; bad input is one line on stderr and exit 2; nothing prints a stack trace.
 */
import { diffCommand } from './commands/diff.js';
import { envCommand } from './commands/env.js';
import { explainCommand } from './commands/explain.js';
import { liveCommand } from './commands/live.js';
import { runCommand } from './commands/run.js';
import { versionsCommand } from './commands/versions.js';
import { EXIT_OK, EXIT_USAGE, UsageError, type CliIO } from './io.js';

type Command = (argv: string[], io: CliIO) => Promise<number>;

interface CommandEntry {
  run: Command;
  summary: string;
}

const COMMANDS: Record<string, CommandEntry> = {
  run: { run: runCommand, summary: 'print what gup_longterm prints in an environment (TAP, exit code)' },
  versions: { run: versionsCommand, summary: 'list modelled selftest versions and kernel behaviours' },
  diff: { run: diffCommand, summary: 'read real logs, infer the environment, triage every difference from the model' },
  explain: { run: explainCommand, summary: 'the simulated kernel trace for one sub-test' },
  env: { run: envCommand, summary: '"env detect": this machine as an environment file' },
  live: { run: liveCommand, summary: 'run a real gup_longterm here and diff it against the model' },
};

export function registerCommand(name: string, run: Command, summary: string): void {
  COMMANDS[name] = { run, summary };
}

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

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage() + '\n');
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.stderr.write(`gupsim: unknown command "${name}" (see gupsim --help)\n`);
    return EXIT_USAGE;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`gupsim ${name}: ${e.message}\n`);
      return EXIT_USAGE;
    }
    const code = (e as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`gupsim ${name}: ${(e as Error).message.split('\n')[0]}\n`);
      return EXIT_USAGE;
    }
    io.stderr.write(`gupsim ${name}: internal error: ${(e as Error).message}\n`);
    return 70;
  }
}
