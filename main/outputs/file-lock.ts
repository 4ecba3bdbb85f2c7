import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { CloudtokenError } from '../support/errors.js';
import { processExists } from '../support/process.js';

/**
 * An advisory lock between Cloudtoken processes (tray app, CLI, two terminals) editing the same file: a lock
 * file created with O_EXCL next to it. A lock left behind by a process that died is broken when its owner is
 * gone (same host) or when it is older than any edit can take (another host sharing a network home).
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

export interface FileLockOptions {
  /** How long to wait for another holder; default 10 s. */
  timeoutMs?: number;
  /** A lock older than this is considered abandoned whoever holds it; default 60 s. */
  staleMs?: number;
}

interface LockOwner {
  pid: number;
  host: string;
}

function parseOwner(text: string): LockOwner | undefined {
  const [pid, host] = text.split('\n');
  const pidNumber = Number(pid);
  return Number.isInteger(pidNumber) && pidNumber > 0 && host ? { pid: pidNumber, host } : undefined;
}


async function isStale(lockPath: string, staleMs: number): Promise<boolean> {
  try {
    const [stat, text] = await Promise.all([fs.stat(lockPath), fs.readFile(lockPath, 'utf8')]);
    if (Date.now() - stat.mtimeMs > staleMs) return true;
    const owner = parseOwner(text);
    // A lock being written right now has no content yet: not stale.
    return owner !== undefined && owner.host === hostname() && !processExists(owner.pid);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Break a stale lock so that of two processes deciding so at once only one succeeds (rename is atomic). */
async function breakLock(lockPath: string): Promise<void> {
  const aside = `${lockPath}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await fs.rename(lockPath, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  await fs.rm(aside, { force: true });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function withFileLock<T>(lockPath: string, action: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const staleMs = options.staleMs ?? 60_000;
  const started = Date.now();
  let delay = 5;
  for (;;) {
    try {
      const handle = await fs.open(lockPath, 'wx', 0o600);
      try {
        await handle.writeFile(`${process.pid}\n${hostname()}\n`);
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await isStale(lockPath, staleMs)) {
      await breakLock(lockPath);
      continue;
    }
    if (Date.now() - started >= timeoutMs) throw new FileLockError(lockPath, Date.now() - started);
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 200);
  }
  try {
    return await action();
  } finally {
    await fs.rm(lockPath, { force: true });
  }
}
