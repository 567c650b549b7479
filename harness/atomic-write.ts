/**
 * `report --out FILE` written so that a failure (a full disk, a kill) never leaves half a
 * file: the text goes to a new temporary file beside FILE — created with O_EXCL, so it is
 * never an existing file or a symlink someone planted — is flushed to disk, and then renamed
 * over FILE. A symlink at FILE is replaced, never written through.
 */
import { randomBytes } from 'node:crypto';
import { lstat, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export class AtomicWriteError extends Error {}

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') return 'ENOSPC (disk full)';
  if (code === 'EDQUOT') return 'EDQUOT (disk quota exceeded)';
  return code ?? (e as Error).message;
}

export async function writeFileAtomic(target: string, text: string): Promise<void> {
  const existing = await lstat(target).catch(() => undefined);
  if (existing?.isDirectory()) throw new AtomicWriteError('is a directory');
  if (existing && !existing.isFile() && !existing.isSymbolicLink()) throw new AtomicWriteError('exists and is not a regular file');
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let created = false;
  try {
    const fh = await open(tmp, 'wx', 0o666);
    created = true;
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
  } catch (e) {
    if (created) await unlink(tmp).catch(() => undefined);
    throw new AtomicWriteError(`${errnoText(e)}; nothing written`);
  }
}
