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

/**
 * A new empty array that comes from no allocation site: what every container a booted kernel
 * (or a program run) keeps for its whole life is made with. V8 pretenures (allocates straight
 * into the old generation) the objects of an allocation site whose objects survive
 * scavenges, and a pretenured dead container keeps the young objects it points to alive until
 * the next full GC; a prediction sweep boots a kernel every hundred microseconds, so that
 * turned most of its garbage into old garbage. A [] literal and `new Array()` both have a
 * site; a builtin's copy of an empty array has none. slice() of one, not Array.of(): the
 * generic Array.of() costs several times a slice, and a run makes a dozen such containers.
 */
export function emptyArray<T>(): T[] {
  return NO_ELEMENTS.slice();
}

/** Never written: only copied by emptyArray() (a frozen array would make slice() slow). */
const NO_ELEMENTS: never[] = [];

export class Trace {
  readonly events: TraceEvent[] = emptyArray();

  add(event: TraceEvent): void {
    this.events.push(event);
  }

  /** Events recorded since `mark` (an index from `mark()`). */
  since(mark: number): TraceEvent[] {
    return this.events.slice(mark);
  }

  mark(): number {
    return this.events.length;
  }
}
