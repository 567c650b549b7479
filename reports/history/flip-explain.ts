/**
 * The model's account of a verdict flip between two runs. Two sources, each for what it is
 * good at:
 *   - predict() on both environments says whether the model EXPECTS the flip (its predicted
 *     verdicts flip the same way) or not (a real regression/fix the model cannot account for);
 *   - the kernel timeline (BEHAVIOURS, resolveBehaviours) names the commits that differ
 *     between the two kernels; those that the sub-test's predicted trace actually went
 *     through are the ones cited.
 */
import type { Environment } from '../../cases/env.js';
import { predict } from '../../cases/predict.js';
import type { SubtestRecord } from '../../cases/run.js';
import { selftestBuild } from '../../cases/versions.js';
import { BEHAVIOURS, parsePatch, resolveBehaviours, type Behaviour, type PatchSpec } from '../../kernel-model/behaviours.js';
import { isRelease, parseRelease } from '../../kernel-model/release.js';
import type { SubtestVerdict } from '../diff/types.js';
import { envKey } from '../store/env-key.js';

export type FlipExpectation = 'expected' | 'unexpected' | 'unknown';

export interface CommitChange {
  /** The behaviour's name (kernel-model/behaviours.ts). */
  name: string;
  /** Its commit id, or "commit not identified". */
  commit: string;
  release: string;
  title: string;
  /** In the second kernel and not the first ('added'), or the reverse. */
  direction: 'added' | 'removed';
}

export interface FlipAccount {
  expectation: FlipExpectation;
  /** The model's verdicts in the first and second environment (null: no such sub-test / no prediction). */
  predicted: { a: SubtestVerdict | null; b: SubtestVerdict | null };
  /** Differing commits the sub-test's predicted trace went through. */
  commits: CommitChange[];
  /** All modelled commits that differ between the two kernels. */
  kernelDelta: CommitChange[];
  /** Selftest versions when they differ (a renamed or reworded test flips without a kernel change). */
  selftest: { a: string; b: string } | null;
  text: string;
}

function activeBehaviours(env: Environment): ReadonlySet<string> | undefined {
  const r = parseRelease(env.kernel.release);
  if (!isRelease(r)) return undefined;
  const patches: PatchSpec[] = [];
  for (const p of env.kernel.patches) {
    const s = parsePatch(p);
    if (!('error' in s)) patches.push(s);
  }
  return resolveBehaviours(r, patches);
}

function change(b: Behaviour, direction: 'added' | 'removed'): CommitChange {
  return { name: b.name, commit: b.commit ?? 'commit not identified', release: b.release, title: b.title, direction };
}

/** Verdicts compared for "same flip": xfail/xpass count as their plain kselftest outcomes. */
function coarse(v: SubtestVerdict | null): string {
  if (v === null || v === 'missing') return 'absent';
  if (v === 'xfail' || v === 'xpass') return 'pass';
  if (v === 'error') return 'fail';
  return v;
}

function selftestId(env: Environment): string {
  const b = selftestBuild(env.selftest.tree, env.selftest.name);
  return 'error' in b ? env.selftest.tree : b.version.id;
}

/** Explains flips; caches one prediction per environment, since compare asks about many ids. */
export class FlipExplainer {
  private readonly predictions = new Map<string, Map<string, SubtestRecord> | null>();

  private predicted(env: Environment): Map<string, SubtestRecord> | null {
    const key = envKey(env);
    let m = this.predictions.get(key);
    if (m === undefined) {
      let p: ReturnType<typeof predict>;
      try {
        p = predict(env);
      } catch {
        // An environment stored by an older gupsim may no longer be valid for the model.
        p = { error: 'prediction failed' };
      }
      m = 'error' in p ? null : new Map(p.run.subtests.map((s) => [s.id, s]));
      this.predictions.set(key, m);
    }
    return m;
  }

  /** Commits that differ between the two kernels, oldest release first. */
  kernelDelta(a: Environment, b: Environment): CommitChange[] {
    const sa = activeBehaviours(a);
    const sb = activeBehaviours(b);
    if (!sa || !sb) return [];
    const out: CommitChange[] = [];
    for (const beh of BEHAVIOURS) {
      if (sb.has(beh.name) && !sa.has(beh.name)) out.push(change(beh, 'added'));
      else if (sa.has(beh.name) && !sb.has(beh.name)) out.push(change(beh, 'removed'));
    }
    return out;
  }

  explain(a: Environment, b: Environment, id: string, observed: { a: SubtestVerdict | null; b: SubtestVerdict | null }): FlipAccount {
    const pa = this.predicted(a);
    const pb = this.predicted(b);
    const ra = pa?.get(id);
    const rb = pb?.get(id);
    const predicted = { a: pa ? (ra?.verdict ?? null) : null, b: pb ? (rb?.verdict ?? null) : null };
    const kernelDelta = this.kernelDelta(a, b);
    const traced = new Set([...(ra?.trace ?? []), ...(rb?.trace ?? [])].map((e) => e.behaviour).filter((c) => c !== undefined));
    const commits = kernelDelta.filter((c) => traced.has(c.name));
    const sta = selftestId(a);
    const stb = selftestId(b);
    const selftest = sta === stb ? null : { a: sta, b: stb };

    let expectation: FlipExpectation;
    if (!pa || !pb) expectation = 'unknown';
    else if (coarse(predicted.a) === coarse(observed.a) && coarse(predicted.b) === coarse(observed.b)) expectation = 'expected';
    else expectation = 'unexpected';

    const cited = commits.map((c) => `${c.direction === 'removed' ? 'without ' : ''}${c.commit} (${c.release}) ${c.title}`);
    if (selftest) cited.push(`selftest ${selftest.a} → ${selftest.b}`);
    let text: string;
    if (expectation === 'unknown') {
      text = `${cited.length ? `${cited.join('; ')} — ` : ''}no model prediction for one of the environments`;
    } else if (expectation === 'expected') {
      text = `${cited.length ? cited.join('; ') : 'the model predicts this flip for the two environments'} — expected`;
    } else {
      const why = `model predicts ${predicted.a ?? 'absent'} → ${predicted.b ?? 'absent'}`;
      text = `${why}${cited.length ? `; differing: ${cited.join('; ')}` : '; no modelled commit explains it'} — not expected (real ${coarse(observed.b) === 'fail' ? 'regression' : 'change'})`;
    }
    return { expectation, predicted, commits, kernelDelta, selftest, text };
  }
}
