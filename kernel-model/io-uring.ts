/**
 * io_uring ring setup and IORING_REGISTER_BUFFERS (io_uring/rsrc.c io_sqe_buffer_register(),
 * fs/io_uring.c before 6.0): size validation, the long-term write pin, the ≤6.4 VMA filter
 * that refused file-backed memory, and RLIMIT_MEMLOCK accounting for unprivileged rings.
 */
import { Errno, errnoName } from './errno.js';
import { FOLL_LONGTERM, FOLL_WRITE, pinUserPages, pinUserPagesFast, unpinFolios } from './gup.js';
import type { Kernel } from './kernel.js';
import type { Folio } from './mm-types.js';
import type { Task } from './task.js';

export interface Ring {
  entries: number;
  /** Pinned buffer folios and the pages accounted to the user for them. */
  buffers: Folio[];
  accountedPages: number;
}

const SZ_1G = 1024 * 1024 * 1024;

/** io_uring_setup(2): ENOSYS without CONFIG_IO_URING; EPERM when kernel.io_uring_disabled says so. */
export function ioUringSetup(k: Kernel, entries: number): Ring | number {
  if (!k.spec.config.IO_URING) {
    k.note('io_uring_setup', 'CONFIG_IO_URING is not set', { errno: 'ENOSYS' });
    return -Errno.ENOSYS;
  }
  const disabled = k.spec.sysctl.ioUringDisabled;
  if (k.has('io_uring_disabled_sysctl') && disabled > 0) {
    // io_uring_allowed(): 2 refuses everyone; 1 allows CAP_SYS_ADMIN (or io_uring_group).
    if (disabled >= 2 || !k.spec.user.root) {
      k.note('io_uring_setup', `kernel.io_uring_disabled=${disabled}`, { by: 'io_uring_disabled_sysctl', errno: 'EPERM' });
      return -Errno.EPERM;
    }
  }
  return { entries, buffers: [], accountedPages: 0 };
}

function filterAllows(k: Kernel, task: Task, base: number): { ok: boolean; why: string } {
  const vma = task.findVma(base);
  /* c8 ignore next */
  if (!vma) return { ok: true, why: '' };
  const fs = vma.file.inode.mount.type;
  if (fs.hugetlbfs) return { ok: true, why: 'hugetlbfs file' };
  if (fs.shmem && k.has('io_uring_shmem_buffers')) return { ok: true, why: 'shmem file' };
  if (fs.shmem) return { ok: false, why: `shmem file refused: ${k.describeAbsent('io_uring_shmem_buffers')}` };
  return { ok: false, why: `file-backed ${fs.name} VMA (vm_file set, not shmem/hugetlbfs)` };
}

export function ioUringRelease(k: Kernel, ring: Ring): void {
  unpinFolios(ring.buffers);
  ring.buffers = [];
  k.lockedVmPages -= ring.accountedPages;
  ring.accountedPages = 0;
}

export function ioUringRegister(
  k: Kernel,
  task: Task,
  ring: Ring,
  iovs: readonly { base: number; len: number }[],
): number {
  for (const iov of iovs) {
    // io_buffer_validate(): "Don't allow huge pages > 1G" — and neither anything else.
    if (iov.len > SZ_1G || iov.len === 0) {
      k.note('io_buffer_validate', `buffer of ${iov.len} bytes exceeds SZ_1G`, { errno: 'EFAULT' });
      return -Errno.EFAULT;
    }
    const nrPages = Math.ceil(iov.len / k.pageSize);
    const fast = k.has('io_uring_pin_pages_fast');
    k.note('io_pin_pages', `${fast ? 'pin_user_pages_fast' : 'pin_user_pages'}(FOLL_WRITE|FOLL_LONGTERM) of ${nrPages} page(s)`, fast ? { by: 'io_uring_pin_pages_fast' } : {});
    const r = fast
      ? pinUserPagesFast(k, task, iov.base, nrPages, FOLL_WRITE | FOLL_LONGTERM)
      : pinUserPages(k, task, iov.base, nrPages, FOLL_WRITE | FOLL_LONGTERM);
    if (r.ret < 0) {
      k.note('io_sqe_buffer_register', 'GUP error passed to user space', { errno: errnoName(-r.ret) ?? String(-r.ret) });
      ioUringRelease(k, ring);
      return r.ret;
    }
    if (!k.has('io_uring_gup_decides_file_backed')) {
      const f = filterAllows(k, task, iov.base);
      if (!f.ok) {
        unpinFolios(r.folios);
        k.note('io_pin_pages', `VMA filter: ${f.why}; ${k.describeAbsent('io_uring_gup_decides_file_backed')}`, {
          errno: 'EOPNOTSUPP',
        });
        ioUringRelease(k, ring);
        return -Errno.EOPNOTSUPP;
      }
    } else {
      k.note('io_sqe_buffer_register', 'no VMA filter: GUP decides about file-backed memory', {
        by: 'io_uring_gup_decides_file_backed',
      });
    }
    ring.buffers.push(...r.folios);
    // io_buffer_account_pin(): compound pages are accounted once, at their full size.
    const pages = r.folios.reduce((n, f) => n + Math.max(1, f.size / k.pageSize), 0);
    if (!k.spec.user.root) {
      const limit = k.spec.user.memlockKiB;
      const limitPages = limit === 'unlimited' ? Number.POSITIVE_INFINITY : Math.floor((limit * 1024) / k.pageSize);
      if (k.lockedVmPages + pages > limitPages) {
        k.note('__io_account_mem', `${pages} page(s) exceed RLIMIT_MEMLOCK (${String(limit)} KiB) without CAP_IPC_LOCK`, {
          errno: 'ENOMEM',
        });
        ioUringRelease(k, ring);
        return -Errno.ENOMEM;
      }
      k.lockedVmPages += pages;
      ring.accountedPages += pages;
    }
    k.note('io_sqe_buffer_register', 'buffer registered');
  }
  return 0;
}
