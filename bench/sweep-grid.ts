/**
 * The environments of the trace-less sweeps (bench/sweep.ts) and of the same-answers check
 * (bench/same-answers.ts): one list, so what is timed is what is compared.
 *
 *   gup_longterm: releases × selftest trees × five machines (filesystems, huge page pools,
 *   arm64, a non-root user), as since issue 9.
 *   cow: kernels × cow.c trees × cow machines (THP policies and mTHP sizes, huge page pools,
 *   swap, root or not, /tmp's filesystem, io_uring and liburing), a grid of its own: cow
 *   tests anonymous memory and THP, so its machines differ where cow.c looks.
 */
import { environmentFromJson, type Environment } from '../cases/env.js';

const RELEASES = [
  '5.10',
  '5.13',
  '5.15',
  '6.1',
  '6.4',
  '6.5',
  '6.6',
  '6.10',
  '6.12',
  '6.15',
  '6.16',
  '6.18',
  '6.19',
  '7.2.13',
  'next',
];
const TREES = [
  'prototype',
  '6.5',
  '6.7',
  '6.10',
  '6.14',
  '6.15',
  '6.16-rc1',
  '6.16',
  '6.17',
  '6.19',
  '7.2.13',
];
const GRID = [
  {
    fs: { tmp: 'tmpfs', cwd: 'ext4' },
    hugetlb: [
      { sizeKiB: 2048, free: 2 },
      { sizeKiB: 1048576, free: 2 },
    ],
  },
  { fs: { tmp: 'ext4', cwd: 'xfs' }, hugetlb: [{ sizeKiB: 2048, free: 1 }] },
  { fs: { tmp: 'overlayfs', cwd: { type: '9p', host: 'ext4' } }, hugetlb: [] },
  {
    fs: { tmp: 'nfs3', cwd: 'btrfs' },
    hugetlb: [
      { sizeKiB: 64, free: 0 },
      { sizeKiB: 2048, free: 2 },
      { sizeKiB: 32768, free: 0 },
    ],
    arch: 'arm64',
  },
  {
    fs: { tmp: 'tmpfs', cwd: 'ext4-dax' },
    hugetlb: [{ sizeKiB: 2048, free: 2 }],
    user: { root: false, memlockKiB: 64 },
  },
];

const COW_RELEASES = ['5.15', '6.1', '6.6', '6.12', '6.18.44', '7.2.13'];
const COW_TREES = ['6.2', '6.3', '6.5', '6.7', '6.8', '6.10', '6.12', '6.16', '6.17', '7.2.13'];
const MTHP = [16, 32, 64, 128, 256, 512, 1024].map((sizeKiB) => ({
  sizeKiB,
  enabled: sizeKiB === 64 ? 'always' : 'never',
}));
const COW_GRID = [
  // A current distribution host: THP on madvise, no swap, no gup_test, /tmp on ext4.
  {
    fs: { tmp: 'ext4', cwd: 'ext4' },
    hugetlb: [{ sizeKiB: 2048, free: 0 }],
    thp: { enabled: 'madvise', useZeroPage: true },
  },
  // A test VM with everything: THP always, 2 MiB and 1 GiB pools, swap, gup_test.
  {
    kernel: { config: { GUP_TEST: true } },
    fs: { tmp: 'tmpfs', cwd: 'ext4' },
    hugetlb: [
      { sizeKiB: 2048, free: 4 },
      { sizeKiB: 1048576, free: 2 },
    ],
    thp: { enabled: 'always', useZeroPage: true },
    swap: { sizeKiB: 1048572 },
  },
  // mTHP: one small size always, the zero page off, swap; not root, a small memlock limit.
  {
    fs: { tmp: 'ext4', cwd: 'xfs' },
    hugetlb: [{ sizeKiB: 2048, free: 1 }],
    thp: { enabled: 'never', useZeroPage: false, sizes: MTHP },
    swap: { sizeKiB: 65536 },
    user: { root: false, memlockKiB: 64 },
  },
  // arm64 with 64 KiB-page-less 4 KiB pages, io_uring off by sysctl, no liburing in the build.
  {
    arch: 'arm64',
    fs: { tmp: 'ramfs', cwd: 'btrfs' },
    hugetlb: [
      { sizeKiB: 64, free: 2 },
      { sizeKiB: 2048, free: 2 },
      { sizeKiB: 32768, free: 0 },
    ],
    thp: { enabled: 'always', useZeroPage: true },
    sysctl: { io_uring_disabled: 2 },
  },
];

export interface GridEnv {
  /** What the environment is, for the same-answers listing. */
  label: string;
  env: Environment;
}

/** One environment of a grid as its JSON (a sweep parses it, as a search parses its candidates). */
export interface GridJson {
  label: string;
  json: unknown;
}

/** gup_longterm's sweep: every release × tree × machine, as JSON. */
export function gupGridJson(): GridJson[] {
  const out: GridJson[] = [];
  for (const release of RELEASES)
    for (const tree of TREES)
      GRID.forEach((g, i) =>
        out.push({
          label: `gup_longterm kernel ${release} tree ${tree} machine ${i}`,
          json: { kernel: { release }, selftest: { tree, liburing: '2.3' }, ...g },
        }),
      );
  return out;
}

/** cow's sweep: every kernel × cow.c tree × cow machine, as JSON. */
export function cowGridJson(): GridJson[] {
  const out: GridJson[] = [];
  for (const release of COW_RELEASES)
    for (const tree of COW_TREES)
      COW_GRID.forEach((g, i) => {
        const { kernel, ...rest } = g as typeof g & {
          kernel?: { config: Record<string, boolean> };
        };
        // The arm64 machine's binary was built without liburing.
        const liburing = i === 3 ? null : '2.3';
        out.push({
          label: `cow kernel ${release} tree ${tree} machine ${i}`,
          json: {
            kernel: { release, ...(kernel ?? {}) },
            selftest: { name: 'cow', tree, liburing },
            ...rest,
          },
        });
      });
  return out;
}

/** The grid's valid environments, parsed (a combination the parser refuses is left out). */
export function parsedGrid(grid: readonly GridJson[]): GridEnv[] {
  const out: GridEnv[] = [];
  for (const { label, json } of grid) {
    const e = environmentFromJson(json);
    if (e.ok) out.push({ label, env: e.env });
  }
  return out;
}

export const gupGrid = (): GridEnv[] => parsedGrid(gupGridJson());
export const cowGrid = (): GridEnv[] => parsedGrid(cowGridJson());
