/**
 * Result lines of a run read outside its own sequence — at another `# ` level inside it
 * (re-nested, or split off by a CR), at the runner's level while it still reports, or after
 * its trailer — each still counts: the router asks isStray() whether a line is one, the run
 * keeps it (strayResult()), and when the run ends addStrays() gives it its sub-test, where
 * run-finalize.ts marks it a repeat (or conflict) of that sub-test's first result.
 */
import { detach } from './lines.js';
import { MAX_SUBTESTS } from './limits.js';
import type { PositionIds } from '../../cases/selftests/plugin.js';
import type { ResultLine } from './result-line.js';
import type { RunBuilder } from './run-builder.js';
import type { ObservedSubtest } from './types.js';

/**
 * Whether a result line is the open run's although it is not where the run prints its
 * results: a selftest has no nested tests, so a result line deeper inside the run is one
 * of its own (re-nested, or overwritten by a CR); a shallower one is while the run is still
 * reporting and its number is in the run's plan; after the run's trailer, one at any level
 * that repeats or contradicts a result the run printed (its number, with the same text or
 * another outcome: a later program's `ok 1 …` is not the run's).
 */
export function isStray(run: RunBuilder, r: Readonly<ResultLine>, level: number): boolean {
  // The common case first (a result of the run, where it prints them): no further test.
  if (level === run.depth && !run.finished) return false;
  if (!run.hasBody()) return false;
  if (run.finished) return isAnotherResult(run, r);
  if (level > run.depth) return true;
  if (level === run.depth) return false;
  const plan = run.plan;
  return plan !== null && r.number >= 1 && r.number <= plan.count;
}

/**
 * Whether `r` is another result line for a sub-test the run reported: the same number with
 * the same text, or with another outcome (ok / not ok, SKIP or not). Rare path: a scan.
 */
function isAnotherResult(run: RunBuilder, r: Readonly<ResultLine>): boolean {
  const n = r.number;
  const s = run.subtests;
  // Numbers run 1, 2, 3 …: result n is almost always at index n - 1.
  const at = s[n - 1]?.number === n ? s[n - 1] : s.find((st) => st.number === n);
  if (at === undefined || at.resultText === null) return false;
  const ok = !at.resultText.startsWith('not ');
  return (
    ok !== r.ok ||
    (at.verdict === 'skip') !== (r.verdict === 'skip') ||
    (at.description ?? '') === r.description
  );
}

/**
 * A result line of the run seen where its own results are not printed: at another `# ` level
 * inside it, or after its trailer. It takes no [RUN] line or diagnostics (those belong to the
 * run's own sequence); its id is settled when the run ends (run-finalize.ts).
 */
export function strayResult(r: Readonly<ResultLine>, text: string, line: number): ObservedSubtest {
  return {
    id: null,
    idSource: null,
    ordinal: 0,
    number: r.number,
    runName: null,
    runLine: null,
    resultText: detach(text),
    line,
    description: r.description === '' ? null : r.description,
    directive: r.directive === null ? null : { kind: r.directive.kind, text: r.directive.text },
    reason:
      r.directive !== null && r.directive.text !== ''
        ? r.directive.text
        : r.description === ''
          ? null
          : r.description,
    verdict: r.verdict,
    repeatOf: null,
    diagnostics: [],
    interleaved: [],
  };
}

/**
 * The result lines read outside the run's own sequence join its sub-tests (after them, so
 * ordinals already handed to crash markers stay valid): a stray result names the sub-test
 * with its number, else the one at its plan position.
 */
export function addStrays(b: RunBuilder, positions: PositionIds | null): void {
  const plan = b.plan?.count ?? null;
  for (const s of b.strays.items) {
    const n = s.number ?? 0;
    const same = b.subtests.find((o) => o.number === n && o.id !== null);
    s.id = same ? same.id : positions !== null ? positions.at(n, b.facts, plan) : null;
    s.idSource = s.id === null ? null : 'plan-position';
    if (b.subtests.length >= MAX_SUBTESTS) {
      b.droppedSubtests++;
      continue;
    }
    s.ordinal = b.subtests.length + b.droppedSubtests + 1;
    b.subtests.push(s);
  }
}
