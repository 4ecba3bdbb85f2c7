import { readFile } from 'node:fs/promises';
import { withFileLock } from '../support/file-lock.js';
import { oneAtATimePerKey } from '../support/one-at-a-time.js';
import { writeFileAtomic } from '../support/atomic-file.js';

/**
 * The top-level JSON object of one of Cloudtoken's small state files, or an empty one when the file is
 * missing, unreadable, not JSON or not an object: these files are caches and choices that start over rather
 * than stop a command. Callers still check each entry, since another program may have written the file.
 */
export async function readJsonObject(path: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return {};
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

const inThisProcess = oneAtATimePerKey();

/** The lock file that guards a state file against the other Cloudtoken processes sharing the state folder. */
export function lockPathFor(path: string): string {
  return `${path}.lock`;
}

/**
 * Read-merge-write of a small state file: under its lock (other processes) and its queue (this one), the
 * file is read afresh, `change` edits the object, and it is written back only when something changed. So
 * the tray app, CLI commands and daemons on one state folder each add what they know and lose nobody's.
 */
export function updateJsonObject(path: string, change: (data: Record<string, unknown>) => void): Promise<Record<string, unknown>> {
  return inThisProcess(path, () =>
    withFileLock(lockPathFor(path), async () => {
      const data = await readJsonObject(path);
      const before = JSON.stringify(data);
      change(data);
      if (JSON.stringify(data) !== before) await writeFileAtomic(path, `${JSON.stringify(data, null, 2)}\n`);
      return data;
    }),
  );
}
