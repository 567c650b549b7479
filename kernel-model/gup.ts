/**
 * get_user_pages with FOLL_PIN (mm/gup.c): the slow path (__get_user_pages via
 * __gup_longterm_locked) and GUP-fast (pin_user_pages_fast's lockless walk, which bails out to
 * the slow path whenever it cannot decide). Each decision is traced with the commit behind it.
 */
import { Errno, errnoName } from './errno.js';
import { gupForcesCowBreak } from './cow.js';
import { faultResultErrno, handleFault } from './fault.js';
import type { BehaviourName } from './behaviours.js';
import type { Kernel } from './kernel.js';
import {
  VM_IO,
  VM_PFNMAP,
  VM_READ,
  VM_SHARED,
  VM_WRITE,
  isCowMapping,
  vmaBackingFs,
  type Folio,
  type Pte,
  type Vma,
} from './mm-types.js';
import type { Task } from './task.js';
import { gupAnon, gupFastAnon, PfnList, releasePfns } from './anon-gup.js';

export const FOLL_WRITE = 0x01;
export const FOLL_FORCE = 0x10;
export const FOLL_LONGTERM = 0x100;
export const FOLL_PIN = 0x40000;

export interface PinResult {
  /** Pages pinned (>= 0) or a negative errno. */
  ret: number;
  folios: Folio[];
  /** The slow path pinned pages of an fsdax VMA (what check_dax_vmas() looked for in `vmas`). */
  fsdax?: boolean;
  /** Pages of anonymous VMAs taken (memory-map pfns, one per page, in address order). */
  pfns?: PfnList;
}

function errName(n: number): string {
  return errnoName(n) ?? String(n);
}

/** vma_is_fsdax(): a DAX file mapping. */
function vmaIsFsdax(vma: Vma): boolean {
  return vma.file.inode.mount.type.dax;
}

/**
 * vma_needs_dirty_tracking() (mm/mmap.c, 54cbbbf3faf6): a shared writable mapping whose
 * filesystem has page_mkwrite/pfn_mkwrite or can write back. shmem and hugetlbfs have neither.
 */
export function vmaNeedsDirtyTracking(vma: Vma): boolean {
  if ((vma.flags & (VM_WRITE | VM_SHARED)) !== (VM_WRITE | VM_SHARED)) return false;
  const fs = vmaBackingFs(vma);
  if (fs.pageMkwrite) return true;
  return (vma.flags & VM_PFNMAP) === 0 && fs.writeback;
}

/** writable_file_mapping_allowed() (8ac268436e6d): only FOLL_PIN|FOLL_LONGTERM is restricted. */
function writableFileMappingAllowed(vma: Vma, gupFlags: number): boolean {
  if ((gupFlags & (FOLL_PIN | FOLL_LONGTERM)) !== (FOLL_PIN | FOLL_LONGTERM)) return true;
  return !vmaNeedsDirtyTracking(vma);
}

/** check_vma_flags(): the per-VMA checks before any fault or pin. Returns 0 or -errno. */
export function checkVmaFlags(k: Kernel, vma: Vma, gupFlags: number): number {
  const fn = 'check_vma_flags';
  const write = (gupFlags & FOLL_WRITE) !== 0;
  if (vma.flags & (VM_IO | VM_PFNMAP)) {
    if (k.tracing) k.note(fn, 'VM_IO/VM_PFNMAP mapping', { errno: 'EFAULT' });
    return -Errno.EFAULT;
  }
  if (gupFlags & FOLL_LONGTERM && vmaIsFsdax(vma) && k.flags.fsdax_check_in_check_vma_flags) {
    if (k.tracing) k.note(fn, 'FOLL_LONGTERM on an fsdax mapping', { by: 'fsdax_check_in_check_vma_flags', errno: 'EOPNOTSUPP' });
    return -Errno.EOPNOTSUPP;
  }
  if (write) {
    // A file-backed VMA is never vma_is_anonymous(), MAP_PRIVATE included.
    if (k.flags.gup_longterm_write_file_denied) {
      if (!writableFileMappingAllowed(vma, gupFlags)) {
        if (k.tracing) k.note(
          fn,
          `FOLL_PIN|FOLL_LONGTERM|FOLL_WRITE on a shared ${vmaBackingFs(vma).name} mapping that needs dirty tracking: writable_file_mapping_allowed() is false`,
          { by: 'gup_longterm_write_file_denied', errno: 'EFAULT' },
        );
        return -Errno.EFAULT;
      }
      if (k.tracing) k.note(fn, 'writable_file_mapping_allowed(): no dirty tracking needed (MAP_PRIVATE, shmem or hugetlbfs)', {
        by: 'gup_longterm_write_file_denied',
      });
    } else if (vmaNeedsDirtyTracking(vma) && gupFlags & FOLL_LONGTERM) {
      if (k.tracing) k.note(fn, `R/W long-term pin of a dirty-tracked shared ${vmaBackingFs(vma).name} mapping allowed: ${k.describeAbsent('gup_longterm_write_file_denied')}`);
    }
    if ((vma.flags & VM_WRITE) === 0 && (gupFlags & FOLL_FORCE) === 0) {
      if (k.tracing) k.note(fn, 'write pin of a VMA without VM_WRITE', { errno: 'EFAULT' });
      return -Errno.EFAULT;
    }
  } else if ((vma.flags & VM_READ) === 0 && (gupFlags & FOLL_FORCE) === 0) {
    if (k.tracing) k.note(fn, 'read pin of a VMA without VM_READ', { errno: 'EFAULT' });
    return -Errno.EFAULT;
  }
  return 0;
}

/**
 * gup_must_unshare(): an R/O pin must not pin a page that a later write fault would replace.
 * `vma` is undefined on the GUP-fast path, which has none.
 */
function gupMustUnshare(k: Kernel, vma: Vma | undefined, gupFlags: number, folio: Folio): boolean {
  if ((gupFlags & (FOLL_PIN | FOLL_WRITE)) !== FOLL_PIN) return false;
  if (folio.kind === 'anon') return k.flags.gup_unshare_anon && !folio.anonExclusive;
  if (!k.flags.gup_reliable_ro_longterm_cow || (gupFlags & FOLL_LONGTERM) === 0) return false;
  if (!vma) return true;
  return isCowMapping(vma);
}

/** folio_is_longterm_pinnable(): not in ZONE_MOVABLE / CMA, not fsdax. */
function longtermPinnable(folio: Folio): boolean {
  return !folio.movable && !folio.dax;
}

/** __get_user_pages(): fault in as needed and grab a pin on every page of [start, start+nr). */
function getUserPages(k: Kernel, task: Task, start: number, nrPages: number, gupFlags: number): PinResult {
  // Made with its first folio (a pin is one page or one huge page, nearly always): a `[]`
  // grows its store to 17 slots on the first push.
  let folios: Folio[] | undefined;
  // Whether any page came from an fsdax VMA: all that is ever asked of the `vmas` array.
  let fsdax = false;
  let pfns: PfnList | undefined;
  const write = (gupFlags & FOLL_WRITE) !== 0;
  let addr = start;
  let done = 0;
  while (done < nrPages) {
    const vma = task.findVma(addr);
    if (!vma) {
      if (k.tracing) k.note('__get_user_pages', `no VMA at 0x${addr.toString(16)}`, { errno: 'EFAULT' });
      return { ret: done ? done : -Errno.EFAULT, folios: folios ?? [], pfns };
    }
    const err = checkVmaFlags(k, vma, gupFlags);
    if (err) return { ret: done ? done : err, folios: folios ?? [], pfns };
    if (vma.anon) {
      // Anonymous memory: its pages are the memory map's (anon-gup.ts).
      pfns ??= new PfnList();
      const inVma = Math.min(nrPages - done, (vma.start + vma.length - addr) / k.pageSize);
      const r = gupAnon(k, task, vma, addr, inVma, gupFlags, pfns);
      if (r < 0) return { ret: done ? done : r, folios: folios ?? [], pfns };
      done += r;
      addr += r * k.pageSize;
      continue;
    }
    const index = Math.floor((addr - vma.start) / vma.pageSize);
    for (let tries = 0; ; tries++) {
      const pte = vma.ptes.get(index);
      let need: 'read' | 'write' | 'unshare' | undefined;
      if (!pte) need = write ? 'write' : 'read';
      else if (write && !pte.writable) need = 'write';
      else if (!pte.writable && isCowMapping(vma) && vma.flags & VM_WRITE && gupForcesCowBreak(k)) {
        if (k.tracing) k.note('__get_user_pages', 'should_force_cow_break(): GUP on a COW mapping breaks COW first', { by: 'gup_forces_cow_break' });
        need = 'write';
      } else if (gupMustUnshare(k, vma, gupFlags, pte.folio)) {
        const anon = pte.folio.kind === 'anon';
        if (k.tracing) k.note('gup_must_unshare', `R/O pin of a ${anon ? 'possibly shared anonymous' : 'page-cache'} page in a COW mapping`, {
          by: anon ? 'gup_unshare_anon' : 'gup_reliable_ro_longterm_cow',
        });
        need = 'unshare';
      }
      if (!need) break;
      /* c8 ignore next 4 */
      if (tries > 2) {
        if (k.tracing) k.note('__get_user_pages', 'no progress after faulting', { errno: 'EFAULT' });
        return { ret: -Errno.EFAULT, folios: folios ?? [] };
      }
      if (k.tracing) k.note('faultin_page', `${need} fault needed before pinning`);
      const r = handleFault(k, vma, index, need);
      if (r !== 'ok') {
        const e = faultResultErrno(r);
        if (k.tracing) k.note('faultin_page', `fault failed (${r})`, { errno: errName(e) });
        return { ret: done ? done : -e, folios: folios ?? [] };
      }
    }
    const folio = vma.ptes.get(index)!.folio;
    // FOLL_PIN raises the pin count; plain get_user_pages (FOLL_GET) only the refcount.
    if (gupFlags & FOLL_PIN) folio.pincount++;
    else folio.refs++;
    if (folios === undefined) folios = [folio];
    else folios.push(folio);
    if (vmaIsFsdax(vma)) fsdax = true;
    const pagesInFolio = Math.max(1, Math.floor(vma.pageSize / k.pageSize));
    const take = Math.min(pagesInFolio - ((addr - vma.start) % vma.pageSize) / k.pageSize, nrPages - done);
    done += take;
    addr += take * k.pageSize;
  }
  return { ret: done, folios: folios ?? [], fsdax, pfns };
}

export function unpinFolios(folios: readonly Folio[]): void {
  for (const f of folios) f.pincount = Math.max(0, f.pincount - 1);
}

/** unpin_user_pages() of everything a pin call returned (page-cache folios and memory-map pages). */
export function unpinAll(k: Kernel, r: PinResult): void {
  unpinFolios(r.folios);
  if (r.pfns) releasePfns(k, r.pfns, true);
}

/**
 * __gup_longterm_locked(): pin, then for FOLL_LONGTERM migrate anything not long-term
 * pinnable and retry (check_and_migrate_movable_pages, d1e153fea2a8; CMA-only before).
 */
export function pinUserPages(k: Kernel, task: Task, start: number, nrPages: number, gupFlags: number): PinResult {
  const flags = gupFlags | FOLL_PIN;
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = getUserPages(k, task, start, nrPages, flags);
    if (r.ret < 0 || (flags & FOLL_LONGTERM) === 0) return r;
    if (r.fsdax && !k.flags.fsdax_check_in_check_vma_flags) {
      // ≤5.10: check_dax_vmas() after pinning.
      unpinAll(k, r);
      if (k.tracing) k.note('__gup_longterm_locked', 'check_dax_vmas(): FOLL_LONGTERM on fsdax, pages released', { errno: 'EOPNOTSUPP' });
      return { ret: -Errno.EOPNOTSUPP, folios: [] };
    }
    if (r.folios.every(longtermPinnable) || !k.flags.longterm_migrate_movable) {
      if (k.tracing) k.note('__gup_longterm_locked', `pinned ${r.ret} page(s) long-term`);
      return r;
    }
    unpinAll(k, r);
    const unpinnable = r.folios.filter((f) => !longtermPinnable(f));
    if (unpinnable.some((f) => f.hugetlb?.gigantic)) {
      if (k.tracing) k.note(
        'check_and_migrate_movable_pages',
        'folio in ZONE_MOVABLE/CMA is not long-term pinnable and a gigantic page cannot be migrated',
        { by: 'longterm_migrate_movable', errno: 'ENOMEM' },
      );
      return { ret: -Errno.ENOMEM, folios: [] };
    }
    for (const f of unpinnable) f.movable = false;
    if (k.tracing) k.note('check_and_migrate_movable_pages', 'migrated folio(s) out of ZONE_MOVABLE/CMA, retrying', {
      by: 'longterm_migrate_movable',
    });
  }
  /* c8 ignore next */
  return { ret: -Errno.ENOMEM, folios: [] };
}

/**
 * get_user_pages() without FOLL_PIN (FOLL_GET): the references O_DIRECT and the 2019 vhost
 * code took. They raise the refcount but folio_maybe_dma_pinned() cannot see them.
 */
export function getUserPagesRefs(k: Kernel, task: Task, start: number, nrPages: number, gupFlags: number): PinResult {
  return getUserPages(k, task, start, nrPages, gupFlags & ~FOLL_PIN);
}

/** put_page() for FOLL_GET references. */
export function putFolios(folios: readonly Folio[]): void {
  for (const f of folios) f.refs = Math.max(0, f.refs - 1);
}

/** folio_fast_pin_allowed() (a6e79df92e4a), renamed gup_fast_folio_allowed() in 6.10. */
function folioFastPinAllowed(folio: Folio, gupFlags: number): boolean {
  const all = FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE;
  if ((gupFlags & all) !== all) return true;
  return folio.kind === 'hugetlb' || folio.kind === 'anon' || folio.kind === 'shmem';
}

/** Why GUP-fast leaves a page to the slow path: the trace's words, and the behaviour that decided. */
class FastBail {
  constructor(
    readonly why: string,
    readonly by: BehaviourName | undefined,
  ) {}
}

const NO_VMA = new FastBail('no page table entry', undefined);
const NO_PTE = new FastBail('PTE not present', undefined);
const SPECIAL_PTE = new FastBail('special PTE', undefined);
const READ_ONLY_PTE = new FastBail('PTE not writable for a write pin', undefined);
const COW_BREAK = new FastBail('read-only PTE: the slow path breaks COW', 'gup_forces_cow_break');
const DEVMAP = new FastBail('devmap (fsdax) PTE with FOLL_LONGTERM', undefined);
const NOT_PINNABLE = new FastBail('folio not long-term pinnable', 'longterm_migrate_movable');
const ANON_UNSHARE = new FastBail('anon folio may be shared (unshare needed)', 'gup_unshare_anon');
const PAGECACHE_UNSHARE = new FastBail('R/O long-term pin of a page-cache folio needs the VMA', 'gup_reliable_ro_longterm_cow');
/** By folio kind: folio_fast_pin_allowed() refuses only file folios that may need dirty tracking. */
const DIRTY_TRACKED = new Map<string, FastBail>();

function dirtyTracked(folio: Folio): FastBail {
  let b = DIRTY_TRACKED.get(folio.kind);
  if (!b) {
    b = new FastBail(`folio_fast_pin_allowed(): ${folio.kind} folio of a file mapping may need dirty tracking`, 'gup_fast_longterm_write_file_denied');
    DIRTY_TRACKED.set(folio.kind, b);
  }
  return b;
}

/** pin_user_pages_fast() from an anonymous VMA: lockless as far as it can, the slow path for the rest. */
function pinFastAnon(
  k: Kernel,
  task: Task,
  vma: Vma,
  start: number,
  nrPages: number,
  gupFlags: number,
): PinResult {
  const inVma = Math.min(nrPages, (vma.start + vma.length - start) / k.pageSize);
  const pfns = new PfnList();
  const fast = gupFastAnon(k, task, start, inVma, gupFlags | FOLL_PIN, pfns);
  if (fast === nrPages) return { ret: fast, folios: [], pfns };
  const rest = pinUserPages(k, task, start + fast * k.pageSize, nrPages - fast, gupFlags);
  if (rest.ret < 0) {
    if (fast === 0) return rest;
    return { ret: fast, folios: [], pfns };
  }
  if (rest.pfns) pfns.append(rest.pfns);
  return { ret: fast + rest.ret, folios: rest.folios, pfns };
}

/** The checks gup_fast_pte_range() makes of a present PTE, in its order; undefined: it pins. */
function gupFastRefusal(k: Kernel, vma: Vma, pte: Pte, flags: number): FastBail | undefined {
  if (vma.flags & (VM_IO | VM_PFNMAP)) return SPECIAL_PTE;
  if (flags & FOLL_WRITE && !pte.writable) return READ_ONLY_PTE;
  if (!pte.writable && gupForcesCowBreak(k)) return COW_BREAK;
  const folio = pte.folio;
  if (flags & FOLL_LONGTERM && folio.dax) return DEVMAP;
  if (flags & FOLL_LONGTERM && !longtermPinnable(folio) && k.flags.longterm_migrate_movable) return NOT_PINNABLE;
  if (k.flags.gup_fast_longterm_write_file_denied && !folioFastPinAllowed(folio, flags)) return dirtyTracked(folio);
  if (gupMustUnshare(k, undefined, flags, folio)) return folio.kind === 'anon' ? ANON_UNSHARE : PAGECACHE_UNSHARE;
  return undefined;
}

/** GUP-fast gives up on a page: trace why and let the slow path decide. */
function gupFastBail(k: Kernel, task: Task, start: number, nrPages: number, gupFlags: number, b: FastBail): PinResult {
  if (k.tracing) k.note('gup_fast', `bails out to the slow path: ${b.why}`, b.by ? { by: b.by } : {});
  return pinUserPages(k, task, start, nrPages, gupFlags);
}

/**
 * pin_user_pages_fast(): lockless walk of the page tables; any page it cannot decide on is
 * left to the slow path, so the final result always equals pin_user_pages()'s.
 */
export function pinUserPagesFast(k: Kernel, task: Task, start: number, nrPages: number, gupFlags: number): PinResult {
  const flags = gupFlags | FOLL_PIN;
  const vma = task.findVma(start);
  if (!vma) return gupFastBail(k, task, start, nrPages, gupFlags, NO_VMA);
  if (vma.anon) return pinFastAnon(k, task, vma, start, nrPages, gupFlags);
  const pte = vma.ptes.get(Math.floor((start - vma.start) / vma.pageSize));
  if (!pte) return gupFastBail(k, task, start, nrPages, gupFlags, NO_PTE);
  const refusal = gupFastRefusal(k, vma, pte, flags);
  if (refusal) return gupFastBail(k, task, start, nrPages, gupFlags, refusal);
  const folio = pte.folio;
  folio.pincount++;
  const pages = Math.min(nrPages, Math.max(1, Math.floor(vma.pageSize / k.pageSize)));
  if (k.tracing) k.note('gup_fast', `pinned ${pages} page(s) without taking mmap_lock`);
  if (pages < nrPages) {
    const rest = pinUserPages(k, task, start + pages * k.pageSize, nrPages - pages, gupFlags);
    if (rest.ret < 0) return { ret: pages, folios: [folio] };
    return { ret: pages + rest.ret, folios: [folio, ...rest.folios] };
  }
  return { ret: pages, folios: [folio] };
}
