/**
 * Which wrapper ran a finished run, read from what its lines said: the banner/header seen
 * before it, its depth, and the verdict line after it (kselftest runner, run_vmtests.sh with
 * or without TAP, or an unknown `# ` nesting).
 */
import type { RunBuilder } from './run-builder.js';
import type { WrapperInfo, WrapperKind } from './types.js';

export function wrapperInfo(b: RunBuilder): WrapperInfo {
  const w = b.wrapper;
  let kind: WrapperKind;
  let under = w.underKselftestRunner;
  if (w.kind === 'kselftest-runner') {
    kind = 'kselftest-runner';
    under = true;
  } else if (w.kind === 'run_vmtests') {
    const tapVerdict = b.verdict !== null;
    if (tapVerdict || b.depth >= 2) kind = 'run_vmtests-tap';
    else if (b.depth === 0) kind = 'run_vmtests-pre-tap';
    else kind = under ? 'run_vmtests-pre-tap' : 'run_vmtests-tap';
    if (b.depth >= 2 || (kind === 'run_vmtests-pre-tap' && b.depth >= 1)) under = true;
  } else if (b.verdict !== null) {
    // Only the verdict line survived (an excerpt): its name says which wrapper.
    kind = b.verdict.name.startsWith('selftests:') ? 'kselftest-runner' : 'run_vmtests-tap';
  } else {
    kind = b.depth > 0 ? 'unknown-nested' : 'none';
  }
  return {
    kind,
    underKselftestRunner: under,
    nesting: b.depth,
    banner: w.banner,
    status: b.status,
    verdict: b.verdict,
    exitCode: b.exitCode,
    timeoutSetTo: w.timeoutSetTo,
    timedOut: b.timedOut,
    container: null,
    stream: null,
    runnerTotals: null,
  };
}
