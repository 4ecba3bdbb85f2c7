import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { sweepStaleTemporaries, temporarySibling } from './temporary-files.js';

export interface AtomicWriteOptions {
  /** The file's mode; default 0600, because what Cloudtoken writes is nobody else's business. */
  mode?: number;
  /** Marks the temporary file in a folder that is not ours (~/.aws), so only our own leftovers are swept. */
  temporaryTag?: string;
  /** Root editing a user's file (sudo cloudtoken …) must not hand it over to root: the owner it keeps. */
  owner?: { uid?: number; gid?: number };
}

/**
 * Replace a file so that a reader (or a crash) sees either the old or the new content, never half of it:
 * a private temporary file beside it, flushed, renamed over it, and the folder flushed so the rename lasts.
 * The one writer of every Cloudtoken file (settings, state, cookies, ~/.aws/credentials, autostart entries):
 * a folder it creates is 0700, and its leftovers from a crash are swept before it writes.
 */
export async function writeFileAtomic(path: string, content: string, options: AtomicWriteOptions = {}): Promise<void> {
  const mode = options.mode ?? 0o600;
  const folder = dirname(path);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await sweepStaleTemporaries(path, options.temporaryTag);
  const temporary = temporarySibling(path, options.temporaryTag);
  try {
    const handle = await open(temporary, 'wx', mode);
    try {
      // The mode given at creation is masked by the umask.
      await handle.chmod(mode);
      const { uid, gid } = options.owner ?? {};
      if (process.getuid?.() === 0 && uid !== undefined && gid !== undefined) await handle.chown(uid, gid);
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await renameOver(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncFolder(folder);
}

/**
 * Windows refuses to replace a file another program has open for a moment (an AWS CLI reading it, a virus
 * scanner); such a refusal is retried briefly.
 */
async function renameOver(from: string, to: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await rename(from, to);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (process.platform !== 'win32' || attempt >= 5 || !['EPERM', 'EACCES', 'EBUSY'].includes(code ?? '')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

/** Make the rename itself durable; not every platform can open a folder, which is fine. */
async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}

