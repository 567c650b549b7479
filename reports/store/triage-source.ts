/**
 * THE ONLY COUPLING POINT between the store/history/formats and the diff & triage
 * (reports/diff/). Everything under reports/store, reports/history, reports/formats and
 * harness/commands obtains a DiffReport from `diffLogText` here and nowhere else.
 *
 * Until reports/diff/index.ts exists this builds the comparisons from the parser alone:
 * observed verdict, predicted null, class 'unexplained' (runs with infrastructure failures or
 * crash markers get those classes so the run triage is not misleading). When the diff lands,
 * the body of `diffLogText` becomes `return diffLog(text, source, env)` (reports/diff/index.ts)
 * and nothing else changes.
 */
import { defaultEnvironment, type Environment } from '../../cases/env.js';
import { selftestBuild } from '../../cases/versions.js';
import { parseLog } from '../parse/index.js';
import type { ParsedRun } from '../parse/types.js';
import type { DiffReport, InferredEnvironment, RunDiff, SubtestComparison, TriageClass } from '../diff/types.js';

function guess<T>(value: T, because: string): { value: T; certainty: 'guess'; because: string } {
  return { value, certainty: 'guess', because };
}

/** A placeholder inference: the default environment shaped by what the log shows. */
function inferFrom(run: ParsedRun): { env: Environment; inferred: InferredEnvironment } {
  const env = defaultEnvironment();
  if (run.hugetlbSizesKiB.length > 0) env.hugetlb = run.hugetlbSizesKiB.map((sizeKiB) => ({ sizeKiB, free: 0 }));
  const iouring = run.subtests.some((s) => s.id?.startsWith('iouring/') === true);
  if (!iouring && run.subtests.length > 0) env.selftest.liburing = null;
  const placeholder = 'parser-only triage source (reports/diff not wired yet)';
  return {
    env,
    inferred: {
      selftest: guess(env.selftest.tree, placeholder),
      hugetlbSizesKiB: guess(run.hugetlbSizesKiB, 'printed [INFO] lines'),
      liburing: guess(env.selftest.liburing !== null, 'io_uring sub-tests present or not'),
      gupTest: guess(true, placeholder),
      kernelEra: guess(env.kernel.release, placeholder),
      tmpFs: guess(env.fs.tmp.type, placeholder),
      cwdFs: guess(env.fs.cwd.type, placeholder),
      arch: guess(env.arch, placeholder),
    },
  };
}

function runDiff(run: ParsedRun, given: Environment | undefined): RunDiff {
  const { env: inferredEnv, inferred } = inferFrom(run);
  const env = given ?? inferredEnv;
  const build = selftestBuild(env.selftest.tree);
  const cls: TriageClass =
    run.infrastructure.length > 0 ? 'infrastructure' : run.crashes.length > 0 ? 'crash' : 'unexplained';
  const subtests: SubtestComparison[] = run.subtests.map((s) => ({
    id: s.id,
    number: s.number,
    name: s.runName,
    observed: s.verdict,
    predicted: null,
    observedReason: s.reason,
    predictedReason: null,
    class: cls,
    explanation: s.reason ? `observed ${s.verdict}: ${s.reason}` : `observed ${s.verdict}`,
    commits: [],
  }));
  const c = run.counts;
  return {
    index: run.index,
    triage: cls,
    summary: `${run.subtests.length} sub-tests: ${c.pass} pass, ${c.fail} fail, ${c.skip} skip, ${c.missing} missing (not compared with the model yet)`,
    selftest: 'error' in build ? '?' : build.version.id,
    env,
    inferred,
    subtests,
    exitCode: { observed: run.wrapper.exitCode, predicted: 0 },
    parsed: run,
  };
}

/** Parse and triage one log. Never throws: problems are in `issues`. */
export function diffLogText(text: string, source: string, env?: Environment): DiffReport {
  const log = parseLog(text);
  return {
    source,
    runs: log.runs.map((r) => runDiff(r, env)),
    issues: log.errors.map((e) => (e.line === null ? e.message : `line ${e.line}: ${e.message}`)),
  };
}
