import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { sweepStaleTemporaries, temporarySibling } from './temporary-files.js';

/**
 * Replace a file so that a reader (or a crash) sees either the old or the new content, never half of it:
 * write a private temporary file beside it, flush it, rename it over. The file is created 0600 (its folder
 * 0700 when created) because what we write there is nobody else's business.
 */
export async function writeFileAtomic(path: string, content: string, mode = 0o600): Promise<void> {
  const folder = dirname(path);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await sweepStaleTemporaries(path);
  const temporary = temporarySibling(path);
  const handle = await open(temporary, 'wx', mode);
  try {
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
