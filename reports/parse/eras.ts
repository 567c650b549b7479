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
    if (s.runName !== null && s.runName.charCodeAt(0) === 105 /* i */ && PROTOTYPE_IOURING.test(s.runName)) {
      this.noteAt('prototype', s);
    }
    if (s.description !== null && s.description !== '') this.noteText(s.description, s);
    if (s.directive !== null && s.directive.text !== '') this.noteText(s.directive.text, s);
  }

  /**
   * The first pattern that matches wins. Each test is guarded by a character the pattern
   * requires, so the common texts (a v6.16+ result repeating its [RUN] name) cost one compare.
   */
  private noteText(t: string, s: ObservedSubtest): void {
    const c0 = t.charCodeAt(0);
    if (c0 === 80 /* P */ && PROTOTYPE_RESULT.test(t)) this.noteAt('prototype', s);
    else if (s.runName !== null && t === s.runName) this.noteAt('v6.16+', s);
    else if ((t.endsWith(')') || t.endsWith(')n')) && ERRNO_SUFFIXED_REASON.test(t)) this.noteAt('v6.15', s);
    else if (t.endsWith('failed') && PRE_ERRNO_REASON.test(t)) this.noteAt('v6.5-v6.14', s);
    // The last test of the chain only notes pre-v6.16: pointless once it was noted.
    else if (!this.seen.has('pre-v6.16') && (SHOULD_HAVE.test(t) || REASON_AS_RESULT.test(t))) {
      this.noteAt('pre-v6.16', s);
    }
  }

  /** Note an era with the sub-test's result line as evidence (allocated only when new). */
  private noteAt(era: Era, s: ObservedSubtest): void {
    if (!this.seen.has(era)) this.seen.set(era, { line: s.line, text: s.resultText ?? '' });
  }

  hints(): EraHint[] {
    return [...this.seen].map(([era, evidence]) => ({ era, evidence }));
  }
}
