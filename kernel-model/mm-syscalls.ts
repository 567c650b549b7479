/**
 * The memory system calls cow.c makes beyond gup_longterm's, for Task (task.ts): anonymous
 * mmap() (private, MAP_HUGETLB, shared), munmap() and mprotect() of parts of VMAs, madvise(),
 * mremap(), and the user-space stores and loads that carry page contents (labels.ts).
 */
import { anonFault, needsSoftDirtyWp } from './anon-fault.js';
import { anonLoad, anonStore } from './anon-access.js';
import { pageoutAnonRange } from './anon-reclaim.js';
import { mergeAnonVmas, mremapAnon, removeAt, vmasCovering } from './anon-vma.js';
import { SmallMap } from './small-map.js';
import { zapAnonRange } from './anon-zap.js';
import { madviseCollapse } from './collapse.js';
import { Errno } from './errno.js';
import { handleFault } from './fault.js';
import type { Kernel } from './kernel.js';
import { PG_ANON_EXCLUSIVE, ZERO_PFN } from './memmap.js';
import {
  VM_DONTCOPY,
  VM_HUGEPAGE,
  VM_MAYREAD,
  VM_MAYWRITE,
  VM_NOHUGEPAGE,
  VM_READ,
  VM_SOFTDIRTY,
  VM_WRITE,
  type Vma,
} from './mm-types.js';
import { B_DIRTY, B_SOFTDIRTY, B_WRITE } from './pagetable.js';
import type { AccessResult, Task } from './task.js';

export const MAP_ANONYMOUS = 0x20;
export const MAP_HUGETLB = 0x40000;
export const MAP_HUGE_SHIFT = 26;
export const MREMAP_MAYMOVE = 1;
export const MREMAP_FIXED = 2;

export const MADV_DONTNEED = 4;
export const MADV_DONTFORK = 10;
export const MADV_DOFORK = 11;
export const MADV_HUGEPAGE = 14;
export const MADV_NOHUGEPAGE = 15;
export const MADV_PAGEOUT = 21;
export const MADV_COLLAPSE = 25;

const PROT_READ = 0x1;
const PROT_WRITE = 0x2;

/** mmap() of a new anonymous private mapping: a VMA whose pages live in the memory map. */
export function mmapAnonPrivate(task: Task, length: number, prot: number): number {
  const k = task.kernel;
  if (length === 0) return -Errno.EINVAL;
  const len = Math.ceil(length / k.pageSize) * k.pageSize;
  let flags = VM_MAYREAD | VM_MAYWRITE | VM_SOFTDIRTY;
  if (prot & PROT_READ) flags |= VM_READ;
  if (prot & PROT_WRITE) flags |= VM_WRITE;
  const start = task.reserveAnonAddr(len);
  task.insertVma({
    start,
    length: len,
    flags,
    file: k.anonFile,
    pageSize: k.pageSize,
    ptes: new SmallMap(),
    privateResv: 0,
    anon: true,
  });
  if (k.tracing) k.note('mmap_region', `anonymous private mapping of ${len / k.pageSize} page(s)`);
  return start;
}

/** Whether [addr, addr+length) touches an anonymous VMA (so the anonymous paths handle it). */
export function touchesAnon(task: Task, addr: number, length: number): boolean {
  const vmas = task.vmas;
  for (let i = 0; i < vmas.length; i++) {
    const v = vmas[i]!;
    if (v.anon && v.start < addr + length && addr < v.start + v.length) return true;
  }
  return false;
}

/** munmap() of a range that touches anonymous VMAs (file VMAs in it must be whole). */
export function munmapRange(task: Task, addr: number, length: number): number {
  const k = task.kernel;
  if (addr % k.pageSize !== 0) return -Errno.EINVAL;
  const end = addr + Math.ceil(length / k.pageSize) * k.pageSize;
  const pieces = task.scratchVmas;
  const err = vmasCovering(k, task, task.vmas, addr, end, pieces);
  if (err === -Errno.EINVAL) return err;
  for (const p of pieces) {
    if (!p.anon) {
      task.munmap(p.start, p.length);
      continue;
    }
    zapAnonRange(k, task, p.start, p.start + p.length, true);
    removeAt(task.vmas, task.vmas.indexOf(p));
  }
  return 0;
}

/**
 * mprotect() of part of anonymous VMAs (mm/mprotect.c): split, set the protection, and
 * change_protection(): taking write away write-protects every PTE; giving it back makes a
 * PTE writable only where the write fault would (MM_CP_TRY_CHANGE_WRITABLE,
 * can_change_pte_writable(): a dirty PTE of an exclusive anonymous page not held back by
 * soft-dirty).
 */
export function mprotectAnon(task: Task, addr: number, length: number, prot: number): number {
  const k = task.kernel;
  const end = addr + Math.ceil(length / k.pageSize) * k.pageSize;
  const pieces = task.scratchVmas;
  const err = vmasCovering(k, task, task.vmas, addr, end, pieces);
  if (err) return err;
  for (const v of pieces)
    if (prot & PROT_WRITE && (v.flags & VM_MAYWRITE) === 0) return -Errno.EACCES;
  const a = k.anon;
  const mem = a.memmap;
  const pt = task.anonPt();
  let upgraded = 0;
  // can_change_pte_writable() (64fe24a3e05e, 6.2): before it a private anonymous PTE was
  // never made writable by mprotect(); the next write always faulted.
  const upgradeExclusive = k.flags.mprotect_upgrade_exclusive_anon && k.flags.anon_exclusive;
  for (const v of pieces) {
    v.flags =
      (v.flags & ~(VM_READ | VM_WRITE)) |
      (prot & PROT_READ ? VM_READ : 0) |
      (prot & PROT_WRITE ? VM_WRITE : 0);
    const vEnd = v.start + v.length;
    for (let at = v.start; at < vEnd;) {
      const pmd = Math.floor(at / a.pmdSize);
      const base = pmd * a.pmdSize;
      const chunkEnd = Math.min(vEnd, base + a.pmdSize);
      const i0 = Math.floor((at - base) / a.pageSize);
      const i1 = Math.ceil((chunkEnd - base) / a.pageSize);
      at = chunkEnd;
      const t = pt.get(pmd);
      if (t === undefined) continue;
      if (t.leaf >= 0) {
        if ((prot & PROT_WRITE) === 0) t.leafBits &= ~B_WRITE;
        else if (
          t.leaf !== mem.hugeZero &&
          (mem.pflags[t.leaf]! & PG_ANON_EXCLUSIVE) !== 0 &&
          upgradeExclusive &&
          (t.leafBits & B_DIRTY) !== 0 &&
          !needsSoftDirtyWp(v, t.leafBits)
        ) {
          t.leafBits |= B_WRITE;
          upgraded += a.ptrs;
        }
        continue;
      }
      // Until every entry the table holds was met (an mTHP is a few of its 512).
      let left = t.used;
      for (let i = i0; i < i1 && left > 0; i++) {
        const e = t.entries[i]!;
        if (e === 0) continue;
        left--;
        if (e < 0) continue;
        if ((prot & PROT_WRITE) === 0) {
          t.bits[i] = t.bits[i]! & ~B_WRITE;
          continue;
        }
        const pfn = e - 1;
        if (
          pfn !== ZERO_PFN &&
          (mem.pflags[pfn]! & PG_ANON_EXCLUSIVE) !== 0 &&
          upgradeExclusive &&
          (t.bits[i]! & B_DIRTY) !== 0 &&
          !needsSoftDirtyWp(v, t.bits[i]!)
        ) {
          t.bits[i] = t.bits[i]! | B_WRITE;
          upgraded++;
        }
      }
    }
  }
  mergeAnonVmas(task.vmas);
  if (k.tracing && prot & PROT_WRITE) {
    k.note(
      'change_protection',
      upgraded
        ? `${upgraded} exclusive anonymous page(s) mapped writable at once (can_change_pte_writable())`
        : upgradeExclusive
          ? 'no PTE made writable: the next write faults (not exclusive, or soft-dirty tracking wants the fault)'
          : `no PTE made writable: the next write faults (${k.describeAbsent('mprotect_upgrade_exclusive_anon')})`,
    );
  }
  return 0;
}

/** madvise(). */
export function madvise(task: Task, addr: number, length: number, advice: number): number {
  const k = task.kernel;
  if (addr % k.pageSize !== 0) return -Errno.EINVAL;
  const end = addr + Math.ceil(length / k.pageSize) * k.pageSize;
  const thp = k.spec.config.TRANSPARENT_HUGEPAGE ?? true;
  switch (advice) {
    case MADV_HUGEPAGE:
    case MADV_NOHUGEPAGE:
      // madvise_behavior_valid(): only with CONFIG_TRANSPARENT_HUGEPAGE.
      if (!thp) return -Errno.EINVAL;
      return setVmFlags(
        task,
        addr,
        end,
        advice === MADV_HUGEPAGE ? VM_HUGEPAGE : VM_NOHUGEPAGE,
        advice === MADV_HUGEPAGE ? VM_NOHUGEPAGE : VM_HUGEPAGE,
      );
    case MADV_DONTFORK:
      return setVmFlags(task, addr, end, VM_DONTCOPY, 0);
    case MADV_DOFORK:
      return setVmFlags(task, addr, end, 0, VM_DONTCOPY);
    case MADV_DONTNEED: {
      const pieces = task.scratchVmas;
      const err = vmasCovering(k, task, task.vmas, addr, end, pieces);
      for (const p of pieces) if (p.anon) zapAnonRange(k, task, p.start, p.start + p.length, false);
      if (k.tracing) k.note('madvise_dontneed', `zapped ${(end - addr) / k.pageSize} page(s)`);
      return err;
    }
    case MADV_PAGEOUT: {
      const pieces = task.scratchVmas;
      const err = vmasCovering(k, task, task.vmas, addr, end, pieces);
      for (const p of pieces) if (p.anon) pageoutAnonRange(k, task, p.start, p.start + p.length);
      return err;
    }
    case MADV_COLLAPSE:
      if (!thp || !k.flags.madv_collapse) {
        if (k.tracing)
          k.note(
            'madvise',
            `MADV_COLLAPSE: ${thp ? k.describeAbsent('madv_collapse') : 'CONFIG_TRANSPARENT_HUGEPAGE is not set'}`,
            { errno: 'EINVAL' },
          );
        return -Errno.EINVAL;
      }
      return madviseCollapse(k, task, (x) => task.findVma(x), addr, end);
    default:
      return -Errno.EINVAL;
  }
}

function setVmFlags(task: Task, start: number, end: number, set: number, clear: number): number {
  const k = task.kernel;
  const pieces = task.scratchVmas;
  const err = vmasCovering(k, task, task.vmas, start, end, pieces);
  for (const p of pieces) p.flags = (p.flags | set) & ~clear;
  mergeAnonVmas(task.vmas);
  return err;
}

/** mremap() with MREMAP_MAYMOVE|MREMAP_FIXED to `newAddr`, same size (what cow.c does). */
export function mremap(
  task: Task,
  oldAddr: number,
  oldLen: number,
  newLen: number,
  flags: number,
  newAddr: number,
): number {
  const k = task.kernel;
  if (flags !== (MREMAP_MAYMOVE | MREMAP_FIXED) || oldLen !== newLen) return -Errno.EINVAL;
  return mremapAnon(k, task, task.vmas, oldAddr, oldLen, newAddr, (a, l) =>
    munmapRange(task, a, l),
  );
}

/**
 * A user-space store of `label` into every page of [addr, addr+length) (memset()), or with
 * `partial` into part of each page (a single byte written).
 */
export function userStore(
  task: Task,
  addr: number,
  length: number,
  label: number,
  partial: boolean,
): AccessResult {
  const k = task.kernel;
  const end = addr + length;
  for (let at = addr; at < end;) {
    const vma = task.findVma(at);
    if (!vma) return 'SIGSEGV';
    const upTo = Math.min(end, vma.start + vma.length);
    if (vma.anon) {
      const first = Math.floor(at / k.pageSize) * k.pageSize;
      const r = anonStore(k, task, vma, first, upTo, label, partial || length < k.pageSize);
      if (r !== 'ok') return r === 'sigsegv' ? 'SIGSEGV' : 'SIGBUS';
    } else {
      for (let off = at - vma.start; vma.start + off < upTo; off += vma.pageSize) {
        const index = Math.floor(off / vma.pageSize);
        const pte = vma.ptes.get(index);
        if (!pte || !pte.writable) {
          const r = handleFault(k, vma, index, 'write');
          if (r === 'sigsegv') return 'SIGSEGV';
          if (r !== 'ok') return 'SIGBUS';
        }
        const p = vma.ptes.get(index)!;
        const whole = !partial && length >= vma.pageSize;
        p.folio.data = k.labels.text(
          whole ? label : k.labels.mixed(k.labels.id(p.folio.data), label),
        );
        p.dirty = true;
      }
    }
    at = upTo;
  }
  return 'ok';
}

/**
 * A user-space load of [addr, addr+length) (memcpy() out, memcmp()): one label per page of the
 * mapping (a huge page of a hugetlb mapping is one) into `out` from `outAt`. Returns the
 * labels written, or the signal.
 */
export function userLoad(
  task: Task,
  addr: number,
  length: number,
  out: Int32Array,
  outAt: number,
): number | AccessResult {
  const k = task.kernel;
  const end = addr + length;
  let o = outAt;
  for (let at = addr; at < end;) {
    const vma = task.findVma(at);
    if (!vma) return 'SIGSEGV';
    const upTo = Math.min(end, vma.start + vma.length);
    if (vma.anon) {
      const first = Math.floor(at / k.pageSize) * k.pageSize;
      const r = anonLoad(k, task, vma, first, upTo, out, o);
      if (r !== 'ok') return r === 'sigsegv' ? 'SIGSEGV' : 'SIGBUS';
      o += Math.ceil((upTo - first) / k.pageSize);
    } else {
      for (let off = at - vma.start; vma.start + off < upTo; off += vma.pageSize) {
        const index = Math.floor(off / vma.pageSize);
        if (!vma.ptes.get(index)) {
          const r = handleFault(k, vma, index, 'read');
          if (r === 'sigsegv') return 'SIGSEGV';
          if (r !== 'ok') return 'SIGBUS';
        }
        out[o++] = k.labels.id(vma.ptes.get(index)!.folio.data);
      }
    }
    at = upTo;
  }
  return o - outAt;
}

/** /proc/self/pagemap of one page: PM_PRESENT (1) and PM_SWAP (2), as bits of a small number. */
export function pagemapBits(task: Task, addr: number): number {
  const vma = task.findVma(addr);
  if (!vma) return 0;
  if (!vma.anon) return vma.ptes.get(Math.floor((addr - vma.start) / vma.pageSize)) ? 1 : 0;
  const a = task.kernel.anon;
  const t = task.anonPt().get(Math.floor(addr / a.pmdSize));
  if (t === undefined) return 0;
  const e = t.entries[Math.floor(addr / a.pageSize) % a.ptrs]!;
  return e > 0 ? 1 : e < 0 ? 2 : 0;
}

/** pagemapBits() & bit for every page of [addr, addr+length), in one walk of the page table. */
export function pagemapAll(task: Task, addr: number, length: number, bit: number): boolean {
  const vma = task.findVma(addr);
  if (!vma || !vma.anon || addr + length > vma.start + vma.length) {
    for (let at = addr; at < addr + length; at += task.kernel.pageSize)
      if ((pagemapBits(task, at) & bit) === 0) return false;
    return true;
  }
  const a = task.kernel.anon;
  const pt = task.anonPt();
  for (let at = addr; at < addr + length;) {
    const pmd = Math.floor(at / a.pmdSize);
    const base = pmd * a.pmdSize;
    const chunkEnd = Math.min(addr + length, base + a.pmdSize);
    const t = pt.get(pmd);
    if (t === undefined) return false;
    for (let i = (at - base) / a.pageSize; i < (chunkEnd - base) / a.pageSize; i++) {
      const e = t.entries[i]!;
      const bits = e > 0 ? 1 : e < 0 ? 2 : 0;
      if ((bits & bit) === 0) return false;
    }
    at = chunkEnd;
  }
  return true;
}

/**
 * Writing "4" to /proc/self/clear_refs (CLEAR_REFS_SOFT_DIRTY, fs/proc/task_mmu.c): every VMA
 * loses VM_SOFTDIRTY (soft-dirty tracking on), every present PTE its soft-dirty bit and its
 * write permission, so the next write faults and is seen.
 */
export function clearSoftDirty(task: Task): void {
  const k = task.kernel;
  let anon = false;
  for (const v of task.vmas) {
    v.flags &= ~VM_SOFTDIRTY;
    if (v.anon) anon = true;
    else
      v.ptes.forEach((pte, i) =>
        v.ptes.set(i, { folio: pte.folio, writable: false, dirty: pte.dirty }),
      );
  }
  if (anon) {
    for (const [, t] of task.anonPt().pmds()) {
      if (t.leaf >= 0) {
        t.leafBits &= ~(B_WRITE | B_SOFTDIRTY);
        continue;
      }
      for (let i = 0; i < t.entries.length; i++)
        if (t.entries[i]! > 0) t.bits[i] = t.bits[i]! & ~(B_WRITE | B_SOFTDIRTY);
    }
  }
  if (k.tracing)
    k.note(
      'clear_refs_write',
      'CLEAR_REFS_SOFT_DIRTY: PTEs write-protected and clean, VM_SOFTDIRTY cleared (soft-dirty tracking on)',
    );
}

/** Fault every page of an anonymous VMA range in for reading (used by tests and scenarios). */
export function faultInAnon(task: Task, vma: Vma, addr: number): AccessResult {
  const r = anonFault(task.kernel, task, vma, addr, 'read');
  return r === 'ok' ? 'ok' : r === 'sigsegv' ? 'SIGSEGV' : 'SIGBUS';
}

/** Every anonymous VMA's pages gone (exit_mmap()). */
export function exitAnon(k: Kernel, task: Task): void {
  for (const v of task.vmas) if (v.anon) zapAnonRange(k, task, v.start, v.start + v.length, true);
}
