/**
 * cow's inference. Most of what its output depends on is printed, or shows in the reasons of
 * its SKIPs: the PMD, THP and hugetlb sizes are [INFO] lines; "MADV_PAGEOUT did not work" is a
 * machine without swap; "gup_test not available" one without CONFIG_GUP_TEST; the collapse
 * rows' "Did not get a THP populated" a THP policy of `never`; "Huge zeropage not enabled"
 * `use_zero_page` 0; "io_uring_queue_init() failed" io_uring disabled; the tmpfile rows'
 * fallocate() failure a /tmp without fallocate; a sysfs write that bails out a user who is not
 * root; the plan the liburing build. So the machine is built from the log (facts worded
 * here), and a search — a full cow prediction takes ~10 ms — varies only the tree and, when
 * that machine does not reproduce the log, the kernel.
 */
import { environmentFromJson, fsText, type Environment } from '../../env.js';
import type { Chosen } from '../../../reports/diff/infer-search.js';
import type { InferredEnvironment, InferredFact } from '../../../reports/diff/types.js';
import type { DimensionOption } from '../../../reports/diff/infer-dimensions.js';
import type { ObservedSubtest, ParsedRun } from '../../../reports/parse/types.js';
import type { InferencePlan, SelftestInference } from '../plugin.js';
import { cowBuild } from './build.js';

type Fact<T> = InferredFact<T>;
const certain = <T>(value: T, because: string): Fact<T> => ({
  value,
  certainty: 'certain',
  because,
});
const likely = <T>(value: T, because: string): Fact<T> => ({ value, certainty: 'likely', because });
const guessed = <T>(value: T, because: string): Fact<T> => ({ value, certainty: 'guess', because });

/** The reason a row gives (E1: its result text; E2: its last `# ` line). */
const reasonOf = (o: ObservedSubtest): string => o.reason ?? '';
const ran = (o: ObservedSubtest): boolean => o.verdict !== 'skip' && o.verdict !== 'missing';

/** The observed rows (first result of each id), with predicates over them. */
class Rows {
  readonly all: ObservedSubtest[];
  constructor(run: ParsedRun) {
    this.all = run.subtests.filter((o) => o.id !== null && o.repeatOf === null);
  }
  of(pred: (id: string) => boolean): ObservedSubtest[] {
    return this.all.filter((o) => pred(o.id!));
  }
  skipped(pred: (id: string) => boolean, reason: string): boolean {
    return this.of(pred).some((o) => o.verdict === 'skip' && reasonOf(o).startsWith(reason));
  }
  ran(pred: (id: string) => boolean): boolean {
    return this.of(pred).some(ran);
  }
}

const SYSFS_BAIL = /^Bail out! \/sys\/kernel\/mm\/\S+ (?:open|write) failed: Permission denied/;
const SIZED = /\/(?:memfd-)?hugetlb-(\d+)kB$/;

/** The trees whose cow.c raises the hugetlb pools itself (hugetlb_setup(2, …), the 7.2 tree). */
const setsUpHugetlb = (tree: string): boolean => /^(?:7\.([2-9]|\d\d)|[89]\.|next)/.test(tree);

interface Read {
  facts: Record<string, Fact<unknown>>;
  /** What the io_uring rows say of RLIMIT_MEMLOCK accounting, when they show it. */
  charged: Charged | null;
  json: Record<string, unknown>;
}

/** A modelled kernel that charges io_uring rings to RLIMIT_MEMLOCK (io_create_region(ctx, …), 6.14 on). */
const RING_CHARGING_KERNEL = '6.18';
const SIZE_KB = /-(\d+)kB$/;
/** Rows whose buffer is anonymous memory (file-backed rows fail registration for other reasons). */
const ANON_IOURING =
  /^cow\/iouring-[^/]+\/(?:base-page|(?:pte|single-pte|mremap|shared)-thp-\d+kB|thp-\d+kB)$/;

interface Charged {
  largestOkKiB: number;
  /** The limit first tried: the next power of two above the largest buffer that registered. */
  estimateKiB: number;
  /**
   * The kernel charges rings too: some rings failed to set up (ENOMEM) while others did, or a
   * buffer failed where a larger one registered.
   */
  rings: boolean;
}

/**
 * io_uring's RLIMIT_MEMLOCK accounting (io_uring/rsrc.c __io_account_mem(), charged when the
 * ring's creator lacks CAP_IPC_LOCK) shows as anonymous buffers that fail to register above
 * some size while smaller ones register, and — on kernels that charge the rings as well —
 * io_uring_queue_init() failing for some rows but not all (io_uring_disabled fails every one).
 * Null when the rows show no such pattern.
 */
function memlockCharged(
  rows: Rows,
  iouring: (id: string) => boolean,
  root: boolean,
): Charged | null {
  const anon = rows.of((id) => iouring(id) && ANON_IOURING.test(id));
  const failedRegister = anon.filter(
    (o) => o.verdict === 'skip' && reasonOf(o).startsWith('io_uring_register_buffers() failed'),
  );
  const failedInit = anon.filter(
    (o) => o.verdict === 'skip' && reasonOf(o).startsWith('io_uring_queue_init() failed'),
  );
  const registered = anon.filter(ran);
  if (registered.length === 0 || (failedRegister.length === 0 && failedInit.length === 0))
    return null;
  // Root keeps CAP_IPC_LOCK unless it was dropped: a failed registration says it was. A user
  // who is not root is charged anyway (and bails out of cow before io_uring in these trees).
  if (!root && failedRegister.length === 0) return null;
  const sizeOf = (o: ObservedSubtest): number => Number(SIZE_KB.exec(o.id!)?.[1] ?? 4);
  const sizes = registered.map(sizeOf);
  const largestOkKiB = Math.max(...sizes);
  // A buffer that failed to register while one as large registered was refused for a charge
  // that was not its own: a ring's, given back late (ioUringClose()'s deferred uncharge).
  const residue = failedRegister.some((o) => sizeOf(o) <= largestOkKiB);
  return {
    largestOkKiB,
    estimateKiB: 2 ** Math.ceil(Math.log2(largestOkKiB + 1)),
    rings: failedInit.length > 0 || residue,
  };
}

function readLog(run: ParsedRun, tree: string): Read {
  const rows = new Rows(run);
  const f = run.facts;
  const facts: Record<string, Fact<unknown>> = {};
  const nonRoot = run.bailouts.some((b) => SYSFS_BAIL.test(b.text)) || run.programLines.length > 0;
  const root = nonRoot
    ? certain(false, 'writing THP sysfs failed (Permission denied): not root')
    : f.pmdSizeKiB !== null && rows.all.length > 0
      ? likely(true, 'it wrote the THP sysfs settings and ran its tests: root')
      : guessed(true, 'nothing in the log says otherwise');

  const thpCompiled =
    f.pmdSizeKiB !== null || f.thpSizesKiB.length > 0
      ? certain(true, '[INFO] detected PMD/THP size lines')
      : run.plan !== null && !nonRoot
        ? likely(false, 'a plan printed without any "[INFO] detected PMD size" line: no THP')
        : guessed(true, 'no detection line in the log (default)');

  const tested = [
    ...new Set(
      rows.all
        .map((o) => SIZED.exec(o.id!)?.[1])
        .filter((x): x is string => x !== undefined)
        .map(Number),
    ),
  ];
  const sizes = f.hugetlbSizesKiB.length
    ? certain(f.hugetlbSizesKiB, '[INFO] detected hugetlb page size lines')
    : tested.length
      ? likely(tested, 'hugetlb sizes named in [RUN] lines')
      : guessed([2048], 'nothing in the log names them (this kind of x86_64 machine)');
  const pmd = f.pmdSizeKiB ?? f.thpSizesKiB[0] ?? 2048;
  const arm64 = sizes.value.includes(32768) || sizes.value.includes(64) || pmd !== 2048;
  facts.arch = arm64
    ? likely('arm64', 'hugetlb or PMD sizes of arm64')
    : guessed('x86_64', 'x86_64 unless the hugetlb or PMD sizes say otherwise');
  const pageSizeKiB = pmd === 32768 ? 16 : pmd === 524288 ? 64 : 4;

  // Free huge pages: trees before 7.2 test a size only with 2 free pages (else SKIP); the 7.2
  // tree raises each pool to 2 itself and leaves out the sizes it could not raise.
  const setup = setsUpHugetlb(tree);
  const reachedEnd = rows.all.some((o) => o.id!.startsWith('cow/ro-pin-fast/'));
  const hugetlb = sizes.value.map((sizeKiB) => {
    const mine = (id: string): boolean => SIZED.exec(id)?.[1] === String(sizeKiB);
    if (setup) {
      if (rows.of(mine).length > 0)
        return sizeKiB >= 1048576 ? { sizeKiB, free: 2 } : { sizeKiB, free: 0 };
      return reachedEnd ? { sizeKiB, free: 0, allocatable: 0 } : { sizeKiB, free: 0 };
    }
    return { sizeKiB, free: rows.ran(mine) ? 2 : 0 };
  });
  facts.hugetlbFree = setup
    ? likely(
        Object.fromEntries(hugetlb.map((h) => [h.sizeKiB, h.free])),
        'the test raises each pool to 2 free pages itself (hugetlb_setup), and tests only the sizes it got',
      )
    : rows.of((id) => SIZED.test(id)).length > 0
      ? likely(
          Object.fromEntries(hugetlb.map((h) => [h.sizeKiB, h.free])),
          'hugetlb rows that run need 2 free pages; "need more free huge pages" means fewer (0 or 1)',
        )
      : guessed(
          Object.fromEntries(hugetlb.map((h) => [h.sizeKiB, h.free])),
          'no hugetlb row in the log',
        );

  const pin = (id: string): boolean => id.startsWith('cow/ro-pin');
  facts.gupTest = rows.skipped(pin, 'gup_test not available')
    ? certain(false, 'R/O pin rows: "gup_test not available"')
    : rows.ran(pin)
      ? certain(true, 'R/O pin rows ran through /sys/kernel/debug/gup_test')
      : guessed(true, 'no R/O pin row decides it');

  const swapped = (id: string): boolean => id.includes('swapped');
  const swap = rows.ran(swapped)
    ? likely(1048572, 'swapped-out rows ran: swap is on (its size is not printed)')
    : rows.skipped(swapped, 'MADV_PAGEOUT did not work')
      ? certain(0, '"MADV_PAGEOUT did not work, is swap enabled?": no swap')
      : guessed(0, 'no swapped-out row in the log');

  // Rows under the top-level THP policy: the collapse rows and the huge zeropage (from v6.8 the
  // per-size rows force their size to `always`; before, every THP row reads the policy).
  const collapse = (id: string): boolean => id.startsWith('cow/collapse-');
  const hugeZero = (id: string): boolean => id.endsWith('/huge-zeropage');
  const thpRow = (id: string): boolean =>
    collapse(id) || (f.pmdSizeKiB === null && id.includes('thp-'));
  const thpEnabled =
    rows.skipped(thpRow, 'Did not get a THP populated') ||
    rows.skipped(hugeZero, 'Did not get THPs populated')
      ? certain('never', 'THP rows under the top-level policy: no THP populated')
      : rows.ran(thpRow)
        ? likely(
            'madvise',
            'THP rows got their THP (madvise or always: cow asks with MADV_HUGEPAGE)',
          )
        : guessed('madvise', 'no row reads the top-level THP policy');
  const useZeroPage = f.hugeZeropage
    ? certain(true, '[INFO] huge zeropage is enabled')
    : rows.skipped(hugeZero, 'Huge zeropage not enabled')
      ? certain(false, 'huge zeropage rows: "Huge zeropage not enabled"')
      : rows.ran(hugeZero)
        ? certain(true, 'huge zeropage rows ran')
        : guessed(true, 'no huge zeropage row decides it');

  const iouring = (id: string): boolean => id.startsWith('cow/iouring-');
  const liburing = liburingFact(run, rows, sizes.value, setup ? tested : sizes.value, iouring);
  const charged = memlockCharged(rows, iouring, root.value);
  const ioUringDisabled =
    charged === null && rows.skipped(iouring, 'io_uring_queue_init() failed')
      ? likely(2, '"io_uring_queue_init() failed" for root: kernel.io_uring_disabled 2')
      : charged !== null
        ? likely(0, 'io_uring rows set up rings and some registered buffers: io_uring is enabled')
        : guessed(0, 'io_uring rows set up their rings');
  if (charged !== null) {
    facts.memlockKiB = likely(
      charged.estimateKiB,
      `io_uring rows: buffers up to ${charged.largestOkKiB} kB registered, larger ones (or their rings) failed: RLIMIT_MEMLOCK charged without CAP_IPC_LOCK`,
    );
  }

  const tmpfile = (id: string): boolean => id.endsWith('/tmpfile');
  const noFallocate = rows
    .of(tmpfile)
    .some(
      (o) =>
        reasonOf(o).startsWith('fallocate() not supported') ||
        reasonOf(o).startsWith('fallocate() failed'),
    );
  const tmpFs = noFallocate
    ? likely(
        'ramfs',
        'tmpfile rows: fallocate() fails on /tmp (a filesystem without it, e.g. ramfs)',
      )
    : guessed('tmpfs', 'tmpfile rows do not tell the filesystem of /tmp');

  Object.assign(facts, {
    hugetlbSizesKiB: sizes,
    liburing,
    gupTest: facts.gupTest,
    tmpFs,
    thp: thpCompiled,
    thpSizesKiB: f.thpSizesKiB.length
      ? certain(f.thpSizesKiB, '[INFO] detected THP size lines')
      : guessed([], 'no detection line'),
    thpEnabled,
    useZeroPage,
    swap,
    root,
    ioUringDisabled,
  });
  return {
    facts,
    charged,
    json: {
      kernel: {
        // Rings charged to RLIMIT_MEMLOCK fail io_uring_queue_init() only on kernels that charge
        // them (the 6.14+ ring regions): such a log starts from that kernel, not the tree's.
        release: charged?.rings ? RING_CHARGING_KERNEL : tree,
        config: { GUP_TEST: facts.gupTest!.value, TRANSPARENT_HUGEPAGE: thpCompiled.value },
      },
      arch: facts.arch!.value,
      pageSizeKiB,
      hugetlb,
      fs: { tmp: tmpFs.value, cwd: 'ext4' },
      user:
        charged === null
          ? { root: root.value, memlockKiB: 8192 }
          : { root: root.value, memlockKiB: charged.estimateKiB, ipcLock: false },
      sysctl: { io_uring_disabled: ioUringDisabled.value },
      thp: { enabled: thpEnabled.value, useZeroPage: useZeroPage.value },
      swap: { sizeKiB: swap.value },
      selftest: { name: 'cow', tree, liburing: liburing.value ? '2.3' : null },
    },
  };
}

/**
 * Built with liburing: its io_uring rows, else the plan as the C computes it,
 * A·(2 + H + 6T + 2P) + 4P + 3·(3 + H + P) with A = 14 (liburing) or 12.
 */
function liburingFact(
  run: ParsedRun,
  rows: Rows,
  detected: readonly number[],
  tested: readonly number[],
  iouring: (id: string) => boolean,
): Fact<boolean> {
  if (rows.of(iouring).length > 0) return certain(true, 'io_uring rows present');
  const plan = run.plan?.count;
  const T = run.facts.thpSizesKiB.length;
  const P = run.facts.pmdSizeKiB !== null ? 1 : 0;
  if (plan !== undefined && T > 0) {
    for (const H of new Set([detected.length, tested.length])) {
      const per = 2 + H + 6 * T + 2 * P;
      const a = (plan - 4 * P - 3 * (3 + H + P)) / per;
      if (a === 14)
        return certain(
          true,
          `plan ${plan} = 14 anonymous cases × ${per} + ${4 * P + 3 * (3 + H + P)}`,
        );
      if (a === 12)
        return certain(
          false,
          `plan ${plan} = 12 anonymous cases × ${per} + ${4 * P + 3 * (3 + H + P)}: built without liburing`,
        );
    }
  }
  return guessed(true, 'no plan or io_uring row to tell');
}

/** Where a search starts and which kernels it tries: the tree's own first, then the eras cow's rows flip at. */
function kernelOptions(tree: string, first?: string): DimensionOption[] {
  const seen = new Set<string>();
  return [first ?? tree, tree, '7.2', '6.18', '6.12', '6.6', '6.1', '5.19', '5.15', '5.10']
    .filter((r) => !seen.has(r) && (seen.add(r), true))
    .map((release) => ({
      label: release,
      apply: (e: Environment) => ({ ...e, kernel: { ...e.kernel, release, patches: [] } }),
    }));
}

/**
 * The rings' charge shows only where it outlives the ring: a later ring (or buffer) refused
 * while an earlier one of the same size got through. That is the 6.14+ ring regions, given
 * back by the deferred io_ring_ctx_free() (kernel-model/io-uring-account.ts ringCharge(),
 * ringUnchargedAtClose()); 5.8–5.11 charge the rings too but give them back as close()
 * queues the exit work, and 5.12–6.13 do not charge them. So the search tries that era only.
 */
function ringChargingKernels(tree: string): DimensionOption[] {
  return kernelOptions(tree, RING_CHARGING_KERNEL).filter((o) => o.label === RING_CHARGING_KERNEL);
}

/**
 * The candidate trees gupsim runs a cow.c of, in order; when none of the era's is, the nearest
 * modelled tree, and the fact says the log was compared with another tree's test.
 */
function modelledTrees(guess: InferencePlan['guess']): InferencePlan['guess'] {
  const trees = guess.trees.filter((t) => !('error' in cowBuild(t)));
  if (trees.length === guess.trees.length) return guess;
  if (trees.length > 0) return { trees, fact: { ...guess.fact, value: trees[0]! } };
  const nearest = '6.12.118';
  return {
    trees: [nearest],
    fact: {
      value: nearest,
      certainty: 'guess',
      because: `${guess.fact.because}; gupsim does not run that cow.c: compared with the ${nearest} tree's`,
    },
  };
}

function plan(
  run: ParsedRun,
  identified: InferencePlan['guess'],
): InferencePlan | { error: string } {
  const guess = modelledTrees(identified);
  const tree = guess.trees[0]!;
  const read = readLog(run, tree);
  const start = environmentFromJson(read.json);
  /* c8 ignore next */
  if (!start.ok) return { error: start.error };
  const dims: InferencePlan['dims'] = [];
  if (guess.trees.length > 1) {
    dims.push({
      name: 'selftest',
      options: guess.trees.map((t) => ({
        label: t,
        apply: (e: Environment) => ({ ...e, selftest: { ...e.selftest, tree: t } }),
      })),
      coordinate: (e) => e.selftest.tree,
    });
  }
  const charged = read.charged;
  if (charged !== null) {
    // The limit read off the log first, then its neighbours: the buffers that register
    // bound it only up to what the rings and earlier rows still hold charged.
    const e = charged.estimateKiB;
    dims.push({
      name: 'memlock',
      options: [...new Set([e, e * 2, Math.max(4, e / 2)])].map((kib) => ({
        label: `${kib} KiB`,
        apply: (env: Environment) => ({
          ...env,
          user: { ...env.user, memlockKiB: kib, ipcLock: false },
        }),
      })),
      coordinate: (env) => `${String(env.user.memlockKiB)} ${String(env.user.ipcLock)}`,
    });
  }
  dims.push({
    name: 'kernel',
    options: [],
    coordinate: (e) => `${e.kernel.release} ${e.kernel.patches.join(',')}`,
  });
  return {
    guess,
    start: start.env,
    dims,
    kernelOptions: charged?.rings ? ringChargingKernels : kernelOptions,
    trustPerfectStart: true,
    read: read.facts,
  };
}

function describe(
  _run: ParsedRun,
  p: InferencePlan,
  e: Environment,
  chosen: Chosen,
): InferredEnvironment {
  const r = p.read;
  const k = chosen.get('kernel');
  const kernelEra: Fact<string> =
    p.kernelOptions === ringChargingKernels
      ? likely(
          e.kernel.release,
          'io_uring charges outlive their rings: a kernel that charges the ring regions to RLIMIT_MEMLOCK (6.14 on)',
        )
      : !k && e.kernel.release !== p.start.kernel.release
        ? // Reproduced by the kernels tried before any descent (infer.ts): the start's did not.
          likely(
            e.kernel.release,
            `the log is reproduced whole on this kernel, not on ${p.start.kernel.release}`,
          )
        : k && k.rejected.length > 0
          ? likely(
              e.kernel.release,
              `verdicts fit kernels ${k.fitting.join(', ')}; not ${k.rejected.join(', ')}`,
            )
          : guessed(
              e.kernel.release,
              'no verdict in the log needed another kernel than the selftest tree',
            );
  const sel = chosen.get('selftest');
  return {
    selftest:
      p.guess.trees.length > 1
        ? {
            value: e.selftest.tree,
            certainty: sel?.ambiguous === false ? 'likely' : 'guess',
            because: p.guess.fact.because,
          }
        : p.guess.fact,
    hugetlbSizesKiB: r.hugetlbSizesKiB as Fact<number[]>,
    liburing: r.liburing as Fact<boolean>,
    gupTest: r.gupTest as Fact<boolean>,
    kernelEra,
    tmpFs: { ...(r.tmpFs as Fact<string>), value: fsText(e.fs.tmp) },
    cwdFs: guessed(fsText(e.fs.cwd), 'cow.c does not use the test directory'),
    arch: r.arch as Fact<string>,
    thp: r.thp!,
    thpSizesKiB: r.thpSizesKiB!,
    thpEnabled: r.thpEnabled!,
    useZeroPage: r.useZeroPage!,
    swap: r.swap!,
    hugetlbFree: r.hugetlbFree!,
    root: r.root!,
    ioUringDisabled: r.ioUringDisabled!,
    // The limit the search settled on (its neighbours may fit as well: timing moves a row).
    ...(r.memlockKiB ? { memlockKiB: { ...r.memlockKiB, value: e.user.memlockKiB } } : {}),
  };
}

export const COW_INFERENCE: SelftestInference = { plan, describe };
