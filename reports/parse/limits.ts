/**
 * What the parser keeps per run and per log, and how it says so when it keeps less.
 *
 * Runs are never capped: a log of any size reports every run (the streaming API hands each
 * one out as it ends, so memory does not grow with the number of runs). What is capped is what
 * one run or the log's stray text can hold — lines, sub-tests, issues — so a pathological run
 * (a million console lines inside one sub-test) stays bounded. Every cap counts what it
 * dropped, and the count is reported as a `dropped-lines` issue: a cap is never silent.
 */

/** Lines kept per run (diagnostics + unknown + interleaved); the rest are counted. */
export const MAX_KEPT_LINES = 10_000;
/** Sub-tests kept per run (gup_longterm's largest plan is 130, cow's about 800). */
export const MAX_SUBTESTS = 10_000;
/** Issues, crash markers and infrastructure markers kept per run. */
export const MAX_RUN_ISSUES = 1_000;
/** Issues, crash and infrastructure markers, other programs kept outside runs, per log. */
export const MAX_LOG_ISSUES = 1_000;

/** A list that keeps at most `limit` items and counts the others. */
export class CappedList<T> {
  readonly items: T[] = [];
  dropped = 0;

  constructor(readonly limit: number) {}

  /** Keep `item` if there is room; false when it was only counted. */
  push(item: T): boolean {
    if (this.items.length >= this.limit) {
      this.dropped++;
      return false;
    }
    this.items.push(item);
    return true;
  }

  get length(): number {
    return this.items.length;
  }
}
