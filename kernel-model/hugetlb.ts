/**
 * Hugetlb pools, one hstate per huge page size (mm/hugetlb.c). Counts follow the kernel's:
 * `free` pages are allocated, `resv` of them are promised to mappings and can only be taken
 * with a reservation. `allocatable` is how many more pages the buddy allocator could supply
 * when nr_hugepages is raised (used by the selftest that reserves its own pages).
 */
export interface Hstate {
  sizeKiB: number;
  /** nr_hugepages */
  nr: number;
  /** free_hugepages */
  free: number;
  /** resv_hugepages */
  resv: number;
  /** Pages the kernel could still allocate on demand for nr_hugepages writes. */
  allocatable: number;
  /** Pages of this pool sit in ZONE_MOVABLE / CMA (e.g. hugetlb_cma=): not long-term pinnable. */
  movable: boolean;
  /** Gigantic (> MAX_ORDER) pages cannot be allocated as migration targets on demand. */
  gigantic: boolean;
}

/** Unreserved free pages: what a new reservation or an unreserved allocation may take. */
export function availableHugePages(h: Hstate): number {
  return h.free - h.resv;
}

/**
 * hugetlb_reserve_pages()/hugetlb_acct_memory(): take `n` pages into the reserve, or fail
 * (the caller turns failure into -ENOMEM at mmap time).
 */
export function reserveHugePages(h: Hstate, n: number): boolean {
  if (availableHugePages(h) < n) return false;
  h.resv += n;
  return true;
}

export function unreserveHugePages(h: Hstate, n: number): void {
  h.resv = Math.max(0, h.resv - n);
}

/**
 * alloc_hugetlb_folio(): with a reservation the page is guaranteed; without one it needs an
 * unreserved free page (the kernel returns -ENOSPC to fallocate, VM_FAULT_SIGBUS to a fault).
 */
export function allocHugePage(h: Hstate, withReservation: boolean): boolean {
  if (withReservation) {
    if (h.resv <= 0 || h.free <= 0) return false;
    h.resv--;
    h.free--;
    return true;
  }
  if (availableHugePages(h) <= 0) return false;
  h.free--;
  return true;
}

export function freeHugePage(h: Hstate): void {
  h.free++;
}

/** Writing nr_hugepages: grow by what the allocator can supply, shrink by free pages. */
export function setNrHugePages(h: Hstate, want: number): void {
  if (want > h.nr) {
    const grow = Math.min(want - h.nr, h.allocatable);
    h.nr += grow;
    h.free += grow;
    h.allocatable -= grow;
  } else if (want < h.nr) {
    const shrink = Math.min(h.nr - want, h.free - h.resv);
    h.nr -= shrink;
    h.free -= shrink;
    h.allocatable += shrink;
  }
}
