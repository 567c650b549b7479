/**
 * The environment file (`*.env.json`, ../shared/reference/environment.md): parsed from
 * untrusted JSON into a normalised Environment, or an error naming the field. Never throws.
 */
import { ARCHES, type Arch } from '../kernel-model/kernel.js';
import { isFsName, FS_NAMES, type FsName } from '../kernel-model/fs.js';
import { parsePatch } from '../kernel-model/behaviours.js';
import { isRelease, parseRelease } from '../kernel-model/release.js';
import { unmodelledRelease } from './modelled-releases.js';
import { THP_ENABLED_VALUES, THP_SIZE_VALUES, type ThpEnabled, type ThpSizeEnabled } from '../kernel-model/thp.js';
import { SELFTEST_NAMES, type SelftestName } from './selftests/names.js';

export type RunnerName = 'direct' | 'run_vmtests' | 'kselftest' | 'kselftest+run_vmtests';
export const RUNNERS: readonly RunnerName[] = ['direct', 'run_vmtests', 'kselftest', 'kselftest+run_vmtests'];

export interface FsSpec {
  type: FsName;
  /** 9p: the host filesystem whose statfs magic is passed through. */
  host?: FsName;
  /** 9p: cache mode; `none` refuses writable shared mmap. */
  cache?: string;
  /** overlayfs: the upper filesystem. */
  upper?: FsName;
  /** nfs: protocol version `3`, `4.0`, `4.1` or `4.2` (default 4.2, what a mount negotiates). */
  version?: string;
  /** fuse, virtiofs, nfs: whether the server implements fallocate (default true). */
  fallocate?: boolean;
}

const NFS_VERSIONS = ['3', '4.0', '4.1', '4.2'];

export interface HugetlbSpec {
  sizeKiB: number;
  free: number;
  /** Extra pages the kernel could allocate if nr_hugepages were raised (gupsim extension). */
  allocatable?: number;
  /** The pool sits in ZONE_MOVABLE/CMA (gupsim extension). */
  movable?: boolean;
}

/** One THP size's `hugepages-<N>kB/enabled` setting (mTHP, 6.8+). */
export interface ThpSizeSpec {
  sizeKiB: number;
  enabled: ThpSizeEnabled;
}

export interface Environment {
  kernel: {
    release: string;
    patches: string[];
    config: { GUP_TEST: boolean; IO_URING: boolean; HUGETLBFS: boolean; DEBUG_FS: boolean; TRANSPARENT_HUGEPAGE: boolean };
  };
  arch: Arch;
  pageSizeKiB: number;
  hugetlb: HugetlbSpec[];
  /**
   * tmp, cwd: the filesystems of /tmp and the current directory. debugfs: mounted at
   * /sys/kernel/debug (a machine without it — no systemd, a bare VM — has only the empty sysfs
   * mount point: /sys/kernel/debug/gup_test is then ENOENT for everyone, never EACCES);
   * absent, it follows kernel.config.GUP_TEST.
   */
  fs: { tmp: FsSpec; cwd: FsSpec; debugfs: boolean };
  /**
   * groups: gids the test process is in (for kernel.io_uring_group). ipcLock: whether it holds
   * CAP_IPC_LOCK when that is not what `root` implies (absent: root does, others do not;
   * `setpriv --bounding-set=-ipc_lock` takes it from root) — see userHasIpcLock().
   */
  user: { root: boolean; memlockKiB: number | 'unlimited'; groups: number[]; ipcLock?: boolean };
  /** io_uring_group: kernel.io_uring_group, -1 = none (the kernel's default). */
  sysctl: { io_uring_disabled: number; io_uring_group: number };
  /**
   * The THP policy in /sys/kernel/mm/transparent_hugepage when the test starts: the top-level
   * `enabled`, `use_zero_page`, and each size's `enabled` (sizes not listed: the kernel's
   * defaults, `inherit` for the PMD size and `never` for the others).
   */
  thp: { enabled: ThpEnabled; useZeroPage: boolean; sizes: ThpSizeSpec[] };
  /** Swap space switched on (0: none). */
  swap: { sizeKiB: number };
  /**
   * name: which selftest program (gup_longterm or cow). with: the other programs the runner
   * runs in the same invocation (`run_vmtests.sh -t "gup_test cow"`, `run_kselftest.sh -t
   * mm:ksft_gup_test.sh -t mm:ksft_cow.sh`): their output is in the log, but only `name`'s
   * sub-tests are recorded.
   */
  selftest: { name: SelftestName; tree: string; liburing: string | null; with?: SelftestName[] };
  runner: RunnerName;
}

export type EnvResult = { ok: true; env: Environment } | { ok: false; error: string };

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

class EnvError {
  constructor(readonly message: string) {}
}

function fail(msg: string): never {
  throw new EnvError(msg);
}

function isObj(v: Json | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: Json | undefined, path: string, keys: readonly string[]): Obj {
  if (!isObj(v)) fail(`${path}: expected an object`);
  for (const k of Object.keys(v)) if (!keys.includes(k)) fail(`${path}.${k}: unknown field`);
  return v;
}

function bool(v: Json | undefined, path: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') fail(`${path}: expected true or false`);
  return v;
}

function int(v: Json | undefined, path: string, dflt: number, min = 0): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(`${path}: expected an integer >= ${min}`);
  return v;
}

/** The largest huge page any architecture has: 16 GiB (powerpc64 and arm64 with 64 KiB pages). */
export const MAX_HUGETLB_KIB = 16 * 1024 * 1024;

/**
 * The most physical memory each architecture's kernel can address, as bits (MAX_PHYSMEM_BITS at
 * its largest setting: x86_64 with 5-level paging, arm64 with ARM64_PA_BITS_52, ppc64le hash
 * with 64K pages, s390x's CONFIG_MAX_PHYSMEM_BITS range, riscv64 Sv57). No pool of huge pages
 * and no RLIMIT_MEMLOCK worth modelling is larger: a number beyond it is a typo or a hostile file.
 */
export const MAX_PHYSMEM_BITS: Readonly<Record<Arch, number>> = { x86_64: 52, arm64: 52, ppc64le: 51, s390x: 53, riscv64: 56 };

/** MAX_PHYSMEM_BITS in KiB. */
export function maxPhysKiB(arch: Arch): number {
  return 2 ** (MAX_PHYSMEM_BITS[arch] - 10);
}

/** 2^n bytes in words: "4 PiB". */
function binaryBytes(bits: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  const u = Math.min(Math.floor(bits / 10), units.length - 1);
  return `${2 ** (bits - 10 * u)} ${units[u]}`;
}

/** Refuse `kib` KiB of memory (a pool or a limit) larger than `arch` can address. */
function physical(kib: number, arch: Arch, path: string, what: string, hint = ''): void {
  if (kib <= maxPhysKiB(arch)) return;
  const bits = MAX_PHYSMEM_BITS[arch];
  fail(`${path}: ${what} is more memory than ${arch} can address (at most ${binaryBytes(bits)}, MAX_PHYSMEM_BITS ${bits})${hint}`);
}

/** gid_t is 32 bits and (gid_t)-1 is no group: the largest gid. */
export const MAX_GID = 2 ** 32 - 2;
/** kernel.io_uring_group is an int sysctl (proc_dointvec): -1 … INT_MAX. */
export const MAX_SYSCTL_INT = 2 ** 31 - 1;

/** Exact for every safe integer (JavaScript's `&` truncates to 32 bits: 3·2^32 would pass it). */
export function isPowerOfTwo(n: number): boolean {
  if (!Number.isSafeInteger(n) || n < 1) return false;
  // Within 31 bits `&` is exact, and every environment's huge page sizes are asked this.
  if (n <= 0x3fffffff) return (n & (n - 1)) === 0;
  const b = BigInt(n);
  return (b & (b - 1n)) === 0n;
}

function str(v: Json | undefined, path: string): string {
  if (typeof v !== 'string') fail(`${path}: expected a string`);
  return v;
}

/**
 * The short text form of a filesystem used by flags and reports: `ext4`, `9p:ext4` (9p passing
 * the host's magic through). Returns the raw JSON form; validation happens in fsSpec().
 */
export function fsFromText(text: string): string | { type: string; host: string } {
  const [type = '', host] = text.split(':');
  return host ? { type, host } : type;
}

export function fsText(s: FsSpec): string {
  return s.host ? `${s.type}:${s.host}` : s.type;
}

function fsName(v: Json | undefined, path: string): FsName {
  const s = str(v, path);
  if (!isFsName(s)) fail(`${path}: unknown filesystem "${s}" (known: ${FS_NAMES.join(', ')})`);
  return s;
}

/** Validate one filesystem value (name or object form); throws EnvError naming `path`. */
export function fsSpec(v: Json | undefined, path: string, dflt: FsName): FsSpec {
  if (v === undefined) return { type: dflt };
  if (typeof v === 'string') return { type: fsName(v, path) };
  const o = obj(v, path, ['type', 'host', 'cache', 'upper', 'version', 'fallocate']);
  const spec: FsSpec = { type: fsName(o.type, `${path}.type`) };
  if (o.host !== undefined) spec.host = fsName(o.host, `${path}.host`);
  if (o.cache !== undefined) spec.cache = str(o.cache, `${path}.cache`);
  if (o.upper !== undefined) spec.upper = fsName(o.upper, `${path}.upper`);
  if (o.version !== undefined) {
    const ver = str(o.version, `${path}.version`);
    if (spec.type !== 'nfs') fail(`${path}.version: only an nfs mount has a protocol version (use "nfs3" for NFSv3)`);
    if (!NFS_VERSIONS.includes(ver)) fail(`${path}.version: expected one of ${NFS_VERSIONS.join(', ')}`);
    spec.version = ver;
  }
  if (o.fallocate !== undefined) {
    if (!['fuse', 'virtiofs', 'nfs'].includes(spec.type)) fail(`${path}.fallocate: only fuse, virtiofs and nfs servers vary in fallocate support`);
    spec.fallocate = bool(o.fallocate, `${path}.fallocate`, true);
  }
  return spec;
}

function releaseText(v: Json | undefined, path: string): string {
  const s = str(v, path);
  const r = parseRelease(s);
  if (!isRelease(r)) fail(`${path}: ${r.error}`);
  const unmodelled = unmodelledRelease(r);
  if (unmodelled) fail(`${path}: ${unmodelled}`);
  return s;
}

function parseObject(root: Json): Environment {
  const o = obj(root, 'environment', ['kernel', 'arch', 'pageSizeKiB', 'hugetlb', 'fs', 'user', 'sysctl', 'thp', 'swap', 'selftest', 'runner']);
  if (o.kernel === undefined) fail('kernel.release: required');
  const k = obj(o.kernel, 'kernel', ['release', 'patches', 'config']);
  if (k.release === undefined) fail('kernel.release: required');
  const release = releaseText(k.release, 'kernel.release');
  const patches: string[] = [];
  if (k.patches !== undefined) {
    if (!Array.isArray(k.patches)) fail('kernel.patches: expected an array');
    k.patches.forEach((p, i) => {
      const s = str(p, `kernel.patches[${i}]`);
      const parsed = parsePatch(s);
      if ('error' in parsed) fail(`kernel.patches[${i}]: ${parsed.error}`);
      patches.push(s);
    });
  }
  const c = k.config === undefined ? {} : obj(k.config, 'kernel.config', ['GUP_TEST', 'IO_URING', 'HUGETLBFS', 'DEBUG_FS', 'TRANSPARENT_HUGEPAGE']);
  const config = {
    GUP_TEST: bool(c.GUP_TEST, 'kernel.config.GUP_TEST', true),
    IO_URING: bool(c.IO_URING, 'kernel.config.IO_URING', true),
    HUGETLBFS: bool(c.HUGETLBFS, 'kernel.config.HUGETLBFS', true),
    DEBUG_FS: bool(c.DEBUG_FS, 'kernel.config.DEBUG_FS', true),
    TRANSPARENT_HUGEPAGE: bool(c.TRANSPARENT_HUGEPAGE, 'kernel.config.TRANSPARENT_HUGEPAGE', true),
  };

  let arch: Arch = 'x86_64';
  if (o.arch !== undefined) {
    const a = str(o.arch, 'arch');
    if (!(ARCHES as readonly string[]).includes(a)) fail(`arch: unknown "${a}" (known: ${ARCHES.join(', ')})`);
    arch = a as Arch;
  }
  const pageSizeKiB = int(o.pageSizeKiB, 'pageSizeKiB', 4, 1);
  if (![4, 16, 64].includes(pageSizeKiB)) fail('pageSizeKiB: expected 4, 16 or 64');

  const hugetlb: HugetlbSpec[] = [];
  if (o.hugetlb !== undefined) {
    if (!Array.isArray(o.hugetlb)) fail('hugetlb: expected an array');
    const seen = new Set<number>();
    o.hugetlb.forEach((h, i) => {
      const p = `hugetlb[${i}]`;
      const e = obj(h, p, ['sizeKiB', 'free', 'allocatable', 'movable']);
      if (e.sizeKiB === undefined) fail(`${p}.sizeKiB: required`);
      const sizeKiB = int(e.sizeKiB, `${p}.sizeKiB`, 0, 1);
      if (sizeKiB > MAX_HUGETLB_KIB) fail(`${p}.sizeKiB: ${sizeKiB} is larger than any huge page size (at most ${MAX_HUGETLB_KIB} KiB, 16 GiB)`);
      if (!isPowerOfTwo(sizeKiB)) fail(`${p}.sizeKiB: ${sizeKiB} is not a power of two`);
      // A Set, not a scan of the sizes so far: the check stays linear however long the list.
      if (seen.has(sizeKiB)) fail(`${p}.sizeKiB: ${sizeKiB} listed twice`);
      seen.add(sizeKiB);
      const spec: HugetlbSpec = { sizeKiB, free: int(e.free, `${p}.free`, 0) };
      physical(spec.free * sizeKiB, arch, `${p}.free`, `${spec.free} pages of ${sizeKiB} KiB`);
      if (e.allocatable !== undefined) {
        spec.allocatable = int(e.allocatable, `${p}.allocatable`, 0);
        physical(spec.allocatable * sizeKiB, arch, `${p}.allocatable`, `${spec.allocatable} pages of ${sizeKiB} KiB`);
      }
      if (e.movable !== undefined) spec.movable = bool(e.movable, `${p}.movable`, false);
      hugetlb.push(spec);
    });
  }

  const f = o.fs === undefined ? {} : obj(o.fs, 'fs', ['tmp', 'cwd', 'debugfs']);
  const fs = {
    tmp: fsSpec(f.tmp, 'fs.tmp', 'tmpfs'),
    cwd: fsSpec(f.cwd, 'fs.cwd', 'ext4'),
    // Absent: mounted when the kernel has gup_test. An environment's GUP_TEST is mostly read off
    // /sys/kernel/debug/gup_test (env detect, the INDEX files), which a machine without debugfs
    // mounted never shows: the machines known so far are both kinds (the 6.18 host: neither;
    // the 7.2.13 CONFIG_GUP_TEST guest: both). Only a non-root gup_test program tells them apart.
    debugfs: bool(f.debugfs, 'fs.debugfs', config.GUP_TEST),
  };

  const u = o.user === undefined ? {} : obj(o.user, 'user', ['root', 'memlockKiB', 'groups', 'ipcLock']);
  let memlockKiB: number | 'unlimited' = 8192;
  if (u.memlockKiB !== undefined) {
    memlockKiB = u.memlockKiB === 'unlimited' ? 'unlimited' : int(u.memlockKiB, 'user.memlockKiB', 0);
    // A larger limit could never be reached: it means "unlimited", which is what to write.
    if (memlockKiB !== 'unlimited') physical(memlockKiB, arch, 'user.memlockKiB', `${memlockKiB} KiB`, '; for no limit write "unlimited"');
  }
  const groups: number[] = [];
  if (u.groups !== undefined) {
    if (!Array.isArray(u.groups)) fail('user.groups: expected an array of gids');
    u.groups.forEach((g, i) => {
      const gid = int(g, `user.groups[${i}]`, 0);
      if (gid > MAX_GID) fail(`user.groups[${i}]: ${gid} is not a gid (gid_t is 32 bits; at most ${MAX_GID})`);
      groups.push(gid);
    });
  }
  const isRoot = bool(u.root, 'user.root', true);
  const ipcLock = bool(u.ipcLock, 'user.ipcLock', isRoot);
  // Absent when it is what root implies, so a copy that changes `root` changes it too.
  const user = ipcLock === isRoot ? { root: isRoot, memlockKiB, groups } : { root: isRoot, memlockKiB, groups, ipcLock };

  const s = o.sysctl === undefined ? {} : obj(o.sysctl, 'sysctl', ['io_uring_disabled', 'io_uring_group']);
  const ioUringDisabled = int(s.io_uring_disabled, 'sysctl.io_uring_disabled', 0);
  if (ioUringDisabled > 2) fail('sysctl.io_uring_disabled: expected 0, 1 or 2');
  const ioUringGroup = int(s.io_uring_group, 'sysctl.io_uring_group', -1, -1);
  if (ioUringGroup > MAX_SYSCTL_INT) fail(`sysctl.io_uring_group: ${ioUringGroup} is more than the sysctl holds (an int: at most ${MAX_SYSCTL_INT})`);

  const thp = thpSpec(o.thp);
  const sw = o.swap === undefined ? {} : obj(o.swap, 'swap', ['sizeKiB']);
  const swap = { sizeKiB: int(sw.sizeKiB, 'swap.sizeKiB', 0) };

  const t = o.selftest === undefined ? {} : obj(o.selftest, 'selftest', ['name', 'tree', 'liburing', 'with']);
  let name: SelftestName = 'gup_longterm';
  if (t.name !== undefined) {
    const n = str(t.name, 'selftest.name');
    if (!(SELFTEST_NAMES as readonly string[]).includes(n)) fail(`selftest.name: unknown "${n}" (known: ${SELFTEST_NAMES.join(', ')})`);
    name = n as SelftestName;
  }
  let tree = release;
  if (t.tree !== undefined) {
    const tt = str(t.tree, 'selftest.tree');
    tree = tt === 'prototype' ? tt : releaseText(tt, 'selftest.tree');
  }
  let liburing: string | null = '2.5';
  if (t.liburing !== undefined) {
    if (t.liburing === null) liburing = null;
    else {
      liburing = str(t.liburing, 'selftest.liburing');
      if (!/^\d+\.\d+(\.\d+)?$/.test(liburing)) fail('selftest.liburing: expected a version like "2.3", or null');
    }
  }

  let runner: RunnerName = 'direct';
  if (o.runner !== undefined) {
    const r = str(o.runner, 'runner');
    if (!(RUNNERS as readonly string[]).includes(r)) fail(`runner: unknown "${r}" (known: ${RUNNERS.join(', ')})`);
    runner = r as RunnerName;
  }
  let withNames: SelftestName[] | undefined;
  if (t.with !== undefined) {
    if (!Array.isArray(t.with)) fail('selftest.with: expected an array of program names');
    withNames = [];
    for (const [i, w] of t.with.entries()) {
      const n = str(w, `selftest.with[${i}]`);
      if (!(SELFTEST_NAMES as readonly string[]).includes(n)) fail(`selftest.with[${i}]: unknown "${n}" (known: ${SELFTEST_NAMES.join(', ')})`);
      if (n === name || withNames.includes(n as SelftestName)) fail(`selftest.with[${i}]: "${n}" is already run`);
      withNames.push(n as SelftestName);
    }
    if (withNames.length && runner === 'direct') fail('selftest.with: only a runner runs more than one program');
    if (!withNames.length) withNames = undefined;
  }

  return {
    kernel: { release, patches, config },
    arch,
    pageSizeKiB,
    hugetlb,
    fs,
    user,
    sysctl: { io_uring_disabled: ioUringDisabled, io_uring_group: ioUringGroup },
    thp,
    swap,
    selftest: withNames ? { name, tree, liburing, with: withNames } : { name, tree, liburing },
    runner,
  };
}

/** The `thp` section; absent, this machine's host policy (madvise, huge zeropage on, kernel size defaults). */
function thpSpec(v: Json | undefined): Environment['thp'] {
  const o = v === undefined ? {} : obj(v, 'thp', ['enabled', 'useZeroPage', 'sizes']);
  let enabled: ThpEnabled = 'madvise';
  if (o.enabled !== undefined) {
    const e = str(o.enabled, 'thp.enabled');
    if (!(THP_ENABLED_VALUES as readonly string[]).includes(e))
      fail(`thp.enabled: expected one of ${THP_ENABLED_VALUES.join(', ')}`);
    enabled = e as ThpEnabled;
  }
  const sizes: ThpSizeSpec[] = [];
  if (o.sizes !== undefined) {
    if (!Array.isArray(o.sizes)) fail('thp.sizes: expected an array');
    const seen = new Set<number>();
    o.sizes.forEach((x, i) => {
      const p = `thp.sizes[${i}]`;
      const e = obj(x, p, ['sizeKiB', 'enabled']);
      if (e.sizeKiB === undefined) fail(`${p}.sizeKiB: required`);
      const sizeKiB = int(e.sizeKiB, `${p}.sizeKiB`, 0, 1);
      if (!isPowerOfTwo(sizeKiB)) fail(`${p}.sizeKiB: ${sizeKiB} is not a power of two`);
      if (seen.has(sizeKiB)) fail(`${p}.sizeKiB: ${sizeKiB} listed twice`);
      seen.add(sizeKiB);
      const en = str(e.enabled, `${p}.enabled`);
      if (!(THP_SIZE_VALUES as readonly string[]).includes(en))
        fail(`${p}.enabled: expected one of ${THP_SIZE_VALUES.join(', ')}`);
      sizes.push({ sizeKiB, enabled: en as ThpSizeEnabled });
    });
  }
  return { enabled, useZeroPage: bool(o.useZeroPage, 'thp.useZeroPage', true), sizes };
}

/** Validate an already-parsed JSON value. */
export function environmentFromJson(value: unknown): EnvResult {
  try {
    return { ok: true, env: parseObject(value as Json) };
  } catch (e) {
    if (e instanceof EnvError) return { ok: false, error: e.message };
    /* c8 ignore next */
    throw e;
  }
}

/** Parse the text of an environment file. */
export function parseEnvironment(text: string): EnvResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `not JSON: ${(e as Error).message}` };
  }
  return environmentFromJson(value);
}

/**
 * The documented default environment for `gupsim run` without --env: today's kernel and test
 * (Debian unstable's 7.2.13, both) on x86_64 with CONFIG_GUP_TEST, liburing, /tmp on tmpfs,
 * the test directory on ext4, 2 MiB and 1 GiB huge page sizes with free pages, root.
 */
/** Whether the test process holds CAP_IPC_LOCK (io_uring then charges nothing to RLIMIT_MEMLOCK). */
export function userHasIpcLock(user: Environment['user']): boolean {
  return user.ipcLock ?? user.root;
}

export function defaultEnvironment(): Environment {
  const r = environmentFromJson({
    kernel: { release: '7.2.13' },
    hugetlb: [
      { sizeKiB: 2048, free: 2 },
      { sizeKiB: 1048576, free: 2 },
    ],
    fs: { tmp: 'tmpfs', cwd: 'ext4' },
    user: { root: true, memlockKiB: 8192 },
    selftest: { liburing: '2.5' },
  });
  /* c8 ignore next */
  if (!r.ok) throw new Error(r.error);
  return r.env;
}
