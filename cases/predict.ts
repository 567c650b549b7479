/**
 * The whole predict flow in one call: the program's run (records per sub-test) and the bytes
 * the chosen runner would put in the log.
 */
import { parsePatch, resolveBehaviours, sortedBehaviours, type PatchSpec } from '../kernel-model/behaviours.js';
import { isRelease, parseRelease } from '../kernel-model/release.js';
import type { Environment } from './env.js';
import { liburingSetsErrno } from './libc/liburing.js';
import { runSelftest, type RunOptions, type SelftestRun } from './run.js';
import { applyRunner, type ProgramOutput } from './runners/index.js';
import { selftestBuild } from './versions.js';

export interface Prediction {
  env: Environment;
  run: SelftestRun;
  /** What ends up in the log (the runner's output when one wraps the program). */
  stdout: string;
  exitCode: number;
}

export function predict(env: Environment, opts: RunOptions = {}): Prediction | { error: string } {
  const run = runSelftest(env, opts);
  if ('error' in run) return run;
  const wrapped = applyRunner(env, run.build, new Output(run.stdout, run.exitCode));
  return new PredictionOf(env, run, wrapped.stdout, wrapped.exitCode);
}

/*
 * Classes, not object literals, for what a prediction returns: V8 pretenures literal sites
 * whose objects outlive scavenges (see kernel-model Trace.events), and a pretenured dead
 * prediction would keep its whole young run (records, stdout) alive until the next full GC.
 */
class Output implements ProgramOutput {
  constructor(
    readonly stdout: string,
    readonly exitCode: number,
  ) {}
}

class PredictionOf implements Prediction {
  constructor(
    public env: Environment,
    public run: SelftestRun,
    public stdout: string,
    public exitCode: number,
  ) {}
}

/**
 * Everything a trace-less prediction depends on, and nothing else: the kernel's behaviours
 * rather than its release text (6.18 and 6.18.44 run the same model), the selftest version and
 * eras rather than the tree, whether liburing writes errno rather than its version, and no
 * setting the kernel provably never acts on (deadSettings()). Environments with the same key
 * print the same bytes and the same records (their traces may differ: a setting that changes
 * nothing can still be noted); searches cache trace-less predictions by it.
 */
export function predictionKey(env: Environment): string | undefined {
  const r = parseRelease(env.kernel.release);
  const b = selftestBuild(env.selftest.tree);
  if (!isRelease(r) || 'error' in b) return undefined;
  const patches = env.kernel.patches.map((p) => parsePatch(p)).filter((p): p is PatchSpec => !('error' in p));
  const live = liveSettings(env, resolveBehaviours(r, patches));
  return JSON.stringify([
    sortedBehaviours(r, patches),
    b.version.id,
    b.era,
    b.runners,
    live.config,
    env.arch,
    env.pageSizeKiB,
    env.hugetlb,
    env.fs,
    env.user,
    live.sysctl,
    env.selftest.liburing === null ? null : liburingSetsErrno({ version: env.selftest.liburing, arch: env.arch }),
    env.runner,
  ]);
}

/**
 * The kernel config and sysctls with the settings the kernel never reads (in this environment)
 * put at their defaults, so environments that differ only there share one prediction. Each
 * rule names the one place the model reads the setting:
 * - CONFIG_GUP_TEST: only Task.openSpecial() (debugfs gup_test), after the root check and
 *   or-ed with CONFIG_DEBUG_FS and gup_test_debugfs (5.11); without any of those it is dead.
 * - kernel.io_uring_disabled (and io_uring_group): only ioUringSetup() (io_uring_allowed()),
 *   after the CONFIG_IO_URING check and only with io_uring_disabled_sysctl (6.6); there 1
 *   lets root through exactly as 0 does (only a trace note differs).
 */
function liveSettings(
  env: Environment,
  behaviours: ReadonlySet<string>,
): { config: Environment['kernel']['config']; sysctl: Environment['sysctl'] } {
  const config = env.kernel.config;
  const sysctl = env.sysctl;
  const gupTestRead = env.user.root && config.DEBUG_FS && behaviours.has('gup_test_debugfs');
  const disabled = sysctl.io_uring_disabled;
  const disabledRead = config.IO_URING && behaviours.has('io_uring_disabled_sysctl') && disabled > 0 && !(disabled === 1 && env.user.root);
  return {
    config: gupTestRead || config.GUP_TEST ? config : { ...config, GUP_TEST: true },
    sysctl: disabledRead ? sysctl : { io_uring_disabled: 0, io_uring_group: -1 },
  };
}
