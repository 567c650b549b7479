/**
 * What a kernel keeps for anonymous memory once a process maps some (kernel.ts makes it on
 * first use, so a run that never maps anonymous memory never pays for it): the memory map,
 * the page-table pool, the THP policy, the swap device, and the geometry of a PMD.
 */
import { MemMap } from './memmap.js';
import { WpTally } from './anon-fault.js';
import { PteTablePool } from './pagetable.js';
import { SwapDevice } from './swap.js';
import { pmdSizeBytes, ThpState, type ThpSpec } from './thp.js';
import type { Arch } from './kernel.js';

export interface AnonSpec {
  arch: Arch;
  pageSizeKiB: number;
  /** CONFIG_TRANSPARENT_HUGEPAGE. */
  thpConfigured: boolean;
  thp: ThpSpec;
  /** mTHP (6.8): per-size THP control. */
  mthp: boolean;
  /** Swap space in KiB (0: no swap). */
  swapKiB: number;
}

export class AnonState {
  readonly memmap = MemMap.take();
  readonly pool = new PteTablePool();
  readonly pageSize: number;
  /** PTEs per page table (PTRS_PER_PTE). */
  readonly ptrs: number;
  readonly pmdSize: number;
  /** HPAGE_PMD_ORDER. */
  readonly pmdOrder: number;
  /** undefined without CONFIG_TRANSPARENT_HUGEPAGE. */
  readonly thp: ThpState | undefined;
  readonly swap: SwapDevice | undefined;
  /** do_wp_page() outcomes of the loop running now (anon-fault.ts WpTally). */
  readonly tally = new WpTally();

  /** The kernel is gone: its memory map can serve the next one (MemMap.take()). */
  retire(): void {
    this.memmap.retire();
  }

  constructor(spec: AnonSpec) {
    this.pageSize = spec.pageSizeKiB * 1024;
    this.pmdSize = pmdSizeBytes(spec.arch, spec.pageSizeKiB);
    this.ptrs = this.pmdSize / this.pageSize;
    this.pmdOrder = Math.log2(this.ptrs);
    this.thp = spec.thpConfigured
      ? new ThpState(spec.thp, this.pmdOrder, spec.pageSizeKiB, spec.mthp)
      : undefined;
    const slots = Math.floor(spec.swapKiB / spec.pageSizeKiB);
    this.swap = slots > 0 ? new SwapDevice(slots) : undefined;
  }
}
