/**
 * predictionKey(): the name of a trace-less prediction. The inference search predicts each key
 * once and scores every candidate environment with that key by it, so the key holds everything
 * a prediction's bytes and records depend on, and as little else as can be shown dead: two
 * environments with one key print the same bytes and the same records (their traces may
 * differ: the kernel notes settings even where they change nothing).
 */
import { parsePatch, resolveBehaviours, sortedBehaviours, type BehaviourName, type PatchSpec } from '../kernel-model/behaviours.js';
import { isRelease, parseRelease } from '../kernel-model/release.js';
import type { Environment } from './env.js';
import { liburingSetsErrno } from './libc/liburing.js';
import { selftestBuild } from './versions.js';

/**
 * The kernel's behaviours rather than its release text (6.18 and 6.18.44 run the same model),
 * the selftest version and eras rather than the tree, whether liburing writes errno rather
 * than its version, and dead settings and behaviours at fixed values (liveMachine()).
 */
export function predictionKey(env: Environment): string | undefined {
  const r = parseRelease(env.kernel.release);
  const b = selftestBuild(env.selftest.tree);
  if (!isRelease(r) || 'error' in b) return undefined;
  const patches = env.kernel.patches.map((p) => parsePatch(p)).filter((p): p is PatchSpec => !('error' in p));
  const m = liveMachine(env, resolveBehaviours(r, patches));
  return JSON.stringify([
    [...m.behaviours].sort(),
    b.version.id,
    b.era,
    b.runners,
    m.config,
    env.arch,
    env.pageSizeKiB,
    env.hugetlb,
    env.fs,
    m.user,
    m.sysctl,
    env.selftest.liburing === null ? null : liburingSetsErrno({ version: env.selftest.liburing, arch: env.arch }),
    env.runner,
  ]);
}

/**
 * The kernel alone, as the model sees it: its behaviours. Unlike predictionKey(), which drops
 * what one environment never reads, this holds for every environment: two kernels with one
 * kernelKey() predict alike whatever else is set (a search that varies the rest from either
 * walks the same predictions).
 */
export function kernelKey(env: Environment): string | undefined {
  const r = parseRelease(env.kernel.release);
  if (!isRelease(r)) return undefined;
  const patches = env.kernel.patches.map((p) => parsePatch(p)).filter((p): p is PatchSpec => !('error' in p));
  return sortedBehaviours(r, patches).join(',');
}

/** What the key takes of the machine, after liveMachine() fixed the dead parts. */
interface Machine {
  behaviours: Set<BehaviourName>;
  config: Environment['kernel']['config'];
  sysctl: Environment['sysctl'];
  user: Environment['user'];
}

/** The behaviours the ring and buffer accounting reads (io-uring.ts ringMemoryCharged(), unchargedAtClose()). */
const ACCOUNTING: readonly BehaviourName[] = [
  'io_uring_rings_memcg',
  'io_uring_ring_region_accounted',
  'io_uring_ring_region_unaccounted',
  'io_uring_unaccount_at_exit_queue',
];

const SZ_1G_KIB = 1024 * 1024;

/**
 * The machine with every setting and behaviour the model provably never acts on (in this
 * environment) put at a fixed value. Each rule is applied to the machine as the rules before
 * it left it, and each names the only places the model reads what it fixes, so each keeps
 * the prediction as it was (tested by test/prediction-key.test.ts over a sweep):
 * 1. CONFIG_GUP_TEST: only Task.openSpecial() (debugfs gup_test), after the root check and
 *    or-ed with CONFIG_DEBUG_FS and gup_test_debugfs (5.11).
 * 2. gup_test_debugfs: the same test, read only once root, CONFIG_GUP_TEST and CONFIG_DEBUG_FS
 *    passed; pin_longterm_test (6.2): only gupTestIoctl(), on a gup_test file that opened.
 * 3. io_uring: the selftests reach it only through liburing (cases/libc/liburing.ts), and
 *    every path starts at ioUringSetup(), which fails first without CONFIG_IO_URING: without
 *    either, no io_uring behaviour, sysctl or RLIMIT_MEMLOCK (ioAccountMem() only) is read.
 * 4. kernel.io_uring_disabled and io_uring_group: only io_uring_allowed() in ioUringSetup(),
 *    with io_uring_disabled_sysctl (6.6), where 1 lets root through exactly as 0 does; that
 *    behaviour matters only with a value above 0.
 * 5. A ring io_uring_allowed() refuses: no ring, so no buffer and no accounting either.
 * 6. Root (CAP_IPC_LOCK) is never charged (ioUringChargesUser()): RLIMIT_MEMLOCK and the
 *    accounting behaviours are dead.
 * 7. io_uring_buffer_cap_1t: only io_buffer_validate(), where it moves a limit from 1 GiB to
 *    1 TiB; the selftests register one page or one huge page, so with no huge page size
 *    above 1 GiB no buffer reaches either limit.
 */
function liveMachine(env: Environment, active: ReadonlySet<BehaviourName>): Machine {
  const m: Machine = { behaviours: new Set(active), config: env.kernel.config, sysctl: env.sysctl, user: env.user };
  const has = (b: BehaviourName): boolean => m.behaviours.has(b);
  const dropIoUring = (keep?: BehaviourName): void => {
    for (const b of [...m.behaviours]) if (b.startsWith('io_uring_') && b !== keep) m.behaviours.delete(b);
  };
  const noMemlock = (): void => {
    if (m.user.memlockKiB !== 8192) m.user = { ...m.user, memlockKiB: 8192 };
  };
  const noSysctl = (): void => {
    if (m.sysctl.io_uring_disabled !== 0 || m.sysctl.io_uring_group !== -1) m.sysctl = { io_uring_disabled: 0, io_uring_group: -1 };
  };
  // 1, 2
  if (!(m.user.root && m.config.DEBUG_FS && has('gup_test_debugfs')) && !m.config.GUP_TEST) m.config = { ...m.config, GUP_TEST: true };
  const gupTestOpens = m.user.root && m.config.GUP_TEST && m.config.DEBUG_FS;
  if (!gupTestOpens) m.behaviours.delete('gup_test_debugfs');
  if (!(gupTestOpens && has('gup_test_debugfs'))) m.behaviours.delete('pin_longterm_test');
  // 3
  if (env.selftest.liburing === null || !m.config.IO_URING) {
    dropIoUring();
    noSysctl();
    noMemlock();
    return m;
  }
  // 4
  const d = m.sysctl.io_uring_disabled;
  if (!has('io_uring_disabled_sysctl') || d === 0 || (d === 1 && m.user.root)) {
    noSysctl();
    m.behaviours.delete('io_uring_disabled_sysctl');
  }
  // 5
  const s = m.sysctl;
  const inGroup = s.io_uring_group >= 0 && m.user.groups.includes(s.io_uring_group);
  if (s.io_uring_disabled >= 2 || (s.io_uring_disabled === 1 && !m.user.root && !inGroup)) {
    dropIoUring('io_uring_disabled_sysctl');
    noMemlock();
    return m;
  }
  // 6
  if (m.user.root) {
    noMemlock();
    for (const b of ACCOUNTING) m.behaviours.delete(b);
  }
  // 7
  if (env.hugetlb.every((h) => h.sizeKiB <= SZ_1G_KIB) && env.pageSizeKiB <= SZ_1G_KIB) m.behaviours.delete('io_uring_buffer_cap_1t');
  return m;
}
