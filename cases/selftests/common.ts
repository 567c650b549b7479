/**
 * What every version of gup_longterm shares: the test-case table, the filesystem
 * classification by statfs magic, and the context a version's program runs in.
 */
import { TEST_CASES, backingVariantText, type Backing, type TestCase } from '../ids.js';
import type { Kselftest } from '../kselftest/kselftest.js';
import type { Liburing } from '../libc/liburing.js';
import type { Process } from '../libc/process.js';

/** include/uapi/linux/magic.h values the test switches on. */
export const TMPFS_MAGIC = 0x01021994;
export const HUGETLBFS_MAGIC = 0x958458f6;
export const BTRFS_SUPER_MAGIC = 0x9123683e;
export const EXT4_SUPER_MAGIC = 0xef53;
export const XFS_SUPER_MAGIC = 0x58465342;

/** fs_is_unknown(): only these filesystems have a known answer for R/W long-term pins. */
export function fsIsUnknown(fsType: number): boolean {
  return ![
    TMPFS_MAGIC,
    HUGETLBFS_MAGIC,
    BTRFS_SUPER_MAGIC,
    EXT4_SUPER_MAGIC,
    XFS_SUPER_MAGIC,
  ].includes(fsType);
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
  begin(testCase: TestCase, backing: Backing, name: string): void;
  end(): void;
}

export interface SelftestContext {
  proc: Process;
  ksft: Kselftest;
  /** undefined when the binary was built without liburing. */
  liburing: Liburing | undefined;
  hooks: SubtestHooks;
}

/** Mirrors `enum test_type`: R/O, R/O fast, R/W, R/W fast, io_uring. */
export type TestType = 'ro' | 'ro-fast' | 'rw' | 'rw-fast' | 'iouring';

export function testTypeOf(c: TestCase): { type: TestType; shared: boolean } {
  if (c.kind === 'iouring') return { type: 'iouring', shared: c.sharing === 'shared' };
  const type = `${c.access}${c.path === 'gup-fast' ? '-fast' : ''}` as TestType;
  return { type, shared: c.sharing === 'shared' };
}

/** The four run_with_*() functions of a version. */
export interface RunWith {
  memfd(type: TestType, shared: boolean): void;
  tmpfile(type: TestType, shared: boolean): void;
  localTmpfile(type: TestType, shared: boolean): void;
  memfdHugetlb(type: TestType, shared: boolean, hugetlbsize: number): void;
}

/**
 * run_test_case() for every case: memfd, tmpfile, local tmpfile, then each hugetlb size.
 * `announce` prints the `[RUN]` line the way the version does (ksft_print_msg or
 * log_test_start); the hooks let the harness bracket each sub-test.
 */
export function runTestCases(
  ctx: SelftestContext,
  cases: readonly TestCase[],
  hugetlbsizes: readonly number[],
  describe: (c: TestCase) => string,
  announce: (name: string) => void,
  runWith: RunWith,
): void {
  const run = (c: TestCase, b: Backing, body: () => void): void => {
    const name = `${describe(c)} ... with ${backingVariantText(b)}`;
    ctx.hooks.begin(c, b, name);
    announce(name);
    body();
    ctx.hooks.end();
  };
  for (const c of cases) {
    const { type, shared } = testTypeOf(c);
    run(c, { kind: 'memfd' }, () => runWith.memfd(type, shared));
    run(c, { kind: 'tmpfile' }, () => runWith.tmpfile(type, shared));
    run(c, { kind: 'local-tmpfile' }, () => runWith.localTmpfile(type, shared));
    for (const size of hugetlbsizes) {
      run(c, { kind: 'memfd-hugetlb', sizeKiB: size / 1024 }, () =>
        runWith.memfdHugetlb(type, shared, size),
      );
    }
  }
}
