/**
 * A booted simulated kernel: release and behaviours, Kconfig, the machine (arch, page size,
 * hugetlb pools), the mounts the selftest touches, the user it runs as, and sysctls.
 * Processes (`Task`) run on it and make syscalls.
 */
import { behaviour, resolveBehaviourFlags, type BehaviourFlags, type BehaviourName, type PatchSpec } from './behaviours.js';
import { FS_TYPES, FsMount, type Mount } from './fs.js';
import type { Hstate } from './hugetlb.js';
import { SmallMap } from './small-map.js';
import type { AddressSpace, Folio, FolioKind, Inode } from './mm-types.js';
import type { Release } from './release.js';
import { emptyArray } from './empty-array.js';
import { Trace, type TraceEvent } from './trace.js';
import { AnonState } from './anon-state.js';
import { Labels } from './labels.js';
import type { OpenFile } from './mm-types.js';
import type { ThpSpec } from './thp.js';
import type { PfnList } from './anon-gup.js';

export type Arch = 'x86_64' | 'arm64' | 'ppc64le' | 's390x' | 'riscv64';
export const ARCHES: readonly Arch[] = ['x86_64', 'arm64', 'ppc64le', 's390x', 'riscv64'];

export interface KernelConfig {
  GUP_TEST: boolean;
  IO_URING: boolean;
  HUGETLBFS: boolean;
  DEBUG_FS: boolean;
  /** CONFIG_TRANSPARENT_HUGEPAGE (default: set). */
  TRANSPARENT_HUGEPAGE?: boolean;
}

export interface HugetlbPoolSpec {
  sizeKiB: number;
  free: number;
  /** Pages the allocator could add when nr_hugepages is raised (default: see cases/env). */
  allocatable: number;
  movable: boolean;
}

/** The THP policy of a kernel without a word from the environment: this machine's host. */
export const DEFAULT_THP: ThpSpec = { enabled: 'madvise', useZeroPage: true, sizes: new Map() };

export interface KernelSpec {
  release: Release;
  patches: readonly PatchSpec[];
  config: KernelConfig;
  arch: Arch;
  pageSizeKiB: number;
  /** In /sys/kernel/mm/hugepages readdir order. */
  hugetlb: readonly HugetlbPoolSpec[];
  /** debugfs: mounted at /sys/kernel/debug (default); false: only sysfs's empty mount point is there. */
  mounts: { tmp: Mount; cwd: Mount; debugfs?: boolean };
  /** groups: the task's gids (real, effective and supplementary) that in_group_p() checks. */
  /** ipcLock: CAP_IPC_LOCK, so io_uring does not charge RLIMIT_MEMLOCK (default: root). */
  user: { root: boolean; memlockKiB: number | 'unlimited'; groups: readonly number[]; ipcLock?: boolean };
  /** ioUringGroup: kernel.io_uring_group, -1 (the default) for none. */
  sysctl: { ioUringDisabled: number; ioUringGroup: number };
  /** The THP sysfs policy at boot (default DEFAULT_THP). */
  thp?: ThpSpec;
  /** Swap space switched on, in KiB (default 0: no swap). */
  swapKiB?: number;
}

/** Work a kernel function queued to run later (a workqueue item, an RCU callback). */
export interface DeferredWork {
  fn: string;
  run: () => void;
  /** kernel.nowNs when it was queued, and from when it has run (kernel-model/clock.ts). */
  queuedAtNs: number;
  readyAtNs: number;
}

/** Largest buddy allocation (MAX_PAGE_ORDER) in KiB for the arch/page size: above it a hstate is gigantic. */
export function maxBuddyKiB(pageSizeKiB: number): number {
  // 4K pages: order 10 → 4 MiB; 16K: 32 MiB; 64K: 512 MiB (arm64 ARCH_FORCE_MAX_ORDER defaults).
  if (pageSizeKiB >= 64) return 512 * 1024;
  if (pageSizeKiB >= 16) return 32 * 1024;
  return 4 * 1024;
}

/*
 * The objects a kernel keeps for its whole life are class instances, not object literals:
 * see emptyArray() in trace.ts for why (V8 pretenures literal sites, never `new` of a class).
 */
/**
 * An inode. Most never see a hugetlb reservation or a writeback, so those two maps are made
 * on first use (a Map or Set costs a hash table even when empty); the read methods answer
 * for an absent one without making it.
 */
class KernelInode implements Inode {
  size = 0;
  nlink = 1;
  readonly pages = new SmallMap<number, Folio>();
  openCount = 0;
  mapCount = 0;
  private resvMap: SmallMap<number, true> | undefined = undefined;
  private diskMap: Map<number, string> | undefined = undefined;

  constructor(
    readonly ino: number,
    readonly mount: Mount,
    readonly hstate: Hstate | undefined,
  ) {}

  get resv(): SmallMap<number, true> {
    return (this.resvMap ??= new SmallMap());
  }

  get disk(): Map<number, string> {
    return (this.diskMap ??= new Map());
  }

  resvHas(index: number): boolean {
    return this.resvMap !== undefined && this.resvMap.has(index);
  }

  resvSize(): number {
    return this.resvMap === undefined ? 0 : this.resvMap.size;
  }

  diskAt(index: number): string | undefined {
    return this.diskMap?.get(index);
  }

  /** Written page runs as (first, count, label) triples, newest last; a run extending the last one joins it. */
  private ioRuns: number[] | undefined = undefined;

  writeRange(first: number, count: number, label: number): void {
    const r = (this.ioRuns ??= []);
    const n = r.length;
    if (n >= 3 && r[n - 1] === label && r[n - 3]! + r[n - 2]! === first)
      r[n - 2] = r[n - 2]! + count;
    else r.push(first, count, label);
  }

  readData(index: number, labelOf: (data: string) => number): number {
    const r = this.ioRuns;
    if (r !== undefined) {
      for (let i = r.length - 3; i >= 0; i -= 3)
        if (index >= r[i]! && index < r[i]! + r[i + 1]!) return r[i + 2]!;
    }
    const folio = this.pages.get(index);
    return folio !== undefined ? labelOf(folio.data) : 0;
  }
}

class Work implements DeferredWork {
  constructor(
    readonly fn: string,
    readonly run: () => void,
    readonly queuedAtNs: number,
    readonly readyAtNs: number,
  ) {}
}

class Dirs {
  readonly tmp = new SmallMap<string, Inode>();
  readonly cwd = new SmallMap<string, Inode>();
}

/** A hugetlb pool as booted from its spec. */
class Pool implements Hstate {
  sizeKiB: number;
  nr: number;
  free: number;
  resv = 0;
  allocatable: number;
  movable: boolean;
  gigantic: boolean;

  constructor(p: HugetlbPoolSpec, gigantic: boolean) {
    this.sizeKiB = p.sizeKiB;
    this.nr = p.free;
    this.free = p.free;
    this.allocatable = p.allocatable;
    this.movable = p.movable;
    this.gigantic = gigantic;
  }
}

/** What a caller of newFolio() may set; everything else starts at its default. */
export interface NewFolioOptions {
  anonExclusive?: boolean;
  hugetlb?: Hstate;
  movable?: boolean;
  dax?: boolean;
  data?: string;
  mapping?: Inode;
}
const NO_FOLIO_OPTIONS: NewFolioOptions = {};

export class Kernel {
  readonly spec: KernelSpec;
  /**
   * The kernel's behaviours as plain boolean fields. The model reads them by name
   * (`k.flags.gup_unshare_anon`): a field read at each site, where has(name) is one keyed
   * lookup by two dozen names shared by every caller.
   */
  readonly flags: BehaviourFlags;
  readonly trace = new Trace();
  readonly pageSize: number;
  readonly hstates: Hstate[];
  /** Kernel-internal shm mount backing memfd_create() without MFD_HUGETLB. */
  readonly shmMount: Mount = new FsMount(FS_TYPES.tmpfs);
  readonly hugetlbMount: Mount = new FsMount(FS_TYPES.hugetlbfs);
  /** Directory entries of the two directories the selftest creates files in. */
  readonly dirs = new Dirs();
  /** user_struct->locked_vm for io_uring accounting, in base pages. */
  lockedVmPages = 0;
  /** mm/gup_test.c's pin_longterm_test_pages: what PIN_LONGTERM_TEST_START holds until _STOP. */
  gupTestPinned: Folio[] | undefined = undefined;
  /** …and the anonymous pages it holds (memory-map pfns). */
  gupTestPinnedPfns: PfnList | undefined = undefined;
  /**
   * Queued work that has not run yet, in the order it becomes ready. Work that waits for an
   * RCU grace period (milliseconds) does not finish within the few syscalls a selftest takes
   * to reach its next sub-test; it runs when the simulated clock passes its time (clock.ts:
   * only bulk memory work moves it, e.g. clearing a 1 GiB huge page) or when someone calls
   * runDeferredWork() (a sleep, a scenario step).
   */
  readonly deferredWork: DeferredWork[] = emptyArray(); // not []: see kernel-model emptyArray()
  /** The simulated clock (kernel-model/clock.ts), in ns since boot. */
  nowNs = 0;
  /**
   * Every process's address space, for rmap walks (folio_mkclean, mapcount), in creation
   * order. A list, not a Set: each is added once, by its constructor, and a Set cost every
   * booted kernel a hash table.
   */
  readonly mms: AddressSpace[] = emptyArray(); // not []: see kernel-model emptyArray()
  private nextIno = 1;
  private nextFolioId = 1;
  private nextMmId = 1;
  private anonState: AnonState | undefined = undefined;
  private labelTable: Labels | undefined = undefined;
  private anonPlaceholder: OpenFile | undefined = undefined;

  constructor(spec: KernelSpec) {
    this.spec = spec;
    this.flags = resolveBehaviourFlags(spec.release, spec.patches);
    this.pageSize = spec.pageSizeKiB * 1024;
    const giganticAbove = maxBuddyKiB(spec.pageSizeKiB);
    this.hstates = emptyArray();
    if (spec.config.HUGETLBFS) for (const p of spec.hugetlb) this.hstates.push(new Pool(p, p.sizeKiB > giganticAbove));
  }

  /** Anonymous memory: made on first use (a run that maps none never pays for it). */
  get anon(): AnonState {
    return (this.anonState ??= new AnonState({
      arch: this.spec.arch,
      pageSizeKiB: this.spec.pageSizeKiB,
      thpConfigured: this.spec.config.TRANSPARENT_HUGEPAGE ?? true,
      thp: this.spec.thp ?? DEFAULT_THP,
      mthp: this.flags.mthp_anon,
      swapKiB: this.spec.swapKiB ?? 0,
    }));
  }

  /**
   * The run on this kernel is over and nothing will read its state again (cases/run.ts, once
   * the records are taken): what it allocated in bulk may serve the next kernel.
   */
  retire(): void {
    this.anonState?.retire();
  }

  /** Page contents as labels (labels.ts): shared by the memory map and the page-cache folios. */
  get labels(): Labels {
    return (this.labelTable ??= new Labels());
  }

  /** An address space's id (mm->mm_id, 6.15's MM ids; also just a name for the rmap). */
  newMmId(): number {
    return this.nextMmId++;
  }

  /**
   * What an anonymous VMA's `file` points at: anonymous VMAs have no vm_file, and the model's
   * VMAs always carry one, so this placeholder stands for "none" (its inode is never freed).
   */
  get anonFile(): OpenFile {
    return (this.anonPlaceholder ??= {
      inode: this.newInode(this.shmMount),
      special: undefined,
      refs: 1,
    });
  }

  /** Whether a behaviour is in this kernel, for callers holding its name as a value. */
  has(name: BehaviourName): boolean {
    return this.flags[name];
  }

  /**
   * Whether note() records anything. A search that runs hundreds of predictions and reads only
   * their outputs turns it off; nothing the kernel decides depends on it.
   */
  tracing = true;

  /** Record a decision; when a behaviour decided it, cite its commit and release. */
  note(fn: string, detail: string, extra: { by?: BehaviourName; errno?: string } = {}): void {
    if (!this.tracing) return;
    const event: TraceEvent = { fn, detail };
    if (extra.by) {
      const b = behaviour(extra.by);
      if (b.commit) event.commit = b.commit;
      event.release = b.release;
      event.behaviour = b.name;
    }
    if (extra.errno) event.errno = extra.errno;
    this.trace.add(event);
  }

  /**
   * Queue work that can run `afterNs` of simulated time from now (clock.ts elapse()). Every
   * caller waits the same kind of delay, so the queue stays in the order its items get ready.
   */
  queueWork(fn: string, detail: string, run: () => void, afterNs: number): void {
    if (this.tracing) this.note(fn, `queued: ${detail}`);
    this.deferredWork.push(new Work(fn, run, this.nowNs, this.nowNs + afterNs));
  }

  /** Let queued work run (time passes: a grace period elapses, the workqueue drains). */
  runDeferredWork(): void {
    while (this.deferredWork.length) {
      const w = this.deferredWork.shift()!;
      if (w.readyAtNs > this.nowNs) this.nowNs = w.readyAtNs;
      this.note(w.fn, 'ran');
      w.run();
    }
  }

  /** Explain why a behaviour is absent (so traces also say what did *not* happen yet). */
  describeAbsent(name: BehaviourName): string {
    const b = behaviour(name);
    return `${b.commit ?? `"${b.title}"`} (${b.release}) not in this kernel`;
  }

  newInode(mount: Mount, hstate?: Hstate): Inode {
    return new KernelInode(this.nextIno++, mount, hstate);
  }

  newUnlinkedInode(mount: Mount, hstate?: Hstate): Inode {
    const inode = this.newInode(mount, hstate);
    inode.nlink = 0;
    return inode;
  }

  /** Every folio gets the same fields in the same order (one object shape, no spread). */
  newFolio(kind: FolioKind, size: number, opts: NewFolioOptions = NO_FOLIO_OPTIONS): Folio {
    return {
      id: this.nextFolioId++,
      kind,
      size,
      anonExclusive: opts.anonExclusive ?? kind === 'anon',
      hugetlb: opts.hugetlb,
      movable: opts.movable ?? false,
      dax: opts.dax ?? false,
      pincount: 0,
      freed: false,
      dirty: false,
      fsPrepared: false,
      fsPrivate: false,
      refs: 0,
      data: opts.data ?? 'zeroes',
      mapping: opts.mapping,
    };
  }

  hstateBySize(sizeKiB: number): Hstate | undefined {
    // A loop, not find() with a closure: every hugetlb memfd_create() and pool read asks.
    const hs = this.hstates;
    for (let i = 0; i < hs.length; i++) if (hs[i]!.sizeKiB === sizeKiB) return hs[i];
    return undefined;
  }

  /** Mount holding a path as the selftest uses them: absolute /tmp/... or relative to cwd. */
  mountFor(path: string): { mount: Mount; dir: SmallMap<string, Inode>; name: string } {
    if (path.startsWith('/tmp/')) return { mount: this.spec.mounts.tmp, dir: this.dirs.tmp, name: path.slice(5) };
    return { mount: this.spec.mounts.cwd, dir: this.dirs.cwd, name: path };
  }

  /** f_type as statfs reports it: 9p passes the host's through (or fails without one). */
  statfsType(mount: Mount): number | undefined {
    if (mount.type.statfsFromHost) return mount.host?.magic;
    return mount.type.magic;
  }
}
