/**
 * A lab's known-issues file: the YAML subset it is read as (every construct outside it an
 * error on its line, never another reading), the schema (every mistake one FILE:LINE line,
 * nothing applied), kernel ranges, globs over ids and names, scope and expiry.
 */
import t from 'tap';
import { readYaml } from '../reports/known/yaml.js';
import { parseKnownIssues } from '../reports/known/schema.js';
import { inRange, kernelPoint, parseKernelRange } from '../reports/known/kernel-range.js';
import { compileGlob } from '../reports/known/glob.js';
import { covers, inScope, KnownMatcher } from '../reports/known/match.js';
import type { KnownIssue } from '../reports/known/types.js';

const GOOD = `# the lab's known failures
---
version: 1
issues:
  - id: arm64-fvp.hugetlb_1
    test: "ro/gup-fast/private/memfd-hugetlb-*"   # a comment after a value
    name: ['R/O longterm GUP-fast pin in MAP_PRIVATE file mapping ... with memfd hugetlb (*)']
    kernel: [">=6.12 <6.15", next, "6.18.44"]
    machine: fvp-*
    arch: arm64
    classes: [kernel-regression, unexplained]
    verdicts:
      - fail
      - absent
    reason: "memfd_create() fails: \\"ENOMEM\\" \\u00e9"
    link: https://lore.kernel.org/linux-mm/x@y/
    culprit: harness
    expires: 2031-02-28
    revision: 3
  -
    id: second
    test: iouring/**
    reason: it's fine
    link: http://bugs.example.org/1
`;

t.test('the YAML subset: mappings, lists, quoted and plain scalars, comments', async (t) => {
  const { root, errors } = readYaml(GOOD);
  t.same(errors, []);
  t.equal(root.kind, 'map');
  const r = parseKnownIssues(GOOD, 'k.yaml');
  t.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
  if (!r.ok) return;
  const [a, b] = r.known.issues as [KnownIssue, KnownIssue];
  t.equal(r.known.issues.length, 2);
  t.equal(a.id, 'arm64-fvp.hugetlb_1');
  t.equal(a.line, 5);
  t.equal(a.reason, 'memfd_create() fails: "ENOMEM" é');
  t.same(
    a.tests.map((g) => g.source),
    ['ro/gup-fast/private/memfd-hugetlb-*'],
  );
  t.same(
    a.names.map((g) => g.source),
    ['R/O longterm GUP-fast pin in MAP_PRIVATE file mapping ... with memfd hugetlb (*)'],
  );
  t.same(
    a.kernels.map((k) => k.source),
    ['>=6.12 <6.15', 'next', '6.18.44'],
  );
  t.same([...a.classes], ['kernel-regression', 'unexplained']);
  t.same([...a.verdicts], ['fail', 'absent']);
  t.same(
    [a.culprit, a.expires, a.revision, a.link],
    ['harness', '2031-02-28', 3, 'https://lore.kernel.org/linux-mm/x@y/'],
  );
  // Defaults: every failure class but match and conflict, verdicts fail and error, culprit code.
  t.equal(b.line, 21, 'a "-" alone: the mapping below it');
  t.same([...b.verdicts], ['fail', 'error']);
  t.notOk(b.classes.has('conflict'), 'a conflict is not accepted unless listed');
  t.ok(b.classes.has('kernel-regression') && b.classes.has('expected-failure'));
  t.notOk(b.classes.has('match'));
  t.same([b.culprit, b.revision, b.expires], ['code', 1, null]);
  t.same(b.kernels, [], 'no kernel: every kernel');
});

t.test('YAML outside the subset is an error on its line, never another reading', async (t) => {
  const cases: [string, number, RegExp][] = [
    ['a: &x 1', 1, /anchors/],
    ['a: *x', 1, /aliases/],
    ['a: !!str 1', 1, /tags/],
    ['a: {b: 1}', 1, /flow mappings/],
    ['a: |\n  text', 1, /block scalars/],
    ['a: >=6.1', 1, /quote it/],
    ['a: "open', 1, /does not end on its line/],
    ["a: 'open", 1, /does not end on its line/],
    ['a: "\\q"', 1, /unknown escape/],
    ['a: 1\na: 2', 2, /given twice/],
    ['a:\n\t- x', 2, /tab in the indentation/],
    ['a: 1\n---\nb: 2', 2, /one YAML document/],
    ['a: x: y', 1, /quote a value that holds ": "/],
    ['a: [x, [y]]', 1, /nested sequences/],
    ['a: [x, y', 1, /does not end on its line/],
    ['a: 1\n    b: 2', 2, /indented deeper/],
    ['"a": 1', 1, /keys are written unquoted/],
    ['a: "x" y', 1, /unexpected "y"/],
  ];
  for (const [text, line, re] of cases) {
    const { errors } = readYaml(text);
    t.equal(errors[0]?.line, line, `${JSON.stringify(text)}: line ${line}`);
    t.match(errors[0]?.message ?? '', re, JSON.stringify(text));
  }
  // Scalars stay text: 6.10 is not the number 6.1, yes is not true.
  const { root } = readYaml('a: 6.10\nb: yes\nc: "6.10"\nd: []\ne: it\'s');
  t.same(
    root.kind === 'map'
      ? root.entries.map((e) => (e.value.kind === 'scalar' ? e.value.value : e.value.kind))
      : [],
    ['6.10', 'yes', '6.10', 'seq', "it's"],
  );
});

t.test('the schema: every mistake one FILE:LINE line, and nothing applied', async (t) => {
  const bad = [
    'version: 1',
    'issues:',
    '  - id: a b', // 3
    '    test: "rw/[x"', // 4
    '    kernel: 6.10', // 5
    '    reason: x',
    '    link: ftp://x', // 7
    '    colour: red', // 8
    '  - id: ok-one', // 9
    '    test: rw/**',
    '    kernel: ">=6.1 <6.x"', // 11
    '    classes: [match]', // 12
    '    verdicts: [failed]', // 13
    '    reason: fine',
    '    link: https://example.org',
    '    expires: 2025-02-30', // 16
    '    revision: "2"', // 17
    '  - test: x', // 18
    '  - id: ok-one', // 19
    '    name: y',
    '    reason: r',
    '    link: https://example.org',
    '    culprit: [code, tool]', // 23
  ].join('\n');
  const r = parseKnownIssues(bad, 'lab/known.yaml');
  t.notOk(r.ok, 'refused whole');
  if (r.ok) return;
  const expect: [number, RegExp][] = [
    [3, /id: "a b" must be letters/],
    [4, /test: "rw\/\[x": a "\[" without its "\]"/],
    [5, /kernel: 6\.10 unquoted is the number 6\.1 in YAML; quote it \("6\.10"\)/],
    [7, /link: expected an http\(s\) URL, got "ftp:\/\/x"/],
    [8, /unknown key "colour"/],
    [11, /kernel: "<6\.x": expected e\.g\./],
    [12, /classes: unknown "match"/],
    [13, /verdicts: unknown "failed"/],
    [16, /expires: expected a date YYYY-MM-DD, got "2025-02-30"/],
    [17, /revision: a number, unquoted/],
    [18, /the issue has no id:/],
    [19, /id: "ok-one" is already the id of the issue on line 9/],
    [23, /culprit: one of code, tool, harness/],
  ];
  for (const [line, re] of expect) {
    t.ok(
      r.errors.some((e) => e.startsWith(`lab/known.yaml:${line}: `) && re.test(e)),
      `line ${line}: ${re}`,
    );
  }
  for (const e of r.errors)
    t.match(e, /^lab\/known\.yaml:\d+: [^\n]+$/, 'one line, FILE:LINE: first');
  t.same(
    r.errors,
    [...r.errors].sort((a, b) => Number(a.split(':')[1]) - Number(b.split(':')[1])),
    'in line order',
  );

  const top: [string, RegExp][] = [
    ['issues: []', /:1: no version:/],
    ['version: 2\nissues: []', /:1: version: 2 is not a format this gupsim reads \(1\)/],
    ['version: 1', /:1: no issues:/],
    ['version: 1\nissues:', /:2: issues: no issues listed/],
    ['version: 1\nissues: [a]', /an issue must be a mapping/],
    ['version: 1\nissues: []\nextra: 1', /:3: unknown key "extra"/],
    ['- a', /expected a mapping with version: and issues:/],
  ];
  for (const [text, re] of top) {
    const p = parseKnownIssues(text, 'f');
    t.notOk(p.ok, text);
    if (!p.ok) t.match(p.errors.join('\n'), re, text);
  }
  const empty = parseKnownIssues('version: 1\nissues: []\n', 'f');
  t.ok(empty.ok && empty.known.issues.length === 0, 'an empty list of issues is a file');
});

t.test('kernel ranges: series, releases, rc, stable, next, distribution labels', async (t) => {
  const cases: [string, string, boolean][] = [
    ['>=6.1 <6.10', '6.1', true],
    ['>=6.1 <6.10', '6.1.192', true],
    ['>=6.1 <6.10', '6.1-rc1', true],
    ['>=6.1 <6.10', '6.0.19', false],
    ['>=6.1 <6.10', '6.9.12', true],
    ['>=6.1 <6.10', '6.10-rc1', false],
    ['>=6.1 <6.10', '6.10', false],
    ['>=6.1 <6.10', 'next', false],
    ['>=6.1', 'next', true],
    ['>=6.1', '6.16.0-rc2-next-20250616', true],
    ['<=6.10', '6.10.14', true],
    ['<=6.10', '6.11-rc1', false],
    ['>6.10', '6.10.14', false],
    ['>6.10', '6.11-rc1', true],
    ['6.18', '6.18-rc3', true],
    ['6.18', '6.18.44', true],
    ['6.18', '6.19', false],
    ['6.18.44', '6.18.44', true],
    ['6.18.44', '6.18.45', false],
    ['>=6.18.44', '6.18.45', true],
    ['>=6.18.44', '6.19-rc1', true],
    ['6.16-rc2', '6.16-rc2', true],
    ['6.16-rc2', '6.16', false],
    ['next', 'next', true],
    ['next', '7.2', false],
    ['6.1', '6.1.0-50-amd64', true],
    ['>=6.2', '6.1.0-50-amd64', false],
    ['>=7.0 <7.3', '7.2.13', true],
  ];
  for (const [range, label, want] of cases) {
    const r = parseKernelRange(range);
    if ('error' in r) {
      t.fail(`${range}: ${r.error}`);
      continue;
    }
    const k = kernelPoint(label);
    t.equal(k !== null && inRange(r, k), want, `${label} in "${range}": ${want}`);
  }
  t.equal(kernelPoint('unknown'), null, 'a label without a release is no kernel');
  for (const bad of ['', '>=next', '6', '6.x', '=>6.1'])
    t.ok('error' in parseKernelRange(bad), `"${bad}" refused`);
});

t.test('globs: * within a part of an id, ** across parts, names and labels as text', async (t) => {
  const path = (p: string, s: string): boolean => {
    const g = compileGlob(p, 'path');
    return !('error' in g) && g.re.test(s);
  };
  t.ok(path('rw/*/shared/memfd', 'rw/gup-fast/shared/memfd'));
  t.notOk(path('rw/*', 'rw/gup/shared/memfd'), '* stays within a part');
  t.ok(path('rw/**', 'rw/gup/shared/memfd'));
  t.ok(path('**/memfd', 'iouring/private/memfd'));
  t.ok(path('rw/**/memfd', 'rw/memfd'), '**/ matches no part too');
  t.ok(path('*/gup/shared/memfd-hugetlb-?048kB', 'ro/gup/shared/memfd-hugetlb-2048kB'));
  t.ok(path('iouring/[sp]*/tmpfile', 'iouring/private/tmpfile'));
  t.notOk(path('iouring/[!p]*/tmpfile', 'iouring/private/tmpfile'));
  t.notOk(path('rw/gup', 'rw/gup/shared/memfd'), 'anchored at both ends');
  t.ok(path('cow/anon/(x)+.y', 'cow/anon/(x)+.y'), 'regex characters are themselves');
  const text = compileGlob('R/W * with memfd', 'text');
  t.ok(
    !('error' in text) &&
      text.re.test('R/W longterm GUP pin in MAP_SHARED file mapping ... with memfd'),
    'in names * crosses /',
  );
  t.ok('error' in compileGlob('a[]', 'path'));
});

t.test('scope and expiry: kernel, machine, arch; an entry expires on its day', async (t) => {
  const r = parseKnownIssues(GOOD, 'k.yaml');
  if (!r.ok) return t.fail(r.errors.join('\n'));
  const [a, b] = r.known.issues as [KnownIssue, KnownIssue];
  t.ok(inScope(a, { kernel: '6.12.3', machine: 'fvp-base', arch: 'arm64' }));
  t.notOk(inScope(a, { kernel: '6.12.3', machine: 'fvp-base', arch: 'x86_64' }), 'another arch');
  t.notOk(
    inScope(a, { kernel: '6.12.3', machine: null, arch: 'arm64' }),
    'no machine label: an entry scoped by machine does not apply',
  );
  t.notOk(inScope(a, { kernel: '6.16', machine: 'fvp-base', arch: 'arm64' }), 'another kernel');
  t.notOk(inScope(a, { kernel: null, machine: 'fvp-base', arch: 'arm64' }), 'an unknown kernel');
  t.ok(
    inScope(b, { kernel: null, machine: null, arch: null }),
    'an unscoped entry applies everywhere',
  );
  const res = {
    id: 'ro/gup-fast/private/memfd-hugetlb-2048kB',
    name: 'R/O longterm GUP-fast pin in MAP_PRIVATE file mapping ... with memfd hugetlb (2048 kB)',
    verdict: 'fail' as const,
    class: 'unexplained' as const,
  };
  t.ok(covers(a, res));
  t.notOk(covers(a, { ...res, class: 'environment' }), 'a class it does not list');
  t.notOk(covers(a, { ...res, verdict: 'skip' }), 'a verdict it does not list');
  t.ok(covers(a, { ...res, verdict: null }), '"absent" covers a result the log lacks');
  t.notOk(covers(a, { ...res, name: 'another name' }), 'test and name must both match');
  const before = new KnownMatcher(r.known, new Date('2031-02-27T23:59:59Z'));
  const on = new KnownMatcher(r.known, new Date('2031-02-28T00:00:00Z'));
  t.same(
    before.active.map((e) => e.id),
    ['arm64-fvp.hugetlb_1', 'second'],
  );
  t.same(
    on.active.map((e) => e.id),
    ['second'],
    'not applied from its expiry day on',
  );
  t.same(
    on.expired.map((e) => e.id),
    ['arm64-fvp.hugetlb_1'],
  );
  t.same(
    before.for({ kernel: '6.13', machine: 'fvp-x', arch: 'arm64' }).map((e) => e.id),
    ['arm64-fvp.hugetlb_1', 'second'],
  );
  t.same(
    before.for({ kernel: '6.16', machine: null, arch: null }).map((e) => e.id),
    ['second'],
  );
});
