/**
 * `gupsim compare A B`: two stored runs (ids) or two log files, sub-test by sub-test, with
 * the model's account of every flip. Exit 1 when a regression or a newly missing result is
 * not expected by the model (what needs a human), else 0.
 */
import { existsSync } from 'node:fs';
import { EXIT_ATTENTION, EXIT_OK, UsageError, type CliIO } from '../io.js';
import { DB_HELP, envFile, guarded, NO_RUN_FOUND, openExisting, parseFlags, readLogArg, storePath, testArg } from './common.js';
import { compareRuns, type CompareSide, type Flip, type RunComparison } from '../../reports/history/compare.js';
import { getRun, resultsOf } from '../../reports/store/read.js';
import type { Store } from '../../reports/store/open.js';
import { diffLogText } from '../../reports/store/triage-source.js';
import type { Environment } from '../../cases/env.js';
import type { SelftestName } from '../../cases/selftests/names.js';
import { knownRunDiff, knownStored } from '../../reports/known/apply.js';
import type { KnownMatcher } from '../../reports/known/match.js';
import type { KnownRunNote } from '../../reports/known/types.js';
import { KNOWN_HELP, loadKnown } from '../known-file.js';

export const COMPARE_HELP = `Usage: gupsim compare A B [options]

A and B are stored run ids (see gupsim history) or log files (- for stdin), runs of one
selftest (a log's first run, or its first run of --test NAME). Lists regressions (pass → fail), fixes (fail → pass), newly missing and newly skipped
sub-tests, each with the model's account: the modelled commits that differ between the
two kernels and whether predict() expects the flip. Exit 1 when a regression or a newly
missing result is not expected by the model, unless the lab's known issues list it (--known).

Options:
  --env-a FILE      environment of log A (log files only; else inferred)
  --env-b FILE      environment of log B
  --test NAME       in a log file, its first run of this selftest (gup_longterm, cow)
  --json            machine-readable output
${KNOWN_HELP}
                    (a stored run is scoped by its kernel, machine and arch; a log by its
                    environment's kernel and arch)
${DB_HELP}
  -h, --help        this help
`;

const OPTIONS = {
  'env-a': { type: 'string' },
  'env-b': { type: 'string' },
  test: { type: 'string' },
  json: { type: 'boolean' },
  known: { type: 'string' },
  db: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** One side of the comparison, with the lab's known issues applied when given. */
interface Side extends CompareSide {
  notes: KnownRunNote[];
  test: SelftestName;
}

async function side(
  arg: string,
  env: Environment | undefined,
  test: SelftestName | undefined,
  io: CliIO,
  store: () => Promise<Store>,
  matcher: KnownMatcher | undefined,
): Promise<Side> {
  if (arg !== '-' && /^\d+$/.test(arg) && !existsSync(arg)) {
    if (env) throw new UsageError(`--env-a/--env-b apply to log files; run ${arg} has its stored environment`);
    const s = await store();
    const stored = await getRun(s, Number(arg));
    if (!stored) throw new UsageError(`no run ${arg} in ${s.location}`);
    const all = await resultsOf(s, stored.id);
    const { run, results } = matcher ? knownStored(stored, all, matcher) : { run: stored, results: all };
    return {
      label: `run ${run.id} (${run.kernel ?? 'kernel ?'}${run.machine ? ` @${run.machine}` : ''})`,
      test: run.test,
      env: run.env,
      results: results.map((r) => ({ id: r.id, verdict: r.verdict, known: r.known })),
      notes: run.knownNotes ?? [],
    };
  }
  const text = await readLogArg(arg, io);
  const report = diffLogText(text, arg, env);
  const runs = test === undefined ? report.runs : report.runs.filter((r) => r.test === test);
  const first = runs[0];
  if (!first) throw new UsageError(`${arg}: ${test === undefined ? NO_RUN_FOUND : `no ${test} run found`}`);
  const run = matcher ? knownRunDiff(first, { matcher }) : first;
  return {
    label: report.runs.length > 1 ? `${arg} (run ${run.index} of ${report.runs.length})` : arg,
    test: run.test,
    env: run.env,
    results: run.subtests.map((s) => ({ id: s.id, verdict: s.observed, known: s.known })),
    notes: run.knownNotes ?? [],
  };
}

/**
 * B's known issues that its tests no longer show: each names whether A showed it (then the
 * known issue stopped happening between A and B).
 */
function noLongerSeen(a: Side, b: Side): { issue: string; tests: string[]; seenInA: boolean }[] {
  const seenA = new Set(a.notes.filter((n) => n.status === 'seen').map((n) => n.issue.id));
  return b.notes
    .filter((n) => n.status !== 'seen' && (n.status === 'not-seen' || seenA.has(n.issue.id)))
    .map((n) => ({ issue: n.issue.id, tests: n.status === 'absent' ? ['none of its tests ran'] : n.tests, seenInA: seenA.has(n.issue.id) }));
}

const SECTIONS: [keyof Pick<RunComparison, 'regressions' | 'fixes' | 'newlyMissing' | 'newlySkipped'>, string][] = [
  ['regressions', 'Regressions (pass → fail)'],
  ['fixes', 'Fixes (fail → pass)'],
  ['newlyMissing', 'Newly missing'],
  ['newlySkipped', 'Newly skipped'],
];

function flipLine(f: Flip): string {
  const known = f.known
    ? ` — known issue ${f.known.id}: ${f.known.reason} (${f.known.link})`
    : f.wasKnown
      ? ` — known issue ${f.wasKnown.id} no longer seen`
      : '';
  return `  ${f.id}: ${f.from ?? 'absent'} → ${f.to ?? 'absent'} — ${f.account.text}${known}`;
}

/** Needs a human: a regression or disappearance the model does not predict and no known issue lists. */
export function needsAttention(c: RunComparison): boolean {
  return [...c.regressions, ...c.newlyMissing].some((f) => f.account.expectation !== 'expected' && !f.known);
}

export async function compareCommand(argv: string[], io: CliIO): Promise<number> {
  return guarded('compare', io, async () => {
    const { values, positionals } = parseFlags(argv, OPTIONS);
    if (values.help) {
      io.stdout.write(COMPARE_HELP);
      return EXIT_OK;
    }
    if (positionals.length !== 2) throw new UsageError('expected two arguments A B (run ids or log files); see --help');
    const [a = '', b = ''] = positionals;
    if (a === '-' && b === '-') throw new UsageError('stdin (-) can be read only once');
    let store: Promise<Store> | undefined;
    const open = (): Promise<Store> => (store ??= openExisting(storePath(values.db, io)));
    const matcher = loadKnown(values.known);
    try {
      const test = testArg(values.test);
      const sa = await side(a, envFile(values['env-a']), test, io, open, matcher);
      const sb = await side(b, envFile(values['env-b']), test, io, open, matcher);
      // Ids are unique within a test: runs of two tests have nothing to compare.
      if (sa.test !== sb.test) throw new UsageError(`${sa.label} is a ${sa.test} run, ${sb.label} a ${sb.test} run: compare runs of one selftest (--test NAME picks a log's run)`);
      const c = compareRuns(sa, sb);
      const gone = matcher ? noLongerSeen(sa, sb) : [];
      if (values.json) {
        const doc = matcher ? { ...c, known: { file: matcher.file, noLongerSeen: gone } } : c;
        io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
      } else {
        const w = (s: string): unknown => io.stdout.write(`${s}\n`);
        w(
          `${c.a} → ${c.b}: ${c.regressions.length} regression(s), ${c.fixes.length} fix(es), ${c.newlyMissing.length} newly missing, ${c.newlySkipped.length} newly skipped, ${c.otherChanges} other change(s), ${c.unchanged} unchanged`,
        );
        for (const [key, title] of SECTIONS) {
          if (c[key].length === 0) continue;
          w(`\n${title}:`);
          for (const f of c[key]) w(flipLine(f));
        }
        if (gone.length > 0) {
          w(`\nKnown issues no longer seen in ${c.b} (${matcher?.file}):`);
          for (const g of gone) w(`  ${g.issue}${g.seenInA ? ` (seen in ${c.a})` : ''}: ${g.tests.join(', ')}`);
        }
      }
      return needsAttention(c) ? EXIT_ATTENTION : EXIT_OK;
    } finally {
      if (store) await (await store.catch(() => undefined))?.close();
    }
  });
}
