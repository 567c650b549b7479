/**
 * Sub-test by sub-test comparison of a parsed run with the model's prediction, and the triage
 * of every difference (and of every failure that is no difference at all).
 */
import type { Prediction } from '../../cases/predict.js';
import type { SubtestRecord } from '../../cases/run.js';
import type { ObservedSubtest, ParsedRun } from '../parse/types.js';
import {
  absentBehaviour,
  cite,
  commitsIn,
  decisiveEvent,
  describeEvent,
  environmentCause,
  staleErrnoChangedBranch,
} from './explain.js';
import { observedResultText } from './score.js';
import type { SubtestComparison, SubtestVerdict, TriageClass } from './types.js';

/** SKIP reasons that are facts about the machine (pool, debugfs, io_uring setup, fs quirks). */
const ENVIRONMENT_SKIP = /need more free huge pages|gup_test not available|io_uring_queue_init\(\) failed|memfd_create\(\) failed|Unknown filesystem|Filesystem might be buggy|not supported by filesystem|io_uring_register_buffers\(\) failed/;

function reasonOfObserved(o: ObservedSubtest): string | null {
  return o.reason ?? observedResultText(o);
}

function reasonOfPredicted(p: SubtestRecord): string | null {
  return p.diagnostics[p.diagnostics.length - 1] ?? p.result;
}

function verdictWords(v: SubtestVerdict | null): string {
  return v === null ? 'absent' : v === 'missing' ? 'no result line' : v.toUpperCase();
}

function classifySame(o: ObservedSubtest, p: SubtestRecord, selftest: string): { cls: TriageClass; why: string } {
  const stale = staleErrnoChangedBranch(p.trace);
  if (stale) {
    return {
      cls: 'test-bug',
      why: `io_uring_register_buffers() returned -${stale.returned} but the test reads errno, still ${stale.stale} from an earlier call (liburing ≥ 2.2 does not set errno), so it took the wrong branch; the verdict is the test's, not the kernel's`,
    };
  }
  if (o.verdict === 'missing') {
    return {
      cls: 'test-bug',
      why: 'the v6.16–v6.18 test returns without a result for R/W MAP_SHARED pins on a filesystem it does not know (66bce7afbaca; fixed by 21c68ad1d977 in v6.19 and 6.18.y)',
    };
  }
  if (o.verdict !== 'fail' && o.verdict !== 'error') {
    const d = decisiveEvent(p.trace);
    return { cls: 'match', why: d ? `as modelled: ${describeEvent(d)}` : 'as modelled' };
  }
  if (selftest === '6.16-rc1' && p.diagnostics.some((d) => d.startsWith('memfd_create() failed'))) {
    return { cls: 'test-bug', why: 'v6.16-rc1 reports a failed memfd_create() as FAIL (fixed by b1a529bdb964 "skip failed memfd setups")' };
  }
  const env = environmentCause(p.trace);
  if (env) return { cls: 'environment', why: `a property of this machine, not of long-term pinning: ${describeEvent(env)}` };
  const absent = absentBehaviour(p.trace);
  if (absent) {
    const d = decisiveEvent(p.trace);
    return {
      cls: 'expected-failure',
      why: `${d ? describeEvent(d) : 'the kernel refuses'}; this kernel predates ${cite(absent.commit, absent.release)} — expected until then`,
    };
  }
  const d = decisiveEvent(p.trace);
  return { cls: 'expected-failure', why: `the model fails it too: ${d ? describeEvent(d) : 'see --explain'}` };
}

function classifyDifferent(o: ObservedSubtest, p: SubtestRecord): { cls: TriageClass; why: string } {
  const oReason = reasonOfObserved(o) ?? '';
  const pReason = reasonOfPredicted(p) ?? '';
  const d = decisiveEvent(p.trace);
  const model = d ? describeEvent(d) : 'no kernel decision';
  if (o.verdict === 'skip' && ENVIRONMENT_SKIP.test(oReason)) {
    return { cls: 'environment', why: `the machine differs from the modelled one: the log skips with "${oReason}" where the model ${verdictWords(p.verdict)}s (${model})` };
  }
  if (p.verdict === 'skip' && ENVIRONMENT_SKIP.test(pReason)) {
    return { cls: 'environment', why: `the model assumed "${pReason}" but the log's machine ran it (${verdictWords(o.verdict)}): give the environment with --env` };
  }
  const pinRow = /^(rw|ro)\/|^iouring\//.test(p.id);
  if (pinRow && (o.verdict === 'pass' || o.verdict === 'fail') && (p.verdict === 'pass' || p.verdict === 'fail')) {
    return {
      cls: 'kernel-regression',
      why: `the modelled kernel decides ${model}, so the test should ${p.verdict === 'pass' ? 'pass' : 'fail'}; the log ${o.verdict === 'pass' ? 'passes' : 'fails'} ("${oReason}") — the kernel no longer behaves as modelled`,
    };
  }
  return { cls: 'unexplained', why: `the log says ${verdictWords(o.verdict)} ("${oReason}"), the model ${verdictWords(p.verdict)} ("${pReason}"): ${model}` };
}

export interface CompareContext {
  selftest: string;
  /** The observed run crashed or ended before its plan. */
  crashed: boolean;
  /** The run is an excerpt (no TAP header/plan): absent sub-tests are not judged. */
  excerpt: boolean;
}

export function compareRun(run: ParsedRun, prediction: Prediction, ctx: CompareContext): SubtestComparison[] {
  const out: SubtestComparison[] = [];
  const observed = new Map<string, ObservedSubtest>();
  for (const o of run.subtests) if (o.id && !observed.has(o.id)) observed.set(o.id, o);
  const predictedIds = new Set(prediction.run.subtests.map((s) => s.id));

  for (const p of prediction.run.subtests) {
    const o = observed.get(p.id);
    if (!o) {
      if (ctx.excerpt) continue;
      const cls: TriageClass = ctx.crashed ? 'crash' : 'missing';
      out.push({
        id: p.id,
        number: null,
        name: p.name,
        observed: null,
        predicted: p.verdict,
        observedReason: null,
        predictedReason: reasonOfPredicted(p),
        class: cls,
        explanation: ctx.crashed
          ? 'the run stopped (crash or cut short) before this sub-test reported'
          : 'planned and predicted, but the log has no result for it',
        commits: [],
      });
      continue;
    }
    const same = o.verdict === p.verdict;
    const { cls, why } = same ? classifySame(o, p, ctx.selftest) : classifyDifferent(o, p);
    out.push({
      id: p.id,
      number: o.number,
      name: o.runName ?? p.name,
      observed: o.verdict,
      predicted: p.verdict,
      observedReason: reasonOfObserved(o),
      predictedReason: reasonOfPredicted(p),
      class: ctx.crashed && o.verdict === 'missing' ? 'crash' : cls,
      explanation: why,
      commits: commitsIn(p.trace),
    });
  }
  for (const o of run.subtests) {
    if (o.id && predictedIds.has(o.id)) continue;
    out.push({
      id: o.id,
      number: o.number,
      name: o.runName,
      observed: o.verdict,
      predicted: null,
      observedReason: reasonOfObserved(o),
      predictedReason: null,
      class: 'unexplained',
      explanation: o.id ? 'the model has no such sub-test in this environment (hugetlb sizes or liburing differ)' : 'the log does not say which sub-test this is',
      commits: [],
    });
  }
  return out;
}
