/**
 * A finished RunBuilder → the ParsedRun handed out: close a [RUN] left open, give position ids
 * to nameless results, add the result lines read outside the run's own sequence, mark every
 * further result of one sub-test as a repeat of its first, check the `# Totals:` counters
 * against what was read, flag a run that ended before its plan, and report every cap that
 * dropped something.
 */
import { pluginIndex, selftestPlugin } from '../../cases/selftests/index.js';
import type { PositionIds } from '../../cases/selftests/plugin.js';
import { addStrays } from './strays.js';
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
  const test = b.selftest();
  const positions = selftestPlugin(test).ids.positions;

  assignPositionIds(b, positions);
  const repeats = markRepeats(b, positions);

  const counts = emptyCounts();
  for (const s of b.subtests) counts[s.verdict]++;
  // Distinct sub-tests that reported: a result printed twice does not make up for one never printed.
  const reported = b.subtests.length - counts.missing - repeats + b.droppedSubtests;
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
  const capped = b.strays.dropped + b.bailouts.dropped + b.totalsLines.dropped;
  if (capped > 0)
    b.issue('dropped-lines', null, `${capped} stray results, bail-outs or counter lines not kept`);
  const issues = b.issues.items;
  if (b.issues.dropped > 0) {
    issues.push({ line: null, code: 'dropped-lines', message: `${b.issues.dropped} more issues not kept` });
  }

  return {
    index,
    test,
    program: b.program,
    evidence: b.evidence,
    startLine: b.startLine,
    endLine: b.endLine,
    depth: b.depth,
    tapVersion: b.tapVersion,
    plan: b.plan,
    facts: { ...b.facts, hugetlbSizesKiB: [...b.facts.hugetlbSizesKiB], thpSizesKiB: [...b.facts.thpSizesKiB] },
    subtests: b.subtests,
    bailout: b.bailout,
    bailouts: b.bailouts.items,
    totals: b.totals,
    totalsLines: b.totalsLines.items,
    plannedMismatch: b.plannedMismatch,
    skippedNotice: b.skippedNotice,
    counts,
    repeats,
    worst: worstOf(counts),
    wrapper: wrapperInfo(b),
    eras: b.eras.hints(pluginIndex(test)),
    crashes,
    infrastructure: b.infra.items,
    endedEarly,
    diagnostics: b.diagnostics,
    unknownLines: b.unknownLines,
    programLines: b.programLines,
    droppedLines: b.dropped,
    issues,
  };
}

/** The plan's order is known to the run's test (its plug-in offers position ids, and the facts fix them). */
function positionsKnown(b: RunBuilder, positions: PositionIds | null): positions is PositionIds {
  return positions !== null && positions.known(b.facts, b.tapVersion !== null, b.plan?.count ?? null);
}

/**
 * Ids from the plan position for sub-tests no name identifies: nameless results, and [RUN]
 * names cut short (a kernel message glued into the middle of the line, a console capture of a
 * crash) when the cut name is the start of the name at that position. A 'missing' sub-test
 * has no number: its position is the one after the result before it.
 */
function assignPositionIds(b: RunBuilder, positions: PositionIds | null): void {
  if (!positionsKnown(b, positions)) return;
  const plan = b.plan?.count ?? null;
  let previous = 0;
  for (const s of b.subtests) {
    const number = s.number ?? previous + 1;
    previous = number;
    if (s.id !== null) continue;
    const id = positions.at(number, b.facts, plan);
    if (id === null || (s.runName !== null && !positions.fits(s.runName, number, b.facts))) continue;
    s.id = id;
    s.idSource = 'plan-position';
  }
}

/**
 * The first result line of each sub-test, by id (by TAP number when the id is unknown): one
 * long-lived map per key kind instead of a Map per run, entries tagged with the run's serial
 * (`serial * 2^20 + ordinal`; ordinals stay below MAX_SUBTESTS + MAX_RUN_ISSUES < 2^20).
 */
const firstOfId = new Map<string, number>();
const firstOfNumber = new Map<number, number>();
let serial = 0;
const TAG = 2 ** 20;

/** Mark every further result of a sub-test as a repeat of its first; returns how many. */
function markRepeats(b: RunBuilder, positions: PositionIds | null): number {
  if (b.strays.length > 0) addStrays(b, positionsKnown(b, positions) ? positions : null);
  serial++;
  if (firstOfId.size > 100_000) firstOfId.clear();
  if (firstOfNumber.size > 100_000) firstOfNumber.clear();
  let repeats = 0;
  for (const s of b.subtests) {
    if (s.verdict === 'missing' && s.id === null) continue;
    const tagged =
      s.id !== null
        ? firstOfId.get(s.id)
        : s.number !== null
          ? firstOfNumber.get(s.number)
          : undefined;
    if (tagged !== undefined && Math.floor(tagged / TAG) === serial) {
      s.repeatOf = tagged % TAG;
      repeats++;
      // A repeated number alone already is an 'unexpected-number' issue.
      if (s.id !== null)
        b.issue(
          'duplicate-id',
          s.line,
          `sub-test ${s.id} reported again (first at ordinal ${s.repeatOf})`,
        );
      continue;
    }
    if (s.id !== null) firstOfId.set(s.id, serial * TAG + s.ordinal);
    else if (s.number !== null) firstOfNumber.set(s.number, serial * TAG + s.ordinal);
  }
  return repeats;
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
