/**
 * The sysfs files cow.c's helpers read and write (mm/huge_memory.c hugepage_attr_group,
 * thpsize_attr_group; mode 0644, so only root may open them for writing): the THP policy under
 * /sys/kernel/mm/transparent_hugepage. Absent without CONFIG_TRANSPARENT_HUGEPAGE; the
 * per-size `hugepages-<N>kB/enabled` files exist from mTHP (6.8) for anonymous orders 2 … PMD.
 * The shmem per-size files (6.11) are not modelled: cow never reads what is not there, and
 * shmem THP decides nothing it prints.
 */
import { Errno } from './errno.js';
import type { Kernel } from './kernel.js';
import {
  THP_ENABLED_VALUES,
  THP_SIZE_VALUES,
  ThpState,
  type ThpEnabled,
  type ThpSizeEnabled,
} from './thp.js';

export const THP_SYSFS = '/sys/kernel/mm/transparent_hugepage';

const DEFRAG_VALUES = ['always', 'defer', 'defer+madvise', 'madvise', 'never'];
const SHMEM_VALUES = ['always', 'within_size', 'advise', 'never', 'deny', 'force'];

/** A parsed path: which attribute, and for per-size files the size in KiB. */
class Attr {
  constructor(
    readonly name: string,
    readonly sizeKiB: number,
  ) {}
}

/** Paths are a handful of constants written thousands of times per run: parsed once each. */
const PARSED = new Map<string, Attr | null>();

function parse(path: string): Attr | null {
  let a = PARSED.get(path);
  if (a === undefined) {
    a = null;
    if (path.startsWith(THP_SYSFS + '/')) {
      const rest = path.slice(THP_SYSFS.length + 1);
      const m = /^hugepages-(\d+)kB\/enabled$/.exec(rest);
      a = m ? new Attr('size-enabled', Number(m[1])) : new Attr(rest, 0);
    } else if (path === THP_SYSFS) a = new Attr('', 0);
    if (PARSED.size < 1024) PARSED.set(path, a);
  }
  return a;
}

function orderOf(t: ThpState, sizeKiB: number): number {
  const o = Math.log2(sizeKiB / t.pageSizeKiB);
  return Number.isInteger(o) && t.hasSizeFile(o) ? o : -1;
}

/** The text of a sysfs file, or -errno (-ENOENT when it does not exist). */
export function readSysfs(k: Kernel, path: string): string | number {
  const attr = parse(path);
  const t = attr ? k.anon.thp : undefined;
  if (!attr || !t) return -Errno.ENOENT;
  switch (attr.name) {
    case '':
      return '';
    case 'enabled':
      return ThpState.choice(THP_ENABLED_VALUES, t.top);
    case 'use_zero_page':
      return t.useZeroPage ? '1\n' : '0\n';
    case 'hpage_pmd_size':
      return `${k.anon.pmdSize}\n`;
    case 'defrag':
      return ThpState.choice(DEFRAG_VALUES, t.inert.get('defrag')!);
    case 'shmem_enabled':
      return ThpState.choice(SHMEM_VALUES, t.inert.get('shmem_enabled')!);
    case 'size-enabled': {
      const o = orderOf(t, attr.sizeKiB);
      return o < 0 ? -Errno.ENOENT : ThpState.choice(THP_SIZE_VALUES, t.sizeEnabled(o));
    }
    default: {
      const v = t.inert.get(attr.name);
      return v === undefined ? -Errno.ENOENT : `${v}\n`;
    }
  }
}

/** open(O_WRONLY) and write() of a sysfs file: 0, or -errno (the open's -EACCES for non-root). */
export function writeSysfs(k: Kernel, path: string, value: string): number {
  const attr = parse(path);
  const t = attr ? k.anon.thp : undefined;
  if (!attr || !t || attr.name === '') return -Errno.ENOENT;
  if (attr.name === 'hpage_pmd_size') return -Errno.EACCES;
  if (attr.name === 'size-enabled' && orderOf(t, attr.sizeKiB) < 0) return -Errno.ENOENT;
  if (!k.spec.user.root) {
    if (k.tracing)
      k.note('kernfs_fop_open', `${path} is 0644 root: no write permission`, { errno: 'EACCES' });
    return -Errno.EACCES;
  }
  switch (attr.name) {
    case 'enabled':
      if (!(THP_ENABLED_VALUES as readonly string[]).includes(value)) return -Errno.EINVAL;
      t.top = value as ThpEnabled;
      return 0;
    case 'use_zero_page':
      if (value !== '0' && value !== '1') return -Errno.EINVAL;
      t.useZeroPage = value === '1';
      return 0;
    case 'size-enabled':
      if (!(THP_SIZE_VALUES as readonly string[]).includes(value)) return -Errno.EINVAL;
      t.setSizeEnabled(orderOf(t, attr.sizeKiB), value as ThpSizeEnabled);
      return 0;
    case 'defrag':
      if (!DEFRAG_VALUES.includes(value)) return -Errno.EINVAL;
      t.inert.set('defrag', value);
      return 0;
    case 'shmem_enabled':
      if (!SHMEM_VALUES.includes(value)) return -Errno.EINVAL;
      t.inert.set('shmem_enabled', value);
      return 0;
    default:
      if (!t.inert.has(attr.name)) return -Errno.ENOENT;
      if (!/^\d+$/.test(value)) return -Errno.EINVAL;
      t.inert.set(attr.name, value);
      return 0;
  }
}
