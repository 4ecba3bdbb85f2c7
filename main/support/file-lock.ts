import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { CloudtokenError } from './errors.js';
import { processExists } from './process.js';

/**
 * An advisory lock between Cloudtoken processes (tray app, CLI, two terminals) editing the same file: a lock
 * file created with O_EXCL next to it, holding the owner's pid, host and a random token. A lock left behind by
 * a process that died is broken when its owner is gone (same host) or when it is older than any edit can take
 * (another host sharing a network home).
 *
 * A file system cannot delete "this file, if it is still the one I looked at", so every removal — breaking an
 * abandoned lock and releasing one's own — is decided under a guard file created with O_EXCL and named after
 * the content being removed. Only the guard's holder may remove a file with that content, and it re-reads the
 * file under the guard first; a lock someone created after the look carries another token and is left alone.
 * Tokens are never reused, so a late contender that takes the guard after the removal finds nothing to do.
 * A guard orphaned by a crash is broken the same way, under the guard named after its own content.
 */
export class FileLockError extends CloudtokenError {
  readonly lockPath: string;

  constructor(lockPath: string, waitedMs: number) {
    super(
      'FILE_LOCKED',
      `Another Cloudtoken process has been editing the same file for more than ${Math.round(waitedMs / 1000)} s ` +
        `(lock file ${lockPath}). Try again; if no other Cloudtoken is running, delete that lock file.`,
    );
    this.lockPath = lockPath;
  }
}

export class FileLockFolderError extends CloudtokenError {
  readonly lockPath: string;

  /** `folder` is the one that refused: the lock's, or the parent in which it was to be made. */
  constructor(lockPath: string, folder: string, cause: NodeJS.ErrnoException) {
    const why = cause.code === 'EROFS' ? 'is on a read-only file system' : 'cannot be written by this user';
    super(
      'FILE_LOCK_FOLDER_READ_ONLY',
      `Cloudtoken cannot create its lock file ${lockPath}: the folder ${folder} ${why}. ` +
        'Make the folder writable, or point Cloudtoken at a file in a writable folder.',
      { cause },
    );
    this.lockPath = lockPath;
  }
}

export interface FileLockOptions {
  /** How long to wait for another holder; default 10 s. */
  timeoutMs?: number;
  /** A lock older than this is considered abandoned whoever holds it; default 60 s. */
  staleMs?: number;
}

interface LockRecord {
  text: string;
  mtimeMs: number;
}

const READ_ONLY_CODES = new Set(['EROFS', 'EACCES', 'EPERM']);

const errorCode = (error: unknown) => (error as NodeJS.ErrnoException).code;

function ownerText(): string {
  return `${process.pid}\n${hostname()}\n${randomBytes(16).toString('hex')}\n`;
}

function guardPathFor(lockPath: string, text: string): string {
  return `${lockPath}.break-${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
}

/** Creates `file` holding `text` unless it exists (false); a missing folder is made private first. */
async function createExclusive(lockPath: string, file: string, text: string): Promise<boolean> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'wx', 0o600);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    if (errorCode(error) === 'ENOENT') {
      await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 }).catch((mkdirError: NodeJS.ErrnoException) => {
        if (!READ_ONLY_CODES.has(mkdirError.code ?? '')) throw mkdirError;
        throw new FileLockFolderError(lockPath, path.dirname(mkdirError.path ?? file), mkdirError);
      });
      return createExclusive(lockPath, file, text);
    }
    if (READ_ONLY_CODES.has(errorCode(error) ?? '')) throw new FileLockFolderError(lockPath, path.dirname(file), error as NodeJS.ErrnoException);
    throw error;
  }
  try {
    await handle.writeFile(text);
  } catch (error) {
    // Still empty or partial, and nobody else removes a young file: ours to take back.
    await handle.close();
    await fs.rm(file, { force: true });
    throw error;
  }
  await handle.close();
  return true;
}

/** Text and age of one and the same file (one handle), or undefined when there is none. */
async function readRecord(file: string): Promise<LockRecord | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const [stat, text] = await Promise.all([handle.stat(), handle.readFile('utf8')]);
    return { text, mtimeMs: stat.mtimeMs };
  } finally {
    await handle.close();
  }
}

function isAbandoned(record: LockRecord, staleMs: number): boolean {
  if (Date.now() - record.mtimeMs > staleMs) return true;
  const [pid, host] = record.text.split('\n');
  const pidNumber = Number(pid);
  // A file being written right now has no content yet: not abandoned.
  return Number.isInteger(pidNumber) && pidNumber > 0 && host === hostname() && !processExists(pidNumber);
}

type Removal = 'removed' | 'kept' | 'busy';

/**
 * Removes `file` if it still holds `expected` and `removable` still says so, deciding under the guard for
 * `expected`: 'kept' when it changed, 'busy' while another process holds the guard.
 */
async function removeGuarded(
  lockPath: string,
  file: string,
  expected: string,
  removable: (record: LockRecord) => boolean,
  staleMs: number,
): Promise<Removal> {
  const guardPath = guardPathFor(lockPath, expected);
  if (!(await createExclusive(lockPath, guardPath, ownerText()))) {
    await removeIfAbandoned(lockPath, guardPath, staleMs);
    return 'busy';
  }
  try {
    const current = await readRecord(file);
    if (current?.text !== expected || !removable(current)) return 'kept';
    await fs.rm(file, { force: true });
    return 'removed';
  } finally {
    await fs.rm(guardPath, { force: true });
  }
}

/** 'removed' also when the file is already gone. */
async function removeIfAbandoned(lockPath: string, file: string, staleMs: number): Promise<Removal> {
  const record = await readRecord(file);
  if (!record) return 'removed';
  if (!isAbandoned(record, staleMs)) return 'kept';
  return removeGuarded(lockPath, file, record.text, (current) => isAbandoned(current, staleMs), staleMs);
}

/** Guards orphaned by a process that died while breaking or releasing: nobody else would ever look at them. */
async function sweepOrphanedGuards(lockPath: string, staleMs: number): Promise<void> {
  const prefix = `${path.basename(lockPath)}.break-`;
  const names = await fs.readdir(path.dirname(lockPath));
  for (const name of names.filter((entry) => entry.startsWith(prefix))) {
    await removeIfAbandoned(lockPath, path.join(path.dirname(lockPath), name), staleMs);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function acquire(lockPath: string, timeoutMs: number, staleMs: number): Promise<string> {
  const started = Date.now();
  let delay = 5;
  for (;;) {
    const text = ownerText();
    if (await createExclusive(lockPath, lockPath, text)) {
      // Only a holder older than staleMs loses its lock to a breaker; then it must not go on as the owner.
      if ((await readRecord(lockPath))?.text === text) return text;
    } else if ((await removeIfAbandoned(lockPath, lockPath, staleMs)) === 'removed') {
      continue;
    }
    if (Date.now() - started >= timeoutMs) throw new FileLockError(lockPath, Date.now() - started);
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 200);
  }
}

async function release(lockPath: string, text: string, staleMs: number): Promise<void> {
  while ((await removeGuarded(lockPath, lockPath, text, () => true, staleMs)) === 'busy') await sleep(2);
}

export async function withFileLock<T>(lockPath: string, action: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const staleMs = options.staleMs ?? 60_000;
  const text = await acquire(lockPath, timeoutMs, staleMs);
  try {
    await sweepOrphanedGuards(lockPath, staleMs);
    return await action();
  } finally {
    await release(lockPath, text, staleMs);
  }
}
