/**
 * io_uring ring setup and IORING_REGISTER_BUFFERS (io_uring/rsrc.c io_sqe_buffer_register(),
 * fs/io_uring.c before 6.0): size validation, the long-term write pin, the ≤6.4 VMA filter
 * that refused file-backed memory, and RLIMIT_MEMLOCK accounting for unprivileged rings.
 */
import { emptyArray } from './empty-array.js';
import { Errno, errnoName } from './errno.js';
import { FOLL_LONGTERM, FOLL_WRITE, pinUserPages, pinUserPagesFast, unpinFolios } from './gup.js';
import { ioAccountMem, ioUnaccountMem, ioUringChargesUser, RING_EXIT_NS, ringCharge, ringUnchargedAtClose } from './io-uring-account.js';
import type { Kernel } from './kernel.js';
import type { Folio, Inode } from './mm-types.js';
import type { Task } from './task.js';
import { releasePfns, type PfnList } from './anon-gup.js';
import { freeIfUnused } from './rmap.js';
import type { MemMap } from './memmap.js';

/** A registered buffer (io_mapped_ubuf): the user range and the pages pinned for it, in order. */
export class RegisteredBuffer {
  constructor(
    readonly base: number,
    readonly len: number,
    readonly folios: readonly Folio[],
    readonly pfns: PfnList | undefined,
  ) {}
}

export interface Ring {
  entries: number;
  /** Pinned buffer folios and the pages accounted to the user for them. */
  buffers: Folio[];
  accountedPages: number;
  /** Pages of the SQ/CQ ring and SQE regions charged to the user at setup (0 when not charged). */
  ringAccountedPages: number;
  /** The registered buffers, by buffer index. */
  regs: RegisteredBuffer[];
}

/**
 * A class and emptyArray(), not literals: a ring outlives its process in the queued exit work,
 * and V8 pretenures literal sites whose objects outlive scavenges (see emptyArray() in trace.ts).
 */
class RingCtx implements Ring {
  entries: number;
  buffers: Folio[] = emptyArray();
  accountedPages = 0;
  ringAccountedPages = 0;
  regs: RegisteredBuffer[] = emptyArray();
  constructor(entries: number) {
    this.entries = entries;
  }
}

const SZ_1G = 1024 * 1024 * 1024;
const SZ_1T = 1024 * SZ_1G;
/** sizeof(struct io_rings) on 64-bit, rounded to its cache-line alignment (include/linux/io_uring_types.h). */
const IO_RINGS_HEADER_BYTES = 0x140;
const IO_URING_CQE_BYTES = 16;
const IO_URING_SQE_BYTES = 64;

/**
 * rings_size() / io_allocate_scq_urings(): the rings region holds struct io_rings, the CQEs
 * (cq_entries = 2 * sq_entries, both rounded up to a power of two) and the SQ index array;
 * the SQEs are a second region. Each is PAGE_ALIGNed.
 */
function ringRegionPages(k: Kernel, entries: number): { rings: number; sqes: number } {
  const sq = 2 ** Math.ceil(Math.log2(Math.max(1, entries)));
  const cq = 2 * sq;
  const ringsBytes = Math.ceil((IO_RINGS_HEADER_BYTES + cq * IO_URING_CQE_BYTES) / 64) * 64 + sq * 4;
  return { rings: Math.ceil(ringsBytes / k.pageSize), sqes: Math.ceil((sq * IO_URING_SQE_BYTES) / k.pageSize) };
}

/** io_uring_setup(2): ENOSYS without CONFIG_IO_URING; EPERM when kernel.io_uring_disabled says so. */
export function ioUringSetup(k: Kernel, entries: number): Ring | number {
  if (!k.spec.config.IO_URING) {
    if (k.tracing) k.note('io_uring_setup', 'CONFIG_IO_URING is not set', { errno: 'ENOSYS' });
    return -Errno.ENOSYS;
  }
  const disabled = k.spec.sysctl.ioUringDisabled;
  if (k.flags.io_uring_disabled_sysctl && disabled > 0) {
    // io_uring_allowed(): 2 refuses everyone; 1 allows CAP_SYS_ADMIN, or a member of the
    // group kernel.io_uring_group names (-1, the default, is no valid gid).
    const group = k.spec.sysctl.ioUringGroup;
    const inGroup = group >= 0 && k.spec.user.groups.includes(group);
    if (disabled >= 2 || (!k.spec.user.root && !inGroup)) {
      const why = disabled >= 2 ? '' : group < 0 ? ', kernel.io_uring_group=-1 (no group allowed)' : `, not in kernel.io_uring_group=${group}`;
      if (k.tracing) k.note('io_uring_allowed', `kernel.io_uring_disabled=${disabled}${why}`, { by: 'io_uring_disabled_sysctl', errno: 'EPERM' });
      return -Errno.EPERM;
    }
    if (k.tracing) k.note('io_uring_allowed', `kernel.io_uring_disabled=${disabled}: ${k.spec.user.root ? 'CAP_SYS_ADMIN' : `member of kernel.io_uring_group=${group}`}`, { by: 'io_uring_disabled_sysctl' });
  }
  const ring: Ring = new RingCtx(entries);
  const charged = ringCharge(k);
  if (charged) {
    const { rings, sqes } = ringRegionPages(k, entries);
    const what = k.tracing ? `${charged.fn}(rings ${rings} + SQEs ${sqes} page(s))` : '';
    if (ioAccountMem(k, rings + sqes, what) < 0) {
      if (k.tracing) k.note('io_allocate_scq_urings', 'ring memory is charged to RLIMIT_MEMLOCK', { ...(charged.by ? { by: charged.by } : {}), errno: 'ENOMEM' });
      return -Errno.ENOMEM;
    }
    ring.ringAccountedPages = rings + sqes;
  }
  return ring;
}

/**
 * close() of the ring fd: io_uring_release() → io_ring_ctx_wait_and_kill() kills the percpu
 * ref and queues io_ring_exit_work(); io_ring_ctx_free() — which unregisters leftover buffers
 * and frees the ring regions with their locked_vm charge — runs from that work item once an
 * RCU grace period has confirmed the kill and the task has run io_tctx_exit_cb(): RING_EXIT_NS
 * of simulated time later (kernel-model/clock.ts), after the process has moved on unless it
 * spends that long clearing or writing memory (a 1 GiB huge page).
 */
export function ioUringClose(k: Kernel, ring: Ring): void {
  if (ringUnchargedAtClose(k) && ring.ringAccountedPages) {
    // io_ring_ctx_wait_and_kill(): "account user memory freed when exit has been queued".
    ioUnaccountMem(k, ring.ringAccountedPages);
    if (k.tracing) k.note('io_ring_ctx_wait_and_kill', `${ring.ringAccountedPages} ring page(s) uncharged as the exit work is queued`, {
      by: 'io_uring_unaccount_at_exit_queue',
    });
    ring.ringAccountedPages = 0;
  }
  const charged = ring.ringAccountedPages;
  const detail = !k.tracing ? '' : charged ? `ring teardown; ${charged} ring page(s) stay charged until it runs` : 'ring teardown';
  k.queueWork(
    'io_ring_exit_work',
    detail,
    () => {
      ioUringRelease(k, ring);
      const pages = ring.ringAccountedPages;
      ioUnaccountMem(k, pages);
      ring.ringAccountedPages = 0;
      if (pages && k.tracing) k.note('io_ring_ctx_free', `the ring regions are freed: ${pages} page(s) uncharged from user locked_vm (now ${k.lockedVmPages})`);
    },
    RING_EXIT_NS,
  );
}

/**
 * The file-backed VMA filter io_sqe_buffer_register() applied before GUP decided
 * (io_uring_gup_decides_file_backed): hugetlbfs passes, shmem once io_uring_shmem_buffers.
 */
function filterAllows(k: Kernel, task: Task, base: number): boolean {
  const vma = task.findVma(base);
  /* c8 ignore next */
  if (!vma) return true;
  // Anonymous memory has no vm_file: never refused.
  if (vma.anon) return true;
  const fs = vma.file.inode.mount.type;
  return fs.hugetlbfs || (fs.shmem && k.flags.io_uring_shmem_buffers);
}

/** Why filterAllows() refused, for the trace (built only when tracing). */
function filterRefusal(k: Kernel, task: Task, base: number): string {
  const fs = task.findVma(base)!.file.inode.mount.type;
  if (fs.shmem) return `shmem file refused: ${k.describeAbsent('io_uring_shmem_buffers')}`;
  return `file-backed ${fs.name} VMA (vm_file set, not shmem/hugetlbfs)`;
}

export function ioUringRelease(k: Kernel, ring: Ring): void {
  unpinFolios(ring.buffers);
  for (const f of ring.buffers) freeIfUnused(k, f);
  // A fresh array only when there was something in it (not []: see RingCtx).
  if (ring.buffers.length) ring.buffers = emptyArray();
  if (ring.regs.length) {
    for (const r of ring.regs) if (r.pfns) releasePfns(k, r.pfns, true);
    ring.regs = emptyArray();
  }
  ioUnaccountMem(k, ring.accountedPages);
  ring.accountedPages = 0;
}

/**
 * io_buffer_account_pin() for anonymous pages: a small page counts one; a page of a large folio
 * (THP, mTHP, the huge zeropage) counts the whole folio once — unless an earlier page of this
 * buffer or a buffer registered before already did (headpage_already_acct()). A single pinned
 * PTE of a 2 MiB THP charges 512 pages.
 */
function anonAccountPages(k: Kernel, ring: Ring, pfns: PfnList): number {
  const mem = k.anon.memmap;
  let pages = 0;
  let last = -1;
  for (let i = 0; i < pfns.length; i++) {
    const pfn = pfns.at(i);
    const head = mem.headOf[pfn]!;
    if (!mem.isLarge(head)) {
      pages++;
      continue;
    }
    if (head === last) continue;
    last = head;
    if (headAlreadyAccounted(mem, ring, pfns, i, head)) continue;
    pages += mem.nrPages(head);
  }
  return pages;
}

function headAlreadyAccounted(mem: MemMap, ring: Ring, pfns: PfnList, upTo: number, head: number): boolean {
  for (let j = 0; j < upTo; j++) if (mem.headOf[pfns.at(j)] === head) return true;
  for (const reg of ring.regs) {
    const p = reg.pfns;
    if (p) for (let j = 0; j < p.length; j++) if (mem.headOf[p.at(j)] === head) return true;
  }
  return false;
}

export function ioUringRegister(
  k: Kernel,
  task: Task,
  ring: Ring,
  iovs: readonly { base: number; len: number }[],
): number {
  for (const iov of iovs) {
    if (iov.len === 0) {
      if (k.tracing) k.note('io_buffer_validate', 'zero-length buffer', { errno: 'EFAULT' });
      return -Errno.EFAULT;
    }
    // io_buffer_validate(): an "arbitrary limit" of SZ_1G → EFAULT, until
    // io_validate_user_buf_range() capped at SZ_1T → EINVAL.
    if (k.flags.io_uring_buffer_cap_1t) {
      if (iov.len > SZ_1T) {
        if (k.tracing) k.note('io_validate_user_buf_range', `buffer of ${iov.len} bytes exceeds SZ_1T`, { by: 'io_uring_buffer_cap_1t', errno: 'EINVAL' });
        return -Errno.EINVAL;
      }
    } else if (iov.len > SZ_1G) {
      if (k.tracing) k.note('io_buffer_validate', `buffer of ${iov.len} bytes exceeds SZ_1G`, { errno: 'EFAULT' });
      return -Errno.EFAULT;
    }
    const nrPages = Math.ceil(iov.len / k.pageSize);
    const fast = k.flags.io_uring_pin_pages_fast;
    if (k.tracing) k.note('io_pin_pages', `${fast ? 'pin_user_pages_fast' : 'pin_user_pages'}(FOLL_WRITE|FOLL_LONGTERM) of ${nrPages} page(s)`, fast ? { by: 'io_uring_pin_pages_fast' } : {});
    const r = fast
      ? pinUserPagesFast(k, task, iov.base, nrPages, FOLL_WRITE | FOLL_LONGTERM)
      : pinUserPages(k, task, iov.base, nrPages, FOLL_WRITE | FOLL_LONGTERM);
    if (r.ret < 0) {
      if (k.tracing) k.note('io_sqe_buffer_register', 'GUP error passed to user space', { errno: errnoName(-r.ret) ?? String(-r.ret) });
      if (r.pfns) releasePfns(k, r.pfns, true);
      ioUringRelease(k, ring);
      return r.ret;
    }
    if (!k.flags.io_uring_gup_decides_file_backed) {
      if (!filterAllows(k, task, iov.base)) {
        unpinFolios(r.folios);
        if (k.tracing) k.note('io_pin_pages', `VMA filter: ${filterRefusal(k, task, iov.base)}; ${k.describeAbsent('io_uring_gup_decides_file_backed')}`, {
          errno: 'EOPNOTSUPP',
        });
        ioUringRelease(k, ring);
        return -Errno.EOPNOTSUPP;
      }
    } else {
      if (k.tracing) k.note('io_sqe_buffer_register', 'no VMA filter: GUP decides about file-backed memory', {
        by: 'io_uring_gup_decides_file_backed',
      });
    }
    // io_buffer_account_pin(): compound pages are accounted once, at their full size.
    let pages = r.pfns ? anonAccountPages(k, ring, r.pfns) : 0;
    for (const f of r.folios) {
      ring.buffers.push(f);
      pages += Math.max(1, f.size / k.pageSize);
    }
    ring.regs.push(new RegisteredBuffer(iov.base, iov.len, r.folios, r.pfns));
    if (ioUringChargesUser(k)) {
      if (ioAccountMem(k, pages, 'io_buffer_account_pin()') < 0) {
        ioUringRelease(k, ring);
        return -Errno.ENOMEM;
      }
      ring.accountedPages += pages;
    }
    if (k.tracing) k.note('io_sqe_buffer_register', 'buffer registered');
  }
  return 0;
}

/**
 * IORING_OP_WRITE_FIXED of [addr, addr+len) of registered buffer `index` to file `inode` at
 * `offset` (io_uring/rw.c io_import_fixed()): the data comes from the pages pinned at
 * registration, whatever the process maps there now. The bytes written (cqe->res) or -errno.
 */
export function ioUringWriteFixed(
  k: Kernel,
  ring: Ring,
  index: number,
  inode: Inode,
  addr: number,
  len: number,
  offset: number,
): number {
  const reg = ring.regs[index];
  if (!reg || addr < reg.base || addr + len > reg.base + reg.len) return -Errno.EFAULT;
  const first = (addr - reg.base) / k.pageSize;
  const pages = Math.ceil(len / k.pageSize);
  const at = offset / k.pageSize;
  if (reg.pfns) {
    const mem = k.anon.memmap;
    for (let i = 0; i < pages; i++)
      inode.writeRange(at + i, 1, mem.data[reg.pfns.at(first + i)]!);
  } else {
    // Page-cache-world folios: each stands for its whole (huge) page.
    let page = 0;
    for (const f of reg.folios) {
      const per = Math.max(1, f.size / k.pageSize);
      const from = Math.max(page, first);
      const to = Math.min(page + per, first + pages);
      if (to > from) inode.writeRange(at + from - first, to - from, k.labels.id(f.data));
      page += per;
    }
  }
  if (k.tracing)
    k.note(
      'io_write',
      `WRITE_FIXED: ${pages} page(s) written from the registered buffer's pinned pages`,
    );
  return len;
}
