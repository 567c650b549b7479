import t from 'tap';
import {
  TEST_CASES,
  caseId,
  subtestId,
  subtestIdFromRunName,
  upstreamCaseDescription,
  backingVariantText,
  parseBacking,
} from '../cases/selftests/gup_longterm/ids.js';

t.test('every case and backing round-trips through its [RUN] wording', async (t) => {
  const backings = [
    { kind: 'memfd' as const },
    { kind: 'tmpfile' as const },
    { kind: 'local-tmpfile' as const },
    { kind: 'memfd-hugetlb' as const, sizeKiB: 2048 },
  ];
  const seen = new Set<string>();
  for (const c of TEST_CASES) {
    for (const b of backings) {
      const name = `${upstreamCaseDescription(c)} ... with ${backingVariantText(b)}`;
      const id = subtestIdFromRunName(name);
      t.equal(id, subtestId(c, b), name);
      seen.add(id ?? '');
    }
  }
  t.equal(seen.size, 40, 'ids are unique');
});

t.test('the prototype wording maps to the same ids', async (t) => {
  t.equal(
    subtestIdFromRunName('iouring fixed buffer with MAP_PRIVATE file mapping ... with local tmpfile'),
    'iouring/private/local-tmpfile',
  );
  t.equal(
    subtestIdFromRunName(
      'R/W longterm GUP-fast pin in MAP_SHARED file mapping ... with memfd hugetlb (1048576 kB)',
    ),
    'rw/gup-fast/shared/memfd-hugetlb-1048576kB',
  );
  t.equal(caseId(TEST_CASES[9]!), 'iouring/private');
});

t.test('names that are not gup_longterm sub-tests have no id', async (t) => {
  t.equal(subtestIdFromRunName('Basic COW after fork() ... with base page'), undefined);
  t.equal(subtestIdFromRunName('no separator here'), undefined);
  t.equal(parseBacking('memfd hugetlb (2 MB)'), undefined);
});
