/**
 * Copy-on-write of anonymous folios shared after fork(): whether do_wp_page() reuses the
 * folio for the faulting process or copies it decides which party a pin keeps following.
 * The rule changed twice:
 *   ≤5.8   reuse_swap_page(): reuse when only one page table maps it (page_mapcount() == 1);
 *          GUP references do not count, so a pinned page can be handed to the other process.
 *   5.9    09854ba94c6a: reuse only when page_count() == 1: any pin or GUP reference forces
 *          a copy, so the pinner's own later writes go to a new page.
 *   5.19   6c287605fd56: PageAnonExclusive decides; wp_can_reuse_anon_folio() reuses a
 *          non-exclusive folio only when its refcount is 1, and R/O pins unshare first
 *          (a7f226604170), so a pinned page is always exclusive to the pinner.
 * Large folios (THP, mTHP) are never reused by the small-folio rule; from the first tree known
 * to have it (7.2) __wp_can_reuse_large_anon_folio() reuses one this MM alone maps and nothing
 * else references. hugetlb keeps its own rule (hugetlb_wp): the mapcount alone, in every
 * release — which is why cow.c's hugetlb vmsplice rows leak (XFAIL from its v6.10).
 *
 * The decisions take counts, not folios, so the page-cache world (Folio objects, fault.ts) and
 * the anonymous memory map (anon-fault.ts) share them.
 */
import type { Kernel } from './kernel.js';
import type { Folio } from './mm-types.js';
import { folioMapcount, folioRefcount } from './rmap.js';

/** do_wp_page() on a write-protected, non-exclusive small anonymous folio: reuse it in place? */
export function wpReusesSmallAnon(
  k: Kernel,
  mapcount: number,
  refcount: number,
  pinned: boolean,
): boolean {
  if (k.flags.anon_exclusive) {
    const reuse = refcount === 1;
    if (k.tracing) k.note(
      'wp_can_reuse_anon_folio',
      `not PageAnonExclusive, refcount ${refcount}: ${reuse ? 'reuse, now exclusive' : 'copy'}`,
      { by: 'anon_exclusive' },
    );
    return reuse;
  }
  if (k.flags.do_wp_page_page_count) {
    const reuse = refcount === 1;
    if (k.tracing) k.note(
      'do_wp_page',
        `page_count() == ${refcount}${pinned ? ' (pinned)' : ''}: ${reuse ? 'reuse' : 'copy'}`,
      { by: 'do_wp_page_page_count' },
    );
    return reuse;
  }
  const reuse = mapcount === 1;
  if (k.tracing) k.note(
    'do_wp_page',
      `reuse_swap_page(): mapcount ${mapcount}${pinned ? ', pin(s) not counted' : ''}: ${reuse ? 'reuse' : 'copy'}; ${k.describeAbsent('do_wp_page_page_count')}`,
    );
  return reuse;
}

/** wpReusesSmallAnon() for a page-cache-world anonymous folio (a COW copy in a file mapping). */
export function wpReusesSharedAnon(k: Kernel, folio: Folio): boolean {
  const mapcount = folioMapcount(k, folio);
  return wpReusesSmallAnon(k, mapcount, folioRefcount(k, folio, mapcount), folio.pincount > 0);
}

/**
 * do_wp_page() on a page of a large anonymous folio that is not PageAnonExclusive. Until
 * wp_reuse_large_anon never (5.19's wp_can_reuse_anon_folio(): "just consistently not reuse
 * subpages"; before, page_count() of the compound page counted every mapping); then when the
 * large mapcount is above one, no second MM maps it, and every reference is a mapping.
 */
export function wpReusesLargeAnon(
  k: Kernel,
  largeMapcount: number,
  refcount: number,
  mappedShared: boolean,
): boolean {
  if (!k.flags.wp_reuse_large_anon) {
    if (k.tracing)
      k.note(
        'wp_can_reuse_anon_folio',
        `large folio: copy the page (${k.describeAbsent('wp_reuse_large_anon')})`,
      );
    return false;
  }
  const reuse = largeMapcount > 1 && !mappedShared && largeMapcount === refcount;
  if (k.tracing)
    k.note(
      '__wp_can_reuse_large_anon_folio',
      `large mapcount ${largeMapcount}, refcount ${refcount}${mappedShared ? ', mapped by another MM' : ''}: ${reuse ? 'reuse' : 'copy'}`,
      { by: 'wp_reuse_large_anon' },
    );
  return reuse;
}

/**
 * hugetlb_wp(): an anonymous hugetlb folio mapped once is reused, whatever references (a
 * vmsplice() pipe) it has — "there can still be leaks between processes, for example, with
 * FOLL_GET users" (mm/hugetlb.c).
 */
export function hugetlbWpReuses(k: Kernel, mapcount: number, refs: number): boolean {
  const reuse = mapcount === 1;
  if (k.tracing)
    k.note(
      'hugetlb_wp',
      `folio_mapcount() == ${mapcount}${refs ? `, ${refs} other reference(s) not looked at` : ''}: ${reuse ? 'reuse' : 'copy'}`,
  );
  return reuse;
}

/**
 * should_force_cow_break() (17839856fd58, 5.8, removed by a308c71bf1e6 in 5.9): any GUP on a
 * COW mapping breaks COW as a write would, so the pinner gets its own copy first.
 */
export function gupForcesCowBreak(k: Kernel): boolean {
  return k.flags.gup_forces_cow_break && !k.flags.gup_cow_break_removed;
}
