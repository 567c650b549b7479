/**
 * gup_longterm's wording eras: which version of the test printed a run, read from texts that
 * only some versions print. Hints are evidence, not a verdict: one run can carry several
 * (v6.15 reasons under a v6.14+ kselftest.h), and identify.ts decides.
 *
 *   prototype    May-2023 pin_longterm: "Pinning ... as expected", "iouring", "hugetlb size"
 *   v6.5-v6.14   reason texts without errno ("Should have worked", "ftruncate() failed")
 *   v6.15        reason texts with " (<strerror>)" suffixes, EINVAL `)n` glued after a result
 *   pre-v6.16    the result text is a reason common to v6.5-v6.15 ("Should have worked", skips)
 *   v6.16+       the result line repeats the [RUN] name; reasons are `# ` diagnostics
 */
import type { ObservedSubtest } from '../../../reports/parse/types.js';
import type { EraNotes } from '../plugin.js';

export const PROTOTYPE_RESULT = /^Pinning (?:succeeded|failed) as expected$/;
export const PROTOTYPE_IOURING = /^iouring fixed buffer /;
export const SHOULD_HAVE = /^Should have (?:worked|failed)$/;
/** A reason with a v6.15 errno suffix: `ftruncate() failed (No such file or directory)`. */
export const ERRNO_SUFFIXED_REASON =
  /^(?:[a-z_]+\(\) failed|Should have failed|PIN_LONGTERM_TEST_START failed) \([^()]+\)n?$/;
/** The v6.16+ EINVAL diagnostic whose `)n` typo glues it to the next line. */
export const EINVAL_DIAGNOSTIC = /^PIN_LONGTERM_TEST_START failed \(EINVAL\)n$/;

/** Reasons whose wording v6.15 changed (it appended ` (<strerror>)`). */
const PRE_ERRNO_REASON =
  /^(?:(?:memfd_create|tmpfile|fileno|mkstemp|unlink|ftruncate|fallocate|mmap|mprotect|io_uring_queue_init|io_uring_register_buffers)\(\) failed|PIN_LONGTERM_TEST_START failed)$/;
/** Reasons all of v6.5–v6.15 print as the result text (later they are `# ` diagnostics). */
const REASON_AS_RESULT =
  /^(?:need more free huge pages|gup_test not available|Unknown filesystem|Should have (?:worked|failed))/;

/** Hints from one completed sub-test's result line. */
export function gupLongtermEraHints(s: ObservedSubtest, eras: EraNotes): void {
  if (s.resultText === null) return;
  if (s.runName !== null && s.runName.charCodeAt(0) === 105 /* i */ && PROTOTYPE_IOURING.test(s.runName)) {
    eras.note('prototype');
  }
  if (s.description !== null && s.description !== '') noteText(s.description, s, eras);
  if (s.directive !== null && s.directive.text !== '') noteText(s.directive.text, s, eras);
}

/**
 * The first pattern that matches wins. Each test is guarded by a character the pattern
 * requires, so the common texts (a v6.16+ result repeating its [RUN] name) cost one compare.
 */
function noteText(t: string, s: ObservedSubtest, eras: EraNotes): void {
  const c0 = t.charCodeAt(0);
  if (c0 === 80 /* P */ && PROTOTYPE_RESULT.test(t)) eras.note('prototype');
  else if (s.runName !== null && t === s.runName) eras.note('v6.16+');
  else if ((t.endsWith(')') || t.endsWith(')n')) && ERRNO_SUFFIXED_REASON.test(t)) eras.note('v6.15');
  else if (t.endsWith('failed') && PRE_ERRNO_REASON.test(t)) eras.note('v6.5-v6.14');
  // The last test of the chain only notes pre-v6.16: pointless once it was noted.
  else if (!eras.has('pre-v6.16') && (SHOULD_HAVE.test(t) || REASON_AS_RESULT.test(t))) {
    eras.note('pre-v6.16');
  }
}
