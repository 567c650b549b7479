/**
 * User-space loads and stores that carry data: a store faults like memset() does, then the
 * CPU writes through the PTE (setting its dirty bit); a load reads whatever folio the PTE maps.
 * The label written stands for the bytes, so scenarios can tell whose data a page holds.
 */
import type { Folio } from './mm-types.js';
import type { AccessResult, Task } from './task.js';

/** The folio mapped at `addr`, if a PTE is present. */
export function folioAt(task: Task, addr: number): Folio | undefined {
  const vma = task.findVma(addr);
  if (!vma) return undefined;
  return vma.ptes.get(Math.floor((addr - vma.start) / vma.pageSize))?.folio;
}

export function userWrite(task: Task, addr: number, label: string): AccessResult {
  const r = task.access(addr, 1, true);
  if (r !== 'ok') return r;
  const vma = task.findVma(addr)!;
  const index = Math.floor((addr - vma.start) / vma.pageSize);
  const pte = vma.ptes.get(index)!;
  vma.ptes.set(index, { ...pte, dirty: true });
  pte.folio.data = label;
  return 'ok';
}

export function userRead(task: Task, addr: number): { result: AccessResult; data?: string } {
  const r = task.access(addr, 1, false);
  if (r !== 'ok') return { result: r };
  return { result: 'ok', data: folioAt(task, addr)?.data ?? '' };
}
