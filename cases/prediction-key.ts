/**
 * predictionKey(): the name of a trace-less prediction. The inference search predicts each key
 * once and scores every candidate environment with that key by it, so the key holds everything
 * a prediction's bytes and records depend on, and as little else as can be shown dead: two
 * environments with one key print the same bytes and the same records (their traces may
 * differ: the kernel notes settings even where they change nothing). A search computes one key
 * per candidate, so the parts that repeat (a kernel's behaviours, a build's eras) are worked
 * out once.
 */
import { parsePatch, resolveBehaviours, sortedBehaviours, type BehaviourName, type PatchSpec } from '../kernel-model/behaviours.js';
import { isRelease, parseRelease } from '../kernel-model/release.js';
import { userHasIpcLock, type Environment, type FsSpec } from './env.js';
import { liburingSetsErrno } from './libc/liburing.js';
import { selftestBuild, type SelftestBuild } from './versions.js';

/**
 * The kernel's behaviours rather than its release text (6.18 and 6.18.44 run the same model),
 * the selftest version and eras rather than the tree, whether liburing writes errno rather
 * than its version, and dead settings and behaviours at fixed values (see live()).
 *
 * `beforeIoUring`: the key of a prediction read only for records of GUP sub-tests (a search
 * whose predictions stop early: reports/diff/infer-cache.ts). Every GUP case runs before the
 * first io_uring case (ids.ts TEST_CASES), and the program reaches io_uring only through
 * liburing's calls in its io_uring sub-tests (rule 3 of live()), so those records were made
 * before any io_uring setting, behaviour, RLIMIT_MEMLOCK or liburing's errno writing was read:
 * all are put at fixed values. Whether liburing is linked stays (it changes the plan).
 */
export function predictionKey(env: Environment, beforeIoUring = false): string | undefined {
  const k = kernelOf(env);
  const b = selftestBuild(env.selftest.tree, env.selftest.name);
  if (!k || 'error' in b) return undefined;
  const m = live(env, k.set, beforeIoUring);
  let behaviours = k.byDropped.get(m.dropped);
  if (behaviours === undefined) {
    behaviours = k.sorted.filter((n) => !isDropped(n, m.dropped)).join(',');
    k.byDropped.set(m.dropped, behaviours);
  }
  const c = env.kernel.config;
  const { user } = env;
  return [
    behaviours,
    buildKey(b),
    `${m.gupTest ? 1 : 0}${beforeIoUring ? '-' : c.IO_URING ? 1 : 0}${c.HUGETLBFS ? 1 : 0}${c.DEBUG_FS ? (env.fs.debugfs ? 1 : 'u') : 0}`,
    env.arch,
    env.pageSizeKiB,
    env.hugetlb.map((h) => `${h.sizeKiB}:${h.free}:${opt(h.allocatable)}:${opt(h.movable)}`).join(','),
    fsKey(env.fs.tmp),
    fsKey(env.fs.cwd),
    `${user.root ? 1 : 0}${userHasIpcLock(user) === user.root ? '' : user.root ? '-ipc_lock' : '+ipc_lock'}:${m.memlockKiB}:${user.groups.join(',')}`,
    `${m.ioUringDisabled}:${m.ioUringGroup}`,
    env.selftest.liburing === null ? 'none' : beforeIoUring ? 'linked' : liburingSetsErrno({ version: env.selftest.liburing, arch: env.arch }) ? 'errno' : 'raw',
    env.runner + withKey(env),
    cowKey(env),
  ].join('|');
}

/** The other programs of the invocation (selftest.with), each by its build. */
function withKey(env: Environment): string {
  const w = env.selftest.with;
  if (!w) return '';
  return w
    .map((n) => {
      const b = selftestBuild(env.selftest.tree, n);
      return `+${n}:${'error' in b ? 'error' : buildKey(b)}`;
    })
    .join('');
}

/**
 * What only cow reads: the THP policy, CONFIG_TRANSPARENT_HUGEPAGE and swap. gup_longterm maps
 * files and memfds only — no anonymous memory, no THP file, no swap — so for it they are dead
 * (rule 8 of live()) and the key holds the program's name alone.
 */
function cowKey(env: Environment): string {
  if (env.selftest.name !== 'cow' && !env.selftest.with?.includes('cow')) return env.selftest.name;
  const t = env.thp;
  return `cow:${env.kernel.config.TRANSPARENT_HUGEPAGE ? 1 : 0}:${t.enabled}:${t.useZeroPage ? 1 : 0}:${t.sizes.map((x) => `${x.sizeKiB}=${x.enabled}`).join(',')}:${env.swap.sizeKiB}`;
}

/**
 * The kernel alone, as the model sees it: its behaviours. Unlike predictionKey(), which drops
 * what one environment never reads, this holds for every environment: two kernels with one
 * kernelKey() predict alike whatever else is set (a search that varies the rest from either
 * walks the same predictions).
 */
export function kernelKey(env: Environment, beforeIoUring = false): string | undefined {
  const k = kernelOf(env);
  if (!k) return undefined;
  // beforeIoUring: as in predictionKey(), the io_uring behaviours are dead for GUP records.
  if (!beforeIoUring) return k.sorted.join(',');
  k.gupOnly ??= k.sorted.filter((n) => !n.startsWith('io_uring_')).join(',');
  return k.gupOnly;
}

interface KernelEntry {
  set: ReadonlySet<BehaviourName>;
  sorted: readonly BehaviourName[];
  /** kernelKey(…, beforeIoUring), once asked for. */
  gupOnly?: string;
  /** The behaviours left, per set of Dropped bits. */
  byDropped: Map<number, string>;
}

const KERNELS = new Map<string, KernelEntry | null>();

function kernelOf(env: Environment): KernelEntry | undefined {
  const { release, patches } = env.kernel;
  const text = patches.length ? `${release}|${patches.join(',')}` : release;
  let k = KERNELS.get(text);
  if (k === undefined) {
    const r = parseRelease(release);
    const specs = patches.map((p) => parsePatch(p)).filter((p): p is PatchSpec => !('error' in p));
    k = isRelease(r) ? { set: resolveBehaviours(r, specs), sorted: sortedBehaviours(r, specs), byDropped: new Map() } : null;
    if (KERNELS.size < 4096) KERNELS.set(text, k);
  }
  return k ?? undefined;
}

const BUILD_KEYS = new WeakMap<SelftestBuild, string>();

function buildKey(b: SelftestBuild): string {
  let s = BUILD_KEYS.get(b);
  if (s === undefined) {
    s = JSON.stringify([b.version.id, b.era, b.runners, b.directKselftest]);
    BUILD_KEYS.set(b, s);
  }
  return s;
}

const opt = (v: number | boolean | string | undefined): string => (v === undefined ? '-' : `+${String(v)}`);

/** Every field of a filesystem spec (env.ts FsSpec), as key text (the search's coordinates use it too). */
export const fsKey = (f: FsSpec): string => `${f.type}${opt(f.host)}${opt(f.cache)}${opt(f.upper)}${opt(f.version)}${opt(f.fallocate)}`;

/** Which behaviours a key leaves out, as bits. */
const Dropped = {
  GupTestDebugfs: 1,
  PinLongtermTest: 2,
  IoUring: 4,
  IoUringButSysctl: 8,
  IoUringSysctl: 16,
  Accounting: 32,
  BufferCap1T: 64,
  AnonMemory: 128,
} as const;

/**
 * The behaviours only anonymous memory reads (kernel-model/anon-*.ts, mm-syscalls.ts,
 * anon-reclaim.ts, thp.ts): dead for a program that maps none (rule 8).
 */
const ANON_ONLY: ReadonlySet<string> = new Set([
  'swp_exclusive',
  'madv_collapse',
  'mthp_anon',
  'wp_reuse_large_anon',
  'thp_cow_split_pmd',
  'thp_wp_page_count',
  'swapin_reuse_page_count',
  'mprotect_upgrade_exclusive_anon',
  'pageout_folio_mapcount',
  'pageout_estimated_sharers',
  'thp_split_remap_zero',
]);

/** The behaviours the ring and buffer accounting reads (io-uring.ts ringMemoryCharged(), unchargedAtClose()). */
const ACCOUNTING: ReadonlySet<string> = new Set([
  'io_uring_rings_memcg',
  'io_uring_ring_region_accounted',
  'io_uring_ring_region_unaccounted',
  'io_uring_unaccount_at_exit_queue',
]);

function isDropped(b: BehaviourName, d: number): boolean {
  if (ANON_ONLY.has(b)) return (d & Dropped.AnonMemory) !== 0;
  if (b === 'gup_test_debugfs') return (d & Dropped.GupTestDebugfs) !== 0;
  if (b === 'pin_longterm_test') return (d & Dropped.PinLongtermTest) !== 0;
  if (!b.startsWith('io_uring_')) return false;
  if (d & Dropped.IoUring) return true;
  if (b === 'io_uring_disabled_sysctl') return (d & Dropped.IoUringSysctl) !== 0;
  if (d & Dropped.IoUringButSysctl) return true;
  if (ACCOUNTING.has(b)) return (d & Dropped.Accounting) !== 0;
  return b === 'io_uring_buffer_cap_1t' && (d & Dropped.BufferCap1T) !== 0;
}

/** The settings as the key takes them, and the behaviours it drops. */
interface Live {
  gupTest: boolean;
  memlockKiB: number | 'unlimited';
  ioUringDisabled: number;
  ioUringGroup: number;
  dropped: number;
}

const SZ_1G_KIB = 1024 * 1024;

/**
 * The machine with every setting and behaviour the model provably never acts on (in this
 * environment) put at a fixed value. Each rule is applied to the machine as the rules before
 * it left it, and each names the only places the model reads what it fixes, so each keeps
 * the prediction as it was (tested by test/prediction-key.test.ts over a sweep):
 * 1. CONFIG_GUP_TEST: only Task.openSpecial() (debugfs gup_test), after the checks of
 *    CONFIG_DEBUG_FS, of debugfs being mounted and of root, or-ed with gup_test_debugfs (5.11).
 * 2. gup_test_debugfs: the same test, read only once root, CONFIG_GUP_TEST and CONFIG_DEBUG_FS
 *    passed; pin_longterm_test (6.2): only gupTestIoctl(), on a gup_test file that opened.
 * 3. io_uring: the selftests reach it only through liburing (cases/libc/liburing.ts), and
 *    every path starts at ioUringSetup(), which fails first without CONFIG_IO_URING: without
 *    either, no io_uring behaviour, sysctl or RLIMIT_MEMLOCK (ioAccountMem() only) is read.
 * 4. kernel.io_uring_disabled and io_uring_group: only io_uring_allowed() in ioUringSetup(),
 *    with io_uring_disabled_sysctl (6.6), where 1 lets root through exactly as 0 does; that
 *    behaviour matters only with a value above 0.
 * 5. A ring io_uring_allowed() refuses: no ring, so no buffer and no accounting either.
 * 6. A user with CAP_IPC_LOCK (root, unless it was dropped) is never charged (ioUringChargesUser()): RLIMIT_MEMLOCK and the
 *    accounting behaviours are dead.
 * 7. io_uring_buffer_cap_1t: only io_buffer_validate(), where it moves a limit from 1 GiB to
 *    1 TiB; the selftests register one page or one huge page, so with no huge page size
 *    above 1 GiB no buffer reaches either limit.
 * 8. The THP policy, CONFIG_TRANSPARENT_HUGEPAGE, swap and the behaviours of ANON_ONLY: only
 *    anonymous memory reads them (kernel-model/anon-*.ts, thp.ts, sysfs.ts), which only cow
 *    maps (cowKey()).
 */
function live(env: Environment, has: ReadonlySet<BehaviourName>, beforeIoUring: boolean): Live {
  const { user, sysctl } = env;
  const config = env.kernel.config;
  const root = user.root;
  // 1, 2
  const debugfs = config.DEBUG_FS && env.fs.debugfs;
  const gupTest = config.GUP_TEST || !(root && debugfs && has.has('gup_test_debugfs'));
  const gupTestOpens = root && gupTest && debugfs;
  let dropped = 0;
  // 8
  if (env.selftest.name !== 'cow' && !env.selftest.with?.includes('cow')) dropped |= Dropped.AnonMemory;
  if (!gupTestOpens) dropped |= Dropped.GupTestDebugfs;
  if (!(gupTestOpens && has.has('gup_test_debugfs'))) dropped |= Dropped.PinLongtermTest;
  const m: Live = { gupTest, memlockKiB: 8192, ioUringDisabled: 0, ioUringGroup: -1, dropped };
  // 3 (and predictionKey()'s beforeIoUring: io_uring not reached yet)
  if (beforeIoUring || env.selftest.liburing === null || !config.IO_URING) {
    m.dropped |= Dropped.IoUring;
    return m;
  }
  // 4
  const d = sysctl.io_uring_disabled;
  if (!has.has('io_uring_disabled_sysctl') || d === 0 || (d === 1 && root)) {
    m.dropped |= Dropped.IoUringSysctl;
  } else {
    m.ioUringDisabled = d;
    m.ioUringGroup = sysctl.io_uring_group;
    // 5
    const inGroup = sysctl.io_uring_group >= 0 && user.groups.includes(sysctl.io_uring_group);
    if (d >= 2 || !inGroup) {
      m.dropped |= Dropped.IoUringButSysctl;
      return m;
    }
  }
  // 6
  if (userHasIpcLock(user)) m.dropped |= Dropped.Accounting;
  else m.memlockKiB = user.memlockKiB;
  // 7
  if (env.hugetlb.every((h) => h.sizeKiB <= SZ_1G_KIB) && env.pageSizeKiB <= SZ_1G_KIB) m.dropped |= Dropped.BufferCap1T;
  return m;
}
