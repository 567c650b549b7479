/** `gupsim history`: per sub-test timelines, failing-since ranges, flapping and disappeared results. */
import { EXIT_OK, UsageError, type CliIO } from '../io.js';
import { DB_HELP, guarded, isoDate, openExisting, parseFlags, storePath, TEST_HELP, testArg } from './common.js';
import {
  buildTimelines,
  disappeared,
  failingSince,
  flapping,
  timelineGlyphs,
  FLAP_MIN_CHANGES,
  FLAP_MIN_RUNS,
  type RunRef,
} from '../../reports/history/index.js';
import { listRuns, verdictRows } from '../../reports/store/read.js';
import type { RunFilter } from '../../reports/store/types.js';
import { knownHistory, markKey, type KnownHistory } from '../../reports/known/history.js';
import { KnownTally, tallyLine } from '../../reports/known/tally.js';
import type { KnownMatcher } from '../../reports/known/match.js';
import { KNOWN_HELP, loadKnown } from '../known-file.js';

export const HISTORY_HELP = `Usage: gupsim history [options]

Per sub-test timelines over the stored runs of each selftest (oldest first), with:
  failing since   the last pass and first fail of each current failure (a bisect range)
  flapping        verdict changed >= ${FLAP_MIN_CHANGES} times over >= ${FLAP_MIN_RUNS} runs of one kernel and
                  environment (on one machine)
  disappeared     present in a machine's previous run, absent now (MISS), with or without a crash
  known issues    with --known: which current failures the lab's file lists, and per machine
                  which of its entries no longer show (their tests pass, or no longer run)

Options:
  --id ID           one sub-test (stable id, e.g. iouring/private/tmpfile, cow/ro-pin/memfd)
${TEST_HELP}
  --machine NAME    runs of one machine
  --since DATE      runs dated at or after DATE
  --last N          text output: timeline characters for the last N runs (default 60)
  --json            machine-readable output
${KNOWN_HELP}
${DB_HELP}
  -h, --help        this help
`;

const OPTIONS = {
  id: { type: 'string' },
  test: { type: 'string' },
  machine: { type: 'string' },
  since: { type: 'string' },
  last: { type: 'string' },
  json: { type: 'boolean' },
  known: { type: 'string' },
  db: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Per machine, each entry's line; every entry out of scope when no run was in any entry's scope. */
function knownLines(k: KnownHistory, file: string, matcher: KnownMatcher): string[] {
  const machines = k.machines.length ? k.machines : [{ machine: null, issues: new KnownTally(matcher).result() }];
  const out = [`\nKnown issues (${file}):`];
  for (const m of machines) {
    const at = machines.length > 1 || m.machine !== null ? ` @${m.machine ?? '(no machine)'}` : '';
    for (const t of m.issues) out.push(`  ${tallyLine(t)}${at}`);
  }
  return out;
}

function ref(r: RunRef): string {
  return `run ${r.id} (${r.kernel ?? 'kernel ?'}, ${r.date.slice(0, 10)})`;
}

export async function historyCommand(argv: string[], io: CliIO): Promise<number> {
  return guarded('history', io, async () => {
    const { values, positionals } = parseFlags(argv, OPTIONS);
    if (values.help) {
      io.stdout.write(HISTORY_HELP);
      return EXIT_OK;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"; see --help`);
    const last = values.last === undefined ? 60 : Number(values.last);
    if (!Number.isInteger(last) || last < 1) throw new UsageError(`--last: expected a positive whole number, got "${values.last}"`);
    const filter: RunFilter = { machine: values.machine, test: testArg(values.test), since: isoDate('since', values.since) };
    const matcher = loadKnown(values.known);
    const store = await openExisting(storePath(values.db, io));
    try {
      const stored = await listRuns(store, filter);
      const rows = await verdictRows(store, filter, values.id);
      const known = matcher ? knownHistory(stored, rows, matcher) : undefined;
      const runs = known?.runs ?? stored;
      const markOf = (runId: number, id: string) => known?.marks.get(markKey(runId, id));
      const timelines = buildTimelines(runs, rows);
      const failing = failingSince(runs, rows);
      const flaps = flapping(runs, rows);
      const gone = disappeared(runs, rows);
      if (values.json) {
        io.stdout.write(
          `${JSON.stringify(
            {
              runs: runs.map((r) => ({ id: r.id, test: r.test, date: r.date, kernel: r.kernel, arch: r.arch, machine: r.machine, envKey: r.envKey, triage: r.triage })),
              timelines: timelines.map((t) => ({ test: t.test, id: t.id, verdicts: t.points.map((p) => p.verdict) })),
              failingSince: failing.map((f) => {
                const m = markOf(f.latest.id, f.id);
                return m ? { ...f, known: m } : f;
              }),
              flapping: flaps,
              disappeared: gone,
              ...(known && matcher ? { known: { file: matcher.file, machines: known.machines } } : {}),
            },
            null,
            2,
          )}\n`,
        );
        return EXIT_OK;
      }
      const w = (s: string): unknown => io.stdout.write(`${s}\n`);
      if (runs.length === 0) {
        w('no runs match');
        return EXIT_OK;
      }
      const first = runs[0];
      const lastRun = runs[runs.length - 1];
      w(`${runs.length} run${runs.length === 1 ? '' : 's'} (${first?.date.slice(0, 10)} … ${lastRun?.date.slice(0, 10)}), ${timelines.length} sub-test${timelines.length === 1 ? '' : 's'}`);
      if (timelines.length === 0 && values.id !== undefined) w(`no results for id ${values.id}`);
      const shown = Math.min(last, runs.length);
      w(`\nTimelines (oldest → newest${shown < runs.length ? `, last ${shown} of ${runs.length} runs` : ''}; P pass F fail S skip E error M missing x xfail X xpass . absent):`);
      const width = Math.max(...timelines.map((t) => t.id.length), 10);
      // Each selftest's timelines run over its own runs; with several tests, each gets a heading.
      const tests = [...new Set(runs.map((r) => r.test))];
      let heading: string | null = null;
      for (const t of timelines) {
        if (tests.length > 1 && t.test !== heading) {
          heading = t.test;
          w(`  ${t.test} (${runs.filter((r) => r.test === t.test).length} runs):`);
        }
        w(`  ${t.id.padEnd(width)}  ${timelineGlyphs(t).slice(-shown)}`);
      }
      w(`\nFailing since (${failing.length}):`);
      for (const f of failing) {
        const range = f.lastPass ? `last pass ${ref(f.lastPass)}, first fail ${ref(f.firstFail)}` : `never passed; failing since ${ref(f.firstFail)}`;
        const m = markOf(f.latest.id, f.id);
        const listed = m ? ` — known issue ${m.id}: ${m.reason} (${m.link})` : '';
        w(`  ${f.id}${f.machine ? ` @${f.machine}` : ''}: ${range}; ${f.failingRuns} failing run${f.failingRuns === 1 ? '' : 's'}${listed}`);
      }
      w(`\nFlapping (${flaps.length}):`);
      for (const f of flaps) {
        const seq = f.verdicts.slice(-40).join(' ');
        w(`  ${f.id}${f.machine ? ` @${f.machine}` : ''} on ${f.kernel ?? 'kernel ?'} env ${f.envKey}: ${f.changes} changes over ${f.runs} runs (${seq})`);
      }
      w(`\nDisappeared (${gone.length}):`);
      for (const d of gone.slice(-200)) {
        w(`  ${d.id}${d.machine ? ` @${d.machine}` : ''}: ${d.was} in ${ref(d.previous)}, absent in ${ref(d.run)}${d.crashed ? ' (crash)' : ''}`);
      }
      if (gone.length > 200) w(`  … ${gone.length - 200} earlier (see --json)`);
      if (known && matcher) for (const l of knownLines(known, matcher.file, matcher)) w(l);
      return EXIT_OK;
    } finally {
      await store.close();
    }
  });
}
