/**
 * The diff of one parsed run: identify the selftest, infer (or take) its environment, predict
 * it with the simulated kernel, compare every sub-test and every other piece of evidence (the
 * test's own summary lines, the runners' verdicts, the programs run beside it) and triage the
 * run: its class is the most urgent of all of them, so no failing line leaves it a match.
 */
import { defaultEnvironment, type Environment } from '../../cases/env.js';
import { selftestPlugin } from '../../cases/selftests/index.js';
import type { ParsedRun } from '../parse/types.js';
import { compareRun } from './compare.js';
import { compareEvidence } from './evidence.js';
import { decisiveEvent, describeEvent } from './explain.js';
import { inferEnvironment, type Inference, type InferOptions } from './infer.js';
import { unpredictedOutcome } from './unpredicted-outcome.js';
import {
  TRIAGE_PRIORITY,
  type EvidenceComparison,
  type RunDiff,
  type RunRest,
  type SubtestComparison,
  type TriageClass,
} from './types.js';

export interface DiffOptions extends InferOptions {
  /**
   * The environment of the log's previous run. A fragment — result lines with no header, plan
   * or [RUN] line, e.g. a result that strayed out of its run past the runner's verdict — came
   * from that machine: it is compared in it, not in whatever environment fits it best alone.
   */
  machine?: Environment;
}

/** Result lines alone: no TAP header, plan, [INFO] or [RUN] line, no wrapper banner. */
export function isFragment(run: ParsedRun): boolean {
  const f = run.facts;
  return (
    run.plan === null &&
    run.tapVersion === null &&
    f.hugetlbSizesKiB.length === 0 &&
    f.pmdSizeKiB === null &&
    f.thpSizesKiB.length === 0 &&
    run.programLines.length === 0 &&
    run.wrapper.banner === null &&
    run.subtests.length > 0 &&
    run.subtests.every((s) => s.runName === null)
  );
}

function worst(classes: Iterable<TriageClass>): TriageClass {
  let best: TriageClass = 'match';
  for (const c of classes) if (TRIAGE_PRIORITY.indexOf(c) < TRIAGE_PRIORITY.indexOf(best)) best = c;
  return best;
}

function count(subtests: SubtestComparison[], cls: TriageClass): number {
  return subtests.filter((s) => s.class === cls).length;
}

function summarize(
  triage: TriageClass,
  subs: SubtestComparison[],
  run: ParsedRun,
  env: Environment,
): string {
  const first = subs.find((s) => s.class === triage);
  const where = `kernel ${env.kernel.release}${env.kernel.patches.length ? ` ${env.kernel.patches.join(' ')}` : ''}, /tmp ${env.fs.tmp.type}, cwd ${env.fs.cwd.type}`;
  switch (triage) {
    case 'match':
      return `matches the model (${where})`;
    case 'known':
      return `${count(subs, triage)} result(s) known to the lab`;
    case 'expected-failure':
      return `${count(subs, triage)} failure(s), all predicted for ${where}: ${first?.id}: ${first?.explanation}`;
    case 'environment':
      return `${count(subs, triage)} result(s) explained by the machine: ${first?.id}: ${first?.explanation}`;
    case 'test-bug':
      return `${count(subs, triage)} result(s) from a known defect of this test version: ${first?.explanation}`;
    case 'kernel-regression':
      return `${count(subs, triage)} sub-test(s) contradict the modelled kernel (${where}): ${first?.id}: ${first?.explanation}`;
    case 'crash': {
      const c = run.crashes[0];
      return c
        ? `crashed: line ${c.line}: ${c.text}`
        : `the run stopped after ${run.subtests.length} of ${run.plan?.count ?? '?'} results`;
    }
    case 'missing':
      return `${count(subs, triage)} planned result(s) absent without a crash`;
    case 'infrastructure':
      return 'the test binary did not run';
    case 'unexplained':
      return `${count(subs, triage)} difference(s) the model cannot explain: ${first?.id}: ${first?.explanation}`;
    case 'conflict':
      return `${count(subs, triage)} sub-test(s) with more than one result: ${first?.id ?? `#${first?.number ?? '?'}`}: ${first?.explanation}`;
  }
}

const EVIDENCE_WHAT: Record<EvidenceComparison['kind'], string> = {
  'bail-out': 'the test bailed out',
  totals: "the test's counters",
  plan: "the test's plan",
  'planned-mismatch': "the test's plan check",
  'runner-verdict': "the runner's verdict",
  'runner-status': "run_vmtests.sh's status",
  'runner-summary': "run_vmtests.sh's SUMMARY",
  'container-verdict': "the runner's verdict on its script",
  'runner-totals': "the runner's counters",
  'program-line': 'the test stopped',
  sibling: 'a program of its category beside it', // named by what()
};

/** What a piece of evidence is, in a summary: a sibling by its program (`a gup_test program beside it`). */
function what(e: EvidenceComparison): string {
  if (e.kind === 'sibling' && e.program !== null) {
    const name = e.program.split(' ')[0]!.replace(/^.*\//, '');
    return `a ${name} program beside it`;
  }
  return EVIDENCE_WHAT[e.kind];
}

/** The run's class once its other evidence is counted: never better than that evidence. */
function withEvidence(
  triage: TriageClass,
  summary: string,
  evidence: readonly EvidenceComparison[],
): { triage: TriageClass; summary: string } {
  let worstItem: EvidenceComparison | undefined;
  for (const e of evidence) {
    if (e.class === 'match' || e.class === 'expected-failure') continue;
    if (!worstItem || TRIAGE_PRIORITY.indexOf(e.class) < TRIAGE_PRIORITY.indexOf(worstItem.class))
      worstItem = e;
  }
  if (!worstItem) return { triage, summary };
  const t = worst([triage, worstItem.class]);
  if (t === triage) return { triage, summary };
  return { triage: t, summary: `${what(worstItem)}: ${worstItem.explanation}` };
}

/**
 * The program's exit status as the runner's line shows it: `# exit=N`, or what an `ok` line
 * stands for (`ok` 0, `# SKIP` 4, `# XFAIL` 2); null when no runner line says.
 */
function observedExit(run: ParsedRun): number | null {
  const w = run.wrapper;
  if (w.exitCode !== null) return w.exitCode;
  const v = w.verdict;
  if (!v?.ok) return null;
  const d = (v.directive ?? '').trim().toUpperCase();
  return d.startsWith('SKIP') ? 4 : d.startsWith('XFAIL') ? 2 : 0;
}

const INFRA_WHAT: Record<string, string> = {
  'loader-error':
    'the dynamic loader could not start the binary (a library it was built against is missing from the rootfs)',
  'exit-127': 'exit status 127: the binary could not be executed',
  'command-not-found': 'the binary was not found',
  timeout: 'the runner killed the test on a timeout',
  'exec-error': 'the binary could not be executed',
};

/** Why the binary did not (fully) run, or undefined when nothing outside the kernel stopped it. */
function infrastructureSummary(run: ParsedRun): string | undefined {
  const first = run.infrastructure[0];
  if (!first) return undefined;
  const shown = run.infrastructure.find((i) => i.kind === 'loader-error') ?? first;
  const results = run.subtests.filter((s) => s.verdict !== 'missing').length;
  const after = results ? ` after ${results} result(s)` : '';
  return `${INFRA_WHAT[first.kind] ?? first.kind}: line ${shown.line}: ${shown.text}${after} — not a kernel result`;
}

/**
 * A run that stopped before its first sub-test where the model stops too, with the same last
 * words (its `Bail out!`s, or cow 6.12's bare `open(<path>)`) and exit status: the machine
 * did not let it run (a user who is not root cannot write the sysfs files it sets), as the
 * model's set-up trace says. Undefined for anything else.
 */
function stoppedAsPredicted(
  run: ParsedRun,
  prediction: Inference['prediction'],
  evidence: readonly EvidenceComparison[],
  exit: { observed: number | null; predicted: number },
): string | undefined {
  if (run.subtests.length > 0 || prediction.run.subtests.length > 0) return undefined;
  const last = evidence.filter((e) => e.kind === 'bail-out' || e.kind === 'program-line');
  if (last.length === 0 || evidence.some((e) => e.class !== 'match')) return undefined;
  if (exit.observed !== null && exit.observed !== exit.predicted) return undefined;
  const cause = decisiveEvent(prediction.run.setupTrace);
  return `the test stopped before its first sub-test ("${last[0]!.observed}"), as the model predicts on this machine${cause ? `: ${describeEvent(cause)}` : ''}`;
}

export function diffRun(run: ParsedRun, index: number, opts: DiffOptions = {}): RunDiff {
  const machine =
    opts.env === undefined && opts.machine !== undefined && isFragment(run)
      ? opts.machine
      : undefined;
  let inf = inferEnvironment(run, machine ? { env: machine } : opts);
  let unusable: string | undefined;
  if ('error' in inf) {
    // The given environment cannot be run (e.g. a selftest tree without gup_longterm): say so,
    // and still show what the default machine would have printed.
    unusable = inf.error;
    inf = inferEnvironment(run, { env: defaultEnvironment() }) as Inference;
  }
  const pinned = opts.env !== undefined && unusable === undefined;
  const defects = selftestPlugin(run.test).defects;
  const base = {
    index,
    test: run.test,
    selftest: inf.prediction.run.build.version.id,
    env: inf.env,
    inferred: inf.inferred,
    // The program's exit status (a runner's own status is among the evidence).
    exitCode: { observed: observedExit(run), predicted: inf.prediction.run.exitCode },
    parsed: run,
  };
  const infra = infrastructureSummary(run);
  if (infra && run.subtests.length === 0)
    return {
      ...base,
      triage: 'infrastructure',
      summary: infra,
      subtests: [],
      evidence: [],
      rest: null,
    };
  const crashed = run.crashes.length > 0 || run.endedEarly;
  const excerpt = run.plan === null && run.tapVersion === null;
  const subtests = compareRun(run, inf.prediction, {
    selftest: inf.env.selftest.tree,
    defects,
    crashed,
    excerpt,
    pinned,
  });
  const evidence = compareEvidence(run, inf.prediction, { pinned });
  const stopped = stoppedAsPredicted(run, inf.prediction, evidence, base.exitCode);
  if (stopped !== undefined && unusable === undefined) {
    // No sub-test ran, and the model stops there too on this machine (not root, …): the
    // run's class comes from beyond its (absent) sub-tests.
    const rest: RunRest = { triage: 'environment', summary: stopped };
    return { ...base, ...rest, subtests, evidence, rest };
  }
  if (run.subtests.length === 0 && (run.totals || run.plannedMismatch)) {
    const counters = judgeCounters(run, inf, defects);
    const judged = unusable
      ? {
          triage: 'unexplained' as const,
          summary: `${unusable}; compared with the default environment instead`,
        }
      : withEvidence(counters.triage, counters.summary, evidence);
    return { ...base, ...judged, subtests, evidence, rest: null };
  }
  /**
   * The run's class from these sub-test classes and everything else it shows. `crashAccepted`:
   * the crash is a result's (the sub-test it cut off), which a known issue may accept.
   */
  const judge = (subs: SubtestComparison[], crashAccepted: boolean): RunRest => {
    let triage = worst(subs.map((s) => s.class));
    if (crashed && !crashAccepted) triage = worst([triage, 'crash']);
    // A timeout or runner failure part-way: the results that did arrive are still compared.
    if (infra) triage = 'infrastructure';
    let summary = infra ?? summarize(triage, subs, run, inf.env);
    // A run with no results, or an exit code the model does not predict, is never a match.
    const outcome = triage === 'match' ? unpredictedOutcome(run, base.exitCode) : undefined;
    if (outcome) ({ triage, summary } = outcome);
    ({ triage, summary } = withEvidence(triage, summary, evidence));
    if (unusable)
      return {
        triage: 'unexplained',
        summary: `${unusable}; compared with the default environment instead`,
      };
    return { triage, summary };
  };
  const { triage, summary } = judge(subtests, false);
  return { ...base, triage, summary, subtests, evidence, rest: restOf(subtests, judge) };
}

/**
 * The run's RunRest: its triage were every sub-test that is not a match accepted, or null
 * when that leaves nothing (the sub-tests decide the run alone).
 */
function restOf(
  subtests: SubtestComparison[],
  judge: (subs: SubtestComparison[], crashAccepted: boolean) => RunRest,
): RunRest | null {
  if (subtests.every((s) => s.class === 'match')) return null;
  const accepted = subtests.map((s) =>
    s.class === 'match' ? s : { ...s, class: 'known' as const },
  );
  const r = judge(
    accepted,
    subtests.some((s) => s.class === 'crash'),
  );
  return r.triage === 'known' ? null : r;
}

/** A counter-block excerpt: judged by whether the prediction reproduces its counters. */
function judgeCounters(
  run: ParsedRun,
  inf: Inference,
  defects: ReturnType<typeof selftestPlugin>['defects'],
): RunRest {
  const predictedMissing = inf.prediction.run.subtests.filter(
    (s) => s.verdict === 'missing',
  ).length;
  const mm = run.plannedMismatch;
  const reproduced =
    /# Totals: /.test(inf.prediction.run.stdout) &&
    inf.score >= (run.totals ? 6 : 0) + (mm ? 6 : 0);
  const bug = reproduced ? defects.missingResults(predictedMissing, mm, inf.env) : undefined;
  if (bug !== undefined) return { triage: 'test-bug', summary: bug };
  if (reproduced) return { triage: 'match', summary: 'the counters match the model' };
  return {
    triage: 'unexplained',
    summary: 'only counters in the excerpt, and no modelled environment reproduces them',
  };
}
