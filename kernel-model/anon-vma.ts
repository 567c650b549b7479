/**
 * Changing part of an anonymous VMA (mm/vma.c): madvise() and mprotect() of a sub-range split
 * the VMA at the range's ends (split_vma(); a PMD-mapped THP across a new boundary is split
 * first, vma_adjust_trans_huge()), and a change that makes neighbours alike merges them again
 * (vma_merge: the reason cow.c's collapse tests MADV_DOFORK before MADV_COLLAPSE). mremap()
 * moves page-table entries to a new VMA (move_page_tables()).
 */
import { splitPmd, type AnonMm } from './anon-fault.js';
import { Errno } from './errno.js';
import type { Kernel } from './kernel.js';
import { VM_SOFTDIRTY, type Vma } from './mm-types.js';
import { SmallMap } from './small-map.js';

/** A piece of `vma` covering [start, start+length): same flags and backing, no PTEs of its own. */
export function vmaPiece(vma: Vma, start: number, length: number): Vma {
  return {
    start,
    length,
    flags: vma.flags,
    file: vma.file,
    pageSize: vma.pageSize,
    ptes: new SmallMap(),
    privateResv: 0,
    anon: vma.anon,
  };
}

/** vmas.splice(at, 0, v) without the array splice() returns. */
export function insertAt(vmas: Vma[], at: number, v: Vma): void {
  vmas.push(v);
  for (let j = vmas.length - 1; j > at; j--) vmas[j] = vmas[j - 1]!;
  vmas[at] = v;
}

/** vmas.splice(at, 1) without the array splice() returns. */
export function removeAt(vmas: Vma[], at: number): void {
  for (let j = at + 1; j < vmas.length; j++) vmas[j - 1] = vmas[j]!;
  vmas.pop();
}

/** split_huge_pmd_if_needed(): a PMD leaf that `addr` cuts in two becomes PTEs. */
function splitLeafAt(k: Kernel, mm: AnonMm, addr: number): void {
  const a = k.anon;
  if (addr % a.pmdSize === 0) return;
  const t = mm.anonPt().get(Math.floor(addr / a.pmdSize));
  if (t !== undefined && t.leaf >= 0) splitPmd(k, mm, t);
}

/**
 * Split the anonymous VMAs of `vmas` so that [start, end) starts and ends on VMA boundaries,
 * and put the pieces inside it into `out` (emptied first) in address order. Returns 0,
 * -ENOMEM (with the pieces found) when part of the range is not mapped, or -EINVAL when a
 * file VMA would have to be cut. A cut VMA keeps the piece inside the range (only the part
 * outside is a new object): the calls come many to a selftest row.
 */
export function vmasCovering(
  k: Kernel,
  mm: AnonMm,
  vmas: Vma[],
  start: number,
  end: number,
  out: Vma[],
): number {
  out.length = 0;
  let err = 0;
  let expect = start;
  for (let idx = 0; idx < vmas.length; idx++) {
    const v = vmas[idx]!;
    const vEnd = v.start + v.length;
    if (vEnd <= start || v.start >= end) continue;
    const cutsLow = v.start < start;
    const cutsHigh = vEnd > end;
    if ((cutsLow || cutsHigh) && !v.anon) {
      err = -Errno.EINVAL;
      continue;
    }
    if (v.start > expect) err = -Errno.ENOMEM;
    if (cutsLow) {
      splitLeafAt(k, mm, start);
      insertAt(vmas, idx, vmaPiece(v, v.start, start - v.start));
      idx++;
      v.start = start;
      v.length = vEnd - start;
    }
    if (cutsHigh) {
      splitLeafAt(k, mm, end);
      insertAt(vmas, idx + 1, vmaPiece(v, end, vEnd - end));
      v.length = end - v.start;
      idx++;
    }
    out.push(v);
    expect = v.start + v.length;
  }
  if (expect < end) err = -Errno.ENOMEM;
  return err;
}

/** vma_merge(): adjacent anonymous VMAs with the same flags become one. */
export function mergeAnonVmas(vmas: Vma[]): void {
  for (let i = 0; i + 1 < vmas.length;) {
    const a = vmas[i]!;
    const b = vmas[i + 1]!;
    // is_mergeable_vma(): VM_SOFTDIRTY does not keep VMAs apart.
    if (
      a.anon &&
      b.anon &&
      (a.flags & ~VM_SOFTDIRTY) === (b.flags & ~VM_SOFTDIRTY) &&
      a.start + a.length === b.start
    ) {
      const merged = vmaPiece(a, a.start, a.length + b.length);
      merged.flags |= b.flags & VM_SOFTDIRTY;
      vmas[i] = merged;
      removeAt(vmas, i + 1);
      continue;
    }
    i++;
  }
}

/**
 * mremap(old, len, len, MREMAP_MAYMOVE|MREMAP_FIXED, new) of part of one anonymous VMA: what
 * was mapped at `dst` is unmapped, the source range becomes a VMA at `dst`, and its entries
 * move with it (a PMD leaf moves whole only when the move is PMD-aligned; else it is split).
 * Returns `dst` or -errno.
 */
export function mremapAnon(
  k: Kernel,
  mm: AnonMm,
  vmas: Vma[],
  src: number,
  len: number,
  dst: number,
  unmap: (addr: number, len: number) => void,
): number {
  const a = k.anon;
  const vma = vmas.find((v) => v.start <= src && src + len <= v.start + v.length);
  if (!vma || !vma.anon || len === 0 || len % a.pageSize !== 0 || dst % a.pageSize !== 0)
    return -Errno.EINVAL;
  unmap(dst, len);
  const pieces: Vma[] = [];
  vmasCovering(k, mm, vmas, src, src + len, pieces);
  const moved = pieces[0]!;
  // The destination VMA, in address order.
  const target = vmaPiece(moved, dst, len);
  vmas.splice(vmas.indexOf(moved), 1);
  let at = 0;
  while (at < vmas.length && vmas[at]!.start < dst) at++;
  vmas.splice(at, 0, target);
  const pt = mm.anonPt();
  for (let off = 0; off < len;) {
    const from = src + off;
    const to = dst + off;
    const sp = Math.floor(from / a.pmdSize);
    const st = pt.get(sp);
    if (st !== undefined && st.leaf >= 0) {
      if (from % a.pmdSize === 0 && to % a.pmdSize === 0 && len - off >= a.pmdSize) {
        // move_huge_pmd(): the whole PMD moves.
        const dt = pt.ensure(Math.floor(to / a.pmdSize));
        dt.entries.set(st.entries);
        dt.leaf = st.leaf;
        dt.leafBits = st.leafBits;
        dt.used = st.used;
        st.leaf = -1;
        st.used = 0;
        st.entries.fill(0);
        pt.release(sp);
        off += a.pmdSize;
        continue;
      }
      splitPmd(k, mm, st);
    }
    if (st !== undefined) {
      const si = Math.floor(from / a.pageSize) % a.ptrs;
      const e = st.entries[si]!;
      if (e !== 0) {
        const dt = pt.ensure(Math.floor(to / a.pmdSize));
        const di = Math.floor(to / a.pageSize) % a.ptrs;
        dt.entries[di] = e;
        dt.bits[di] = st.bits[si]!;
        dt.used++;
        st.entries[si] = 0;
        st.bits[si] = 0;
        st.used--;
      }
    }
    off += a.pageSize;
  }
  if (k.tracing)
    k.note('move_page_tables', `mremap: ${len / a.pageSize} page(s) moved to a new VMA`);
  return dst;
}
