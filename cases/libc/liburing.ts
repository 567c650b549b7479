/**
 * liburing as the selftest links it. Before 2.2 (and on architectures without liburing's
 * inline syscall helpers) the io_uring syscalls go through libc's syscall(), so a failure
 * sets errno. From 2.2 on x86_64 and arm64 liburing issues the syscalls itself
 * (src/arch/<arch>/syscall.h) and returns -errno without touching errno.
 */
import { errnoName } from '../../kernel-model/errno.js';
import type { Arch } from '../../kernel-model/kernel.js';
import type { Process } from './process.js';

export interface LiburingBuild {
  version: string;
  arch: Arch;
}

/** Whether this liburing build writes errno on failure. */
export function liburingSetsErrno(build: LiburingBuild): boolean {
  const [maj = 0, min = 0] = build.version.split('.').map((x) => Number.parseInt(x, 10));
  const rawSyscalls = (maj > 2 || (maj === 2 && min >= 2)) && (build.arch === 'x86_64' || build.arch === 'arm64');
  return !rawSyscalls;
}

export interface IoUring {
  fd: number;
}

export class Liburing {
  constructor(
    private readonly proc: Process,
    private readonly build: LiburingBuild,
  ) {}

  private result(fn: string, r: number): number {
    if (r >= 0) return r;
    const name = errnoName(-r) ?? String(-r);
    if (liburingSetsErrno(this.build)) {
      this.proc.errno = -r;
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

  io_uring_queue_exit(ring: IoUring): void {
    this.proc.task.close(ring.fd);
  }
}
