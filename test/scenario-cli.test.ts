/**
 * `gupsim scenario` as a user meets it: the list, help everywhere, TAP 13 with one result per
 * checked property, --explain, the --json shape, exit 0 whatever the outcome, exit 2 with one
 * line for bad input; and `gupsim explain` pointing from a refused pin to its scenario.
 */
import t from 'tap';
import { OUTCOMES } from '../cases/scenarios/scenario.js';
import { SCENARIOS } from '../cases/scenarios/index.js';
import { cli } from './helpers.js';

t.test('without a name: one line per scenario; --help everywhere', async (t) => {
  const list = await cli(['scenario']);
  t.equal(list.code, 0);
  t.equal(list.stdout.trim().split('\n').length, SCENARIOS.length);
  for (const s of SCENARIOS) {
    t.match(list.stdout, new RegExp(`^  ${s.name} +\\S`, 'm'));
    const h = await cli(['scenario', s.name, '--help']);
    t.equal(h.code, 0, s.name);
    t.match(h.stdout, new RegExp(`^usage: gupsim scenario ${s.name} `));
    for (const o of s.options) t.match(h.stdout, `--${o.name} ${o.values.join('|')}`);
    t.match(h.stdout, /--kernel REL/);
  }
  const top = await cli(['scenario', '--help']);
  t.equal(top.code, 0);
  t.match(top.stdout, /^usage: gupsim scenario /);
  t.match((await cli(['--help'])).stdout, /\n {2}scenario /);
});

t.test(
  'TAP 13: steps as comments, one result per checked property, exit 0 whatever the outcome',
  async (t) => {
    const r = await cli(['scenario', 'dirty-after-writeback', '--kernel', '6.1']);
    t.equal(r.code, 0, 'a corrupting run still exits 0');
    const lines = r.stdout.trim().split('\n');
    t.equal(lines[0], 'TAP version 13');
    const plan = lines.find((l) => /^1\.\.\d+$/.test(l));
    const results = lines.filter((l) => /^(not )?ok \d+ - /.test(l));
    t.equal(plan, `1..${results.length}`);
    t.ok(results.some((l) => l.startsWith('not ok')));
    t.match(r.stdout, /^# step 1: map a file in \. \(ext4\), MAP_SHARED: /m);
    t.match(lines.at(-1), /^# outcome: corrupted — /);
    t.notMatch(r.stdout, /^# {5}\S/m, 'no trace without --explain');
    const x = await cli(['scenario', 'dirty-after-writeback', '--kernel', '6.1', '--explain']);
    t.match(x.stdout, /^# {5}filemap_release_folio: try_to_free_buffers\(\)/m);
    t.match(x.stdout, /\[cc5095747edf, 5\.18\]/);
  },
);

t.test(
  '--json: a stable outcome word, steps with their trace, checks and final state',
  async (t) => {
    for (const s of SCENARIOS) {
      const r = await cli(['scenario', s.name, '--json', '--kernel', '6.12']);
      t.equal(r.code, 0, s.name);
      const j = JSON.parse(r.stdout) as Record<string, unknown>;
      t.same(
        Object.keys(j).sort(),
        ['checks', 'final', 'kernel', 'options', 'outcome', 'scenario', 'steps', 'summary'].sort(),
      );
      t.ok(
        (OUTCOMES as readonly unknown[]).includes(j.outcome),
        `${s.name}: outcome ${String(j.outcome)}`,
      );
      t.equal(j.scenario, s.name);
      t.same(j.kernel, { release: '6.12', patches: [] });
      const steps = j.steps as { action: string; result: string; trace: unknown[] }[];
      t.ok(
        steps.length > 0 &&
          steps.every(
            (x) =>
              typeof x.action === 'string' &&
              typeof x.result === 'string' &&
              Array.isArray(x.trace),
          ),
      );
      const checks = j.checks as { description: string; holds: boolean }[];
      t.ok(checks.every((c) => typeof c.description === 'string' && typeof c.holds === 'boolean'));
    }
    const refused = JSON.parse(
      (await cli(['scenario', 'dirty-after-writeback', '--json'])).stdout,
    ) as { outcome: string };
    t.equal(
      refused.outcome,
      'refused',
      'the default machine (6.18.7, cwd on ext4) refuses the pin',
    );
  },
);

t.test('bad input: one line on stderr, exit 2', async (t) => {
  const cases: [string[], RegExp][] = [
    [['scenario', 'nope'], /unknown scenario "nope" \(known: dirty-after-writeback, /],
    [['scenario', 'cow-either-way', 'extra'], /expected one scenario name/],
    [
      ['scenario', 'cow-either-way', '--backing', 'cwd'],
      /--backing: expected anon, anonymous, file, shared, got "cwd"/,
    ],
    [['scenario', 'pfnmap-lifetime', '--via', 'gup'], /--via is not an option of pfnmap-lifetime/],
    [
      ['scenario', 'cow-either-way', '--kernel', 'x'],
      /kernel\.release: "x" is not a kernel release/,
    ],
    [['scenario', 'cow-either-way', '--bogus'], /Unknown option '--bogus'/],
    [['scenario', 'cow-either-way', '--json', '--explain'], /use one of --json, --explain/],
    [
      ['scenario', 'dirty-after-writeback', '--backing', 'hugetlb', '--hugetlb', ''],
      /no hugetlb page size on this machine/,
    ],
  ];
  for (const [argv, re] of cases) {
    const r = await cli(argv);
    t.equal(r.code, 2, argv.join(' '));
    t.match(r.stderr, re, argv.join(' '));
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  }
});

t.test(
  'gupsim explain: a refused pin names the scenario it prevents, a kernel that allows it too',
  async (t) => {
    const refused = await cli(['explain', 'rw/gup/shared/local-tmpfile']);
    t.match(refused.stdout, /this refusal prevents: dirty-after-writeback — /);
    t.match(
      refused.stdout,
      /gupsim scenario dirty-after-writeback --kernel 7\.2\.13 --patch=-8ac268436e6d/,
    );
    const allowed = await cli([
      'explain',
      'rw/gup/shared/local-tmpfile',
      '--kernel',
      '6.4',
      '--selftest',
      '6.5',
    ]);
    t.match(
      allowed.stdout,
      /what this kernel allows: dirty-after-writeback — [^\n]*\n {4}gupsim scenario dirty-after-writeback --kernel 6\.4\n/,
    );
    const suggested = await cli([
      'scenario',
      'dirty-after-writeback',
      '--kernel',
      '6.18.7',
      '--patch=-8ac268436e6d',
    ]);
    t.match(
      suggested.stdout,
      /# outcome: untracked/,
      'the suggested command runs and shows what the commit prevents',
    );
    const unrelated = await cli(['explain', 'ro/gup/private/memfd']);
    t.notMatch(unrelated.stdout, /scenario/);
  },
);
