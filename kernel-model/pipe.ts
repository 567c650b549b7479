/**
 * Pipes as vmsplice() uses them (fs/splice.c vmsplice_to_pipe() → iter_to_pipe(): the user
 * pages themselves become pipe buffers, each holding a FOLL_GET reference — not a pin — on its
 * page), and read() of them (copying the page content out and dropping the reference). A pipe
 * has PIPE_DEF_BUFFERS (16) buffers of at most a page each, so one vmsplice() of a THP moves
 * its first 16 pages and returns how many bytes that was.
 *
 * A buffer refers to a page of the anonymous memory map (a pfn) or to a page-cache-world
 * folio (hugetlb): those are folio-granular, so each buffer of a huge page refers to its folio.
 */
import type { Folio } from './mm-types.js';

/** PIPE_DEF_BUFFERS. */
export const PIPE_BUFFERS = 16;

export class Pipe {
  /** Per buffer: the memory-map pfn, or -1 with the folio in `folios`. */
  readonly pfns: number[] = [];
  readonly folios: (Folio | undefined)[] = [];
  /** Bytes per buffer (a page). */
  readonly lens: number[] = [];
  readers = 1;
  writers = 1;

  get full(): boolean {
    return this.pfns.length >= PIPE_BUFFERS;
  }
}

/** A pipe end in a file descriptor table (a class, not a literal: see empty-array.ts). */
export class PipeEnd {
  constructor(
    readonly pipe: Pipe,
    readonly write: boolean,
  ) {}
}
