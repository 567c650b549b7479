/**
 * liburing as the selftest links it. Before 2.2 (and on architectures without liburing's
 * inline syscall helpers) the io_uring syscalls go through libc's syscall(), so a failure
 * sets errno. liburing issues the syscalls itself (src/arch/<arch>/syscall.h, chosen in
 * src/syscall.h) and returns -errno without touching errno on x86_64 and arm64 from 2.2
 * ("Add arch dependent directory and files", "Add direct syscall support for aarch64") and on
 * riscv64 from 2.5 ("Add nolibc riscv64 support", 2023-08); ppc64le and s390x use
 * arch/generic's libc wrappers in every version.
 */
import { errnoName } from '../../kernel-model/errno.js';
import type { Arch } from '../../kernel-model/kernel.js';
import type { Process } from './process.js';

export interface LiburingBuild {
  version: string;
  arch: Arch;
}

/** The first liburing version that issues io_uring syscalls itself on each arch. */
const RAW_SYSCALLS_SINCE: Partial<Record<Arch, [number, number]>> = { x86_64: [2, 2], arm64: [2, 2], riscv64: [2, 5] };

/** Whether this liburing build writes errno on failure. */
export function liburingSetsErrno(build: LiburingBuild): boolean {
  const since = RAW_SYSCALLS_SINCE[build.arch];
  if (since === undefined) return true;
  // split('.').map(parseInt)'s first two fields (a missing one is 0), without the arrays:
  // every prediction builds a Liburing. parseInt stops at the first '.' by itself.
  const v = build.version;
  const dot = v.indexOf('.');
  const maj = Number.parseInt(v, 10);
  const min = dot < 0 ? 0 : Number.parseInt(v.slice(dot + 1), 10);
  const rawSyscalls = maj > since[0] || (maj === since[0] && min >= since[1]);
  return !rawSyscalls;
}

export interface IoUring {
  fd: number;
}

export class Liburing {
  /** Fixed by the build: worked out once, not on every failing call. */
  private readonly setsErrno: boolean;

  constructor(
    private readonly proc: Process,
    private readonly build: LiburingBuild,
  ) {
    this.setsErrno = liburingSetsErrno(build);
  }

  private result(fn: string, r: number): number {
    if (r >= 0) return r;
    if (this.setsErrno) this.proc.errno = -r;
    if (!this.proc.kernel.tracing) return r;
    const name = errnoName(-r) ?? String(-r);
    if (this.setsErrno) {
      this.proc.kernel.note(`liburing:${fn}`, `returned -${name}; errno set (liburing ${this.build.version} via libc syscall())`);
    } else {
      this.proc.kernel.note(
        `liburing:${fn}`,
        `returned -${name}; errno left at ${errnoName(this.proc.errno) ?? this.proc.errno} (liburing ${this.build.version} raw syscalls on ${this.build.arch})`,
      );
    }
    return r;
  }

  io_uring_queue_init(entries: number): { ret: number; ring?: IoUring } {
    const r = this.result('io_uring_queue_init', this.proc.task.ioUringSetup(entries));
    return r < 0 ? { ret: r } : { ret: 0, ring: { fd: r } };
  }

  io_uring_register_buffers(ring: IoUring, iovs: readonly { base: number; len: number }[]): number {
    return this.result('io_uring_register_buffers', this.proc.task.ioUringRegisterBuffers(ring.fd, iovs));
  }

  io_uring_unregister_buffers(ring: IoUring): number {
    return this.result('io_uring_unregister_buffers', this.proc.task.ioUringUnregisterBuffers(ring.fd));
  }

  /**
   * io_uring_get_sqe() + io_uring_prep_write_fixed() + io_uring_submit() +
   * io_uring_wait_cqe(): the completion's res (bytes written, or -errno).
   */
  writeFixed(
    ring: IoUring,
    fd: number,
    addr: number,
    len: number,
    offset: number,
    bufIndex: number,
  ): number {
    return this.proc.task.ioUringWriteFixed(ring.fd, fd, addr, len, offset, bufIndex);
  }

  io_uring_queue_exit(ring: IoUring): void {
    this.proc.task.close(ring.fd);
  }
}
