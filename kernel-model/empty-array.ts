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

/**
 * Never written: only copied by emptyArray() (a frozen array would make slice() slow). Made
 * with one element and emptied, so that it and every copy have PACKED_ELEMENTS, the elements
 * kind of an array of objects or strings: a copy of an empty `[]` has PACKED_SMI_ELEMENTS, and
 * its first push of an object changes its kind, so the push sites of these containers saw two
 * kinds and TurboFan called the generic Array.prototype.push builtin instead of inlining it.
 */
const NO_ELEMENTS: never[] = makeNoElements();

function makeNoElements(): never[] {
  const a: unknown[] = [null];
  a.pop();
  return a as never[];
}
