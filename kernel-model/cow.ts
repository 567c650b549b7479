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
 */
import type { Kernel } from './kernel.js';
import type { Folio } from './mm-types.js';
import { folioMapcount, folioRefcount } from './rmap.js';

/** do_wp_page() on a write-protected, non-exclusive anonymous folio: reuse it in place? */
export function wpReusesSharedAnon(k: Kernel, folio: Folio): boolean {
  const mapcount = folioMapcount(k, folio);
  const refcount = folioRefcount(k, folio, mapcount);
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
      `page_count() == ${refcount}${folio.pincount ? ' (pinned)' : ''}: ${reuse ? 'reuse' : 'copy'}`,
      { by: 'do_wp_page_page_count' },
    );
    return reuse;
  }
  const reuse = mapcount === 1;
  if (k.tracing) k.note(
    'do_wp_page',
    `reuse_swap_page(): mapcount ${mapcount}${folio.pincount ? `, ${folio.pincount} pin(s) not counted` : ''}: ${reuse ? 'reuse' : 'copy'}; ${k.describeAbsent('do_wp_page_page_count')}`,
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
