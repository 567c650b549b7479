/**
 * Environment → the simulated kernel it describes (kernel-model's KernelSpec).
 */
import { parsePatch, type PatchSpec } from '../kernel-model/behaviours.js';
import { FS_TYPES, FsMount, type Mount } from '../kernel-model/fs.js';
import { DEFAULT_THP, maxBuddyKiB, type KernelSpec } from '../kernel-model/kernel.js';
import type { ThpSpec } from '../kernel-model/thp.js';
import { isRelease, parseRelease } from '../kernel-model/release.js';
import { userHasIpcLock, type Environment, type FsSpec } from './env.js';

/**
 * Pages the buddy allocator could add to a pool when nr_hugepages is raised, unless the
 * environment says: plenty for sizes the buddy allocator serves, none for gigantic pages
 * (runtime allocation of 1 GiB pages usually fails on a machine that has been running).
 */
export function defaultAllocatable(sizeKiB: number, pageSizeKiB: number): number {
  return sizeKiB <= maxBuddyKiB(pageSizeKiB) ? 1024 : 0;
}

function mount(spec: FsSpec): Mount {
  const m = new FsMount(FS_TYPES[spec.type]);
  if (spec.host) m.host = FS_TYPES[spec.host];
  if (spec.cache === 'none') m.cacheNone = true;
  if (spec.upper) m.upper = FS_TYPES[spec.upper];
  if (spec.version) m.nfsVersion = spec.version;
  if (spec.fallocate !== undefined) m.serverFallocate = spec.fallocate;
  return m;
}

/** The THP policy of an environment, as the kernel boots with it (one Map per distinct policy). */
const THP_SPECS = new Map<string, ThpSpec>();

function thpOf(env: Environment): ThpSpec {
  const t = env.thp;
  if (t.sizes.length === 0 && t.useZeroPage && t.enabled === 'madvise') return DEFAULT_THP;
  const key = `${t.enabled}|${t.useZeroPage}|${t.sizes.map((s) => `${s.sizeKiB}:${s.enabled}`).join(',')}`;
  let spec = THP_SPECS.get(key);
  if (spec === undefined) {
    spec = {
      enabled: t.enabled,
      useZeroPage: t.useZeroPage,
      sizes: new Map(t.sizes.map((s) => [s.sizeKiB, s.enabled])),
    };
    if (THP_SPECS.size < 256) THP_SPECS.set(key, spec);
  }
  return spec;
}

export function kernelSpecFor(env: Environment): KernelSpec {
  const release = parseRelease(env.kernel.release);
  /* c8 ignore next */
  if (!isRelease(release)) throw new Error(release.error);
  const patches = env.kernel.patches.map((p) => parsePatch(p)).filter((p): p is PatchSpec => !('error' in p));
  return {
    release,
    patches,
    config: env.kernel.config,
    arch: env.arch,
    pageSizeKiB: env.pageSizeKiB,
    hugetlb: env.hugetlb.map((h) => ({
      sizeKiB: h.sizeKiB,
      free: h.free,
      allocatable: h.allocatable ?? defaultAllocatable(h.sizeKiB, env.pageSizeKiB),
      movable: h.movable ?? false,
    })),
    mounts: { tmp: mount(env.fs.tmp), cwd: mount(env.fs.cwd), debugfs: env.fs.debugfs },
    user: { root: env.user.root, memlockKiB: env.user.memlockKiB, groups: env.user.groups, ipcLock: userHasIpcLock(env.user) },
    thp: thpOf(env),
    swapKiB: env.swap.sizeKiB,
    sysctl: { ioUringDisabled: env.sysctl.io_uring_disabled, ioUringGroup: env.sysctl.io_uring_group },
  };
}
