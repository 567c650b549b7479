/**
 * Lines both selftests print through the helpers they share (vm_util.c, hugepage_settings.c):
 * one rule object each, so the parser's union of the plug-ins' vocabularies holds them once.
 */
import type { FactRule } from './plugin.js';

/** `[INFO] detected hugetlb page size: 2048 KiB` (v6.5+ vm_util) / `... hugetlb size: ...` (before). */
export const HUGETLB_SIZE: FactRule = {
  first: '[',
  pattern: /^\[INFO\] detected (hugetlb size|hugetlb page size): (\d+) KiB\s*$/,
  fact: (m) => ({
    kind: 'hugetlb-size',
    sizeKiB: Number(m[2]),
    wording: m[1] === 'hugetlb size' ? 'hugetlb size' : 'hugetlb page size',
  }),
};

/** v7.2 hugetlb_setup(): `detected 12 huge page sizes, will only test 10`. */
export const HUGETLB_LIMIT: FactRule = {
  first: 'd',
  pattern: /^detected \d+ huge page sizes, will only test \d+/,
  fact: () => ({ kind: 'note' }),
};
