/**
 * Reverse mapping (mm/rmap.c) over the simulated address spaces: who maps a folio, its
 * mapcount and refcount as do_wp_page() and reclaim read them, and try_to_unmap().
 */
import type { Kernel } from './kernel.js';
import type { AddressSpace, Folio, Pte, Vma } from './mm-types.js';
import { withInvalidation } from './mmu-notifier.js';
import { freeHugePage } from './hugetlb.js';

export interface Mapping {
  mm: AddressSpace;
  vma: Vma;
  index: number;
}

/** Every page-table entry that maps `folio` (an rmap walk). */
export function folioMappings(k: Kernel, folio: Folio): Mapping[] {
  const out: Mapping[] = [];
  for (const mm of k.mms) {
    for (const vma of mm.vmaList()) {
      vma.ptes.forEach((pte, index) => {
        if (pte.folio === folio) out.push({ mm, vma, index });
      });
    }
  }
  return out;
}

/**
 * The walk's running count, one for the module: forEach() with it as `this` needs no closure,
 * and no generator and iterator results as `for (… of ptes.values())` made on every call (a
 * do_wp_page() asks for the mapcount at each write fault).
 */
class MapcountWalk {
  folio: Folio | undefined = undefined;
  n = 0;
}
const WALK = new MapcountWalk();

function countMapping(this: MapcountWalk, pte: Pte): void {
  if (pte.folio === this.folio) this.n++;
}

/** folio_mapcount(): counted in a walk that makes no Mapping objects. */
export function folioMapcount(k: Kernel, folio: Folio): number {
  const walk = WALK;
  walk.folio = folio;
  walk.n = 0;
  const mms = k.mms;
  for (let m = 0; m < mms.length; m++) {
    const vmas = mms[m]!.vmaList();
    for (let v = 0; v < vmas.length; v++) {
      const ptes = vmas[v]!.ptes;
      const sole = ptes.sole();
      if (sole !== undefined) {
        if (sole.folio === folio) walk.n++;
      } else if (ptes.size !== 0) ptes.forEach(countMapping, walk);
    }
  }
  // Not kept past the call: the folio may be freed.
  walk.folio = undefined;
  return walk.n;
}

/**
 * folio_ref_count() of an anonymous folio: one per mapping, one per FOLL_GET reference, and
 * each FOLL_PIN (GUP_PIN_COUNTING_BIAS collapsed to one: only "== 1" is ever asked). Pass
 * `mapcount` when the caller already walked the mappings.
 */
export function folioRefcount(k: Kernel, folio: Folio, mapcount = folioMapcount(k, folio)): number {
  return mapcount + folio.refs + folio.pincount;
}

/**
 * folio_put() reaching zero for a page-cache-world anonymous folio: one that nothing maps,
 * pins or references any more is freed (a hugetlb one goes back to its pool). Called where
 * a mapping, pin or reference goes away: after fork() another process may still hold it.
 */
export function freeIfUnused(k: Kernel, folio: Folio): void {
  if (folio.kind !== 'anon' || folio.freed || folio.pincount !== 0 || folio.refs !== 0) return;
  if (folioMapcount(k, folio) !== 0) return;
  folio.freed = true;
  if (folio.hugetlb) freeHugePage(folio.hugetlb);
}

/** try_to_unmap(): clear every PTE mapping the folio, telling each mm's notifiers first. */
export function tryToUnmap(k: Kernel, folio: Folio, reason: string): number {
  const maps = folioMappings(k, folio);
  for (const m of maps) {
    const addr = m.vma.start + m.index * m.vma.pageSize;
    withInvalidation(k, m.mm, addr, m.vma.pageSize, reason, () => {
      m.vma.ptes.delete(m.index);
    });
  }
  if (maps.length && k.tracing)
    k.note('try_to_unmap', `${reason}: unmapped the folio from ${maps.length} page table(s)`);
  return maps.length;
}
