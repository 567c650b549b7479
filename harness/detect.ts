/**
 * `gupsim env detect`: this machine as an environment file. Reads uname, the hugetlb pools in
 * /sys/kernel/mm/hugepages (readdir order, as the test sees them), statfs of /tmp and the test
 * directory, /sys/kernel/debug/gup_test, RLIMIT_MEMLOCK, kernel.io_uring_disabled and the
 * user. Facts it cannot read are left at the documented defaults and listed as notes.
 */
import { existsSync, opendirSync, readFileSync, statfsSync } from 'node:fs';
import { arch as osArch, release as osRelease } from 'node:os';
import { FS_TYPES, FS_NAMES, type FsName } from '../kernel-model/fs.js';

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
};

const ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

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
  const memlockKiB = !ml || ml[1] === 'unlimited' ? 'unlimited' : Math.floor(Number(ml[1]) / 1024);
  const disabled = src.readFile('/proc/sys/kernel/io_uring_disabled');
  const pageSizeKiB = 4;
  return {
    env: {
      kernel: { release, config: { GUP_TEST: gupTest } },
      arch,
      pageSizeKiB,
      hugetlb,
      fs: { tmp: fsOf(src, '/tmp', notes), cwd: fsOf(src, cwd, notes) },
      user: { root, memlockKiB },
      sysctl: { io_uring_disabled: disabled === undefined ? 0 : Number(disabled.trim()) },
      selftest: { tree: release, liburing: '2.5' },
      runner: 'direct',
    },
    notes,
  };
}
