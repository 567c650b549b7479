// A failing log never passes as clean (issue 17): every clean real log — a fixture with its
// environment file, as it is and wrapped by the runners of every era — diffs clean, and any
// edit that adds failure evidence to it (a result repeated as `not ok` anywhere after it, a
// flipped runner verdict or status, a `Bail out!`, a `# Totals:` with failures, another exit
// code, a plan of more results than it prints; with random transport prefixes, `# ` nesting
// and CR overwrites) makes `gupsim diff` exit non-zero, environment given and inferred.
import t from 'tap';
import fc from 'fast-check';
import { diffLog, needsHuman } from '../reports/diff/index.js';
import {
  applyEdit,
  cleanLogs,
  EDIT_KINDS,
  shapeOf,
  TRANSPORT_PREFIXES,
  type CleanLog,
  type Edit,
  type EditKind,
  type Shape,
} from './helpers/clean-logs.js';
import { diffOnce } from './helpers.js';
import { runs } from './helpers/property.js';

const CLEAN: { log: CleanLog; shape: Shape }[] = cleanLogs().map((log) => ({
  log,
  shape: shapeOf(log.text),
}));

t.test('every clean log diffs clean, environment given and inferred', async (t) => {
  t.ok(CLEAN.length >= 40, `${CLEAN.length} clean logs (fixtures and their runner-wrapped forms)`);
  for (const { log } of CLEAN) {
    const given = diffOnce(log.text, log.name, log.env);
    const inferred = diffOnce(log.text, log.name);
    t.notOk(needsHuman(given), `${log.name}, --env: ${given.runs.map((r) => r.triage).join(', ')}`);
    t.notOk(
      needsHuman(inferred),
      `${log.name}, inferred: ${inferred.runs.map((r) => r.triage).join(', ')}`,
    );
  }
});

const edit = (kind: EditKind): fc.Arbitrary<Edit> =>
  fc.record({
    kind: fc.constant(kind),
    pick: fc.nat(10_000),
    at: fc.nat(100_000),
    n: fc.nat(1000),
    word: fc.constantFrom('something failed', '1 out of 50 tests failed', 'x', ''),
    style: fc.record({
      transport: fc.constantFrom(...TRANSPORT_PREFIXES),
      extraNesting: fc.nat(2),
      cr: fc.boolean(),
    }),
  });

for (const kind of EDIT_KINDS) {
  t.test(`${kind}: the edited log needs a human, environment given and inferred`, async (t) => {
    let applied = 0;
    fc.assert(
      fc.property(fc.nat(CLEAN.length - 1), edit(kind), (i, e) => {
        const { log, shape } = CLEAN[i]!;
        const text = applyEdit(shape, e);
        // A bare log has no runner line to flip: nothing to check for this pair.
        if (text === null) return true;
        applied++;
        const given = diffLog(text, log.name, { env: log.env });
        const inferred = diffLog(text, log.name);
        return needsHuman(given) && needsHuman(inferred);
      }),
      { numRuns: runs(40) },
    );
    t.ok(applied > 0, `${applied} edited logs checked`);
  });
}
