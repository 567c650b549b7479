/**
 * Applying a lab's known issues to triaged runs: a covered failure becomes `known` (its
 * entry's reason, link and what gupsim had said), nothing else changes, and the run's triage
 * is recomputed with its rest (a crash, a runner's line, other evidence) — so a file never
 * turns a failure no entry matches into anything but what it was (a fast-check property over
 * real and edited logs and random files, read through the YAML reader).
 */
import t from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffLog } from '../reports/diff/index.js';
import {
  NEEDS_HUMAN,
  TRIAGE_PRIORITY,
  type RunDiff,
  type TriageClass,
} from '../reports/diff/types.js';
import { knownRunDiff, scopeOfDiff } from '../reports/known/apply.js';
import { covers, KnownMatcher } from '../reports/known/match.js';
import { parseKnownIssues } from '../reports/known/schema.js';
import { applyEdit, cleanLogs, EDIT_KINDS, shapeOf } from './helpers/clean-logs.js';
import { FIXTURES } from './helpers.js';

const REPRO = join(FIXTURES, '..', 'repro');
const NOW = new Date('2030-01-01T00:00:00Z');
const rank = (c: TriageClass): number => TRIAGE_PRIORITY.indexOf(c);

function matcherOf(yaml: string): KnownMatcher {
  const r = parseKnownIssues(yaml, 'known.yaml');
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return new KnownMatcher(r.known, NOW);
}

function run(path: string): RunDiff {
  return diffLog(readFileSync(path, 'utf8'), path).runs[0]!;
}

const ACCEPT_ALL = `version: 1
issues:
  - id: all
    test: "**"
    classes: [infrastructure, crash, kernel-regression, conflict, unexplained, missing, test-bug, environment, expected-failure]
    verdicts: [pass, fail, skip, xfail, xpass, error, missing, absent]
    reason: everything
    link: https://example.org/all
`;

t.test(
  'a covered failure is known; the run is known when nothing else needs a human',
  async (t) => {
    const d = run(join(FIXTURES, 'public', '008-stoakes-2025-after-unique-names-fail.log'));
    t.equal(d.triage, 'unexplained');
    const k = knownRunDiff(d, {
      matcher: matcherOf(`version: 1
issues:
  - id: enomem
    test: ro/gup-fast/private/memfd-hugetlb-*
    reason: ENOMEM on the test machine
    link: https://example.org/enomem
`),
    });
    t.equal(k.triage, 'known');
    t.notOk(NEEDS_HUMAN.has(k.triage));
    t.match(
      k.summary,
      /^2 failure\(s\) known to the lab: ro\/gup-fast\/private\/memfd-hugetlb-2048kB: enomem: ENOMEM on the test machine \(https:\/\/example\.org\/enomem\)/,
    );
    for (const [i, s] of k.subtests.entries()) {
      t.equal(s.class, 'known');
      t.same(s.known, {
        id: 'enomem',
        reason: 'ENOMEM on the test machine',
        link: 'https://example.org/enomem',
        culprit: 'code',
        revision: 1,
        was: 'unexplained',
      });
      t.equal(s.explanation, d.subtests[i]!.explanation, "gupsim's explanation is kept");
      t.equal(s.observed, d.subtests[i]!.observed);
    }
    t.same(
      k.knownNotes?.map((n) => [n.issue.id, n.status, n.at]),
      [['enomem', 'seen', [0, 1]]],
    );
    t.equal(d.subtests[0]!.class, 'unexplained', 'the diff it was applied to is not changed');
  },
);

t.test('an entry whose tests pass is not seen; one whose tests are absent says so', async (t) => {
  const d = run(join(FIXTURES, 'public', '001-hildenbrand-v1-cover-all-pass.log'));
  const k = knownRunDiff(d, {
    matcher: matcherOf(`version: 1
issues:
  - id: old
    test: iouring/private/*
    reason: fixed long ago
    link: https://example.org/old
  - id: other-test
    test: cow/**
    reason: another selftest's
    link: https://example.org/cow
`),
  });
  t.equal(k.triage, 'match');
  t.equal(k.summary, d.summary);
  t.same(k.subtests, d.subtests);
  const [old, other] = k.knownNotes!;
  t.equal(old?.status, 'not-seen');
  t.match(old?.tests, ['iouring/private/memfd passes', 'iouring/private/tmpfile passes']);
  t.equal(old?.at.length, 5);
  t.same([other?.status, other?.tests], ['absent', []]);
});

t.test("the run's rest: evidence no entry can cover keeps the run where it was", async (t) => {
  // A failing sub-test beside a `Bail out!` the results do not explain: the entry accepts the
  // sub-test, not the bail-out, which is no sub-test's.
  const text = readFileSync(join(REPRO, 'bail-after-results.log'), 'utf8').replace(
    '\nok 48 Should have worked',
    '\nnot ok 48 Should have worked',
  );
  const d = diffLog(text, 'bail.log').runs[0]!;
  t.ok(NEEDS_HUMAN.has(d.triage), d.summary);
  t.ok(
    d.subtests.some((s) => s.class !== 'match'),
    'a sub-test to accept',
  );
  t.equal(d.rest?.triage, 'unexplained', `the rest: ${d.rest?.summary}`);
  const k = knownRunDiff(d, { matcher: matcherOf(ACCEPT_ALL) });
  t.ok(
    k.subtests.every((s) => s.class === 'match' || s.class === 'known'),
    'every sub-test accepted',
  );
  t.equal(k.triage, 'unexplained', 'the run still needs a human');
  t.match(k.summary, /^the test bailed out: .*\(1 result\(s\) known to the lab\)$/);
  // Runs whose sub-tests all match have nothing to accept: the file changes nothing.
  for (const name of ['run_vmtests-FAIL-ignored.log', 'bail-after-results.log']) {
    const r = run(join(REPRO, name));
    const kr = knownRunDiff(r, { matcher: matcherOf(ACCEPT_ALL) });
    t.same([kr.triage, kr.summary], [r.triage, r.summary], name);
  }
  // A run decided by its sub-tests alone: accepting them all leaves it known.
  const conflict = run(join(REPRO, 'dup-result-ignored.log'));
  t.equal(conflict.triage, 'conflict');
  t.equal(conflict.rest, null);
  t.equal(knownRunDiff(conflict, { matcher: matcherOf(ACCEPT_ALL) }).triage, 'known');
  const byDefault = knownRunDiff(conflict, {
    matcher: matcherOf(`version: 1
issues:
  - id: flaky
    test: "**"
    reason: flaky io_uring
    link: https://example.org/flaky
`),
  });
  t.equal(byDefault.triage, 'conflict', 'a conflict is not accepted unless the entry lists it');
});

t.test('a crash: known only when an entry accepts the results it cut off', async (t) => {
  const lines = readFileSync(
    join(FIXTURES, 'public', '001-hildenbrand-v1-cover-all-pass.log'),
    'utf8',
  ).split('\n');
  const at = lines.findIndex((l) =>
    l.includes('[RUN] R/O longterm GUP pin in MAP_SHARED file mapping ... with memfd'),
  );
  const text = [
    ...lines.slice(0, at + 1),
    '[  123.456789] BUG: kernel NULL pointer dereference, address: 0000000000000008',
    '',
  ].join('\n');
  const d = diffLog(text, 'crash.log').runs[0]!;
  t.equal(d.triage, 'crash');
  const crashed = d.subtests.filter((s) => s.class === 'crash');
  t.ok(crashed.length > 1, 'the crashed sub-test and the ones it cut off');
  const one = knownRunDiff(d, {
    matcher: matcherOf(`version: 1
issues:
  - id: ro-shared-oops
    test: ro/gup/shared/memfd
    classes: [crash]
    verdicts: [missing]
    reason: a known oops
    link: https://example.org/oops
`),
  });
  t.equal(one.subtests.filter((s) => s.class === 'known').length, 1);
  t.equal(one.triage, 'crash', 'the results it cut off are still a crash');
  const all = knownRunDiff(d, {
    matcher: matcherOf(`version: 1
issues:
  - id: oops
    test: "**"
    classes: [crash]
    verdicts: [missing, absent]
    reason: a known oops
    link: https://example.org/oops
`),
  });
  t.equal(all.triage, 'known', 'every cut-off result accepted: the crash is known');
});

// The pool the property draws from: real logs, repro logs, and clean logs with failure
// evidence added (every edit kind), diffed once with the environment inferred.
const POOL: RunDiff[] = (() => {
  const out: RunDiff[] = [];
  for (const dir of ['public', '7x']) {
    for (const f of [
      '001-hildenbrand-v1-cover-all-pass',
      '002-hildenbrand-pin_longterm-prototype-iouring-fail',
      '004-kitayama-arm64-fvp-9p-run_vmtests-ftruncate-failed',
      '008-stoakes-2025-after-unique-names-fail',
      '6.18-host-st7.2-ext4-kselftest-ksft_gup_test',
    ]) {
      try {
        out.push(...diffLog(readFileSync(join(FIXTURES, dir, `${f}.log`), 'utf8'), f).runs);
      } catch {
        // not in this directory
      }
    }
  }
  for (const f of [
    'run_vmtests-FAIL-ignored',
    'bail-after-results',
    'dup-result-ignored',
    'hugetlb-skip-turned-fail-with-env',
    'ansi-in-log',
  ]) {
    out.push(...diffLog(readFileSync(join(REPRO, `${f}.log`), 'utf8'), f).runs);
  }
  const clean = cleanLogs().slice(0, 8);
  let n = 0;
  for (const c of clean) {
    const shape = shapeOf(c.text);
    for (const kind of EDIT_KINDS) {
      const text = applyEdit(shape, {
        kind,
        pick: n * 7919,
        at: n * 104729,
        n: n % 50,
        word: 'x',
        style: { transport: '', extraNesting: 0, cr: false },
      });
      n++;
      if (text) out.push(...diffLog(text, `${c.name} ${kind}`).runs);
    }
  }
  return out;
})();

/** Runs with something to accept: drawn three times as often as any run of the pool. */
const FAILING = POOL.filter((d) => d.subtests.some((s) => s.class !== 'match'));

const IDS = [
  ...new Set(
    POOL.flatMap((d) => d.subtests.map((s) => s.id)).filter((x): x is string => x !== null),
  ),
];
const COVERABLE = TRIAGE_PRIORITY.filter((c) => c !== 'match' && c !== 'known');
const VERDICTS = ['pass', 'fail', 'skip', 'xfail', 'xpass', 'error', 'missing', 'absent'] as const;

/** Absent more often than not: scoped entries rarely apply, and most entries should. */
const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: a, weight: 1 });

const entry = fc.record({
  test: fc.option(
    fc.constantFrom(
      '**',
      '**',
      '**',
      'rw/**',
      'ro/*/private/*',
      'iouring/*/tmpfile',
      '*/gup/*/memfd',
      'x/y',
      ...IDS,
    ),
    { nil: undefined },
  ),
  name: fc.option(fc.constantFrom('*memfd*', 'R/W *', '* with tmpfile', 'nope'), {
    nil: undefined,
  }),
  kernel: maybe(
    fc.subarray(['>=6.1 <6.10', '6.12', 'next', '>=7.0', '6.4', '6.16-rc1', '<=6.5'], {
      minLength: 1,
    }),
  ),
  machine: maybe(fc.constantFrom('m*', 'lab-1')),
  arch: maybe(fc.constantFrom('x86_64', 'arm64')),
  classes: maybe(fc.subarray(COVERABLE, { minLength: 1 })),
  verdicts: maybe(fc.subarray([...VERDICTS], { minLength: 1 })),
  expires: maybe(fc.constantFrom('2000-01-01', '2999-12-31')),
  culprit: fc.option(fc.constantFrom('code', 'tool', 'harness'), { nil: undefined }),
});

type Entry = typeof entry extends fc.Arbitrary<infer E> ? E : never;

/** The entries as a known-issues file, every value through the YAML reader. */
function yamlOf(entries: Entry[]): string {
  const q = (s: string): string => JSON.stringify(s);
  const list = (xs: readonly string[]): string => `[${xs.map(q).join(', ')}]`;
  const out = ['version: 1', entries.length ? 'issues:' : 'issues: []'];
  entries.forEach((e, i) => {
    out.push(`  - id: e${i}`);
    if (e.test !== undefined || e.name === undefined) out.push(`    test: ${q(e.test ?? '**')}`);
    if (e.name !== undefined) out.push(`    name: ${q(e.name)}`);
    if (e.kernel) out.push(`    kernel: ${list(e.kernel)}`);
    if (e.machine) out.push(`    machine: ${q(e.machine)}`);
    if (e.arch) out.push(`    arch: ${e.arch}`);
    if (e.classes) out.push(`    classes: ${list(e.classes)}`);
    if (e.verdicts) out.push(`    verdicts:\n${e.verdicts.map((v) => `      - ${v}`).join('\n')}`);
    if (e.expires) out.push(`    expires: ${e.expires}`);
    if (e.culprit) out.push(`    culprit: ${e.culprit}`);
    out.push(`    reason: "reason ${i}: \\"quoted\\""`, `    link: https://example.org/${i}`);
  });
  return out.join('\n') + '\n';
}

t.test(
  'property: a file never turns a failure no entry matches into anything but what it was',
  async (t) => {
    t.ok(POOL.length >= 30, `${POOL.length} runs in the pool`);
    t.ok(FAILING.length >= 15, `${FAILING.length} of them with failures to accept`);
    let covered = 0;
    fc.assert(
      fc.property(
        // Positions, not runs: a counterexample names the run without printing it.
        fc.oneof(
          { arbitrary: fc.nat(FAILING.length - 1).map((i) => ({ failing: i })), weight: 3 },
          { arbitrary: fc.nat(POOL.length - 1).map((i) => ({ pool: i })), weight: 1 },
        ),
        fc.array(entry, { maxLength: 4 }),
        fc.constantFrom(undefined, 'm1', 'lab-1'),
        (at, entries, machine) => {
          const d = 'failing' in at ? FAILING[at.failing]! : POOL[at.pool]!;
          const matcher = matcherOf(yamlOf(entries));
          const k = knownRunDiff(d, { matcher, machine });
          const inForce = matcher.for(scopeOfDiff(d, machine));
          let changed = 0;
          for (const [j, before] of d.subtests.entries()) {
            const after = k.subtests[j]!;
            const c = {
              id: before.id,
              name: before.name,
              verdict: before.observed,
              class: before.class,
            };
            const entryOf =
              before.class === 'match' ? undefined : inForce.find((e) => covers(e, c));
            if (!entryOf) {
              // No entry matches it: exactly what it was.
              if (after !== before) return false;
              continue;
            }
            changed++;
            const { class: cls, known, ...rest } = after;
            const { class: was, ...restBefore } = before;
            if (cls !== 'known' || known?.id !== entryOf.id || known.was !== was) return false;
            if (JSON.stringify(rest) !== JSON.stringify(restBefore)) return false;
          }
          covered += changed;
          if (changed === 0) return k.triage === d.triage && k.summary === d.summary;
          // Never better than a result left as it was, nor than the run's rest.
          for (const s of k.subtests) if (rank(k.triage) > rank(s.class)) return false;
          if (d.rest && rank(k.triage) > rank(d.rest.triage)) return false;
          // A file never adds work for a human.
          if (NEEDS_HUMAN.has(k.triage) && !NEEDS_HUMAN.has(d.triage)) return false;
          return true;
        },
      ),
      { numRuns: 600, seed: 18 },
    );
    t.ok(covered > 0, `${covered} results accepted over the runs`);
  },
);
