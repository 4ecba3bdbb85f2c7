import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CloudtokenError } from '../support/errors.js';
import { temporarySibling } from '../support/temporary-files.js';

const WHY: Readonly<Record<string, string>> = {
  EROFS: 'it is on a read-only file system',
  EACCES: 'permission is denied',
  EPERM: 'permission is denied',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  ENOTDIR: 'a file stands where the folder should be',
  EEXIST: 'a file stands where the folder should be',
};

/**
 * Probes, before a sign-in, that Cloudtoken can save its state (role choice, cookies, status): otherwise a
 * successful sign-in and STS call would end in a raw EROFS error and nothing saved.
 */
export async function assertStateFolderWritable(home: string): Promise<void> {
  const probe = temporarySibling(join(home, 'write-probe'));
  try {
    await mkdir(home, { recursive: true, mode: 0o700 });
    await (await open(probe, 'wx', 0o600)).close();
    await rm(probe, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new CloudtokenError(
      'STATE_FOLDER_NOT_WRITABLE',
      `Cloudtoken cannot save its state in ${home}: ${WHY[code] ?? `it cannot write there (${code || 'unknown error'})`}. Nothing was signed in. Make the folder writable, or set CLOUDTOKEN_HOME to one that is.`,
      { cause: error },
    );
  }
}
