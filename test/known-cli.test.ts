/**
 * `--known FILE` through the CLI: diff (text, --json, --tap, --kcidb, --junit), record,
 * history, compare and report (kcidb, junit, json, html). A listed failure is `known` with its
 * reason and link and needs no human (exit 0); an entry whose tests now pass is reported as no
 * longer seen (KCIDB: an incident with present: false); the store keeps gupsim's own triage;
 * a file with mistakes is one FILE:LINE line each, exit 2, and nothing is read or recorded.
 */
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KcidbDocument } from '../reports/formats/index.js';
import { checkKcidb } from './helpers/kcidb-check.js';
import { cli, diffJsonRuns, FIXTURES } from './helpers.js';

const pub = (f: string): string => join(FIXTURES, 'public', f);
const FAIL_LOG = pub('008-stoakes-2025-after-unique-names-fail.log');
const PASS_LOG = pub('001-hildenbrand-v1-cover-all-pass.log');

const KNOWN = `# the lab's known failures
version: 1
issues:
  - id: hugetlb-enomem
    test: ro/gup-fast/private/memfd-hugetlb-*
    reason: memfd_create() of hugetlb memory fails with ENOMEM on the 2025 machine
    link: https://lore.kernel.org/linux-mm/enomem/
    culprit: harness
    revision: 2
  - id: iouring-private
    test: iouring/private/*
    reason: an io_uring bug since fixed
    link: https://bugzilla.kernel.org/show_bug.cgi?id=1
`;

t.test(
  'diff --known: a listed failure is known, exit 0; an entry whose tests pass is no longer seen',
  async (t) => {
    const dir = t.testdir({ 'known.yaml': KNOWN });
    const known = join(dir, 'known.yaml');
    const plain = await cli(['diff', FAIL_LOG]);
    t.equal(plain.code, 1, 'without the file: it needs a human');
    const r = await cli(['diff', '--known', known, FAIL_LOG, PASS_LOG]);
    t.equal(r.code, 0, r.stderr);
    t.match(
      r.stdout,
      /008-stoakes-2025-after-unique-names-fail\.log: run 1 \(lines 1–6\): KNOWN\n  2 failure\(s\) known to the lab: ro\/gup-fast\/private\/memfd-hugetlb-2048kB: hugetlb-enomem: /,
    );
    t.match(
      r.stdout,
      /# 39 {2}ro\/gup-fast\/private\/memfd-hugetlb-2048kB +FAIL \(model SKIP\) +known\n +known issue hugetlb-enomem: memfd_create\(\) of hugetlb memory fails with ENOMEM on the 2025 machine \(https:\/\/lore\.kernel\.org\/linux-mm\/enomem\/\); gupsim: unexplained: the log fails it/,
    );
    t.match(
      r.stdout,
      /001-hildenbrand-v1-cover-all-pass\.log: run 1 \(lines 1–\d+\): MATCH\n[^]*known issue iouring-private not seen here: iouring\/private\/memfd passes/,
    );
    t.match(
      r.stdout,
      /\nknown issues \(.*known\.yaml\): 2 entries\n  hugetlb-enomem: known issue no longer seen since \S*008-stoakes-2025-after-unique-names-fail\.log run 1 \(\S*001-hildenbrand-v1-cover-all-pass\.log run 1: ro\/gup-fast\/private\/memfd-hugetlb-2048kB passes, [^\n]*\); seen in 1 of 2 run\(s\) in scope\n  iouring-private: known issue no longer seen: in scope of 2 run\(s\), none fails as listed/,
    );
    const alone = await cli(['diff', '--known', known, FAIL_LOG]);
    t.match(
      alone.stdout,
      /\n  hugetlb-enomem: seen in 1 run\(s\) — memfd_create\(\) of hugetlb memory/,
    );

    const j = JSON.parse((await cli(['diff', '--json', '--known', known, FAIL_LOG])).stdout) as {
      known: { file: string; issues: { issue: { id: string }; status: string; seen: number }[] };
    };
    const runs = diffJsonRuns(
      (await cli(['diff', '--json', '--known', known, FAIL_LOG])).stdout,
    ) as unknown as {
      triage: string;
      subtests: { class: string; known?: { id: string; was: string; link: string } }[];
      knownNotes: { issue: string; status: string }[];
    }[];
    t.equal(runs[0]?.triage, 'known');
    t.match(runs[0]?.subtests[0], {
      class: 'known',
      known: {
        id: 'hugetlb-enomem',
        was: 'unexplained',
        link: 'https://lore.kernel.org/linux-mm/enomem/',
      },
    });
    t.same(
      runs[0]?.knownNotes.map((n) => [n.issue, n.status]),
      [
        ['hugetlb-enomem', 'seen'],
        ['iouring-private', 'absent'],
      ],
    );
    t.match(j.known, {
      file: known,
      issues: [
        { issue: { id: 'hugetlb-enomem' }, status: 'seen', seen: 1 },
        { issue: { id: 'iouring-private' }, status: 'no-longer-seen' },
      ],
    });

    const tap = await cli(['diff', '--tap', '--known', known, FAIL_LOG]);
    t.equal(tap.code, 0);
    t.match(
      tap.stdout,
      /\nnot ok 1 - .* ro\/gup-fast\/private\/memfd-hugetlb-2048kB # TODO known hugetlb-enomem: memfd_create\(\) of hugetlb memory fails with ENOMEM on the 2025 machine\n/,
    );
  },
);

t.test('scope: a kernel range, a machine, an expired entry', async (t) => {
  const dir = t.testdir({
    'k.yaml': `version: 1
issues:
  - id: old-kernels
    test: "**"
    kernel: ">=6.1 <6.10"
    reason: r
    link: https://example.org/1
  - id: lab-1-only
    test: "**"
    machine: lab-1
    reason: r
    link: https://example.org/2
  - id: expired
    test: "**"
    expires: 2001-01-01
    reason: r
    link: https://example.org/3
`,
  });
  const k = join(dir, 'k.yaml');
  t.equal(
    (await cli(['diff', '--known', k, '--kernel', '6.18.44', FAIL_LOG])).code,
    1,
    'another kernel, another machine: not known',
  );
  const old = await cli(['diff', '--known', k, '--kernel', '6.6', FAIL_LOG]);
  t.equal(old.code, 0, 'a kernel in range');
  t.match(old.stdout, /known issue old-kernels/);
  const lab = await cli([
    'diff',
    '--known',
    k,
    '--kernel',
    '6.18.44',
    '--machine',
    'lab-1',
    FAIL_LOG,
  ]);
  t.equal(lab.code, 0, 'the machine named');
  t.match(lab.stdout, /known issue lab-1-only/);
  t.match(lab.stdout, /\n  expired: expired on 2001-01-01, not applied/);
  t.match(
    (await cli(['diff', '--machine', 'x', FAIL_LOG])).stderr,
    /--machine labels --kcidb or --junit output, or scopes --known entries/,
  );
});

t.test(
  'a known-issues file with mistakes: one FILE:LINE line each, exit 2, nothing read',
  async (t) => {
    const dir = t.testdir({
      'bad.yaml':
        'version: 1\nissues:\n  - id: a\n    test: "**"\n    kernel: 6.10\n    reason: r\n  - id: a\n    test: x\n    reason: r\n    link: mailto:x\n',
      'notutf8.yaml': Buffer.from([0x76, 0x3a, 0xff, 0x0a]),
    });
    const bad = join(dir, 'bad.yaml');
    for (const cmd of [
      ['diff', FAIL_LOG],
      ['record', '--db', join(dir, 'h.db'), FAIL_LOG],
      ['history', '--db', join(dir, 'h.db')],
      ['compare', FAIL_LOG, PASS_LOG],
      ['report', '--format', 'json', '--db', join(dir, 'h.db')],
    ]) {
      const r = await cli([...cmd, '--known', bad]);
      t.equal(r.code, 2, `${cmd[0]}: exit 2`);
      t.equal(r.stdout, '', `${cmd[0]}: nothing on stdout`);
      const lines = r.stderr.trimEnd().split('\n');
      t.same(
        lines.map((l) => l.replace(/^gupsim \w+: .*bad\.yaml:(\d+): .*$/, '$1')),
        ['3', '5', '7', '10'],
        `${cmd[0]}: one line per mistake, in line order: ${r.stderr}`,
      );
      t.match(r.stderr, /bad\.yaml:3: the issue has no link:/);
      t.match(r.stderr, /bad\.yaml:7: id: "a" is already the id of the issue on line 3/);
    }
    t.notOk(
      readFileSyncOrNull(join(dir, 'h.db')),
      'record stored nothing: the file is checked first',
    );
    const missing = await cli(['diff', '--known', join(dir, 'nope.yaml'), FAIL_LOG]);
    t.equal(missing.code, 2);
    t.match(missing.stderr, /^gupsim diff: --known .*nope\.yaml: ENOENT\n$/);
    const dirArg = await cli(['diff', '--known', dir, FAIL_LOG]);
    t.match(dirArg.stderr, /is a directory/);
    t.match(
      (await cli(['diff', '--known', join(dir, 'notutf8.yaml'), FAIL_LOG])).stderr,
      /notutf8\.yaml: not UTF-8 text/,
    );
  },
);

function readFileSyncOrNull(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}

t.test(
  'record, history, compare, report: the store keeps gupsim’s triage; readers apply the file',
  async (t) => {
    const regressed = readFileSync(PASS_LOG, 'utf8').replace(
      '\tok 41 Should have worked',
      '\tnot ok 41 Should have worked',
    );
    const dir = t.testdir({
      'known.yaml': `${KNOWN}  - id: iouring-shared-memfd
    test: iouring/shared/memfd
    kernel: ">=6.12"
    reason: io_uring on memfd regressed on this machine
    link: https://lore.kernel.org/io-uring/memfd/
`,
      'regressed.log': regressed,
    });
    const known = join(dir, 'known.yaml');
    const db = join(dir, 'h.db');
    const rec = await cli([
      'record',
      '--db',
      db,
      '--machine',
      'lab-1',
      '--kernel',
      '6.12.3',
      '--date',
      '2025-01-01',
      '--known',
      known,
      PASS_LOG,
    ]);
    t.equal(rec.code, 0, rec.stderr);
    t.match(rec.stdout, /^run 1: .* match: /);
    t.match(rec.stdout, /\nknown issues \(.*\): 3 entries\n/);
    const rec2 = await cli([
      'record',
      '--db',
      db,
      '--machine',
      'lab-1',
      '--kernel',
      '6.12.4',
      '--date',
      '2025-02-01',
      '--known',
      known,
      join(dir, 'regressed.log'),
    ]);
    t.equal(rec2.code, 0, `a known regression needs no human: ${rec2.stdout}`);
    t.match(
      rec2.stdout,
      /^run 2: .* known: 1 failure\(s\) known to the lab: iouring\/shared\/memfd: iouring-shared-memfd: /,
    );
    const again = await cli([
      'record',
      '--db',
      db,
      '--machine',
      'lab-1',
      join(dir, 'regressed.log'),
    ]);
    t.equal(again.code, 1, 'without the file, the stored triage: it needs a human');
    t.match(again.stdout, /already recorded \(run 2\)/);
    const json = await cli([
      'record',
      '--db',
      db,
      '--json',
      '--known',
      known,
      join(dir, 'regressed.log'),
    ]);
    t.match(JSON.parse(json.stdout), {
      duplicate: true,
      runs: [
        {
          id: 2,
          triage: 'known',
          knownNotes: [
            {
              issue: 'hugetlb-enomem',
              status: 'not-seen',
              tests: [
                'ro/gup-fast/private/memfd-hugetlb-2048kB passes',
                'ro/gup-fast/private/memfd-hugetlb-1048576kB passes',
              ],
            },
            { issue: 'iouring-private', status: 'not-seen' },
            { issue: 'iouring-shared-memfd', status: 'seen', tests: ['iouring/shared/memfd'] },
          ],
        },
      ],
    });

    const plainHistory = JSON.parse((await cli(['history', '--db', db, '--json'])).stdout) as {
      runs: { triage: string }[];
    };
    t.same(
      plainHistory.runs.map((r) => r.triage),
      ['match', 'kernel-regression'],
      'the store keeps gupsim’s own triage',
    );
    const h = await cli(['history', '--db', db, '--known', known]);
    t.equal(h.code, 0);
    t.match(
      h.stdout,
      /iouring\/shared\/memfd @lab-1: last pass run 1 \(6\.12\.3, 2025-01-01\), first fail run 2 \(6\.12\.4, 2025-02-01\); 1 failing run — known issue iouring-shared-memfd: io_uring on memfd regressed on this machine \(https:\/\/lore\.kernel\.org\/io-uring\/memfd\/\)/,
    );
    t.match(
      h.stdout,
      /\nKnown issues \(.*known\.yaml\):\n  hugetlb-enomem: known issue no longer seen: in scope of 2 run\(s\)[^\n]*@lab-1\n  iouring-private: known issue no longer seen[^\n]*\n  iouring-shared-memfd: seen in 1 of 2 run\(s\) in scope, the last in run 2/,
    );
    const hj = JSON.parse(
      (await cli(['history', '--db', db, '--json', '--known', known])).stdout,
    ) as {
      runs: { triage: string }[];
      failingSince: { id: string; known?: { id: string } }[];
      known: {
        machines: { machine: string; issues: { issue: { id: string }; status: string }[] }[];
      };
    };
    t.same(
      hj.runs.map((r) => r.triage),
      ['match', 'known'],
    );
    t.same(
      hj.failingSince.map((f) => [f.id, f.known?.id]),
      [['iouring/shared/memfd', 'iouring-shared-memfd']],
    );
    t.same(
      hj.known.machines.map((m) => [m.machine, m.issues.map((i) => i.status)]),
      [['lab-1', ['no-longer-seen', 'no-longer-seen', 'partly-seen']]],
    );

    const cmp = await cli(['compare', '--db', db, '1', '2']);
    t.equal(cmp.code, 1, 'an unexpected regression needs a human');
    const cmpKnown = await cli(['compare', '--db', db, '--known', known, '1', '2']);
    t.equal(cmpKnown.code, 0, cmpKnown.stdout);
    t.match(
      cmpKnown.stdout,
      /iouring\/shared\/memfd: pass → fail — .* — known issue iouring-shared-memfd: io_uring on memfd regressed on this machine/,
    );
    t.match(
      cmpKnown.stdout,
      /\nKnown issues no longer seen in run 2 \(6\.12\.4 @lab-1\) \(.*\):\n  hugetlb-enomem: ro\/gup-fast\/private\/memfd-hugetlb-2048kB passes, [^\n]*\n  iouring-private: iouring\/private\/memfd passes/,
    );
    const back = await cli(['compare', '--db', db, '--known', known, '2', '1']);
    t.match(
      back.stdout,
      /iouring\/shared\/memfd: fail → pass — .* — known issue iouring-shared-memfd no longer seen/,
    );
    // Logs compared directly are scoped by their environment's kernel (here inferred).
    const logs = await cli(['compare', '--known', known, PASS_LOG, join(dir, 'regressed.log')]);
    t.equal(logs.code, 0, logs.stdout);
    const cj = JSON.parse(
      (await cli(['compare', '--json', '--db', db, '--known', known, '1', '2'])).stdout,
    ) as {
      regressions: { id: string; known?: { id: string } }[];
      known: { noLongerSeen: { issue: string }[] };
    };
    t.same(
      cj.regressions.map((f) => [f.id, f.known?.id]),
      [['iouring/shared/memfd', 'iouring-shared-memfd']],
    );
    t.same(
      cj.known.noLongerSeen.map((g) => g.issue),
      ['hugetlb-enomem', 'iouring-private'],
    );

    // report: every format carries the file.
    const kcidb = JSON.parse(
      (await cli(['report', '--db', db, '--format', 'kcidb', '--origin', 'lab', '--known', known]))
        .stdout,
    ) as KcidbDocument;
    t.same(checkKcidb(kcidb), [], 'valid KCIDB v5.3');
    const issue = kcidb.issues.find((i) => i.id === 'lab:known.iouring-shared-memfd');
    t.match(issue, {
      version: 1,
      culprit: { code: true, tool: false, harness: false },
      report_url: 'https://lore.kernel.org/io-uring/memfd/',
      comment: 'io_uring on memfd regressed on this machine',
      misc: { triage: 'known', known_issue: 'iouring-shared-memfd' },
    });
    const present = kcidb.incidents.filter(
      (i) => i.issue_id === 'lab:known.iouring-shared-memfd' && i.present,
    );
    t.equal(present.length, 2, 'run 2: its test, and its suite node (the run is known)');
    t.match(present[0], { issue_version: 1 });
    const notThen = kcidb.incidents.filter(
      (i) => i.issue_id === 'lab:known.iouring-shared-memfd' && !i.present,
    );
    t.equal(notThen.length, 1, 'run 1, in scope (6.12.3), the test passed: present: false');
    const test = kcidb.tests.find((x) => x.id === present[0]!.test_id);
    t.match(test, {
      status: 'FAIL',
      misc: { triage: 'known', cause: 'lab:known.iouring-shared-memfd' },
    });
    t.ok(
      kcidb.incidents.some(
        (i) => i.test_id === test?.id && i.issue_id !== 'lab:known.iouring-shared-memfd',
      ),
      'gupsim’s own account of it stays an incident too',
    );
    const gone = kcidb.incidents.filter((i) => i.issue_id === 'lab:known.iouring-private');
    t.ok(
      gone.length >= 10 && gone.every((i) => i.present === false),
      `not seen: ${gone.length} incidents with present: false`,
    );
    t.match(
      kcidb.issues.find((i) => i.id === 'lab:known.iouring-private'),
      { culprit: { code: true } },
    );
    t.match(
      kcidb.issues.find((i) => i.id === 'lab:known.hugetlb-enomem'),
      { version: 2, culprit: { code: false, tool: false, harness: true } },
    );

    const junit = (await cli(['report', '--db', db, '--format', 'junit', '--known', known])).stdout;
    t.match(
      junit,
      /<testcase name="iouring\/shared\/memfd \[regressed\.log\]"[^>]*>\s*<properties>[^]*?<property name="triage" value="known"\/>[^]*?<property name="known" value="iouring-shared-memfd"\/><property name="known\.link" value="https:\/\/lore\.kernel\.org\/io-uring\/memfd\/"\/><property name="known\.was" value="kernel-regression"\/><\/properties>\s*<skipped message="xfail \(known issue iouring-shared-memfd\): io_uring on memfd regressed on this machine \(https:\/\/lore\.kernel\.org\/io-uring\/memfd\/\)"\/>/,
    );
    t.match(
      junit,
      /<property name="known\.not-seen" value="hugetlb-enomem iouring-private iouring-shared-memfd"\/>[^]*<property name="known\.not-seen" value="hugetlb-enomem iouring-private"\/>/,
    );
    const rj = JSON.parse(
      (await cli(['report', '--db', db, '--format', 'json', '--known', known])).stdout,
    ) as {
      runs: { run: { triage: string }; results: { class: string; known?: { id: string } }[] }[];
      known: { file: string; issues: { status: string }[] };
    };
    t.same(
      rj.runs.map((r) => r.run.triage),
      ['match', 'known'],
    );
    t.equal(rj.runs[1]?.results.find((r) => r.known)?.known?.id, 'iouring-shared-memfd');
    t.equal(rj.known.issues.length, 3);
    const html = (await cli(['report', '--db', db, '--format', 'html', '--known', known])).stdout;
    t.match(html, /class="cell v-fail t-known"/);
    t.match(
      html,
      /Known issues \(<bdi>.*known\.yaml<\/bdi>\):<ul><li>hugetlb-enomem: known issue no longer seen/,
    );
    const withoutFile = JSON.parse(
      (await cli(['report', '--db', db, '--format', 'json'])).stdout,
    ) as { runs: { run: { triage: string } }[] };
    t.same(
      withoutFile.runs.map((r) => r.run.triage),
      ['match', 'kernel-regression'],
      'report without the file: gupsim’s triage',
    );
  },
);

t.test(
  'diff --kcidb / --junit --known: the same issues and incidents as record + report',
  async (t) => {
    const dir = t.testdir({ 'known.yaml': KNOWN });
    const known = join(dir, 'known.yaml');
    const direct = await cli([
      'diff',
      '--kcidb',
      '--origin',
      'lab',
      '--machine',
      'm',
      '--known',
      known,
      FAIL_LOG,
    ]);
    t.equal(direct.code, 0);
    const doc = JSON.parse(direct.stdout) as KcidbDocument;
    t.same(checkKcidb(doc), []);
    t.match(
      doc.issues.find((i) => i.id === 'lab:known.hugetlb-enomem'),
      { version: 2, culprit: { code: false, tool: false, harness: true } },
    );
    t.equal(
      doc.incidents.filter((i) => i.issue_id === 'lab:known.hugetlb-enomem' && i.present).length,
      3,
      'two tests and the suite node',
    );
    const db = join(dir, 'h.db');
    await cli(['record', '--db', db, '--machine', 'm', FAIL_LOG]);
    const stored = JSON.parse(
      (await cli(['report', '--db', db, '--format', 'kcidb', '--origin', 'lab', '--known', known]))
        .stdout,
    ) as KcidbDocument;
    t.same(stored.issues, doc.issues, 'the same issues');
    t.same(
      stored.incidents.map((i) => [i.id, i.issue_id, i.present]),
      doc.incidents.map((i) => [i.id, i.issue_id, i.present]),
      'the same incidents',
    );
    const junit = await cli(['diff', '--junit', '--known', known, FAIL_LOG]);
    t.equal(junit.code, 0);
    t.match(junit.stdout, /<skipped message="xfail \(known issue hugetlb-enomem\): /);
    writeFileSync(join(dir, 'empty.yaml'), 'version: 1\nissues: []\n');
    const none = await cli(['diff', '--known', join(dir, 'empty.yaml'), FAIL_LOG]);
    t.equal(none.code, 1, 'an empty file accepts nothing');
    t.match(none.stdout, /known issues \(.*empty\.yaml\): 0 entries/);
  },
);
