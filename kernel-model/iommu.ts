/**
 * An IOMMU domain as the device sees memory: I/O virtual addresses mapped to pinned folios or
 * raw frames (VFIO_IOMMU_MAP_DMA, an RDMA memory region, io_uring's fixed buffers). A DMA
 * goes wherever the mapping points now; an unmapped IOVA faults in the IOMMU instead.
 */
import type { Kernel } from './kernel.js';
import type { Folio } from './mm-types.js';
import { physFrame } from './pfnmap.js';

export type DmaTarget = { kind: 'folio'; folio: Folio } | { kind: 'pfn'; pfn: number };

export interface IommuDomain {
  name: string;
  mappings: Map<number, DmaTarget>;
}

export function iommuDomain(name: string): IommuDomain {
  return { name, mappings: new Map() };
}

function describe(t: DmaTarget): string {
  return t.kind === 'pfn' ? `pfn 0x${t.pfn.toString(16)}` : `folio ${t.folio.id}`;
}

export function iommuMap(k: Kernel, d: IommuDomain, iova: number, target: DmaTarget): void {
  d.mappings.set(iova, target);
  if (k.tracing) k.note('iommu_map', `${d.name}: iova 0x${iova.toString(16)} → ${describe(target)}`);
}

export function iommuUnmap(k: Kernel, d: IommuDomain, iova: number): void {
  if (d.mappings.delete(iova) && k.tracing)
    k.note('iommu_unmap', `${d.name}: iova 0x${iova.toString(16)} unmapped`);
}

export type DmaResult = 'written' | 'iommu-fault';

/** The device writes `label` at `iova`: no CPU page table, no dirty bit, no filesystem involved. */
export function dmaWrite(k: Kernel, d: IommuDomain, iova: number, label: string): DmaResult {
  const t = d.mappings.get(iova);
  if (!t) {
    if (k.tracing) k.note('iommu_fault', `${d.name}: DMA to unmapped iova 0x${iova.toString(16)} blocked`);
    return 'iommu-fault';
  }
  if (t.kind === 'folio') t.folio.data = label;
  else physFrame(k, t.pfn).data = label;
  if (k.tracing) k.note('dma_write', `${d.name}: device wrote "${label}" to ${describe(t)}`);
  return 'written';
}
