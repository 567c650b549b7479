/**
 * `gupsim run` flags that override fields of the environment file. Overrides are applied to
 * the raw JSON and then validated by the same code as a file, so a flag can never produce an
 * environment a file could not.
 */
import { defaultEnvironment, environmentFromJson, fsFromText, type Environment } from '../cases/env.js';
import { UsageError } from './io.js';
import { ENV_LIMIT_BYTES, readRegularFile } from './read-input.js';

export const ENV_FLAG_OPTIONS = {
  env: { type: 'string' },
  kernel: { type: 'string' },
  patch: { type: 'string', multiple: true },
  selftest: { type: 'string' },
  liburing: { type: 'string' },
  'no-liburing': { type: 'boolean' },
  hugetlb: { type: 'string' },
  'tmp-fs': { type: 'string' },
  'cwd-fs': { type: 'string' },
  'no-gup-test': { type: 'boolean' },
  'no-debugfs': { type: 'boolean' },
  user: { type: 'string' },
  memlock: { type: 'string' },
  'io-uring-disabled': { type: 'string' },
  arch: { type: 'string' },
  'page-size': { type: 'string' },
  runner: { type: 'string' },
  test: { type: 'string' },
  with: { type: 'string' },
  thp: { type: 'string' },
  'thp-sizes': { type: 'string' },
  'no-thp': { type: 'boolean' },
  'no-huge-zeropage': { type: 'boolean' },
  swap: { type: 'string' },
} as const;

export const ENV_FLAGS_HELP = `Environment (flags override --env FILE; without either, the default environment: the
7.2.13 selftest (liburing 2.5) on a 7.2.13 x86_64 kernel with CONFIG_GUP_TEST, root, /tmp on
tmpfs, the test directory on ext4, 2 free 2 MiB and 2 free 1 GiB huge pages):
  --env FILE               environment file (*.env.json)
  --kernel REL             kernel.release, e.g. 6.4, 6.18.44, next
  --patch +ID|-ID          apply/revert a modelled commit (repeatable)
  --selftest TREE          selftest.tree: a release, "next" or "prototype"
  --liburing VER           selftest.liburing (e.g. 2.3); --no-liburing builds without it
  --hugetlb SIZE:FREE[:ALLOC],...
                           hugetlb sizes in KiB with free pages and, optionally, how many more
                           raising nr_hugepages yields, e.g. 2048:0,1048576:0:2 ("" = none)
  --tmp-fs FS[:HOST]       filesystem of /tmp (9p:ext4 = 9p passing ext4's magic through)
  --cwd-fs FS[:HOST]       filesystem of the current directory
  --no-gup-test            kernel without CONFIG_GUP_TEST
  --no-debugfs             debugfs not mounted at /sys/kernel/debug (fs.debugfs false)
  --user root|nonroot      run as root or not
  --memlock KIB|unlimited  RLIMIT_MEMLOCK
  --io-uring-disabled N    kernel.io_uring_disabled (0, 1, 2)
  --arch ARCH              x86_64, arm64, ppc64le, s390x, riscv64
  --page-size KIB          base page size (4, 16, 64)
  --runner NAME            direct, run_vmtests, kselftest, kselftest+run_vmtests
  --test NAME              selftest.name: gup_longterm (default) or cow
  --with NAME,...          selftest.with: other programs the runner runs in the same
                           invocation (run_vmtests.sh -t "gup_test cow"); "" for none
  --thp MODE               thp.enabled, the top-level THP policy: always, madvise, never
  --thp-sizes SIZE:MODE,...
                           thp.sizes: hugepages-<SIZE>kB/enabled (always, inherit, madvise,
                           never), e.g. 64:always,2048:inherit
  --no-thp                 kernel without CONFIG_TRANSPARENT_HUGEPAGE
  --no-huge-zeropage       thp.useZeroPage false (use_zero_page 0)
  --swap KIB               swap space switched on, in KiB (0: none)`;

export type EnvFlagValues = {
  [K in keyof typeof ENV_FLAG_OPTIONS]?: (typeof ENV_FLAG_OPTIONS)[K] extends { multiple: true }
    ? string[]
    : (typeof ENV_FLAG_OPTIONS)[K] extends { type: 'boolean' }
      ? boolean
      : string;
};

type Raw = Record<string, unknown>;

function section(raw: Raw, key: string): Raw {
  const v = raw[key];
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Raw;
  const fresh: Raw = {};
  raw[key] = fresh;
  return fresh;
}

function intFlag(name: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name}: expected a whole number, got "${text}"`);
  return Number(text);
}

/** Read --env (if any), apply the flags, validate. Errors are UsageError (one line, exit 2). */
export function environmentFromFlags(flags: EnvFlagValues): Environment {
  let raw: Raw;
  if (flags.env) {
    // Bounded and regular files only: `--env /dev/zero` or a FIFO must not hang or fill memory.
    const text = readRegularFile(flags.env, ENV_LIMIT_BYTES, `--env ${flags.env}`);
    try {
      raw = JSON.parse(text) as Raw;
    } catch (e) {
      throw new UsageError(`${flags.env}: not JSON: ${(e as Error).message}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UsageError(`${flags.env}: expected a JSON object`);
  } else {
    raw = JSON.parse(JSON.stringify(defaultEnvironment())) as Raw;
  }
  applyEnvFlags(raw, flags, !flags.env);
  const r = environmentFromJson(raw);
  if (!r.ok) throw new UsageError(`${flags.env ? `${flags.env}: ` : ''}${r.error}`);
  return r.env;
}

/**
 * Apply the override flags to a raw environment object (in place). With `followKernel`, a new
 * --kernel also moves selftest.tree (the default environment builds the test with the kernel).
 */
export function applyEnvFlags(raw: Raw, flags: EnvFlagValues, followKernel = false): void {
  const kernel = (): Raw => section(raw, 'kernel');
  if (flags.kernel !== undefined) {
    kernel().release = flags.kernel;
    // A default environment's selftest follows the kernel unless --selftest says otherwise.
    if (followKernel) delete section(raw, 'selftest').tree;
  }
  if (flags.patch) kernel().patches = [...((kernel().patches as unknown[]) ?? []), ...flags.patch];
  if (flags['no-gup-test']) section(kernel(), 'config').GUP_TEST = false;
  if (flags['no-debugfs']) section(raw, 'fs').debugfs = false;
  if (flags.selftest !== undefined) section(raw, 'selftest').tree = flags.selftest;
  if (flags.liburing !== undefined) section(raw, 'selftest').liburing = flags.liburing;
  if (flags['no-liburing']) section(raw, 'selftest').liburing = null;
  if (flags.hugetlb !== undefined) {
    raw.hugetlb = flags.hugetlb === ''
      ? []
      : flags.hugetlb.split(',').map((pair) => {
          const m = /^(\d+):(\d+)(?::(\d+))?$/.exec(pair.trim());
          if (!m) throw new UsageError(`--hugetlb: expected SIZE_KiB:FREE[:ALLOCATABLE] like 2048:0 or 1048576:0:2, got "${pair}"`);
          return m[3] === undefined
            ? { sizeKiB: Number(m[1]), free: Number(m[2]) }
            : { sizeKiB: Number(m[1]), free: Number(m[2]), allocatable: Number(m[3]) };
        });
  }
  if (flags['tmp-fs'] !== undefined) section(raw, 'fs').tmp = fsFromText(flags['tmp-fs']);
  if (flags['cwd-fs'] !== undefined) section(raw, 'fs').cwd = fsFromText(flags['cwd-fs']);
  if (flags.user !== undefined) {
    if (flags.user !== 'root' && flags.user !== 'nonroot') throw new UsageError(`--user: expected root or nonroot, got "${flags.user}"`);
    section(raw, 'user').root = flags.user === 'root';
  }
  if (flags.memlock !== undefined) {
    section(raw, 'user').memlockKiB = flags.memlock === 'unlimited' ? 'unlimited' : intFlag('memlock', flags.memlock);
  }
  if (flags['io-uring-disabled'] !== undefined) {
    section(raw, 'sysctl').io_uring_disabled = intFlag('io-uring-disabled', flags['io-uring-disabled']);
  }
  if (flags.arch !== undefined) raw.arch = flags.arch;
  if (flags['page-size'] !== undefined) raw.pageSizeKiB = intFlag('page-size', flags['page-size']);
  if (flags.runner !== undefined) raw.runner = flags.runner;
  if (flags.test !== undefined) section(raw, 'selftest').name = flags.test;
  if (flags.with !== undefined)
    section(raw, 'selftest').with = flags.with === '' ? [] : flags.with.split(',').map((n) => n.trim());
  if (flags.thp !== undefined) section(raw, 'thp').enabled = flags.thp;
  if (flags['thp-sizes'] !== undefined) {
    section(raw, 'thp').sizes = flags['thp-sizes'] === ''
      ? []
      : flags['thp-sizes'].split(',').map((pair) => {
          const m = /^(\d+):(\w+)$/.exec(pair.trim());
          if (!m) throw new UsageError(`--thp-sizes: expected SIZE_KiB:MODE like 64:always, got "${pair}"`);
          return { sizeKiB: Number(m[1]), enabled: m[2] };
        });
  }
  if (flags['no-thp']) section(kernel(), 'config').TRANSPARENT_HUGEPAGE = false;
  if (flags['no-huge-zeropage']) section(raw, 'thp').useZeroPage = false;
  if (flags.swap !== undefined) section(raw, 'swap').sizeKiB = intFlag('swap', flags.swap);

}

/** True when any override flag (other than --env) was given. */
export function hasEnvOverrides(flags: EnvFlagValues): boolean {
  return Object.entries(flags).some(([k, v]) => k !== 'env' && v !== undefined);
}

/**
 * For `gupsim diff`: a function pinning the overridden fields on any candidate environment.
 * Throws UsageError when the flags make an invalid environment.
 */
export function pinFromFlags(flags: EnvFlagValues): (e: Environment) => Environment {
  const { env: _file, ...overrides } = flags;
  return (e) => {
    const raw = JSON.parse(JSON.stringify(e)) as Raw;
    applyEnvFlags(raw, overrides);
    const r = environmentFromJson(raw);
    if (!r.ok) throw new UsageError(r.error);
    return r.env;
  };
}
