/**
 * The objects of the simulated memory manager: folios, inodes with their page cache, open
 * files, VMAs with their page-table entries. Deliberately small: one test maps one base page
 * or one huge page, but the objects carry every property a long-term pin looks at.
 */
import type { Mount } from './fs.js';
import type { Hstate } from './hugetlb.js';
import type { MmuSubscription } from './mmu-notifier.js';
import type { SmallMap } from './small-map.js';

export type FolioKind = 'anon' | 'shmem' | 'pagecache' | 'hugetlb';

export interface Folio {
  id: number;
  kind: FolioKind;
  /** Bytes. */
  size: number;
  /** PageAnonExclusive (5.19+ semantics): only this process maps the anon page. */
  anonExclusive: boolean;
  /** Hugetlb folios that are anonymous (private COW copies) are also `anon`. */
  hugetlb: Hstate | undefined;
  /** ZONE_MOVABLE / MIGRATE_CMA: not long-term pinnable (folio_is_longterm_pinnable()). */
  movable: boolean;
  /** fsdax page (pte_devmap, vma_is_fsdax). */
  dax: boolean;
  /** FOLL_PIN references (GUP_PIN_COUNTING_BIAS units collapsed to a count). */
  pincount: number;
  freed: boolean;
  /** PG_dirty: the folio holds data the backing store has not seen. */
  dirty: boolean;
  /** Page cache: ->page_mkwrite ran since writeback last cleaned the folio, so the filesystem knows it is dirty (blocks reserved, buffers attached). */
  fsPrepared: boolean;
  /** folio->private: filesystem state (buffer_heads) attached by ->page_mkwrite, stripped by reclaim. */
  fsPrivate: boolean;
  /** FOLL_GET references (get_user_pages without FOLL_PIN): they raise the refcount, not the pin count. */
  refs: number;
  /** What the folio holds: the label of its last writer, so scenarios can follow data. */
  data: string;
  /** Page cache: the inode whose mapping holds the folio (folio->mapping). */
  mapping?: Inode;
}

/** A process address space, as rmap walks and the refcount need to see it. */
export interface AddressSpace {
  vmaList(): readonly Vma[];
  /**
   * mm->notifier_subscriptions: the secondary MMUs following ranges of this address space
   * (mmu-notifier.ts); undefined until the first mmu_interval_notifier_insert(), as in the
   * kernel, so an invalidation of an mm nobody follows looks nothing up.
   */
  notifierSubscriptions: MmuSubscription[] | undefined;
}

export interface Inode {
  ino: number;
  mount: Mount;
  size: number;
  /** Link count; 0 once unlinked (the file lives on while open). */
  nlink: number;
  /** hugetlbfs inode of this hstate (memfd MFD_HUGETLB). */
  hstate: Hstate | undefined;
  /** Page cache, by page index (page = base page or huge page for hugetlb). */
  pages: SmallMap<number, Folio>;
  /**
   * hugetlb reservation map: page indices already reserved for this inode (shared), each
   * mapped to true. A SmallMap, not a Set: an inode reserves one huge page almost always, and
   * a Set costs a hash table (and a new one on every clear()).
   */
  resv: SmallMap<number, true>;
  /** Open file descriptions referring to this inode (for eviction on last close). */
  openCount: number;
  /** VMAs mapping this inode. */
  mapCount: number;
  /** What writeback last wrote to the blocks of each page index (the file's on-disk contents). */
  disk: Map<number, string>;
  /** resv.has(index), without materialising an empty reservation map. */
  resvHas(index: number): boolean;
  /** resv.size, likewise. */
  resvSize(): number;
  /** disk.get(index), without materialising an empty disk map. */
  diskAt(index: number): string | undefined;
  /**
   * write() and io_uring writes of whole pages: pages first … first+count-1 hold `label` (labels.ts).
   * Buffered I/O is not taken through page-cache folios (a mapping of the file does not see
   * it): what the selftests read back with pread() is only ever what they wrote, in files they
   * never map.
   */
  writeRange(first: number, count: number, label: number): void;
  /** The label pread() of page `index` returns: what was written, else a page-cache folio's, else zeroes (0). */
  readData(index: number, labelOf: (data: string) => number): number;
}

export interface OpenFile {
  inode: Inode;
  /** Special files (debugfs gup_test) have no inode semantics beyond being open. */
  special: 'gup_test' | undefined;
  refs: number;
}

export const VM_READ = 0x1;
export const VM_WRITE = 0x2;
export const VM_SHARED = 0x8;
export const VM_MAYREAD = 0x10;
export const VM_MAYWRITE = 0x20;
export const VM_MAYSHARE = 0x80;
export const VM_HUGETLB = 0x400000;
export const VM_IO = 0x4000;
export const VM_PFNMAP = 0x400;
/** MADV_DONTFORK: fork() leaves the VMA out of the child. */
export const VM_DONTCOPY = 0x20000;
/** VM_SOFTDIRTY: set on new VMAs; clear_refs 4 clears it, enabling soft-dirty write-protection. */
export const VM_SOFTDIRTY = 0x8000000;
/** MADV_HUGEPAGE / MADV_NOHUGEPAGE. */
export const VM_HUGEPAGE = 0x20000000;
export const VM_NOHUGEPAGE = 0x40000000;

export interface Pte {
  folio: Folio;
  writable: boolean;
  dirty: boolean;
}

export interface Vma {
  start: number;
  length: number;
  flags: number;
  file: OpenFile;
  /** Page size of this mapping (base page or hstate size), bytes. */
  pageSize: number;
  ptes: SmallMap<number, Pte>;
  /** hugetlb MAP_PRIVATE: pages reserved at mmap time, not yet consumed by a fault. */
  privateResv: number;
  /** VM_PFNMAP: raw page frame numbers by page index (pte_special, no struct page behind them). */
  pfns?: Map<number, number>;
  /**
   * An anonymous private mapping (MAP_PRIVATE|MAP_ANONYMOUS, not hugetlb): its pages live in
   * the memory map and the address space's page table (anon.ts), not in `ptes`, which stays
   * empty; `file` is the kernel's placeholder for anonymous memory.
   */
  anon: boolean;
}

export function isCowMapping(vma: Vma): boolean {
  return (vma.flags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE;
}

export function vmaIsHugetlb(vma: Vma): boolean {
  return (vma.flags & VM_HUGETLB) !== 0;
}

/** The filesystem whose vm_ops the VMA carries: overlayfs re-points vm_file to the upper file. */
export function vmaBackingFs(vma: Vma): Mount['type'] {
  const m = vma.file.inode.mount;
  return m.upper ?? m.type;
}
