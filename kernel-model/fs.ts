/**
 * Filesystem types as far as long-term pinning can tell them apart: the statfs magic user
 * space sees, whether a shared writable mapping needs dirty tracking (page_mkwrite /
 * writeback-capable BDI), and the quirks that decide the selftest's setup steps.
 */
export type FsName =
  | 'tmpfs'
  | 'hugetlbfs'
  | 'ext2'
  | 'ext3'
  | 'ext4'
  | 'xfs'
  | 'btrfs'
  | 'nfs'
  | 'nfs3'
  | '9p'
  | 'overlayfs'
  | 'fuse'
  | 'virtiofs'
  | 'f2fs'
  | 'bcachefs'
  | 'cifs'
  | 'vfat'
  | 'exfat'
  | 'ramfs'
  | 'ext4-dax'
  | 'xfs-dax'
  | 'erofs'
  | 'squashfs';

export interface FsType {
  name: FsName;
  /** f_type reported by statfs (include/uapi/linux/magic.h). */
  magic: number;
  /** shmem_vm_ops / hugetlb_vm_ops: no page_mkwrite, no writeback. */
  shmem: boolean;
  hugetlbfs: boolean;
  /** vm_ops->page_mkwrite present for shared file mappings (ext4_page_mkwrite, filemap_page_mkwrite …). */
  pageMkwrite: boolean;
  /** mapping_can_writeback(): the BDI has BDI_CAP_WRITEBACK. */
  writeback: boolean;
  /** ->tmpfile inode op: open(O_TMPFILE) works. */
  tmpfile: boolean;
  /** ->fallocate (mode 0) supported; otherwise vfs_fallocate() → -EOPNOTSUPP. */
  fallocate: boolean;
  /** fsdax mapping: any FOLL_LONGTERM pin is refused with -EOPNOTSUPP. */
  dax: boolean;
  /** Read-only filesystem: creating files fails with -EROFS. */
  readOnly: boolean;
  /**
   * statfs is answered by a server that passes its own filesystem's f_type through (v9fs);
   * with no host filesystem named, the server does not answer (-EOPNOTSUPP).
   */
  statfsFromHost: boolean;
  /**
   * setattr goes to the server by path, so ftruncate() of an unlinked file fails with -ENOENT
   * (v9fs with the QEMU server, QEMU issue 103).
   */
  setattrByPath: boolean;
  /** ->page_mkwrite attaches folio->private (ext4 buffer_heads, btrfs extent state) that reclaim may strip again. */
  mkwriteAttachesPrivate?: boolean;
  /** ->writepages insists on that private state: ext4_writepages() with a dirty folio without buffers (BUG, then a warning). */
  writebackRequiresPrivate?: boolean;
}

const base = {
  shmem: false,
  hugetlbfs: false,
  pageMkwrite: true,
  writeback: true,
  tmpfile: true,
  fallocate: true,
  dax: false,
  readOnly: false,
  statfsFromHost: false,
  setattrByPath: false,
  // Present (false) on every type so all FsType objects share one shape: the mount's type is
  // read on every fault and pin, and a polymorphic load there costs more than the field.
  mkwriteAttachesPrivate: false,
  writebackRequiresPrivate: false,
};

export const FS_TYPES: Record<FsName, FsType> = {
  // shmem_vm_ops has no page_mkwrite and tmpfs's BDI cannot write back (mm/shmem.c).
  tmpfs: {
    ...base,
    name: 'tmpfs',
    magic: 0x01021994,
    shmem: true,
    pageMkwrite: false,
    writeback: false,
  },
  hugetlbfs: {
    ...base,
    name: 'hugetlbfs',
    magic: 0x958458f6,
    hugetlbfs: true,
    pageMkwrite: false,
    writeback: false,
    tmpfile: false,
  },
  // ext2 uses generic_file_vm_ops (filemap_page_mkwrite); ext3/ext4 ext4_file_vm_ops.
  ext2: { ...base, name: 'ext2', magic: 0xef53 },
  // ext3 is mounted by the ext4 driver: buffer_heads from ext4_page_mkwrite, required by ext4_writepages.
  ext3: { ...base, name: 'ext3', magic: 0xef53, mkwriteAttachesPrivate: true, writebackRequiresPrivate: true },
  ext4: { ...base, name: 'ext4', magic: 0xef53, mkwriteAttachesPrivate: true, writebackRequiresPrivate: true },
  xfs: { ...base, name: 'xfs', magic: 0x58465342 },
  // btrfs_page_mkwrite() sets the folio's extent state; writeback fixes up a folio without it.
  btrfs: { ...base, name: 'btrfs', magic: 0x9123683e, mkwriteAttachesPrivate: true },
  // NFS: nfs_file_vm_ops page_mkwrite; no O_TMPFILE; NFSv3 has no ALLOCATE.
  nfs: { ...base, name: 'nfs', magic: 0x6969, tmpfile: false },
  nfs3: { ...base, name: 'nfs3', magic: 0x6969, tmpfile: false, fallocate: false },
  // v9fs: statfs passes the host's f_type through (handled at mount level); no O_TMPFILE.
  '9p': {
    ...base,
    name: '9p',
    magic: 0x01021997,
    tmpfile: false,
    statfsFromHost: true,
    setattrByPath: true,
  },
  overlayfs: { ...base, name: 'overlayfs', magic: 0x794c7630 },
  fuse: { ...base, name: 'fuse', magic: 0x65735546 },
  virtiofs: { ...base, name: 'virtiofs', magic: 0x65735546 },
  f2fs: { ...base, name: 'f2fs', magic: 0xf2f52010 },
  bcachefs: { ...base, name: 'bcachefs', magic: 0xca451a4e },
  cifs: { ...base, name: 'cifs', magic: 0xff534d42, tmpfile: false },
  vfat: { ...base, name: 'vfat', magic: 0x4d44, tmpfile: false },
  exfat: { ...base, name: 'exfat', magic: 0x2011bab0, tmpfile: false, fallocate: false },
  // ramfs uses generic_file_vm_ops (filemap_page_mkwrite) but has no ->fallocate.
  ramfs: { ...base, name: 'ramfs', magic: 0x858458f6, writeback: false, fallocate: false },
  'ext4-dax': { ...base, name: 'ext4-dax', magic: 0xef53, dax: true },
  'xfs-dax': { ...base, name: 'xfs-dax', magic: 0x58465342, dax: true },
  erofs: { ...base, name: 'erofs', magic: 0xe0f5e1e2, readOnly: true, tmpfile: false },
  squashfs: { ...base, name: 'squashfs', magic: 0x73717368, readOnly: true, tmpfile: false },
};

export const FS_NAMES = Object.keys(FS_TYPES) as FsName[];

export function isFsName(s: string): s is FsName {
  return Object.prototype.hasOwnProperty.call(FS_TYPES, s);
}

/** A mounted filesystem: a type plus mount-specific facts (9p host passthrough, overlay upper). */
export interface Mount {
  type: FsType;
  /** 9p: the host filesystem whose f_type statfs passes through; undefined → statfs fails. */
  host?: FsType;
  /** 9p: `cache=none` refuses writable shared mmap (generic_file_readonly_mmap). */
  cacheNone?: boolean;
  /** overlayfs: the upper filesystem a mapping's VMA is re-pointed to (ovl_mmap). */
  upper?: FsType;
  /** nfs: the negotiated protocol version (`3`, `4.0`, `4.1`, `4.2`); undefined = 4.2. */
  nfsVersion?: string;
  /**
   * FUSE/virtiofs/NFSv4.2: whether the server implements allocation (FUSE_FALLOCATE, the
   * NFSv4.2 ALLOCATE operation); undefined = it does.
   */
  serverFallocate?: boolean;
}

/**
 * A Mount with every field present (undefined when the mount does not say), built by one
 * constructor: kernel-internal and environment mounts then share one object shape, so the
 * mount loads on the fault and GUP paths stay monomorphic.
 */
export class FsMount implements Mount {
  host: FsType | undefined = undefined;
  cacheNone: boolean | undefined = undefined;
  upper: FsType | undefined = undefined;
  nfsVersion: string | undefined = undefined;
  serverFallocate: boolean | undefined = undefined;
  constructor(readonly type: FsType) {}
}

/**
 * vfs_fallocate() mode 0 on this mount: the filesystem needs ->fallocate, and for network and
 * user-space filesystems the server has to implement it too. Every refusal is -EOPNOTSUPP;
 * undefined when the mount allocates.
 */
export function mountFallocate(m: Mount): FallocateRefusal | undefined {
  const t = m.type;
  if (!t.fallocate) return 'no-fallocate';
  if (t.name === 'nfs' && m.nfsVersion !== undefined && m.nfsVersion !== '4.2') {
    // nfs4_file_operations.fallocate = nfs42_fallocate(), which needs NFS_CAP_ALLOCATE: only
    // a minorversion-2 server sets it (NFSv3's nfs_file_operations has no ->fallocate at all).
    return 'nfs-no-allocate';
  }
  if (m.serverFallocate === false) {
    // fuse_file_fallocate(): the server answered FUSE_FALLOCATE with -ENOSYS, so
    // fc->no_fallocate is set and the call fails with -EOPNOTSUPP.
    if (t.name === 'fuse' || t.name === 'virtiofs') return 'fuse-no-fallocate';
    return 'server-no-allocate';
  }
  return undefined;
}

/**
 * Why mountFallocate() refuses, as a code: the trace's words (fallocateRefusalWords()) are
 * built only when someone traces, not on every refused fallocate() of a trace-less run.
 */
export type FallocateRefusal = 'no-fallocate' | 'nfs-no-allocate' | 'fuse-no-fallocate' | 'server-no-allocate';

/** The kernel function that refused, and why, for the trace. */
export function fallocateRefusalWords(m: Mount, r: FallocateRefusal): { fn: string; why: string } {
  const t = m.type;
  switch (r) {
    case 'no-fallocate':
      return { fn: 'vfs_fallocate', why: `${t.name} has no ->fallocate` };
    case 'nfs-no-allocate':
      return { fn: 'nfs42_fallocate', why: `NFSv${m.nfsVersion} has no ALLOCATE operation (NFSv4.2 only)` };
    case 'fuse-no-fallocate':
      return { fn: 'fuse_file_fallocate', why: 'the FUSE server does not implement FUSE_FALLOCATE (fc->no_fallocate)' };
    case 'server-no-allocate':
      return { fn: `${t.name}_fallocate`, why: `the ${t.name} server does not implement allocation` };
  }
}
