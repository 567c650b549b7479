/**
 * The unknowns gup_longterm's inference varies, each a list of options in order of how
 * ordinary they are (the first is the start): selftest tree, gup_test, filesystems, hugetlb
 * pools, liburing, the user and its memlock limit, io_uring_disabled, and last the kernel era.
 */
import { fsFromText, fsSpec, type Environment } from '../../env.js';
import { fsKey } from '../../prediction-key.js';
import type { Dimension } from '../../../reports/diff/infer-dimensions.js';
import { gupLongtermBuild } from './versions.js';

export function kernelOptions(tree: string): Dimension['options'] {
  const k =
    (release: string, patches: string[] = []) =>
    (e: Environment): Environment => ({
      ...e,
      kernel: { ...e.kernel, release, patches },
    });
  const base: [string, readonly string[]] =
    tree === 'prototype'
      ? ['6.4', ['+54cbbbf3faf6', '+8ac268436e6d', '+a6e79df92e4a']]
      : [tree, []];
  const eras: [string, readonly string[]][] = [
    base,
    ['7.2', []],
    ['6.18', []],
    ['6.12', []],
    ['6.4', []],
    ['6.1', []],
    ['5.13', []],
    ['5.10', []],
  ];
  const seen = new Set<string>();
  return eras
    .filter(([r, p]) => {
      const key = `${r}${p.join('')}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map(([r, p]) => ({ label: p.length ? `${r} ${p.join(' ')}` : r, apply: k(r, [...p]) }));
}

const FS_CHOICES = ['tmpfs', 'ext4', 'overlayfs', '9p', '9p:tmpfs', 'nfs3', 'nfs'];

export function dimensions(sizes: number[], liburing: boolean, trees: string[]): Dimension[] {
  const dims: Dimension[] = [];
  if (trees.length > 1) {
    dims.push({
      name: 'selftest',
      options: trees.map((tree) => ({
        label: tree,
        apply: (e) => ({ ...e, selftest: { ...e.selftest, tree } }),
      })),
      coordinate: (e) => e.selftest.tree,
    });
  }
  dims.push({
    name: 'gupTest',
    options: [true, false].map((v) => ({
      label: String(v),
      apply: (e) => ({
        ...e,
        kernel: { ...e.kernel, config: { ...e.kernel.config, GUP_TEST: v } },
      }),
    })),
    coordinate: (e) => String(e.kernel.config.GUP_TEST),
  });
  for (const where of ['tmp', 'cwd'] as const) {
    const order =
      where === 'tmp' ? FS_CHOICES : ['ext4', ...FS_CHOICES.filter((f) => f !== 'ext4')];
    dims.push({
      name: `${where}Fs`,
      options: order.map((f) => ({
        label: f,
        apply: (e) => ({ ...e, fs: { ...e.fs, [where]: fsSpec(fsFromText(f), where, 'tmpfs') } }),
      })),
      coordinate: (e) => fsKey(e.fs[where]),
    });
  }
  sizes.forEach((size, i) => {
    dims.push({
      name: `hugetlbFree${size}`,
      options: [0, 2, 1].map((free) => ({
        label: String(free),
        apply: (e) => ({ ...e, hugetlb: e.hugetlb.map((h, j) => (j === i ? { ...h, free } : h)) }),
      })),
      coordinate: (e) => String(e.hugetlb[i]?.free),
    });
  });
  if (liburing) {
    dims.push({
      name: 'liburing',
      options: ['2.5', '2.1'].map((v) => ({
        label: v,
        apply: (e) => ({ ...e, selftest: { ...e.selftest, liburing: v } }),
      })),
      coordinate: (e) => String(e.selftest.liburing),
    });
  }
  // The user: root, or unprivileged under an RLIMIT_MEMLOCK that only then matters (systemd's
  // 8 MiB, the old 64 KiB default, a limit too small for one ring, none). One dimension, so
  // that "not root" and "this small a limit" can be found together.
  const memlocks: (number | 'unlimited')[] = liburing ? [8192, 64, 8, 'unlimited'] : [8192];
  const nonRoot = (m: number | 'unlimited', reserved: boolean): Dimension['options'][number] => {
    const notes = [...(reserved ? ['huge pages reserved'] : []), ...(m === 8192 ? [] : [`memlock ${m} KiB`])];
    return {
      label: notes.length ? `false (${notes.join(', ')})` : 'false',
      apply: (e: Environment) => ({
        ...e,
        user: { ...e.user, root: false, memlockKiB: m },
        hugetlb: reserved ? e.hugetlb.map((h) => (h.free >= 2 ? h : { ...h, free: 2 })) : e.hugetlb,
      }),
    };
  };
  // v7.2's test raises the pools to 2 free pages itself, so as root the free counts it found
  // change nothing and their dimensions cannot tell them; a non-root run gets past its set-up
  // only with 2 pages of every size reserved beforehand (else it bails out writing
  // nr_hugepages). Hence "not root" and "pools reserved" are found together, as one option.
  const reserves = trees.some((tree) => {
    const b = gupLongtermBuild(tree);
    return !('error' in b) && b.version.id === 'D';
  });
  dims.push({
    name: 'root',
    options: [
      { label: 'true', apply: (e: Environment) => ({ ...e, user: { ...e.user, root: true, memlockKiB: 8192 } }) },
      ...memlocks.map((m) => nonRoot(m, false)),
      ...(reserves ? memlocks.map((m) => nonRoot(m, true)) : []),
    ],
    coordinate: (e) => {
      const user = `${e.user.root} ${e.user.memlockKiB}`;
      return reserves ? `${user} ${e.hugetlb.map((h) => h.free).join(',')}` : user;
    },
  });
  if (liburing) {
    dims.push({
      name: 'ioUringDisabled',
      options: [0, 2, 1].map((v) => ({
        label: String(v),
        apply: (e) => ({ ...e, sysctl: { ...e.sysctl, io_uring_disabled: v } }),
      })),
      coordinate: (e) => String(e.sysctl.io_uring_disabled),
    });
  }
  // Last: a different kernel era is the explanation of last resort.
  // Its options are filled per tree by the search (kernelOptions()); they write these fields.
  dims.push({ name: 'kernel', options: [], coordinate: (e) => `${e.kernel.release} ${e.kernel.patches.join(',')}` });
  return dims;
}
