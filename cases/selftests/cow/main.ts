/**
 * cow.c's main(): detect what the machine has (PMD size, THP sizes, hugetlb sizes, the huge
 * zeropage, gup_test), announce the plan as the C computes it from that, and run the three
 * groups — anonymous memory on every backing, the THP collapse tests, non-anonymous memory.
 * Each THP size runs with its sysfs `enabled` forced to `always` (and the PMD size to `never`),
 * which needs root.
 */
import { GUP_TEST_PATH } from '../../../kernel-model/task.js';
import { HugepageSettings } from '../../kselftest/hugepage-settings.js';
import {
  detectHugeZeropage,
  readPmdPagesize,
  ThpSettingsHelper,
} from '../../kselftest/thp-settings.js';
import { detectHugetlbPageSizes } from '../../kselftest/vm-util.js';
import type { ProcessExit } from '../../libc/process.js';
import type { SelftestContext } from '../common.js';
import {
  runWithBasePage,
  runWithHugeZeropage,
  runWithHugetlb,
  runWithMemfd,
  runWithMemfdHugetlb,
  runWithThp,
  runWithTmpfile,
  runWithZeropage,
  type NonAnonFn,
  type ThpRun,
} from './backings.js';
import { CowCtx } from './context.js';
import {
  ANON_FAMILIES,
  collapseLabel,
  COLLAPSE_FAMILIES,
  cowLabel,
  NON_ANON_FAMILIES,
  type BackingKey,
} from './ids.js';
import { ANON_TESTS, collapse, roPin, type CollapseTest, type TestFn } from './tests.js';
import type { CowVariant } from './variant.js';

/** The THP shapes run per size, in order (the first two only at the PMD size). */
const THP_RUNS: readonly [ThpRun, BackingKey][] = [
  ['pmd', 'thp'],
  ['pmd-swapout', 'thpSwapped'],
  ['pte', 'pteThp'],
  ['pte-swapout', 'pteThpSwapped'],
  ['single-pte', 'singlePte'],
  ['single-pte-swapout', 'singlePteSwapped'],
  ['partial-mremap', 'mremapThp'],
  ['partial-shared', 'sharedThp'],
];

const COLLAPSE_TESTS: readonly CollapseTest[] = [
  'unshared',
  'fully-shared',
  'lower-shared',
  'upper-shared',
];

const NON_ANON_TESTS: readonly NonAnonFn[] = [
  // test_cow(): writing the private mapping must not show through the other one.
  (c, mem, smem, size, hugetlb) => {
    const n = c.units(size, hugetlb);
    const old = c.buf(0, n);
    c.proc.loadLabels(smem, size, old);
    c.proc.memsetByte(mem, size, 0xff);
    const now = c.buf(1, n);
    c.proc.loadLabels(smem, size, now);
    let same = true;
    for (let i = 0; i < n; i++) if (old[i] !== now[i]) same = false;
    c.verdict(same, 'Other mapping not modified', 'Other mapping modified', false, true);
  },
  (c, mem, _smem, size, hugetlb) => roPin(c, mem, size, hugetlb, 'plain', false),
  (c, mem, _smem, size, hugetlb) => roPin(c, mem, size, hugetlb, 'plain', true),
];

/** detect_thp_sizes(): the PMD order plus every order with a per-size sysfs file. */
function detectThpSizes(c: CowCtx): void {
  const thp = c.thp!;
  let orders = (1 << thp.order(c.pmdsize)) | (c.v.mthp ? thp.supportedOrders() : 0);
  for (let i = 0; orders && c.thpsizes.length < 20; i++) {
    if (!(orders & (1 << i))) continue;
    orders &= ~(1 << i);
    const kb = (c.pagesize / 1024) * 2 ** i;
    c.thpsizes.push(kb * 1024);
    c.ksft.printMsg(`[INFO] detected THP size: ${kb} KiB\n`);
  }
}

export function runCow(ctx: SelftestContext, v: CowVariant): ProcessExit {
  const { proc, ksft } = ctx;
  const c = new CowCtx(proc, ksft, ctx.liburing, ctx.hooks, v);
  // The THP helpers write sysfs through vm_util.c: its own kselftest.h counters.
  const thp = new ThpSettingsHelper(
    proc,
    ksft.translationUnit(),
    v.thpHelper === 'none' ? 'thp_settings' : v.thpHelper,
  );
  const settings = new HugepageSettings(proc, ksft, thp);
  c.thp = thp;

  if (v.headerFirst) ksft.printHeader();
  // hugepage_settings.c: saved first, restored at exit; thp_settings.c: saved after the read.
  if (v.thpHelper === 'hugepage_settings') settings.save(true, false);
  c.pagesize = proc.getpagesize();
  c.pmdsize = readPmdPagesize(proc);
  if (c.pmdsize && v.thpHelper === 'none') {
    // Before v6.8: the PMD size is the one THP size, run with the admin's policy.
    c.thpsizes.push(c.pmdsize);
    ksft.printMsg(`[INFO] detected THP size: ${c.pmdsize / 1024} KiB\n`);
  } else if (c.pmdsize) {
    // Only if THP is supported.
    const defaults = thp.read();
    defaults.hugepages[thp.order(c.pmdsize)] = 'inherit';
    if (v.thpHelper === 'thp_settings') thp.save();
    thp.push(defaults);
    ksft.printMsg(`[INFO] detected PMD size: ${c.pmdsize / 1024} KiB\n`);
    detectThpSizes(c);
  }
  c.hugetlbsizes = v.hugetlbSetup
    ? settings.hugetlbSetup(2, 10)
    : detectHugetlbPageSizes(proc, ksft, 10, v.hugetlbWording);
  c.hasHugeZeropage = detectHugeZeropage(proc);
  if (c.hasHugeZeropage && v.hugeZeropageInfo) ksft.printMsg('[INFO] huge zeropage is enabled\n');
  // Before a6fcd57cf2df (v6.7) the header came after the [INFO] lines.
  if (!v.headerFirst) ksft.printHeader();

  const anonCases = ANON_FAMILIES.filter((f) => !('liburing' in f) || ctx.liburing !== undefined);
  const perAnon = 2 + c.hugetlbsizes.length + 6 * c.thpsizes.length + (c.pmdsize ? 2 : 0);
  const perCollapse = v.collapse && c.pmdsize ? 1 : 0;
  const perNonAnon = 3 + c.hugetlbsizes.length + (c.pmdsize ? 1 : 0);
  ksft.setPlan(
    anonCases.length * perAnon +
      COLLAPSE_FAMILIES.length * perCollapse +
      NON_ANON_FAMILIES.length * perNonAnon,
  );

  c.gupFd = proc.open(GUP_TEST_PATH);

  // run_anon_test_cases()
  ksft.printMsg('[INFO] Anonymous memory tests in private mappings\n');
  for (const family of anonCases) {
    const fn: TestFn = ANON_TESTS[ANON_FAMILIES.indexOf(family)]!;
    c.start(cowLabel(family, 'basePage'));
    runWithBasePage(c, fn, false);
    c.end();
    c.start(cowLabel(family, 'basePageSwapped'));
    runWithBasePage(c, fn, true);
    c.end();
    for (const size of c.thpsizes) {
      if (v.mthp) {
        const s = thp.current().copy();
        s.hugepages[thp.order(c.pmdsize)] = 'never';
        s.hugepages[thp.order(size)] = 'always';
        thp.push(s);
      }
      for (const [run, backing] of THP_RUNS) {
        if ((run === 'pmd' || run === 'pmd-swapout') && size !== c.pmdsize) continue;
        c.start(cowLabel(family, backing, size / 1024, v.mthp));
        runWithThp(c, fn, run, size);
        c.end();
      }
      if (v.mthp) thp.pop();
    }
    for (const size of c.hugetlbsizes) {
      c.start(cowLabel(family, 'hugetlb', size / 1024));
      runWithHugetlb(c, fn, size);
      c.end();
    }
  }

  // run_anon_thp_test_cases()
  if (v.collapse && c.pmdsize) {
    ksft.printMsg('[INFO] Anonymous THP tests\n');
    COLLAPSE_FAMILIES.forEach((family, i) => {
      c.start(collapseLabel(family));
      runWithThp(
        c,
        (cc, mem, size) => collapse(cc, mem, size, COLLAPSE_TESTS[i]!),
        'pmd',
        c.pmdsize,
      );
      c.end();
    });
  }

  // run_non_anon_test_cases()
  ksft.printMsg('[RUN] Non-anonymous memory tests in private mappings\n');
  NON_ANON_FAMILIES.forEach((family, i) => {
    const fn = NON_ANON_TESTS[i]!;
    c.start(cowLabel(family, 'zeropage'));
    runWithZeropage(c, fn);
    c.end();
    c.start(cowLabel(family, 'memfd'));
    runWithMemfd(c, fn);
    c.end();
    c.start(cowLabel(family, 'tmpfile'));
    runWithTmpfile(c, fn);
    c.end();
    if (c.pmdsize) {
      c.start(cowLabel(family, 'hugeZeropage'));
      runWithHugeZeropage(c, fn);
      c.end();
    }
    for (const size of c.hugetlbsizes) {
      c.start(cowLabel(family, 'memfdHugetlb', size / 1024));
      runWithMemfdHugetlb(c, fn, size);
      c.end();
    }
  });

  // Only if THP is supported (hugepage_settings.c restores from its atexit handler).
  if (c.pmdsize && v.thpHelper === 'thp_settings') thp.restore();
  if (v.finished) return ksft.finishedReturning();
  const err = ksft.getFailCnt();
  if (err) return ksft.exitFailMsgReturning(`${err} out of ${ksft.testNum()} tests failed\n`);
  return ksft.exitPassReturning();
}
