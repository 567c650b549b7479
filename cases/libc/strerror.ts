/** glibc's strerror() texts for the errno values gup_longterm can print. */
import { Errno, type ErrnoName } from '../../kernel-model/errno.js';

const MESSAGES: Record<ErrnoName, string> = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  EINTR: 'Interrupted system call',
  EIO: 'Input/output error',
  EBADF: 'Bad file descriptor',
  EAGAIN: 'Resource temporarily unavailable',
  ENOMEM: 'Cannot allocate memory',
  EACCES: 'Permission denied',
  EFAULT: 'Bad address',
  EBUSY: 'Device or resource busy',
  EEXIST: 'File exists',
  ENODEV: 'No such device',
  EISDIR: 'Is a directory',
  EINVAL: 'Invalid argument',
  ENOTTY: 'Inappropriate ioctl for device',
  EFBIG: 'File too large',
  ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system',
  ENOSYS: 'Function not implemented',
  EOPNOTSUPP: 'Operation not supported',
};

const BY_NUMBER = new Map<number, string>(
  (Object.keys(MESSAGES) as ErrnoName[]).map((k) => [Errno[k], MESSAGES[k]]),
);

export function strerror(errno: number): string {
  if (errno === 0) return 'Success';
  return BY_NUMBER.get(errno) ?? `Unknown error ${errno}`;
}
