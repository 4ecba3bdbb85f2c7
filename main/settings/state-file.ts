import { readFile } from 'node:fs/promises';

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
