/**
 * `gupsim record LOG…`: parse, triage and store logs; one line per run. Each log streams into
 * the store (record-stream.ts): a large log is recorded in bounded memory. Exit 0 when every
 * run is explained, 1 when a run of a log (stored now, or before) needs a human — as `gupsim
 * diff` — and 2 when a log could not be recorded.
 */
import { NEEDS_HUMAN } from '../../reports/diff/types.js';
import { EXIT_ATTENTION, EXIT_OK, EXIT_USAGE, UsageError, type CliIO } from '../io.js';
import { DB_HELP, envFile, guarded, isoDate, NO_RUN_FOUND, parseFlags, storePath } from './common.js';
import { progress } from './progress.js';
import { LOG_LIMIT_BYTES, reopenableLog } from '../read-input.js';
import { openStore, type Store } from '../../reports/store/open.js';
import { runLinesOf, storedRunsOf, type RunLine } from '../../reports/store/read.js';
import { knownStored } from '../../reports/known/apply.js';
import type { KnownMatcher } from '../../reports/known/match.js';
import { KnownTally, tallyBlock } from '../../reports/known/tally.js';
import type { KnownRunNote } from '../../reports/known/types.js';
import { KNOWN_HELP, loadKnown } from '../known-file.js';
import { LogChangedError, recordStream, type StreamRecordOutcome } from '../../reports/store/record-stream.js';
import type { RunMeta } from '../../reports/store/types.js';

export const RECORD_HELP = `Usage: gupsim record LOG… [options]

Parse and triage selftest logs (gup_longterm, cow; a log may hold runs of both) and store
their runs, each with its test (a log already stored is skipped).
LOG may be - for stdin. Prints one line per run. A log must be a regular file (or stdin)
of at most 64 MiB; CRLF and LF copies of a log are the same log.

Exit: 0 every run recorded and explained (or known), 1 a run needs a human (as gupsim diff;
for a log already recorded, by its stored triage), 2 a log could not be recorded (bad input;
also a known-issues file with a mistake: nothing is recorded then).

The history keeps gupsim's own triage; --known applies the lab's file to what this command
prints and to its exit code (history, compare and report apply the file they are given).

Options:
  --kernel LABEL    kernel label (default: the --env file's kernel.release)
  --arch ARCH       architecture label (default: the --env file's arch)
  --machine NAME    the machine the log came from (history groups runs by it)
  --date DATE       when the run happened (default: now)
  --env FILE        the environment the log was produced in (*.env.json); else inferred
  --json            one JSON object per log on stdout
${KNOWN_HELP}
${DB_HELP}
  -h, --help        this help
`;

const OPTIONS = {
  kernel: { type: 'string' },
  arch: { type: 'string' },
  machine: { type: 'string' },
  date: { type: 'string' },
  env: { type: 'string' },
  json: { type: 'boolean' },
  known: { type: 'string' },
  db: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A stored run as record prints it, with the lab's known issues applied when given. */
interface OutcomeLine extends RunLine {
  knownNotes?: KnownRunNote[];
}

/** The log's runs in order: as stored, or (with a known-issues file) with it applied. */
async function* outcomeLines(store: Store, hash: string, known: Known | undefined): AsyncGenerator<OutcomeLine> {
  if (!known) {
    yield* runLinesOf(store, hash);
    return;
  }
  for await (const { run, results } of storedRunsOf(store, hash)) {
    const k = knownStored(run, results, known.matcher);
    known.tally.add(k.run.knownNotes, `run ${run.id}`);
    yield { id: run.id, runIndex: run.runIndex, test: run.test, triage: k.run.triage, summary: k.run.summary, ...(k.run.knownNotes ? { knownNotes: k.run.knownNotes } : {}) };
  }
}

interface Known {
  matcher: KnownMatcher;
  tally: KnownTally;
}

/**
 * The outcome's lines on stdout, the stored runs read back page by page (never all held).
 * True when a run of the log needs a human (its stored triage, as `gupsim diff` would exit 1).
 */
async function writeOutcome(
  io: CliIO,
  store: Store,
  source: string,
  out: StreamRecordOutcome,
  meta: RunMeta,
  json: boolean,
  known: Known | undefined,
): Promise<boolean> {
  const write = (s: string): void => void io.stdout.write(s);
  let attention = false;
  if (json) {
    write(`${JSON.stringify({ source, hash: out.hash, duplicate: out.duplicate }).slice(0, -1)},"runs":[`);
    let first = true;
    for await (const r of outcomeLines(store, out.hash, known)) {
      attention ||= NEEDS_HUMAN.has(r.triage);
      const notes = r.knownNotes?.map((n) => ({ issue: n.issue.id, status: n.status, tests: n.tests }));
      write(
        `${first ? '' : ','}${JSON.stringify({ id: r.id, index: r.runIndex, test: r.test, triage: r.triage, summary: r.summary, ...(notes ? { knownNotes: notes } : {}) })}`,
      );
      first = false;
    }
    write(`],"issues":${JSON.stringify(out.issues)}}\n`);
    return attention;
  }
  if (out.duplicate) {
    // Run ids only (numbers): a few KB even for a log of thousands of runs.
    const ids: number[] = [];
    for await (const r of outcomeLines(store, out.hash, known)) {
      attention ||= NEEDS_HUMAN.has(r.triage);
      ids.push(r.id);
    }
    write(
      `${source}: already recorded (run${ids.length === 1 ? '' : 's'} ${ids.join(', ') || 'none'})\n`,
    );
    return attention;
  }
  if (out.runs === 0) {
    const why = out.issues[0] ? ` (${out.issues[0]})` : '';
    write(`${source}: ${NO_RUN_FOUND}; log stored${why}\n`);
    return false;
  }
  const kernel = meta.kernel ?? meta.env?.kernel.release ?? 'kernel ?';
  const where = meta.machine ? ` @${meta.machine}` : '';
  for await (const r of outcomeLines(store, out.hash, known)) {
    attention ||= NEEDS_HUMAN.has(r.triage);
    // gup_longterm's runs were the only ones once; any other test is named.
    const test = r.test === 'gup_longterm' ? '' : ` ${r.test}`;
    write(
      `run ${r.id}: ${source}${out.runs > 1 ? `#${r.runIndex}` : ''}${test} ${kernel}${where} ${r.triage}: ${r.summary}\n`,
    );
  }
  return attention;
}

export async function recordCommand(argv: string[], io: CliIO): Promise<number> {
  return guarded('record', io, async () => {
    const { values, positionals } = parseFlags(argv, OPTIONS);
    if (values.help) {
      io.stdout.write(RECORD_HELP);
      return EXIT_OK;
    }
    if (positionals.length === 0) throw new UsageError('expected at least one LOG (or - for stdin); see --help');
    if (positionals.filter((p) => p === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
    const env = envFile(values.env);
    // Checked whole before anything is recorded: a file with a mistake is not applied at all.
    const matcher = loadKnown(values.known);
    const known = matcher ? { matcher, tally: new KnownTally(matcher) } : undefined;
    const meta: RunMeta = {
      kernel: values.kernel ?? null,
      arch: values.arch ?? null,
      machine: values.machine ?? null,
      date: isoDate('date', values.date) ?? null,
      env: env ?? null,
    };
    const store = await openStore(storePath(values.db, io));
    let bad = 0;
    let attention = false;
    const bar = progress(io, positionals.length, 'recording');
    try {
      for (const source of positionals) {
        try {
          const log = await reopenableLog(source, io.stdin as AsyncIterable<string | Uint8Array>, LOG_LIMIT_BYTES);
          try {
            const out = await recordStream(store, { source, meta, env, open: () => log.open() });
            attention =
              (await writeOutcome(io, store, source, out, meta, values.json === true, known)) || attention;
          } finally {
            log.close();
          }
        } catch (e) {
          if (!(e instanceof UsageError || e instanceof LogChangedError)) throw e;
          // One unreadable log must not stop the others; it still makes the exit code 2.
          bad++;
          io.stderr.write(`gupsim record: ${e.message}\n`);
        }
        bar.tick(source);
      }
    } finally {
      bar.stop();
      await store.close();
    }
    if (known && values.json !== true) io.stdout.write(`${tallyBlock(known.matcher.file, known.tally.result())}\n`);
    return bad > 0 ? EXIT_USAGE : attention ? EXIT_ATTENTION : EXIT_OK;
  });
}
