import { randomBytes } from 'node:crypto';
import { lstat, readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * The temporary siblings our atomic writers create (write, flush, rename over). A crash (kill -9, power loss)
 * between creating and renaming one leaves it behind, and it holds a full copy of the file — for
 * ~/.aws/credentials that includes the user's own keys — so each writer sweeps its own leftovers.
 */
const RANDOM_HEX = 12;
/** No live write keeps its temporary file this long: one older than this was left by a crash. */
export const STALE_TEMPORARY_MS = 60_000;

/** `.<name>.<tag><random>.tmp` beside `target`; `tag` marks files we put in folders that are not ours (~/.aws). */
export function temporarySibling(target: string, tag = ''): string {
  return join(dirname(target), `.${basename(target)}.${tag}${randomBytes(RANDOM_HEX / 2).toString('hex')}.tmp`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Removes temporaries of `target` (exactly our own name pattern, regular files only) older than `olderThanMs`.
 * Returns the paths removed. A folder that cannot be read is left alone: the write that follows reports it.
 */
export async function sweepStaleTemporaries(target: string, tag = '', options: { now?: number; olderThanMs?: number } = {}): Promise<string[]> {
  const folder = dirname(target);
  const pattern = new RegExp(`^\\.${escapeRegExp(basename(target))}\\.${escapeRegExp(tag)}[0-9a-f]{${RANDOM_HEX}}\\.tmp$`);
  const cutoff = (options.now ?? Date.now()) - (options.olderThanMs ?? STALE_TEMPORARY_MS);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!pattern.test(name)) continue;
    const path = join(folder, name);
    try {
      const stats = await lstat(path);
      if (!stats.isFile() || stats.mtimeMs > cutoff) continue;
      await rm(path, { force: true });
      removed.push(path);
    } catch {
      // gone meanwhile, or not ours to remove: either way nothing to do
    }
  }
  return removed;
}
