/**
 * `gupsim env detect`: this machine as an environment file. Reads uname, the hugetlb pools in
 * /sys/kernel/mm/hugepages (readdir order, as the test sees them), statfs of /tmp and the test
 * directory, /sys/kernel/debug/gup_test, RLIMIT_MEMLOCK, kernel.io_uring_disabled and
 * io_uring_group, the user and its groups, the base page size, the THP policy under
 * /sys/kernel/mm/transparent_hugepage and the swap space in /proc/swaps (what cow.c depends on). Facts it cannot read are left at
 * the documented defaults and listed as notes. How many huge pages raising nr_hugepages would
 * yield (hugetlb[].allocatable) is only known by trying: probeHugetlb() does that, as root,
 * and puts nr_hugepages back.
 */
import { existsSync, opendirSync, readFileSync, statfsSync, writeFileSync } from 'node:fs';
import { arch as osArch, release as osRelease } from 'node:os';
import { FS_TYPES, FS_NAMES, type FsName } from '../kernel-model/fs.js';
import { maxPhysKiB } from '../cases/env.js';
import type { Arch } from '../kernel-model/kernel.js';

export interface Detected {
  env: Record<string, unknown>;
  notes: string[];
}

export interface DetectSources {
  release: () => string;
  arch: () => string;
  readFile: (path: string) => string | undefined;
  readDir: (path: string) => string[] | undefined;
  statfsType: (path: string) => number | undefined;
  exists: (path: string) => boolean;
  uid: () => number;
  /** getgid() and getgroups(): what in_group_p() checks for kernel.io_uring_group. */
  groups: () => number[];
  /** Write a sysfs file; false when it fails. Only probeHugetlb() writes. */
  writeFile: (path: string, text: string) => boolean;
}

export const HOST: DetectSources = {
  release: osRelease,
  arch: osArch,
  readFile: (p) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  },
  readDir: (p) => {
    // opendir/readdir keep the kernel's order (readdirSync sorts, libuv's scandir does):
    // the selftest sees kernfs hash order, e.g. 2048 before 1048576 on x86_64.
    try {
      const dir = opendirSync(p);
      const names: string[] = [];
      for (let e = dir.readSync(); e; e = dir.readSync()) names.push(e.name);
      dir.closeSync();
      return names;
    } catch {
      return undefined;
    }
  },
  statfsType: (p) => {
    try {
      return Number(statfsSync(p).type);
    } catch {
      return undefined;
    }
  },
  exists: existsSync,
  uid: () => (process.getuid ? process.getuid() : 0),
  groups: () => [...new Set([...(process.getgid ? [process.getgid()] : []), ...(process.getgroups ? process.getgroups() : [])])],
  writeFile: (p, text) => {
    try {
      writeFileSync(p, text);
      return true;
    } catch {
      return false;
    }
  },
};

/** The note for pools whose run-time yield was not measured (probeHugetlb() or `live` replace it). */
export const ALLOCATABLE_NOT_MEASURED =
  "hugetlb[].allocatable not measured (gupsim's default applies): `gupsim env detect --probe-hugetlb N` as root tries N more pages per size and restores nr_hugepages";

const ARCH: Record<string, Arch> = { x64: 'x86_64', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** statfs magic → the environment's filesystem name (ext2/3/4 share a magic: ext4). */
export function fsNameForMagic(magic: number): FsName | undefined {
  const preferred: FsName[] = ['tmpfs', 'ext4', 'xfs', 'btrfs', 'nfs', 'overlayfs', 'fuse', 'f2fs', 'bcachefs', 'cifs', 'vfat', 'exfat', 'ramfs', 'erofs', 'squashfs', '9p'];
  return preferred.find((n) => FS_TYPES[n].magic === magic) ?? FS_NAMES.find((n) => FS_TYPES[n].magic === magic);
}

function fsOf(src: DetectSources, path: string, notes: string[]): string {
  const magic = src.statfsType(path);
  if (magic === undefined) {
    notes.push(`statfs(${path}) failed: written as ext4`);
    return 'ext4';
  }
  const name = fsNameForMagic(magic);
  if (!name) {
    notes.push(`statfs(${path}) magic 0x${magic.toString(16)} is not modelled: written as overlayfs (a filesystem the test does not know)`);
    return 'overlayfs';
  }
  return name;
}

export function detectEnvironment(cwd: string, src: DetectSources = HOST): Detected {
  const notes: string[] = [];
  const m = /^(\d+\.\d+(?:\.\d+)?)/.exec(src.release());
  const release = m ? m[1]! : 'next';
  if (!m) notes.push(`uname -r "${src.release()}" is not a numbered release: written as next`);
  const arch = ARCH[src.arch()] ?? 'x86_64';
  const hugetlb = (src.readDir('/sys/kernel/mm/hugepages') ?? [])
    .map((d) => /^hugepages-(\d+)kB$/.exec(d))
    .filter((x): x is RegExpExecArray => x !== null)
    .map((x) => ({
      sizeKiB: Number(x[1]),
      free: Number(src.readFile(`/sys/kernel/mm/hugepages/${x[0]}/free_hugepages`)?.trim() ?? '0'),
    }));
  const root = src.uid() === 0;
  const gupTest = src.exists('/sys/kernel/debug/gup_test');
  if (!root) notes.push('not root: /sys/kernel/debug is unreadable, GUP_TEST left as detected (false)');
  const limits = src.readFile('/proc/self/limits') ?? '';
  const ml = /^Max locked memory\s+(\S+)/m.exec(limits);
  const memlockBytes = !ml || ml[1] === 'unlimited' ? undefined : Number(ml[1]);
  // A limit beyond the memory this architecture can address can never be reached: the
  // environment file says "unlimited" (it refuses such a number, cases/env.ts).
  const memlockKiB = memlockBytes === undefined || Math.floor(memlockBytes / 1024) > maxPhysKiB(arch) ? 'unlimited' : Math.floor(memlockBytes / 1024);
  const disabled = src.readFile('/proc/sys/kernel/io_uring_disabled');
  const group = src.readFile('/proc/sys/kernel/io_uring_group');
  const kps = /^KernelPageSize:\s+(\d+) kB/m.exec(src.readFile('/proc/self/smaps') ?? '');
  const pageSizeKiB = kps ? Number(kps[1]) : 4;
  if (!kps) notes.push('/proc/self/smaps unreadable: pageSizeKiB written as 4');
  if (hugetlb.length) {
    notes.push(ALLOCATABLE_NOT_MEASURED);
  }
  const sysctl: Record<string, number> = { io_uring_disabled: disabled === undefined ? 0 : Number(disabled.trim()) };
  if (group !== undefined && Number(group.trim()) !== -1) sysctl.io_uring_group = Number(group.trim());
  const user: Record<string, unknown> = { root, memlockKiB };
  // CAP_IPC_LOCK (bit 14 of CapEff): written only when it is not what root implies.
  const capEff = /^CapEff:\s+([0-9a-f]+)$/m.exec(src.readFile('/proc/self/status') ?? '');
  if (capEff) {
    const ipcLock = (BigInt(`0x${capEff[1]}`) & (1n << 14n)) !== 0n;
    if (ipcLock !== root) user.ipcLock = ipcLock;
  }
  if (sysctl.io_uring_group !== undefined) user.groups = src.groups();
  const thp = detectThp(src);
  const swapKiB = detectSwapKiB(src);
  const config: Record<string, boolean> = { GUP_TEST: gupTest };
  if (!thp) config.TRANSPARENT_HUGEPAGE = false;
  return {
    env: {
      kernel: { release, config },
      arch,
      pageSizeKiB,
      hugetlb,
      fs: { tmp: fsOf(src, '/tmp', notes), cwd: fsOf(src, cwd, notes), debugfs: debugfsMounted(src) },
      user,
      sysctl,
      ...(thp ? { thp } : {}),
      swap: { sizeKiB: swapKiB },
      selftest: { tree: release, liburing: '2.5' },
      runner: 'direct',
    },
    notes,
  };
}

/** debugfs mounted at /sys/kernel/debug (/proc/self/mounts: `debugfs /sys/kernel/debug debugfs …`). */
function debugfsMounted(src: DetectSources): boolean {
  const mounts = src.readFile('/proc/self/mounts') ?? '';
  return mounts.split('\n').some((l) => {
    const f = l.split(' ');
    return f[1] === '/sys/kernel/debug' && f[2] === 'debugfs';
  });
}

const THP = '/sys/kernel/mm/transparent_hugepage';

/** The value in brackets of a sysfs choice file ("always [madvise] never"). */
function selectedChoice(text: string | undefined): string | undefined {
  const m = /\[([^\]]+)\]/.exec(text ?? '');
  return m?.[1];
}

/**
 * The THP policy cow.c reads: the top-level `enabled`, `use_zero_page`, and every size with a
 * `hugepages-<N>kB/enabled` file (mTHP, 6.8+); undefined without /sys/kernel/mm/transparent_hugepage
 * (CONFIG_TRANSPARENT_HUGEPAGE not set).
 */
function detectThp(src: DetectSources): Record<string, unknown> | undefined {
  if (!src.exists(THP)) return undefined;
  const sizes: { sizeKiB: number; enabled: string }[] = [];
  for (const d of src.readDir(THP) ?? []) {
    const m = /^hugepages-(\d+)kB$/.exec(d);
    const enabled = m ? selectedChoice(src.readFile(`${THP}/${d}/enabled`)) : undefined;
    if (m && enabled) sizes.push({ sizeKiB: Number(m[1]), enabled });
  }
  sizes.sort((a, b) => a.sizeKiB - b.sizeKiB);
  return {
    enabled: selectedChoice(src.readFile(`${THP}/enabled`)) ?? 'madvise',
    useZeroPage: src.readFile(`${THP}/use_zero_page`)?.trim() !== '0',
    sizes,
  };
}

/** Swap space switched on: the Size column (KiB) of /proc/swaps, summed. */
function detectSwapKiB(src: DetectSources): number {
  let kib = 0;
  for (const line of (src.readFile('/proc/swaps') ?? '').split('\n').slice(1)) {
    const size = Number(line.trim().split(/\s+/)[2]);
    if (Number.isFinite(size)) kib += size;
  }
  return kib;
}

const HP = '/sys/kernel/mm/hugepages';

/**
 * How many more pages of each hugetlb size raising nr_hugepages by up to `want` yields: what
 * the 7.x selftest's hugetlb_setup() will get at run time. Writes nr_hugepages and restores it;
 * needs root. Fills `allocatable` into the detected pools and returns notes.
 */
export function probeHugetlb(env: Record<string, unknown>, want: number, src: DetectSources = HOST): string[] {
  const notes: string[] = [];
  const pools = env.hugetlb as { sizeKiB: number; free: number; allocatable?: number }[];
  for (const pool of pools) {
    const nrPath = `${HP}/hugepages-${pool.sizeKiB}kB/nr_hugepages`;
    const before = Number(src.readFile(nrPath)?.trim() ?? 'NaN');
    if (!Number.isFinite(before)) {
      notes.push(`${nrPath} unreadable: allocatable not measured`);
      continue;
    }
    if (!src.writeFile(nrPath, `${before + want}\n`)) {
      notes.push(`${nrPath}: cannot write (root needed): allocatable not measured`);
      continue;
    }
    const after = Number(src.readFile(nrPath)?.trim() ?? String(before));
    pool.allocatable = Math.max(0, after - before);
    if (!src.writeFile(nrPath, `${before}\n`)) notes.push(`${nrPath}: could not restore ${before}`);
    notes.push(`hugetlb ${pool.sizeKiB} kB: raising nr_hugepages by ${want} yielded ${pool.allocatable} (restored to ${before})`);
  }
  return notes;
}
