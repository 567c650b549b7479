/** `gupsim report --format junit|kcidb|html|json`: export stored runs through one Reporter. */
import { AtomicWriteError, writeFileAtomic } from '../atomic-write.js';
import { EXIT_OK, UsageError, type CliIO } from '../io.js';
import { DB_HELP, guarded, isoDate, openExisting, parseFlags, runIdArg, storePath, TEST_HELP, testArg } from './common.js';
import { FORMAT_NAMES, FORMATS, loadReportModel, type FormatName } from '../../reports/formats/index.js';
import { withKnown } from '../../reports/formats/model.js';
import { KNOWN_HELP, loadKnown } from '../known-file.js';

export const REPORT_HELP = `Usage: gupsim report --format FORMAT [options]

Export stored runs. FORMAT is one of:
  junit   JUnit XML, one testsuite per run, one testcase per sub-test
  kcidb   KCIDB v5.3 JSON (checkouts, builds, tests; an issue per triaged cause, an
          incident per test it explains)
  html    one self-contained HTML file: sub-tests × runs matrix, filter, details on click
  json    gupsim's result model

Options:
  --format FORMAT   required
  --out FILE        write to FILE atomically (a temporary file renamed over it; default: stdout)
  --run ID          only this run (repeatable)
  --machine NAME    only runs of this machine
${TEST_HELP}
  --since DATE      only runs dated at or after DATE
  --origin NAME     KCIDB origin / producer name (default gupsim; [a-z0-9_]+)
${KNOWN_HELP}
                    (KCIDB: an issue <origin>:known.<id> per entry, an incident per result it
                    covers, and present: false where its tests ran and did not fail)
${DB_HELP}
  -h, --help        this help
`;

const OPTIONS = {
  format: { type: 'string', short: 'f' },
  out: { type: 'string', short: 'o' },
  run: { type: 'string', multiple: true },
  machine: { type: 'string' },
  test: { type: 'string' },
  since: { type: 'string' },
  origin: { type: 'string' },
  known: { type: 'string' },
  db: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function isFormat(s: string): s is FormatName {
  return (FORMAT_NAMES as readonly string[]).includes(s);
}

export async function reportCommand(argv: string[], io: CliIO): Promise<number> {
  return guarded('report', io, async () => {
    const { values, positionals } = parseFlags(argv, OPTIONS);
    if (values.help) {
      io.stdout.write(REPORT_HELP);
      return EXIT_OK;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"; see --help`);
    if (values.format === undefined) throw new UsageError(`--format is required (${FORMAT_NAMES.join(', ')})`);
    if (!isFormat(values.format)) throw new UsageError(`--format: unknown "${values.format}" (known: ${FORMAT_NAMES.join(', ')})`);
    const origin = values.origin ?? 'gupsim';
    // KCIDB ids are "<origin>:…" and origins are lower-case identifiers.
    if (!/^[a-z0-9_]+$/.test(origin)) throw new UsageError(`--origin: expected [a-z0-9_]+, got "${origin}"`);
    const reporter = FORMATS[values.format];
    const matcher = loadKnown(values.known);
    const store = await openExisting(storePath(values.db, io));
    let text: string;
    try {
      const model = await loadReportModel(store, {
        origin,
        withLogs: values.format === 'kcidb',
        filter: {
          machine: values.machine,
          test: testArg(values.test),
          since: isoDate('since', values.since),
          ids: values.run?.map((r) => runIdArg('--run', r)),
        },
      });
      text = reporter.render(matcher ? withKnown(model, matcher) : model);
    } finally {
      await store.close();
    }
    if (values.out === undefined) io.stdout.write(text);
    else {
      try {
        await writeFileAtomic(values.out, text);
      } catch (e) {
        if (e instanceof AtomicWriteError) throw new UsageError(`--out ${values.out}: ${e.message}`);
        throw e;
      }
    }
    return EXIT_OK;
  });
}
