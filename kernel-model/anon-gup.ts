/**
 * get_user_pages() on anonymous memory (mm/gup.c follow_page_pte(), follow_huge_pmd(),
 * gup_fast_pte_range(), gup_fast_pmd_leaf()): fault in what is missing, break COW for a write,
 * and for an R/O pin unshare a page that may be shared (gup_must_unshare(): a non-exclusive
 * anonymous page from 5.19, a7f226604170; the shared zeropages in a COW mapping from 6.2,
 * 84209e87c696), then take the page: FOLL_PIN raises the folio's pin count, FOLL_GET (a
 * vmsplice()) its references. GUP-fast takes pages while it can decide locklessly and leaves
 * the rest to the slow path (the zeropage is a special PTE, a write to a read-only PTE or a
 * possibly shared page for an R/O pin needs the VMA).
 */
import { anonFaultAt, type AnonMm } from './anon-fault.js';
import { Errno } from './errno.js';
import { gupForcesCowBreak } from './cow.js';
import { faultResultErrno, type FaultKind } from './fault.js';
import type { Kernel } from './kernel.js';
import { PG_ANON_EXCLUSIVE, ZERO_PFN, type MemMap } from './memmap.js';
import { isCowMapping, VM_WRITE, type Vma } from './mm-types.js';
import { B_WRITE } from './pagetable.js';

const FOLL_WRITE = 0x01;
const FOLL_LONGTERM = 0x100;
const FOLL_PIN = 0x40000;

/** The pages a GUP call took, in address order (pfns of the memory map), in a typed array. */
/** The buffer of a PfnList that has none yet (never written: its length is 0). */
const NO_PFNS = new Int32Array(0);

export class PfnList {
  // No buffer of its own until the first entry or reserve(): a typed array is an ArrayBuffer
  // and a view, and most lists are sized by reserve() before their first push.
  private buf: Int32Array = NO_PFNS;
  length = 0;

  push(pfn: number): void {
    if (this.length === this.buf.length) {
      const b = new Int32Array(Math.max(16, this.buf.length * 2));
      b.set(this.buf);
      this.buf = b;
    }
    this.buf[this.length++] = pfn;
  }

  /**
   * Room for `n` entries at once: a call that pins a THP's 512 pages would otherwise grow
   * the buffer five times over (16 → 512), each a new array and a copy.
   */
  reserve(n: number): void {
    if (n <= this.buf.length) return;
    const b = new Int32Array(n);
    if (this.length > 0) b.set(this.buf.subarray(0, this.length));
    this.buf = b;
  }

  at(i: number): number {
    return this.buf[i]!;
  }

  append(other: PfnList): void {
    for (let i = 0; i < other.length; i++) this.push(other.at(i));
  }
}

/** gup_must_unshare() for a present page; `vma` undefined on the GUP-fast path. */
function mustUnshare(
  k: Kernel,
  mem: MemMap,
  vma: Vma | undefined,
  flags: number,
  pfn: number,
): boolean {
  if ((flags & (FOLL_PIN | FOLL_WRITE)) !== FOLL_PIN) return false;
  const zero = pfn === ZERO_PFN || mem.headOf[pfn] === mem.hugeZero;
  if (!zero) return k.flags.gup_unshare_anon && (mem.pflags[pfn]! & PG_ANON_EXCLUSIVE) === 0;
  if (!k.flags.gup_reliable_ro_longterm_cow || (flags & FOLL_LONGTERM) === 0) return false;
  return vma === undefined || isCowMapping(vma);
}

/** try_grab_folio(): a pin or a reference on the page's folio (the zeropages are not counted). */
function grab(mem: MemMap, pfn: number, flags: number, out: PfnList): void {
  out.push(pfn);
  if (pfn === ZERO_PFN) return;
  const h = mem.headOf[pfn]!;
  if (h === mem.hugeZero) return;
  if (flags & FOLL_PIN) mem.pins[h] = mem.pins[h]! + 1;
  else mem.refs[h] = mem.refs[h]! + 1;
}

/** unpin_user_pages() / put_page() of what a GUP call took. */
export function releasePfns(k: Kernel, list: PfnList, pinned: boolean): void {
  const mem = k.anon.memmap;
  for (let i = 0; i < list.length; i++) {
    const pfn = list.at(i);
    if (pfn === ZERO_PFN) continue;
    const h = mem.headOf[pfn]!;
    if (h === mem.hugeZero) continue;
    if (pinned) mem.pins[h] = Math.max(0, mem.pins[h]! - 1);
    else mem.refs[h] = Math.max(0, mem.refs[h]! - 1);
    mem.putIfUnused(h);
  }
  list.length = 0;
}

/**
 * __get_user_pages() over `nr` pages of anonymous VMA `vma` from `addr`: the pages taken
 * (all of them), or -errno when the first could not be.
 */
export function gupAnon(
  k: Kernel,
  mm: AnonMm,
  vma: Vma,
  addr: number,
  nr: number,
  flags: number,
  out: PfnList,
): number {
  const a = k.anon;
  const mem = a.memmap;
  const pt = mm.anonPt();
  const write = (flags & FOLL_WRITE) !== 0;
  let unshared = 0;
  let tries = 0;
  let done = 0;
  const tally = a.tally.reset();
  out.reserve(out.length + Math.min(nr, a.ptrs));
  const vmWrite = (vma.flags & VM_WRITE) !== 0;
  // should_force_cow_break() (5.8 only): GUP of a R/O page of a COW mapping faults as a write.
  const breakCow = !write && vmWrite && gupForcesCowBreak(k) && isCowMapping(vma);
  let cowBroken = 0;
  while (done < nr) {
    // One PMD's worth of pages at a time, the table looked up again only after a fault.
    const at = addr + done * a.pageSize;
    const pmd = Math.floor(at / a.pmdSize);
    let i = Math.floor(at / a.pageSize) % a.ptrs;
    const iEnd = Math.min(a.ptrs, i + (nr - done));
    let t = pt.get(pmd);
    while (i < iEnd) {
      let need: FaultKind;
      if (t === undefined) need = write ? 'write' : 'read';
      else if (t.leaf >= 0) {
        if ((write || breakCow) && (t.leafBits & B_WRITE) === 0) {
          need = 'write';
          if (!write) cowBroken++;
        } else if (mustUnshare(k, mem, vma, flags, t.leaf)) need = 'unshare';
        else {
          // follow_huge_pmd(): every page of the PMD in the range at once.
          for (let j = i; j < iEnd; j++) grab(mem, t.leaf + j, flags, out);
          done += iEnd - i;
          i = iEnd;
          tries = 0;
          continue;
        }
      } else {
        const e = t.entries[i]!;
        if (e > 0) {
          if ((write || breakCow) && (t.bits[i]! & B_WRITE) === 0) {
            if (!write) cowBroken++;
            if (vmWrite) {
              // faultin_page() → do_wp_page() on the present page.
              tally.wp(k, mm, vma, t, i, false);
              continue;
            }
            need = 'write';
          } else if (mustUnshare(k, mem, vma, flags, e - 1)) {
            // faultin_page(FAULT_FLAG_UNSHARE) → do_wp_page() on the present page.
            tally.wp(k, mm, vma, t, i, true);
            unshared++;
            continue;
          } else {
            grab(mem, e - 1, flags, out);
            i++;
            done++;
            tries = 0;
            continue;
          }
        } else need = write ? 'write' : 'read';
      }
      if (need === 'unshare') unshared++;
      /* c8 ignore next 4 */
      if (++tries > 3) {
        if (k.tracing)
          k.note('__get_user_pages', 'no progress after faulting', { errno: 'EFAULT' });
        return done > 0 ? done : -Errno.EFAULT;
      }
      const r = anonFaultAt(k, mm, vma, pmd, i, need);
      if (r !== 'ok') {
        if (k.tracing)
          k.note('faultin_page', `${need} fault failed (${r})`, {
            errno: r === 'oom' ? 'ENOMEM' : 'EFAULT',
          });
        return done > 0 ? done : -faultResultErrno(r);
      }
      // The fault resolved the page: the next pass takes it.
      t = pt.get(pmd);
    }
  }
  tally.done(k, write || cowBroken > 0 ? 'GUP write fault' : 'GUP unshare');
  if (cowBroken > 0 && k.tracing) {
    k.note(
      '__get_user_pages',
      `should_force_cow_break(): GUP on a COW mapping broke COW first (${cowBroken} R/O page(s))`,
      { by: 'gup_forces_cow_break' },
    );
  }
  if (unshared > 0 && k.tracing) {
    k.note(
      'gup_must_unshare',
      `R/O pin: ${unshared} possibly shared page(s) unshared first (FAULT_FLAG_UNSHARE)`,
      { by: 'gup_unshare_anon' },
    );
  }
  return nr;
}

/**
 * The lockless part of pin_user_pages_fast()/get_user_pages_fast(): pages taken from `addr`
 * until the first it cannot decide on (then the slow path takes the rest).
 */
export function gupFastAnon(
  k: Kernel,
  mm: AnonMm,
  addr: number,
  nr: number,
  flags: number,
  out: PfnList,
): number {
  const a = k.anon;
  const mem = a.memmap;
  const pt = mm.anonPt();
  // 5.8 (17839856fd58): GUP-fast adds FOLL_WRITE, so only already writable pages are taken.
  const cowBreak = gupForcesCowBreak(k);
  const write = (flags & FOLL_WRITE) !== 0 || cowBreak;
  let done = 0;
  let why = '';
  out.reserve(out.length + Math.min(nr, a.ptrs));
  chunks: while (done < nr) {
    const at = addr + done * a.pageSize;
    const t = pt.get(Math.floor(at / a.pmdSize));
    let i = Math.floor(at / a.pageSize) % a.ptrs;
    const iEnd = Math.min(a.ptrs, i + (nr - done));
    if (t === undefined) {
      why = 'no page table';
      break;
    }
    if (t.leaf >= 0) {
      if (t.leaf === mem.hugeZero) why = 'the huge zeropage (special PMD)';
      else if (write && (t.leafBits & B_WRITE) === 0)
        why = cowBreak
          ? 'read-only PMD: the slow path breaks COW'
          : 'PMD not writable for a write pin';
      else if (mustUnshare(k, mem, undefined, flags, t.leaf))
        why = 'anon THP may be shared (unshare needed)';
      if (why) break;
      for (let j = i; j < iEnd; j++) grab(mem, t.leaf + j, flags, out);
      done += iEnd - i;
      continue;
    }
    for (; i < iEnd; i++) {
      const e = t.entries[i]!;
      if (e <= 0) why = e === 0 ? 'PTE not present' : 'swap PTE';
      else if (e - 1 === ZERO_PFN) why = 'the shared zeropage (special PTE)';
      else if (write && (t.bits[i]! & B_WRITE) === 0)
        why = cowBreak
          ? 'read-only PTE: the slow path breaks COW'
          : 'PTE not writable for a write pin';
      else if (mustUnshare(k, mem, undefined, flags, e - 1))
        why = 'anon page may be shared (unshare needed)';
      if (why) break chunks;
      grab(mem, e - 1, flags, out);
      done++;
    }
  }
  if (k.tracing) {
    if (done > 0) k.note('gup_fast', `took ${done} page(s) without taking mmap_lock`);
    if (done < nr) k.note('gup_fast', `bails out to the slow path: ${why}`);
  }
  return done;
}
