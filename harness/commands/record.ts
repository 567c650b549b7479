/** `gupsim record LOG…`: parse, triage and store logs; one line per run. */
import { EXIT_OK, EXIT_USAGE, UsageError, type CliIO } from '../io.js';
import { DB_HELP, envFile, guarded, isoDate, parseFlags, readLogArg, storePath } from './common.js';
import { progress } from './progress.js';
import { openStore } from '../../reports/store/open.js';
import { recordLog } from '../../reports/store/record.js';
import { diffLogText } from '../../reports/store/triage-source.js';
import type { RecordOutcome, RunMeta } from '../../reports/store/types.js';
import type { DiffReport } from '../../reports/diff/types.js';

export const RECORD_HELP = `Usage: gupsim record LOG… [options]

Parse and triage gup_longterm logs and store their runs (a log already stored is skipped).
LOG may be - for stdin. Prints one line per run. A log must be a regular file (or stdin)
of at most 64 MiB; CRLF and LF copies of a log are the same log.

Options:
  --kernel LABEL    kernel label (default: the --env file's kernel.release)
  --arch ARCH       architecture label (default: the --env file's arch)
  --machine NAME    the machine the log came from (history groups runs by it)
  --date DATE       when the run happened (default: now)
  --env FILE        the environment the log was produced in (*.env.json); else inferred
  --json            one JSON object per log on stdout
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
  db: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function runLines(source: string, report: DiffReport, out: RecordOutcome, meta: RunMeta): string[] {
  if (out.duplicate) return [`${source}: already recorded (run${out.runIds.length === 1 ? '' : 's'} ${out.runIds.join(', ') || 'none'})`];
  if (report.runs.length === 0) {
    const why = report.issues[0] ? ` (${report.issues[0]})` : '';
    return [`${source}: no gup_longterm run found; log stored${why}`];
  }
  return report.runs.map((r, i) => {
    const kernel = meta.kernel ?? meta.env?.kernel.release ?? 'kernel ?';
    const where = meta.machine ? ` @${meta.machine}` : '';
    return `run ${out.runIds[i] ?? '?'}: ${source}${report.runs.length > 1 ? `#${r.index}` : ''} ${kernel}${where} ${r.triage}: ${r.summary}`;
  });
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
    const meta: RunMeta = {
      kernel: values.kernel ?? null,
      arch: values.arch ?? null,
      machine: values.machine ?? null,
      date: isoDate('date', values.date) ?? null,
      env: env ?? null,
    };
    const store = await openStore(storePath(values.db, io));
    let bad = 0;
    const bar = progress(io, positionals.length, 'recording');
    try {
      for (const source of positionals) {
        let text: string;
        try {
          text = await readLogArg(source, io);
        } catch (e) {
          if (!(e instanceof UsageError)) throw e;
          // One unreadable log must not stop the others; it still makes the exit code 2.
          bad++;
          io.stderr.write(`gupsim record: ${e.message}\n`);
          bar.tick(source);
          continue;
        }
        const report = diffLogText(text, source, env);
        const out = await recordLog(store, { text, source, meta, report });
        if (values.json) {
          io.stdout.write(
            `${JSON.stringify({
              source,
              hash: out.hash,
              duplicate: out.duplicate,
              runs: report.runs.map((r, i) => ({ id: out.runIds[i] ?? null, index: r.index, triage: r.triage, summary: r.summary })),
              issues: report.issues,
            })}\n`,
          );
        } else {
          for (const line of runLines(source, report, out, meta)) io.stdout.write(`${line}\n`);
        }
        bar.tick(source);
      }
    } finally {
      bar.stop();
      await store.close();
    }
    return bad > 0 ? EXIT_USAGE : EXIT_OK;
  });
}
