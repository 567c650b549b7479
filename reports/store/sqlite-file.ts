/**
 * Opening a SQLite history file: refused by its type before anything opens it, and read
 * without leaving anything behind.
 *
 * A FIFO named by --db blocked the readers forever in open(2); a device or socket is no
 * database. And a WAL-mode file needs its -wal and -shm files to be read: a read-only
 * connection creates them when it can and never removes them (only the last read-write
 * connection to close does), and cannot read at all when it cannot create them (a user who
 * may read the history but not write its directory: "attempt to write a readonly database").
 */
import Database from 'better-sqlite3';
import {
  accessSync,
  closeSync,
  constants,
  openSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import { StoreError } from './errors.js';

/** Refuse anything at `path` but a regular file this user may read (a missing file is for the caller to judge). */
export function checkDatabaseFile(path: string): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    return;
  }
  if (st.isFile()) {
    // SQLite says only "unable to open database file" (readers: "no such database").
    try {
      accessSync(path, constants.R_OK);
    } catch (e) {
      throw new StoreError(
        `${path}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'} (this user may not read it)`,
      );
    }
    return;
  }
  const what = st.isDirectory()
    ? 'a directory'
    : st.isFIFO()
      ? 'a FIFO'
      : st.isSocket()
        ? 'a socket'
        : st.isCharacterDevice() || st.isBlockDevice()
          ? 'a device'
          : 'not a regular file';
  throw new StoreError(`${path}: is ${what}, not a regular file (a SQLite history is one)`);
}

/** Header bytes 18 and 19, the file format's write and read versions: 2 is WAL, 1 rollback. */
const WAL_VERSION = 2;

/** Whether the file's header says WAL mode (false for anything not a SQLite file). */
function isWalFile(path: string): boolean {
  const header = Buffer.alloc(20);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false; // unreadable: the open below says why
  }
  try {
    if (readSync(fd, header, 0, 20, 0) < 20) return false;
  } finally {
    closeSync(fd);
  }
  return header.toString('latin1', 0, 16) === 'SQLite format 3\0' && header[18] === WAL_VERSION;
}

/** An error that means "this user may not write here" (the file, its directory, its -shm). */
function cannotWrite(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && /^SQLITE_(READONLY|CANTOPEN|PERM)/.test(code);
}

/** A -wal file with something in it (an empty one, left by a crash, holds nothing to read). */
function walHasFrames(path: string): boolean {
  try {
    return statSync(`${path}-wal`).size > 0;
  } catch {
    return false;
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** A connection that writes nothing: any statement that would write fails. */
function queryOnly(db: Database.Database): Database.Database {
  db.pragma('query_only = ON');
  // The first read opens the WAL (and the -shm): a user who cannot create them fails here.
  db.prepare('SELECT 1 FROM sqlite_master LIMIT 1').all();
  return db;
}

/**
 * The committed history read from a copy in memory: the file holds all of it when no -wal file
 * is beside it. The copy's header says rollback mode (an in-memory database has no WAL); the
 * file itself is only read. Memory: the file's size, for a user who cannot write beside it.
 */
function snapshot(path: string): Database.Database {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new StoreError(`${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (bytes[18] === WAL_VERSION && bytes[19] === WAL_VERSION) bytes[18] = bytes[19] = 1;
  return queryOnly(new Database(bytes, { readonly: true }));
}

/**
 * A reader's connection to an existing file, leaving no file behind:
 *  - a rollback-journal file (another application's): read-only, which creates nothing;
 *  - a -wal file with frames in it (a writer at work, or one that died with commits in it):
 *    read beside it, read-only, as SQLite means readers to;
 *  - a WAL file alone (or with an empty -wal a crash left): a read-write connection that
 *    writes nothing (query_only); as the last connection it checkpoints nothing and removes
 *    the -wal and -shm there;
 *  - a WAL file this user may not write, or not write beside: a copy in memory (snapshot()).
 */
export function openReader(path: string, timeout: number): Database.Database {
  if (!isWalFile(path) || walHasFrames(path))
    return new Database(path, { readonly: true, fileMustExist: true, timeout });
  // A file this user may not write SQLite opens read-only without a word (better-sqlite3's
  // `readonly` does not tell), and such a connection would leave its -wal and -shm behind.
  if (!writable(path)) return snapshot(path);
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { fileMustExist: true, timeout });
    return queryOnly(db);
  } catch (e) {
    if (!cannotWrite(e)) {
      db?.close();
      throw e;
    }
  }
  db?.close();
  return snapshot(path);
}
