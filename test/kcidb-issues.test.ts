/**
 * KCIDB issues and incidents: every triaged cause of the fixture logs is an issue with a
 * stable key, a version, a culprit and (for a commit) a report URL; every test it explains an
 * incident naming an issue and a test of the same document. `gupsim diff --kcidb` and
 * `gupsim record` + `gupsim report --format kcidb` give the same objects.
 */
import t from 'tap';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnvironment, type Environment } from '../cases/env.js';
import { diffLog } from '../reports/diff/index.js';
import {
  CAUSE_RULES,
  ISSUE_VERSION,
  reportRunOfDiff,
  toKcidb,
  type KcidbDocument,
  type ReportRun,
} from '../reports/formats/index.js';
import { logHash } from '../reports/store/env-key.js';
import { TRIAGE_PRIORITY } from '../reports/diff/types.js';
import { checkKcidb } from './helpers/kcidb-check.js';
import { cli, FIXTURES } from './helpers.js';

/** Every fixture log, with its environment file when it has one. */
function fixtureLogs(): { name: string; text: string; env?: Environment }[] {
  const out: { name: string; text: string; env?: Environment }[] = [];
  for (const dir of ['public', 'live', '7x']) {
    for (const f of readdirSync(join(FIXTURES, dir)).sort()) {
      if (!f.endsWith('.log')) continue;
      const text = readFileSync(join(FIXTURES, dir, f), 'utf8');
      let env: Environment | undefined;
      try {
        const r = parseEnvironment(
          readFileSync(join(FIXTURES, dir, f.replace(/\.log$/, '.env.json')), 'utf8'),
        );
        if (r.ok) env = r.env;
      } catch {
        // no environment file: inferred
      }
      // 7x/ holds a copy of a live log: one log, exported once (as the store keeps it once).
      if (out.some((o) => o.text === text)) continue;
      out.push({ name: `${dir}/${f}`, text, ...(env ? { env } : {}) });
    }
  }
  return out;
}

function runsOf(text: string, name: string, env?: Environment): ReportRun[] {
  const rep = diffLog(text, name, env ? { env } : {});
  return rep.runs.map((d) =>
    reportRunOfDiff(d, { hash: logHash(text), source: name, meta: env ? { env } : {} }),
  );
}

const docOf = (runs: ReportRun[]): KcidbDocument =>
  toKcidb({ generatedAt: '2025-07-01T00:00:00Z', origin: 'gupsim', runs });

const logs = fixtureLogs();
const all = docOf(logs.flatMap((l) => runsOf(l.text, l.name, l.env)));

t.test(
  'the fixture logs: issues, incidents and tests validate against the v5.3 rules',
  async (t) => {
    t.same(
      checkKcidb(all),
      [],
      'no rule broken (incl. every incident naming an issue version, build and test that exist)',
    );
    t.ok(all.issues.length >= 6, `issues: ${all.issues.map((i) => i.id).join(', ')}`);
    const tests = new Map(all.tests.map((x) => [x.id, x]));
    const issues = new Map(all.issues.map((i) => [i.id, i]));
    for (const inc of all.incidents) {
      t.ok(
        tests.has(inc.test_id) && issues.has(inc.issue_id),
        `${inc.id} points to an existing test and issue`,
      );
      if (!tests.has(inc.test_id) || !issues.has(inc.issue_id)) break;
    }
    t.equal(
      new Set(all.incidents.map((i) => i.id)).size,
      all.incidents.length,
      'incident ids are unique',
    );
    // Every test whose class names a cause has exactly one incident, and no other test has one.
    const perTest = new Map<string, number>();
    for (const inc of all.incidents) perTest.set(inc.test_id, (perTest.get(inc.test_id) ?? 0) + 1);
    const leaves = all.tests.filter((x) => x.path !== 'kselftest.mm.gup_longterm');
    for (const x of leaves) {
      const triage = String(x.misc?.triage);
      const named = CAUSE_RULES[triage as keyof typeof CAUSE_RULES] !== null;
      if ((perTest.get(x.id) ?? 0) !== (named ? 1 : 0)) {
        t.fail(`${x.id} (${triage}): ${perTest.get(x.id) ?? 0} incident(s)`);
        return;
      }
    }
    t.ok(
      leaves.some((x) => x.misc?.triage === 'match') && leaves.some((x) => perTest.has(x.id)),
      'matches have none, explained results one',
    );
    for (const i of all.issues) {
      t.equal(i.version, ISSUE_VERSION);
      t.match(i.id, /^gupsim:[a-z-]+\.\S+$/, 'gupsim:<cause>');
    }
  },
);

t.test('culprit by class: code, tool, harness; report URLs point at the commit', async (t) => {
  const culprit = (triage: string): string | undefined => {
    const i = all.issues.find((x) => x.misc?.triage === triage);
    return i ? Object.entries(i.culprit).find(([, v]) => v)?.[0] : undefined;
  };
  t.equal(culprit('expected-failure'), 'code');
  t.equal(culprit('test-bug'), 'tool');
  t.equal(culprit('environment'), 'harness');
  t.equal(culprit('infrastructure'), 'harness');
  for (const c of TRIAGE_PRIORITY) t.ok(c in CAUSE_RULES, `${c} has a rule (or null)`);
  t.same(Object.fromEntries(Object.entries(CAUSE_RULES).map(([k, v]) => [k, v?.culprit ?? null])), {
    match: null,
    unexplained: null,
    conflict: null,
    missing: null,
    'expected-failure': 'code',
    'kernel-regression': 'code',
    crash: 'code',
    'test-bug': 'tool',
    environment: 'harness',
    infrastructure: 'harness',
    // Nominal: a known result's cause is the lab's entry, with the entry's own culprit.
    known: 'code',
  });
  const io = all.issues.find((i) => i.id === 'gupsim:expected-failure.34ed8d0dcd69');
  t.match(io, {
    report_url: 'https://git.kernel.org/torvalds/c/34ed8d0dcd69',
    report_subject: /io_uring: rsrc: delegate VMA file-backed check to GUP/,
  });
  // 009: the v6.16–v6.18 defect is 66bce7afbaca's; the report to read is its fix.
  t.match(
    all.issues.find((i) => i.id === 'gupsim:test-bug.66bce7afbaca'),
    { report_url: 'https://git.kernel.org/torvalds/c/21c68ad1d977' },
  );
  const infra = all.issues.find((i) => i.misc?.triage === 'infrastructure');
  t.match(infra?.comment, /liburing\.so\.2/);
  // The loader failure has no result rows: its incident is on the run's suite node.
  const inc = all.incidents.find((x) => x.issue_id === infra?.id);
  t.match(
    all.tests.find((x) => x.id === inc?.test_id),
    { path: 'kselftest.mm.gup_longterm', status: 'ERROR' },
  );
});

t.test(
  'cause keys are stable across kernels, filesystems, line numbers and console timestamps',
  async (t) => {
    const byName = (n: string) => logs.find((l) => l.name.includes(n))!;
    const keysOf = (runs: ReportRun[]): string[] =>
      docOf(runs)
        .issues.map((i) => i.id)
        .sort();
    // 34ed8d0dcd69 in the prototype on mm-unstable (tmpfs/ext4) and on Debian's 6.1 (ext4/ext4).
    const proto = keysOf(runsOf(byName('002-').text, '002', byName('002-').env));
    const deb = keysOf(runsOf(byName('6.1.0-50').text, '6.1', byName('6.1.0-50').env));
    t.ok(
      proto.includes('gupsim:expected-failure.34ed8d0dcd69') &&
        deb.includes('gupsim:expected-failure.34ed8d0dcd69'),
      'one issue for the commit',
    );
    // The same log moved down by ten lines, as another capture of the same machine would be.
    const l004 = byName('004-').text;
    t.same(
      keysOf(runsOf(`${'boot noise\n'.repeat(10)}${l004}`, 'x')),
      keysOf(runsOf(l004, 'y')),
      'no line number in a key',
    );
    const g = byName('6.12.117-guptest');
    const crash = (at: number, stamp: string, addr: string): string[] =>
      keysOf(
        runsOf(
          `${g.text.split('\n').slice(0, at).join('\n')}\n[${stamp}] BUG: kernel NULL pointer dereference, address: ${addr}\n`,
          'crash',
          g.env,
        ),
      );
    const c1 = crash(30, '  123.456', '0000000000000008');
    t.same(
      crash(34, ' 9999.001', '00000000deadbeef'),
      c1,
      'a crash elsewhere, later, at another address: one cause',
    );
    t.match(
      c1.find((k) => k.includes('crash')),
      /^gupsim:crash\.bug-kernel-null-pointer-[0-9a-f]{8}$/,
    );
    const other = keysOf(
      runsOf(
        `${g.text.split('\n').slice(0, 30).join('\n')}\n[  1.000000] Kernel panic - not syncing: Fatal exception\n`,
        'panic',
        g.env,
      ),
    );
    t.not(
      other.find((k) => k.includes('crash')),
      c1.find((k) => k.includes('crash')),
      'another crash message is another cause',
    );
  },
);

t.test('the checker rejects broken issues and incidents', async (t) => {
  const broken = JSON.parse(JSON.stringify(all)) as {
    issues: Record<string, unknown>[];
    incidents: Record<string, unknown>[];
  };
  const i0 = broken.issues[0]!;
  i0.version = 1.5;
  i0.culprit = { code: false, tool: false, harness: false };
  i0.report_url = 'not a uri';
  const n0 = broken.incidents[0]!;
  n0.issue_id = 'gupsim:nonexistent';
  n0.test_id = 'gupsim:nonexistent';
  broken.incidents.push({ ...broken.incidents[1]! });
  const errors = checkKcidb(broken);
  for (const what of [
    /version not an integer/,
    /culprit all false/,
    /report_url not a URI/,
    /issue gupsim:nonexistent version/,
    /test_id gupsim:nonexistent unknown/,
    /duplicate id/,
  ]) {
    t.ok(
      errors.some((e) => what.test(e)),
      `caught: ${what}`,
    );
  }
});

t.test(
  'gupsim diff --kcidb: the objects record + report give, streamed; bad flags are one line',
  async (t) => {
    const dir = t.testdir();
    const db = join(dir, 'g.db');
    const logs = [
      join(FIXTURES, 'public', '004-kitayama-arm64-fvp-9p-run_vmtests-ftruncate-failed.log'),
      join(FIXTURES, 'public', '006-lkft-next-20250616-liburing-missing-exit127.log'),
    ];
    const direct = await cli(['diff', '--kcidb', '--machine', 'fvp', ...logs]);
    t.equal(direct.code, 1, '006 needs a human: exit 1 as in diff');
    const fromDiff = JSON.parse(direct.stdout) as KcidbDocument;
    t.same(checkKcidb(fromDiff), []);
    // record exits as diff does: 004 is explained (0), 006 never ran and needs a human (1).
    for (const [l, code] of [[logs[0]!, 0], [logs[1]!, 1]] as const)
      t.equal(
        (await cli(['record', '--db', db, '--machine', 'fvp', '--date', '2025-01-01', l])).code,
        code,
      );
    const reported = await cli(['report', '--db', db, '--format', 'kcidb']);
    t.equal(reported.code, 0);
    const fromStore = JSON.parse(reported.stdout) as KcidbDocument;
    // What only a store has: the row id and the recording date.
    for (const b of fromStore.builds) {
      delete b.misc?.run_id;
      delete b.start_time;
    }
    for (const x of fromStore.tests) delete x.start_time;
    t.same(fromDiff, fromStore, 'same checkouts, builds, tests, issues and incidents');
    t.ok(fromDiff.incidents.length > 0);

    const junit = await cli(['diff', '--junit', logs[0]!]);
    t.equal(junit.code, 0);
    t.match(junit.stdout, /^<\?xml[^]*<testsuites[^]*<\/testsuites>\n$/);
    t.match(
      junit.stdout,
      /<testcase name="rw\/gup\/shared\/local-tmpfile" /,
      'one run: the bare stable id',
    );
    // Two runs in one log: each name says which run, and no two testcases share a name.
    const both = join(dir, 'two-runs.log');
    writeFileSync(both, readFileSync(logs[0]!, 'utf8').repeat(2));
    const two = await cli(['diff', '--junit', both]);
    const names = [...two.stdout.matchAll(/<testcase name="([^"]*)"/g)].map((m) => m[1]);
    t.ok(
      names.includes('rw/gup/shared/local-tmpfile [run 1]') &&
        names.includes('rw/gup/shared/local-tmpfile [run 2]'),
      'qualified by run',
    );
    t.equal(new Set(names).size, names.length, 'unique');
    const twice = await cli(['diff', '--kcidb', logs[0]!, logs[0]!]);
    t.same(
      JSON.parse(twice.stdout),
      JSON.parse((await cli(['diff', '--kcidb', logs[0]!])).stdout),
      'a log named twice is exported once',
    );
    t.match(twice.stderr, /the same log as .*; exported once/);
    writeFileSync(join(dir, 'empty.log'), 'nothing here\n');
    const none = await cli(['diff', '--kcidb', join(dir, 'empty.log')]);
    t.same([none.code, none.stdout], [2, ''], 'no run: exit 2, nothing on stdout');
    for (const argv of [
      ['--kcidb', '--json'],
      ['--kcidb', '--origin', 'Bad-Origin'],
      ['--origin', 'x'],
    ]) {
      const r = await cli(['diff', ...argv, logs[0]!]);
      t.equal(r.code, 2, argv.join(' '));
      t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    }
  },
);
