/**
 * pfnmap-lifetime: GUP refuses VM_PFNMAP/VM_IO mappings (there is no struct page to pin), so
 * vfio's type1 IOMMU driver takes the frame number with follow_fault_pfn() under mmap_lock
 * and keeps it in the IOMMU after dropping the lock. Nothing ties the frame to the mapping:
 * when the VMA's owner zaps it and hands the frame to someone else, the device still writes
 * there — unless an mmu notifier removes the IOMMU mapping first (Alex Williamson and Jason
 * Gunthorpe on the 2020–21 vfio/follow_pfn threads).
 */
import { errnoName } from '../../kernel-model/errno.js';
import { FOLL_LONGTERM, FOLL_WRITE, pinUserPages } from '../../kernel-model/gup.js';
import { dmaWrite, iommuDomain, iommuMap, iommuUnmap } from '../../kernel-model/iommu.js';
import { mmuNotifierRegister } from '../../kernel-model/mmu-notifier.js';
import {
  followPfn,
  physFrame,
  reassignFrame,
  remapPfnRange,
  zapPfnRange,
} from '../../kernel-model/pfnmap.js';
import { boot } from './machine.js';
import { ScenarioLog, type Outcome, type Scenario } from './scenario.js';

const PFN = 0xe0000;
const IOVA = 0x200000;
const DMA = 'dma-from-device';

export const pfnmapLifetime: Scenario = {
  name: 'pfnmap-lifetime',
  summary:
    'an IOMMU mapping of a VM_PFNMAP frame taken under mmap_lock outlives the mapping it came from',
  story: `A device driver maps frames into a process with remap_pfn_range() (VM_IO | VM_PFNMAP).
VFIO_IOMMU_MAP_DMA on that range tries pin_user_pages_remote(FOLL_LONGTERM): GUP refuses
VM_PFNMAP with EFAULT. vfio's vaddr_get_pfns() then reads the frame with follow_fault_pfn()
under mmap_lock and maps it into the IOMMU; the lock is dropped and no reference is held.
The VMA owner zaps the mapping (device reset, munmap) and the frame is given to someone else;
the device's next DMA lands in their memory. With an mmu notifier on the range the IOMMU
mapping goes first and the DMA faults in the IOMMU instead. A driver that stops at GUP's
EFAULT never maps anything. No kernel release changes this story: vaddr_get_pfns() in 6.12
and 7.2 still falls back to follow_pfnmap_start() and drops mmap_lock.`,
  options: [
    {
      name: 'driver',
      values: ['follow-pfn', 'notifier', 'gup'],
      default: 'follow-pfn',
      help: "follow-pfn: vfio type1's fallback; notifier: the same with an mmu_interval_notifier; gup: pin_user_pages only",
    },
  ],
  shows: [],

  run(env, o) {
    const { k, task } = boot(env);
    const log = new ScenarioLog(k);
    const vma = remapPfnRange(k, task, PFN, 1, 'device A');
    log.step(
      'a driver mmaps device memory (remap_pfn_range)',
      `VM_IO|VM_PFNMAP at 0x${vma.start.toString(16)}`,
    );

    const dev = iommuDomain('vfio container');
    const pin = pinUserPages(k, task, vma.start, 1, FOLL_WRITE | FOLL_LONGTERM);
    log.step(
      'VFIO_IOMMU_MAP_DMA: pin_user_pages_remote(FOLL_WRITE|FOLL_LONGTERM)',
      pin.ret < 0 ? `refused: ${errnoName(-pin.ret) ?? pin.ret}` : 'pinned',
    );
    let mapped = false;
    if (o.driver !== 'gup') {
      const pfn = followPfn(k, task, vma.start);
      if (pfn >= 0) {
        iommuMap(k, dev, IOVA, { kind: 'pfn', pfn });
        mapped = true;
      }
      log.step(
        'vaddr_get_pfns(): follow_fault_pfn() under mmap_lock, map it, drop mmap_lock',
        mapped ? `pfn 0x${pfn.toString(16)} at iova 0x${IOVA.toString(16)}` : 'no frame',
      );
      if (o.driver === 'notifier') {
        mmuNotifierRegister(k, task, {
          owner: 'vfio (mmu_interval_notifier)',
          start: vma.start,
          length: vma.length,
          invalidate: (phase) => {
            if (phase === 'start') iommuUnmap(k, dev, IOVA);
          },
        });
        log.step(
          'register an mmu interval notifier on the range',
          'invalidation will unmap the IOVA',
        );
      }
    }

    zapPfnRange(k, task, vma);
    log.step(
      'the VMA owner revokes the mapping (zap_vma_ptes)',
      `IOMMU still maps the frame: ${dev.mappings.has(IOVA)}`,
    );
    reassignFrame(k, PFN, 'another user', 'their-data');
    log.step('the frame is handed to another user', `pfn 0x${PFN.toString(16)} holds "their-data"`);
    const dma = dmaWrite(k, dev, IOVA, DMA);
    log.step('the device writes to its IOVA', dma);

    const frame = physFrame(k, PFN);
    log.check(
      'the IOMMU no longer maps the frame once the mapping was revoked',
      !dev.mappings.has(IOVA),
    );
    log.check(
      'the device did not write to memory that now belongs to another user',
      frame.data !== DMA,
    );

    let outcome: Outcome;
    let summary: string;
    if (frame.data === DMA) {
      outcome = 'corrupted';
      summary = `the device wrote "${DMA}" into pfn 0x${PFN.toString(16)}, which now belongs to ${frame.owner}`;
    } else if (!mapped) {
      outcome = 'refused';
      summary = `GUP refused the VM_PFNMAP range (${errnoName(-pin.ret) ?? pin.ret}) and the driver mapped nothing`;
    } else {
      outcome = 'safe';
      summary =
        'the notifier removed the IOMMU mapping before the frame changed hands; the DMA faulted in the IOMMU';
    }
    return log.result(env, this.name, o, outcome, summary, {
      frame: { pfn: PFN, ...frame },
      iommu: [...dev.mappings.entries()].map(([iova, t]) => ({
        iova,
        ...(t.kind === 'pfn' ? { pfn: t.pfn } : { folio: t.folio.id }),
      })),
      dma,
    });
  },
};
