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

export const COMPARE_HELP = `Usage: gupsim compare A B [options]

A and B are stored run ids (see gupsim history) or log files (- for stdin), runs of one
selftest (a log's first run, or its first run of --test NAME). Lists regressions (pass → fail), fixes (fail → pass), newly missing and newly skipped
sub-tests, each with the model's account: the modelled commits that differ between the
two kernels and whether predict() expects the flip. Exit 1 when a regression or a newly
missing result is not expected by the model.

Options:
  --env-a FILE      environment of log A (log files only; else inferred)
  --env-b FILE      environment of log B
  --test NAME       in a log file, its first run of this selftest (gup_longterm, cow)
  --json            machine-readable output
${DB_HELP}
  -h, --help        this help
`;

const OPTIONS = {
  'env-a': { type: 'string' },
  'env-b': { type: 'string' },
  test: { type: 'string' },
  json: { type: 'boolean' },
  db: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function side(
  arg: string,
  env: Environment | undefined,
  test: SelftestName | undefined,
  io: CliIO,
  store: () => Promise<Store>,
): Promise<CompareSide & { test: SelftestName }> {
  if (arg !== '-' && /^\d+$/.test(arg) && !existsSync(arg)) {
    if (env) throw new UsageError(`--env-a/--env-b apply to log files; run ${arg} has its stored environment`);
    const s = await store();
    const run = await getRun(s, Number(arg));
    if (!run) throw new UsageError(`no run ${arg} in ${s.location}`);
    return {
      label: `run ${run.id} (${run.kernel ?? 'kernel ?'}${run.machine ? ` @${run.machine}` : ''})`,
      test: run.test,
      env: run.env,
      results: (await resultsOf(s, run.id)).map((r) => ({ id: r.id, verdict: r.verdict })),
    };
  }
  const text = await readLogArg(arg, io);
  const report = diffLogText(text, arg, env);
  const runs = test === undefined ? report.runs : report.runs.filter((r) => r.test === test);
  const run = runs[0];
  if (!run) throw new UsageError(`${arg}: ${test === undefined ? NO_RUN_FOUND : `no ${test} run found`}`);
  return {
    label: report.runs.length > 1 ? `${arg} (run ${run.index} of ${report.runs.length})` : arg,
    test: run.test,
    env: run.env,
    results: run.subtests.map((s) => ({ id: s.id, verdict: s.observed })),
  };
}

const SECTIONS: [keyof Pick<RunComparison, 'regressions' | 'fixes' | 'newlyMissing' | 'newlySkipped'>, string][] = [
  ['regressions', 'Regressions (pass → fail)'],
  ['fixes', 'Fixes (fail → pass)'],
  ['newlyMissing', 'Newly missing'],
  ['newlySkipped', 'Newly skipped'],
];

function flipLine(f: Flip): string {
  return `  ${f.id}: ${f.from ?? 'absent'} → ${f.to ?? 'absent'} — ${f.account.text}`;
}

/** Needs a human: a regression or disappearance the model does not predict. */
export function needsAttention(c: RunComparison): boolean {
  return [...c.regressions, ...c.newlyMissing].some((f) => f.account.expectation !== 'expected');
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
    try {
      const test = testArg(values.test);
      const sa = await side(a, envFile(values['env-a']), test, io, open);
      const sb = await side(b, envFile(values['env-b']), test, io, open);
      // Ids are unique within a test: runs of two tests have nothing to compare.
      if (sa.test !== sb.test) throw new UsageError(`${sa.label} is a ${sa.test} run, ${sb.label} a ${sb.test} run: compare runs of one selftest (--test NAME picks a log's run)`);
      const c = compareRuns(sa, sb);
      if (values.json) {
        io.stdout.write(`${JSON.stringify(c, null, 2)}\n`);
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
      }
      return needsAttention(c) ? EXIT_ATTENTION : EXIT_OK;
    } finally {
      if (store) await (await store.catch(() => undefined))?.close();
    }
  });
}
