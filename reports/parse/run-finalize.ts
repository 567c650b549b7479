/**
 * A finished RunBuilder → the ParsedRun handed out: close a [RUN] left open, give position ids
 * to nameless results, check duplicates and the `# Totals:` counters against what was read,
 * flag a run that ended before its plan, and report every cap that dropped something.
 */
import { idFromPosition, planFits } from './positions.js';
import type { RunBuilder } from './run-builder.js';
import type { ParsedRun } from './types.js';
import { emptyCounts, VERDICTS, type Verdict, type VerdictCounts } from './verdict.js';
import { wrapperInfo } from './wrapper-info.js';

export function finalizeRun(b: RunBuilder, index: number): ParsedRun {
  // The output stopped inside a sub-test: it never reported (crash, kill, excerpt end).
  if (b.pending) b.closePending();
  for (const l of b.loose) b.diagnostics.push(l);
  b.loose = [];
  if (b.evidence === null) b.evidence = b.computeEvidence() ?? 'weak';

  assignPositionIds(b);
  checkDuplicates(b);

  const counts = emptyCounts();
  for (const s of b.subtests) counts[s.verdict]++;
  const reported = b.subtests.length - counts.missing + b.droppedSubtests;
  const trailer = b.totals !== null || b.bailout !== null || b.plannedMismatch !== null;
  const endedEarly = b.plan !== null && reported < b.plan.count && !trailer;
  const crashes = b.crashes.items;
  if (endedEarly && b.plan !== null) {
    b.issue('ended-early', b.endLine, `${reported} of ${b.plan.count} planned results`);
    crashes.push({
      kind: 'ended-before-plan',
      line: b.endLine,
      text: `output ended after ${reported} of ${b.plan.count} planned results`,
      duringSubtest: null,
    });
  }
  if (b.totals !== null && b.subtests.length > 0) checkTotals(b, counts);
  if (b.dropped > 0) b.issue('dropped-lines', null, `${b.dropped} lines not kept`);
  if (b.droppedSubtests > 0) {
    b.issue('dropped-lines', null, `${b.droppedSubtests} sub-tests counted but not kept`);
  }
  if (b.crashes.dropped > 0) {
    b.issue('dropped-lines', null, `${b.crashes.dropped} crash markers not kept`);
  }
  if (b.infra.dropped > 0) {
    b.issue('dropped-lines', null, `${b.infra.dropped} infrastructure markers not kept`);
  }
  const issues = b.issues.items;
  if (b.issues.dropped > 0) {
    issues.push({ line: null, code: 'dropped-lines', message: `${b.issues.dropped} more issues not kept` });
  }

  return {
    index,
    program: b.program,
    evidence: b.evidence,
    startLine: b.startLine,
    endLine: b.endLine,
    depth: b.depth,
    tapVersion: b.tapVersion,
    plan: b.plan,
    hugetlbSizesKiB: [...b.sizes],
    hugetlbWording: b.wording,
    subtests: b.subtests,
    bailout: b.bailout,
    totals: b.totals,
    plannedMismatch: b.plannedMismatch,
    skippedNotice: b.skippedNotice,
    counts,
    worst: worstOf(counts),
    wrapper: wrapperInfo(b),
    eras: b.eras.hints(),
    crashes,
    infrastructure: b.infra.items,
    endedEarly,
    diagnostics: b.diagnostics,
    unknownLines: b.unknownLines,
    droppedLines: b.dropped,
    issues,
  };
}

/** Sizes are known when [INFO] lines were printed, or when a TAP header shows none were. */
function sizesKnown(b: RunBuilder): boolean {
  if (b.sizes.length > 0) return true;
  return b.tapVersion !== null && b.plan !== null && planFits(b.plan.count, []);
}

function assignPositionIds(b: RunBuilder): void {
  if (!sizesKnown(b)) return;
  const plan = b.plan?.count ?? null;
  for (const s of b.subtests) {
    if (s.id !== null || s.runName !== null || s.number === null) continue;
    const id = idFromPosition(s.number, b.sizes, plan);
    if (id !== null) {
      s.id = id;
      s.idSource = 'plan-position';
    }
  }
}

/**
 * Which run last used an id: a duplicate is an id already marked with this run's serial. One
 * long-lived map instead of a Set per run (ids are few: cases × backings); cleared when large.
 */
const lastRunOfId = new Map<string, number>();
let serial = 0;

function checkDuplicates(b: RunBuilder): void {
  serial++;
  if (lastRunOfId.size > 100_000) lastRunOfId.clear();
  for (const s of b.subtests) {
    if (s.id === null) continue;
    if (lastRunOfId.get(s.id) === serial) b.issue('duplicate-id', s.line, `sub-test id ${s.id} seen twice`);
    lastRunOfId.set(s.id, serial);
  }
}

function checkTotals(b: RunBuilder, counts: VerdictCounts): void {
  const t = b.totals;
  if (t === null) return;
  const keys = ['pass', 'fail', 'xfail', 'xpass', 'skip', 'error'] as const;
  const diff = keys.filter((k) => t[k] !== counts[k]);
  if (diff.length > 0) {
    b.issue(
      'totals-mismatch',
      t.line,
      `Totals disagree with the results read: ${diff.map((k) => `${k} ${t[k]} vs ${counts[k]}`).join(', ')}`,
    );
  }
}

/** The most severe verdict with a non-zero count (worstVerdict over the sub-tests, from counts). */
function worstOf(counts: VerdictCounts): Verdict | null {
  for (const v of VERDICTS) if (counts[v] > 0) return v;
  return null;
}
