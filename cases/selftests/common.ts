/**
 * What every version of gup_longterm shares: the test-case table, the filesystem
 * classification by statfs magic, and the context a version's program runs in.
 */
import {
  TEST_CASES,
  backingVariantText,
  subtestId,
  type Backing,
  type TestCase,
} from './gup_longterm/ids.js';
import type { Kselftest } from '../kselftest/kselftest.js';
import type { Liburing } from '../libc/liburing.js';
import type { Process } from '../libc/process.js';

/** include/uapi/linux/magic.h values the test switches on. */
export const TMPFS_MAGIC = 0x01021994;
export const HUGETLBFS_MAGIC = 0x958458f6;
export const BTRFS_SUPER_MAGIC = 0x9123683e;
export const EXT4_SUPER_MAGIC = 0xef53;
export const XFS_SUPER_MAGIC = 0x58465342;

/** get_fs_type(): fstatfs() (retried on EINTR, which the model never returns), 0 on failure. */
export function getFsType(proc: Process, fd: number): number {
  const t = proc.fstatfs(fd);
  return t < 0 ? 0 : t;
}

/** fs_is_unknown(): only these filesystems have a known answer for R/W long-term pins. */
export function fsIsUnknown(fsType: number): boolean {
  // A switch like the C one, not includes() of an array literal built on every call.
  switch (fsType) {
    case TMPFS_MAGIC:
    case HUGETLBFS_MAGIC:
    case BTRFS_SUPER_MAGIC:
    case EXT4_SUPER_MAGIC:
    case XFS_SUPER_MAGIC:
      return false;
    default:
      return true;
  }
}

/** fs_supports_writable_longterm_pinning(): shmem and hugetlbfs need no dirty tracking. */
export function fsSupportsWritableLongtermPinning(fsType: number): boolean {
  return fsType === TMPFS_MAGIC || fsType === HUGETLBFS_MAGIC;
}

/** The cases compiled in: io_uring ones only with LOCAL_CONFIG_HAVE_LIBURING. */
export function compiledTestCases(haveLiburing: boolean): TestCase[] {
  return TEST_CASES.filter((c) => haveLiburing || c.kind !== 'iouring');
}

/** Harness instrumentation: brackets each run_with_*() so its output becomes a record. */
export interface SubtestHooks {
  /**
   * Called right after the sub-test's `[RUN]` announcement (which prints and traces nothing
   * else), with its stable id (cases/ids.ts subtestId) and its `[RUN]` name.
   */
  begin(id: string, name: string): void;
  end(): void;
}

export interface SelftestContext {
  proc: Process;
  ksft: Kselftest;
  /** undefined when the binary was built without liburing. */
  liburing: Liburing | undefined;
  hooks: SubtestHooks;
}

/**
 * struct pin_longterm_test, the PIN_LONGTERM_TEST_START argument. do_test() fills in a local
 * one per sub-test; a program keeps one and refills it (the ioctl only reads it), so a pin
 * costs no object.
 */
export class PinLongtermTest {
  addr = 0;
  size = 0;
  flags = 0;

  set(addr: number, size: number, flags: number): this {
    this.addr = addr;
    this.size = size;
    this.flags = flags;
    return this;
  }
}

/** Mirrors `enum test_type`: R/O, R/O fast, R/W, R/W fast, io_uring. */
export type TestType = 'ro' | 'ro-fast' | 'rw' | 'rw-fast' | 'iouring';

/** A case's `enum test_type`; whether it maps MAP_SHARED is `c.sharing === 'shared'`. */
export function testTypeOf(c: TestCase): TestType {
  if (c.kind === 'iouring') return 'iouring';
  // Literals, not a template: the programs compare `type` with literals per sub-test, which is
  // a pointer compare for two literals but a character compare for a built string.
  const fast = c.path === 'gup-fast';
  return c.access === 'rw' ? (fast ? 'rw-fast' : 'rw') : fast ? 'ro-fast' : 'ro';
}

/**
 * A version's program as runTestCases() drives it: how it announces a sub-test and its four
 * run_with_*() functions. A version implements it as a class whose instance holds what the C
 * functions share (proc, ksft, the gup_test fd, the page size), not as closures made per
 * run: a run made four or five closures, and under esbuild's keepNames (tsx, the bundle)
 * each one also costs a __name() defineProperty call, 6% of a trace-less sweep together.
 */
export interface RunWith {
  /** Print the `[RUN]` line the way the version does (ksft_print_msg or log_test_start). */
  announce(label: SubtestLabel): void;
  memfd(type: TestType, shared: boolean): void;
  tmpfile(type: TestType, shared: boolean): void;
  localTmpfile(type: TestType, shared: boolean): void;
  memfdHugetlb(type: TestType, shared: boolean, hugetlbsize: number): void;
}

/**
 * run_test_case() for every case: memfd, tmpfile, local tmpfile, then each hugetlb size.
 * `runWith.announce` prints the `[RUN]` line; the hooks let the harness bracket each sub-test.
 */
export function runTestCases(
  ctx: SelftestContext,
  cases: readonly TestCase[],
  hugetlbsizes: readonly number[],
  describe: (c: TestCase) => string,
  runWith: RunWith,
): void {
  const hooks = ctx.hooks;
  for (const c of cases) {
    const type = testTypeOf(c);
    const shared = c.sharing === 'shared';
    const names = namesOf(describe, c);
    // The order run_test_case() runs them in: memfd, tmpfile, local tmpfile, each hugetlb size.
    for (let b = 0; b < 3 + hugetlbsizes.length; b++) {
      const size = b < 3 ? 0 : hugetlbsizes[b - 3]!;
      const label =
        b === 0
          ? names.memfd()
          : b === 1
            ? names.tmpfile()
            : b === 2
              ? names.localTmpfile()
              : names.hugetlb(size / 1024);
      runWith.announce(label);
      hooks.begin(label.id, label.name);
      if (b === 0) runWith.memfd(type, shared);
      else if (b === 1) runWith.tmpfile(type, shared);
      else if (b === 2) runWith.localTmpfile(type, shared);
      else runWith.memfdHugetlb(type, shared, size);
      hooks.end();
    }
  }
}

const MEMFD: Backing = { kind: 'memfd' };
const TMPFILE: Backing = { kind: 'tmpfile' };
const LOCAL_TMPFILE: Backing = { kind: 'local-tmpfile' };

/** A sub-test's stable id and its `[RUN]` name in one version's wording. */
export class SubtestLabel {
  /**
   * `[RUN] <name>\n`, the message of ksft_print_msg("[RUN] %s\n", name) with which every
   * version announces the sub-test: static text like the name, so built once with it rather
   * than by each announcement.
   */
  readonly runMessage: string;

  constructor(
    readonly id: string,
    readonly name: string,
  ) {
    this.runMessage = '[RUN] ' + name + '\n';
  }
}

/**
 * The labels of one case in one version's wording: `<description> ... with <backing>`. The
 * three fixed backings in fields and the few hugetlb sizes in a list, not one Map keyed by
 * kind or size: a field load or two per sub-test instead of a hash lookup of a
 * string-or-number key.
 */
class CaseNames {
  private memfdLabel: SubtestLabel | undefined = undefined;
  private tmpfileLabel: SubtestLabel | undefined = undefined;
  private localTmpfileLabel: SubtestLabel | undefined = undefined;
  /** hugetlbLabels[i] is the label of size hugetlbSizes[i] (KiB); at most 64 kept. */
  private readonly hugetlbSizes: number[] = [];
  private readonly hugetlbLabels: SubtestLabel[] = [];

  constructor(
    private readonly testCase: TestCase,
    private readonly description: string,
  ) {}

  memfd(): SubtestLabel {
    return (this.memfdLabel ??= this.label(MEMFD));
  }

  tmpfile(): SubtestLabel {
    return (this.tmpfileLabel ??= this.label(TMPFILE));
  }

  localTmpfile(): SubtestLabel {
    return (this.localTmpfileLabel ??= this.label(LOCAL_TMPFILE));
  }

  hugetlb(sizeKiB: number): SubtestLabel {
    const i = this.hugetlbSizes.indexOf(sizeKiB);
    if (i >= 0) return this.hugetlbLabels[i]!;
    const n = this.label({ kind: 'memfd-hugetlb', sizeKiB });
    if (this.hugetlbSizes.length < 64) {
      this.hugetlbSizes.push(sizeKiB);
      this.hugetlbLabels.push(n);
    }
    return n;
  }

  private label(b: Backing): SubtestLabel {
    return new SubtestLabel(
      subtestId(this.testCase, b),
      `${this.description} ... with ${backingVariantText(b)}`,
    );
  }
}

/**
 * The names and ids are static text (a version's wording of a case table entry), so they are
 * built once per wording and case, not once per sub-test of every run.
 */
const NAMES = new Map<(c: TestCase) => string, Map<TestCase, CaseNames>>();

function namesOf(describe: (c: TestCase) => string, c: TestCase): CaseNames {
  let byCase = NAMES.get(describe);
  if (!byCase) {
    byCase = new Map();
    if (NAMES.size < 16) NAMES.set(describe, byCase);
  }
  let n = byCase.get(c);
  if (!n) {
    n = new CaseNames(c, describe(c));
    if (byCase.size < 64) byCase.set(c, n);
  }
  return n;
}
