/**
 * gupsim's command line: a thin dispatcher over library functions. Every command takes
 * `--help`; bad input is one line on stderr and exit 2; nothing prints a stack trace.
 */
import { dispatchMain, type CommandEntry } from './dispatch.js';
import { RUN } from './cli-run.js';
import type { CliIO } from './io.js';

// For bin/gupsim.js, which loads this bundle: the line for a stream that fails after the
// command returned (stdout through a non-blocking pipe), escaped like every other line.
export { outputErrorText } from './terminal-io.js';
export { visibleControls } from '../reports/formats/escape.js';

const COMMANDS: Record<string, CommandEntry> = {
  run: RUN,
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
    'gupsim --version prints the version.',
    'Exit codes: 0 fine, 1 something needs a human (or the simulated test failed), 2 bad input.',
  ].join('\n');
}

export function main(argv: string[], given: CliIO): Promise<number> {
  return dispatchMain({ commands: COMMANDS, usage }, argv, given);
}
