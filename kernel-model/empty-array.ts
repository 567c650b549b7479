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
