import { emptyArray } from './empty-array.js';

/**
 * Every decision the simulated kernel takes is appended here: which kernel function decided,
 * what it decided, and the commit that made it behave that way. `gupsim run --explain` prints
 * these per sub-test; `gupsim diff` cites them in its explanations.
 */
export interface TraceEvent {
  /** Kernel function (or libc/liburing function, for the process layer). */
  fn: string;
  /** What happened, in a kernel developer's words. */
  detail: string;
  /** Mainline commit that introduced the behaviour, when one decided the outcome. */
  commit?: string;
  /** Release of that commit. */
  release?: string;
  /** The modelled behaviour (kernel-model/behaviours.ts name) that decided, if one did. */
  behaviour?: string;
  /** Errno returned, when the call failed. */
  errno?: string;
}

export class Trace {
  readonly events: TraceEvent[] = emptyArray();

  add(event: TraceEvent): void {
    this.events.push(event);
  }

  /** Events recorded since `mark` (an index from `mark()`). */
  since(mark: number): TraceEvent[] {
    // None (always, with tracing off): a copy of an empty array, which TurboFan inlines, not
    // the generic slice(start) builtin call.
    return mark === this.events.length ? emptyArray() : this.events.slice(mark);
  }

  mark(): number {
    return this.events.length;
  }
}
