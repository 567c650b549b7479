/**
 * The kernel timeline: every behaviour gupsim models that changed between 5.10 and today,
 * keyed by a short name and tied to the mainline commit and release that introduced it.
 * A kernel is a release plus `kernel.patches` (+id applies one behaviour, -id reverts it),
 * which is how an mm-unstable state such as "6.4 + Lorenzo's GUP commits, without the
 * io_uring one" is described.
 */
import { atLeast, type Release } from './release.js';

export interface Behaviour {
  /** Stable name used in code and traces. */
  name: BehaviourName;
  /** 12-hex-digit mainline commit id; absent where no source at hand names the commit. */
  commit?: string;
  /** Mainline release whose merge window carried it. */
  release: string;
  /** The commit subject (or a short summary when the subject is not the point). */
  title: string;
  /** Stable series that received a backport, with the first stable release carrying it. */
  backports?: Record<string, string>;
  /** How the commit or release was established, when it is not simply the commit's own tag. */
  evidence?: string;
}

export type BehaviourName =
  | 'gup_test_debugfs'
  | 'fsdax_check_in_check_vma_flags'
  | 'longterm_migrate_movable'
  | 'io_uring_shmem_buffers'
  | 'gup_unshare_anon'
  | 'pin_longterm_test'
  | 'gup_reliable_ro_longterm_cow'
  | 'vma_needs_dirty_tracking'
  | 'gup_longterm_write_file_denied'
  | 'gup_fast_longterm_write_file_denied'
  | 'io_uring_gup_decides_file_backed'
  | 'io_uring_disabled_sysctl'
  | 'io_uring_pin_pages_fast'
  | 'io_uring_unaccount_at_exit_queue'
  | 'io_uring_rings_memcg'
  | 'io_uring_ring_region_accounted'
  | 'io_uring_ring_region_unaccounted'
  | 'io_uring_buffer_cap_1t'
  | 'gup_forces_cow_break'
  | 'do_wp_page_page_count'
  | 'fork_copies_pinned'
  | 'hugetlb_fork_copies_pinned'
  | 'gup_cow_break_removed'
  | 'ext4_no_bug_on_unprepared_dirty'
  | 'anon_exclusive'
  | 'reclaim_keeps_pinned_private'
  | 'swp_exclusive'
  | 'madv_collapse'
  | 'mthp_anon'
  | 'wp_reuse_large_anon'
  | 'thp_cow_split_pmd'
  | 'thp_wp_page_count'
  | 'swapin_reuse_page_count'
  | 'mprotect_upgrade_exclusive_anon'
  | 'pageout_folio_mapcount'
  | 'pageout_estimated_sharers'
  | 'thp_split_remap_zero';

export const BEHAVIOURS: readonly Behaviour[] = [
  {
    name: 'gup_test_debugfs',
    commit: '9c84f229268f',
    release: '5.11',
    title: 'mm/gup_benchmark: rename to mm/gup_test (/sys/kernel/debug/gup_test)',
  },
  {
    name: 'fsdax_check_in_check_vma_flags',
    commit: '52650c8b466b',
    release: '5.11',
    title: 'mm/gup: remove the vma allocation from gup_longterm_locked() (fsdax refused before pinning)',
  },
  {
    name: 'longterm_migrate_movable',
    commit: 'd1e153fea2a8',
    release: '5.13',
    title: 'mm/gup: migrate pinned pages out of movable zone',
  },
  {
    name: 'io_uring_shmem_buffers',
    commit: '40dad765c045',
    release: '5.14',
    title: 'io_uring: enable shmem/memfd memory registration',
  },
  {
    name: 'gup_unshare_anon',
    commit: 'a7f226604170',
    release: '5.19',
    title: 'mm/gup: trigger FAULT_FLAG_UNSHARE when R/O-pinning a possibly shared anonymous page',
  },
  {
    name: 'pin_longterm_test',
    commit: 'c77369b437f9',
    release: '6.2',
    title: 'mm/gup_test: start/stop/read functionality for PIN LONGTERM test',
  },
  {
    name: 'gup_reliable_ro_longterm_cow',
    commit: '84209e87c696',
    release: '6.2',
    title: 'mm/gup: reliable R/O long-term pinning in COW mappings',
  },
  {
    name: 'vma_needs_dirty_tracking',
    commit: '54cbbbf3faf6',
    release: '6.5',
    title: 'mm/mmap: separate writenotify and dirty tracking logic',
  },
  {
    name: 'gup_longterm_write_file_denied',
    commit: '8ac268436e6d',
    release: '6.5',
    title: 'mm/gup: disallow FOLL_LONGTERM GUP-nonfast writing to file-backed mappings',
  },
  {
    name: 'gup_fast_longterm_write_file_denied',
    commit: 'a6e79df92e4a',
    release: '6.5',
    title: 'mm/gup: disallow FOLL_LONGTERM GUP-fast writing to file-backed mappings',
  },
  {
    name: 'io_uring_gup_decides_file_backed',
    commit: '34ed8d0dcd69',
    release: '6.5',
    title: 'io_uring: rsrc: delegate VMA file-backed check to GUP',
  },
  {
    name: 'io_uring_disabled_sysctl',
    commit: '76d3ccecfa18',
    release: '6.6',
    title: 'io_uring: add a sysctl to disable io_uring system-wide',
  },
  {
    name: 'io_uring_pin_pages_fast',
    commit: '1943f96b3816',
    release: '6.10',
    title: 'io_uring: unify io_pin_pages() (pin_user_pages_fast); 6.6.y backport release not verified',
    backports: { '6.6': '6.6.90' },
  },
  {
    name: 'io_uring_unaccount_at_exit_queue',
    commit: '309fc03a3284',
    release: '5.8',
    title: 'io_uring: account user memory freed when exit has been queued',
    evidence: 'Jens Axboe in liburing issue #157 (2020-07-10): the fix for back-to-back ring exit + init failing on a tight RLIMIT_MEMLOCK, in 5.8-rc5',
  },
  {
    name: 'io_uring_rings_memcg',
    commit: '26bfa89e25f4',
    release: '5.12',
    title: 'io_uring: place ring SQ/CQ arrays under memcg memory limits (rings no longer charged to RLIMIT_MEMLOCK)',
  },
  {
    name: 'io_uring_ring_region_accounted',
    commit: '81a4058e0cd0',
    release: '6.14',
    title: 'io_uring: use region api for CQ (rings become io_create_region(ctx, …) regions, charged to ctx->user)',
    evidence: 'patch text (v2 series of 2024-11-24, with 8078486e1d53 for the SQEs); release inferred; 6.18.44 logs show the charge',
  },
  {
    name: 'io_uring_ring_region_unaccounted',
    release: '7.2',
    title: 'io_uring: ring memory is not charged to RLIMIT_MEMLOCK (io_create_region(NULL, …) for the rings)',
    evidence: 'commit not identified: the 7.2.13 tree has it (io_uring.c "ring memory is not charged to RLIMIT_MEMLOCK, hence no user"), 6.18.44 does not; dated to the first tree known to have it',
  },
  {
    name: 'io_uring_buffer_cap_1t',
    release: '7.2',
    title: 'io_uring/rsrc: io_validate_user_buf_range() caps a registered buffer at SZ_1T (-EINVAL) instead of SZ_1G (-EFAULT)',
    evidence: 'commit not identified: 6.12 has the SZ_1G check, the 7.2.13 tree the SZ_1T one; dated to the first tree known to have it',
  },
  // What happens after a pin (cases/scenarios): COW, writeback and reclaim of pinned folios.
  {
    name: 'gup_forces_cow_break',
    commit: '17839856fd58',
    release: '5.8',
    title: 'gup: document and work around "COW can break either way" issue',
  },
  {
    name: 'do_wp_page_page_count',
    commit: '09854ba94c6a',
    release: '5.9',
    title: 'mm: do_wp_page() simplification (reuse an anonymous page only when page_count() == 1)',
  },
  {
    name: 'gup_cow_break_removed',
    commit: 'a308c71bf1e6',
    release: '5.9',
    title: 'mm/gup: Remove enfornced COW mechanism',
  },
  {
    name: 'fork_copies_pinned',
    commit: '70e806e4e645',
    release: '5.9',
    title: 'mm: Do early cow for pinned pages during fork() for ptes (dated 2020-09-27; release inferred)',
  },
  {
    name: 'ext4_no_bug_on_unprepared_dirty',
    commit: 'cc5095747edf',
    release: '5.18',
    title: "ext4: don't BUG if someone dirty pages without asking ext4 first",
  },
  {
    name: 'anon_exclusive',
    commit: '6c287605fd56',
    release: '5.19',
    title: 'mm: remember exclusively mapped anonymous pages with PG_anon_exclusive',
  },
  // What cow.c exercises: THP, swap, collapse (kernel-model/anon-*.ts, madvise.ts, swap.ts).
  {
    name: 'swp_exclusive',
    commit: '1493a1913e34',
    release: '5.19',
    title: 'mm/swap: remember PG_anon_exclusive via a swp pte bit',
  },
  {
    name: 'madv_collapse',
    commit: '7d8faaf15545',
    release: '6.1',
    title: 'mm/madvise: introduce MADV_COLLAPSE sync hugepage collapse',
  },
  {
    name: 'hugetlb_fork_copies_pinned',
    commit: '4eae4efa2c29',
    release: '5.12',
    title: 'hugetlb: do early cow when page pinned on src mm',
    evidence:
      'id and release from memory of the series (Peter Xu, early 2021); the 7.2.13 tree copies pinned anon hugetlb folios in copy_hugetlb_page_range()',
  },
  {
    name: 'mthp_anon',
    commit: '19eaf44954df',
    release: '6.8',
    title: 'mm: thp: support allocation of anonymous multi-size THP (hugepages-<N>kB/enabled)',
  },
  {
    name: 'wp_reuse_large_anon',
    release: '7.2',
    title:
      'mm: do_wp_page() reuses a large anonymous folio this MM alone maps (__wp_can_reuse_large_anon_folio, MM ids)',
    evidence:
      'commit not identified here: the 6.12 tree never reuses a large folio, the 7.2.13 tree has __wp_can_reuse_large_anon_folio(); dated to the first tree known to have it',
  },
  {
    name: 'thp_cow_split_pmd',
    commit: '3917c80280c9',
    release: '5.8',
    title:
      'thp: change CoW semantics for anon-THP (a write to a shared PMD-mapped THP splits the PMD and copies one 4 kB page, instead of copying the whole THP)',
    evidence: 'id and release from the cowlogs KERNEL.md [K]; not re-read here',
  },
  {
    name: 'thp_wp_page_count',
    commit: '3bff7e3f1f16',
    release: '5.18',
    title:
      'mm/huge_memory: streamline COW logic in do_huge_pmd_wp_page() (reuse only when page_count() says nothing else holds the THP)',
    evidence:
      'COW fixes part 1 (mail of 2021-12-17: "anonymous THP … leak again" on 5.16); id and release from the cowlogs KERNEL.md [K]; the 6.1 tree has the refcount check',
  },
  {
    name: 'swapin_reuse_page_count',
    commit: 'c145e0b47c77',
    release: '5.18',
    title:
      'mm: streamline COW logic in do_swap_page() (a write swap-in reuses the page only when page_count() says nothing else holds it, not by reuse_swap_page())',
    evidence: 'same series as 3bff7e3f1f16; id and release from the cowlogs KERNEL.md [K]',
  },
  {
    name: 'mprotect_upgrade_exclusive_anon',
    commit: '64fe24a3e05e',
    release: '6.2',
    title:
      'mm/mprotect: try avoiding write faults for exclusive anonymous pages when changing protection',
    backports: { '6.1': '6.1.192' },
    evidence:
      'the 6.1.192 tree has can_change_pte_writable() with the PageAnonExclusive check (stable backport; 6.1.192 is an upper bound for the first 6.1.y with it)',
  },
  {
    name: 'pageout_folio_mapcount',
    commit: '07e8c82b5eff',
    release: '6.3',
    title:
      'madvise: convert madvise_cold_or_pageout_pte_range() to use folios (a PTE-mapped THP counts as shared by folio_mapcount(): not paged out)',
    evidence:
      'id from the cowlogs KERNEL.md [K]; symptom in the 2023-08 thread (MADV_PAGEOUT leaves PTE-mapped THPs resident although swap is on)',
  },
  {
    name: 'pageout_estimated_sharers',
    commit: '2f406263e3e9',
    release: '6.6',
    title: "madvise: don't use mapcount() against large folio for sharing check (folio_estimated_sharers())",
    evidence:
      'release inferred [I] (series of 2023-08; the 6.12 tree has folio_likely_mapped_shared() there); 6.1.y never had the regression (the 6.1.192 tree still tests page_mapcount()); a 6.5.y backport is not modelled',
  },
  {
    name: 'thp_split_remap_zero',
    commit: 'b1f202060afe',
    release: '6.12',
    title:
      'mm: remap unused subpages to shared zeropage when splitting isolated thp (zero-filled pages of a THP split on reclaim are not swapped)',
    evidence:
      'the 6.12.118 tree has RMP_USE_SHARED_ZEROPAGE; seen on the 6.18 host: zero-filled THPs paged out come back as the shared zeropage, not from swap',
  },
  {
    name: 'reclaim_keeps_pinned_private',
    commit: 'd824ec2a1546',
    release: '6.4',
    title: 'mm: do not reclaim private data from pinned page',
  },
];

const BY_COMMIT = new Map(BEHAVIOURS.filter((b) => b.commit !== undefined).map((b) => [b.commit, b]));
const BY_NAME = new Map(BEHAVIOURS.map((b) => [b.name, b]));

export function behaviour(name: BehaviourName): Behaviour {
  const b = BY_NAME.get(name);
  /* c8 ignore next */
  if (!b) throw new Error(`unknown behaviour ${name}`);
  return b;
}

export interface PatchSpec {
  apply: boolean;
  commit: string;
}

const PATCH_RE = /^([+-])([0-9a-f]{12})$/;

export function parsePatch(text: string): PatchSpec | { error: string } {
  const m = PATCH_RE.exec(text.trim().toLowerCase());
  if (!m) return { error: `patch "${text}" must be +<12-hex-digit commit> or -<commit>` };
  const commit = m[2] ?? '';
  if (!BY_COMMIT.has(commit)) {
    return {
      error: `patch "${text}": commit ${commit} is not a behaviour gupsim models (see \`gupsim versions\`)`,
    };
  }
  return { apply: m[1] === '+', commit };
}

/** Whether a release (ignoring patches) contains a behaviour, counting stable backports. */
export function releaseHas(release: Release, b: Behaviour): boolean {
  if (atLeast(release, b.release)) return true;
  const series = `${release.major}.${release.minor}`;
  const firstStable = b.backports?.[series];
  return firstStable !== undefined && atLeast(release, firstStable);
}

/** Every behaviour as a boolean field: what Kernel.has() reads on each syscall. */
export type BehaviourFlags = Readonly<Record<BehaviourName, boolean>>;

interface Resolved {
  set: ReadonlySet<BehaviourName>;
  flags: BehaviourFlags;
  /** The names in code-point order: what identifies this kernel's model (prediction keys). */
  sorted: readonly BehaviourName[];
}

const RESOLVED = new Map<string, Resolved>();

function resolved(release: Release, patches: readonly PatchSpec[]): Resolved {
  let key = release.text;
  if (patches.length) key += `|${patches.map((p) => (p.apply ? '+' : '-') + p.commit).join(',')}`;
  let r = RESOLVED.get(key);
  if (!r) {
    const set = computeBehaviours(release, patches);
    // Built in BEHAVIOURS order every time, so every flags object has the same shape.
    const built = {} as Record<BehaviourName, boolean>;
    for (const b of BEHAVIOURS) built[b.name] = set.has(b.name);
    // Copied by a spread: an object given more than a dozen properties by keyed stores is
    // turned into a hash table (V8's dictionary mode), and Kernel.has() reads it per syscall.
    const flags = { ...built };
    r = { set, flags, sorted: [...set].sort() };
    if (RESOLVED.size < 4096) RESOLVED.set(key, r);
  }
  return r;
}

/**
 * The set of behaviours active in a kernel built from `release` with `patches` on top.
 * Memoised: every prediction boots a kernel, and a search boots thousands of the same few.
 */
export function resolveBehaviours(release: Release, patches: readonly PatchSpec[]): ReadonlySet<BehaviourName> {
  return resolved(release, patches).set;
}

/** resolveBehaviours() sorted by name (same memo). */
export function sortedBehaviours(release: Release, patches: readonly PatchSpec[]): readonly BehaviourName[] {
  return resolved(release, patches).sorted;
}

/** resolveBehaviours() as boolean fields (same memo). */
export function resolveBehaviourFlags(release: Release, patches: readonly PatchSpec[]): BehaviourFlags {
  return resolved(release, patches).flags;
}

function computeBehaviours(release: Release, patches: readonly PatchSpec[]): Set<BehaviourName> {
  const active = new Set<BehaviourName>();
  for (const b of BEHAVIOURS) if (releaseHas(release, b)) active.add(b.name);
  for (const p of patches) {
    const b = BY_COMMIT.get(p.commit);
    /* c8 ignore next */
    if (!b) continue;
    if (p.apply) active.add(b.name);
    else active.delete(b.name);
  }
  return active;
}
