/**
 * Transparent huge pages (mm/huge_memory.c): the sysfs policy under
 * /sys/kernel/mm/transparent_hugepage and which folio orders an anonymous fault may allocate
 * (thp_vma_allowable_orders(), thp_vma_suitable_order()). Multi-size THP (mTHP, 19eaf44954df,
 * 6.8) adds one `hugepages-<N>kB/enabled` per anonymous order 2 … PMD order; before it only
 * the PMD order exists, governed by the top-level `enabled`.
 */
import type { Arch } from './kernel.js';

export type ThpEnabled = 'always' | 'madvise' | 'never';
export type ThpSizeEnabled = 'always' | 'inherit' | 'madvise' | 'never';

export const THP_ENABLED_VALUES: readonly ThpEnabled[] = ['always', 'madvise', 'never'];
export const THP_SIZE_VALUES: readonly ThpSizeEnabled[] = ['always', 'inherit', 'madvise', 'never'];

/** What the environment sets (cases/env.ts `thp`). */
export interface ThpSpec {
  enabled: ThpEnabled;
  /** use_zero_page: the huge zeropage serves read faults. */
  useZeroPage: boolean;
  /** `hugepages-<N>kB/enabled` by size in KiB; sizes not listed keep the kernel default. */
  sizes: ReadonlyMap<number, ThpSizeEnabled>;
}

/** HPAGE_PMD_SIZE in bytes for an architecture and base page size. */
export function pmdSizeBytes(arch: Arch, pageSizeKiB: number): number {
  const page = pageSizeKiB * 1024;
  switch (arch) {
    case 's390x':
      return 1024 * 1024; // a segment table entry maps 1 MiB
    case 'ppc64le':
      return 2 * 1024 * 1024; // radix MMU: 2 MiB with 64 KiB pages
    default:
      // x86_64, arm64, riscv64: one page of 8-byte PTEs.
      return page * (page / 8);
  }
}

const MODE_NEVER = 0;
const MODE_ALWAYS = 1;
const MODE_INHERIT = 2;
const MODE_MADVISE = 3;
const SIZE_MODE: Record<ThpSizeEnabled, number> = {
  never: MODE_NEVER,
  always: MODE_ALWAYS,
  inherit: MODE_INHERIT,
  madvise: MODE_MADVISE,
};
const MODE_NAME: readonly ThpSizeEnabled[] = ['never', 'always', 'inherit', 'madvise'];

/** The kernel's THP policy, as the sysfs files set it. */
export class ThpState {
  top: ThpEnabled;
  useZeroPage: boolean;
  /** enabled mode per order (MODE_*), for orders with a per-size file. */
  readonly orderMode: Uint8Array;
  /** Bit per order with a `hugepages-<N>kB/enabled` file. */
  readonly sizeOrders: number;
  /** Settings the selftests save and restore but the model never acts on (defrag, khugepaged). */
  readonly inert = new Map<string, string>([
    ['defrag', 'madvise'],
    ['shmem_enabled', 'never'],
    ['khugepaged/defrag', '1'],
    ['khugepaged/alloc_sleep_millisecs', '60000'],
    ['khugepaged/scan_sleep_millisecs', '10000'],
    ['khugepaged/max_ptes_none', '511'],
    ['khugepaged/max_ptes_swap', '64'],
    ['khugepaged/max_ptes_shared', '256'],
    ['khugepaged/pages_to_scan', '4096'],
  ]);

  constructor(
    spec: ThpSpec,
    readonly pmdOrder: number,
    readonly pageSizeKiB: number,
    /** mTHP (6.8): per-size files for anonymous orders 2 … PMD order. */
    mthp: boolean,
  ) {
    this.top = spec.enabled;
    this.useZeroPage = spec.useZeroPage;
    this.orderMode = new Uint8Array(pmdOrder + 1);
    let orders = 0;
    if (mthp) {
      // THP_ORDERS_ALL_ANON: orders 0 and 1 are never anonymous THP sizes.
      for (let o = 2; o <= pmdOrder; o++) orders |= 1 << o;
      // Kernel defaults (hugepage_init_sysfs): the PMD size inherits, the rest are never.
      this.orderMode[pmdOrder] = MODE_INHERIT;
      for (const [kb, mode] of spec.sizes) {
        const o = Math.log2(kb / pageSizeKiB);
        if (Number.isInteger(o) && o >= 2 && o <= pmdOrder) this.orderMode[o] = SIZE_MODE[mode];
      }
    }
    this.sizeOrders = orders;
  }

  hasSizeFile(order: number): boolean {
    return (this.sizeOrders & (1 << order)) !== 0;
  }

  sizeEnabled(order: number): ThpSizeEnabled {
    return MODE_NAME[this.orderMode[order]!] ?? 'never';
  }

  setSizeEnabled(order: number, v: ThpSizeEnabled): void {
    this.orderMode[order] = SIZE_MODE[v];
  }

  /**
   * thp_vma_allowable_orders() for an anonymous fault (TVA_ENFORCE_SYSFS): the orders the
   * sysfs policy allows in a VMA with or without VM_HUGEPAGE, as a bit mask. Before mTHP the
   * PMD order alone, by the top-level setting.
   */
  allowedOrders(vmHugepage: boolean): number {
    const topAllows = this.top === 'always' || (this.top === 'madvise' && vmHugepage);
    if (this.sizeOrders === 0) return topAllows ? 1 << this.pmdOrder : 0;
    let mask = 0;
    for (let o = 2; o <= this.pmdOrder; o++) {
      const m = this.orderMode[o]!;
      if (
        m === MODE_ALWAYS ||
        (m === MODE_MADVISE && vmHugepage) ||
        (m === MODE_INHERIT && topAllows)
      )
        mask |= 1 << o;
    }
    return mask;
  }

  /** The text of a sysfs file, as `cat` shows it (the selected value in brackets). */
  static choice(values: readonly string[], selected: string): string {
    return values.map((v) => (v === selected ? `[${v}]` : v)).join(' ') + '\n';
  }
}
