/**
 * Wording-era hints: which version of the selftest (and of kselftest.h) printed a run, read
 * from texts that only some versions print. Hints are evidence, not a verdict: one run can
 * carry several (v6.15 reasons under a v6.14+ kselftest.h), and reports/identify decides.
 */
import {
  ERRNO_SUFFIXED_REASON,
  PROTOTYPE_IOURING,
  PROTOTYPE_RESULT,
  SHOULD_HAVE,
} from './patterns.js';
import type { Era, EraHint, LineRef, ObservedSubtest } from './types.js';

/** Reasons whose wording v6.15 changed (it appended ` (<strerror>)`). */
const PRE_ERRNO_REASON =
  /^(?:(?:memfd_create|tmpfile|fileno|mkstemp|unlink|ftruncate|fallocate|mmap|mprotect|io_uring_queue_init|io_uring_register_buffers)\(\) failed|PIN_LONGTERM_TEST_START failed)$/;
/** Reasons all of v6.5–v6.15 print as the result text (later they are `# ` diagnostics). */
const REASON_AS_RESULT =
  /^(?:need more free huge pages|gup_test not available|Unknown filesystem|Should have (?:worked|failed))/;

export class EraCollector {
  private readonly seen = new Map<Era, LineRef>();

  note(era: Era, evidence: LineRef): void {
    if (!this.seen.has(era)) this.seen.set(era, evidence);
  }

  /** Hints from one completed sub-test's result line. */
  noteSubtest(s: ObservedSubtest): void {
    if (s.resultText === null) return;
    const ev = { line: s.line, text: s.resultText };
    const texts = [s.description ?? '', s.directive?.text ?? ''].filter((t) => t !== '');
    if (s.runName !== null && PROTOTYPE_IOURING.test(s.runName)) this.note('prototype', ev);
    for (const t of texts) {
      if (PROTOTYPE_RESULT.test(t)) this.note('prototype', ev);
      else if (s.runName !== null && t === s.runName) this.note('v6.16+', ev);
      else if (ERRNO_SUFFIXED_REASON.test(t)) this.note('v6.15', ev);
      else if (PRE_ERRNO_REASON.test(t)) this.note('v6.5-v6.14', ev);
      else if (SHOULD_HAVE.test(t) || REASON_AS_RESULT.test(t)) this.note('pre-v6.16', ev);
    }
  }

  hints(): EraHint[] {
    return [...this.seen].map(([era, evidence]) => ({ era, evidence }));
  }
}
