import { chmod, lstat, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CloudtokenError } from '../support/errors.js';

/**
 * Where running sessions offer their channel: one entry per session in `<state folder>/sessions/`, named by a
 * random id. On POSIX systems the entry is the Unix socket itself (0600, in a 0700 folder owned by the user);
 * on Windows it is a small file holding the name of the session's named pipe. Beside it, `<id>.key` (0600)
 * holds the session's key, which a client must present in its handshake: reaching the socket or pipe is not
 * enough. That is the check that holds where the folder's mode does not, as for a Windows named pipe, whose
 * default ACL lets every local user open it for reading, and which Node cannot give an ACL of its own.
 */
export interface ChannelEntry {
  /** The file in the sessions folder (socket or pipe-name file): removed when found stale. */
  file: string;
  /** What net.connect takes: the socket path or the pipe name. */
  address: string;
  /** The session's key file. */
  keyFile: string;
}

export const SOCKET_SUFFIX = '.sock';
export const PIPE_SUFFIX = '.pipe';
export const KEY_SUFFIX = '.key';

/** The key file of the session whose socket or pipe-name file is `file`. */
export function keyFileOf(file: string): string {
  return file.replace(/\.(sock|pipe)$/, KEY_SUFFIX);
}

/** The session id an entry file is named by. */
export function sessionIdOf(file: string): string {
  return basename(file).replace(/\.(sock|pipe|key)$/, '');
}

export function sessionsFolder(home: string): string {
  return join(home, 'sessions');
}

/**
 * The sessions folder must be a real folder of this user that no one else may enter: the kernel then refuses
 * every other user at connect (EACCES), which is the channel's whole access check where Node cannot read the
 * peer's credentials. `fix`: the session creating its socket makes it so (mode 0700); a client only checks.
 */
export async function checkSessionsFolder(home: string, options: { platform: NodeJS.Platform; fix: boolean }): Promise<string> {
  const folder = sessionsFolder(home);
  if (options.fix) await mkdir(folder, { recursive: true, mode: 0o700 });
  if (options.platform === 'win32' || process.getuid === undefined) return folder;
  const uid = process.getuid();
  const [homeInfo, info] = await Promise.all([stat(home), lstat(folder)]);
  if (homeInfo.uid !== uid) {
    throw new CloudtokenError('CHANNEL_FOLDER_NOT_OWN', `The state folder ${home} belongs to another user (uid ${homeInfo.uid}): Cloudtoken offers and uses no session channel there.`);
  }
  if (!info.isDirectory() || info.uid !== uid) {
    throw new CloudtokenError('CHANNEL_FOLDER_NOT_OWN', `${folder} is not a folder of this user: Cloudtoken offers and uses no session channel there. Remove it; a running session makes it anew.`);
  }
  if ((info.mode & 0o077) !== 0) {
    if (!options.fix) {
      throw new CloudtokenError('CHANNEL_FOLDER_OPEN', `${folder} can be entered by other users (mode ${(info.mode & 0o777).toString(8)}): Cloudtoken will not use it. Run \`chmod 700 ${folder}\` or restart the session.`);
    }
    await chmod(folder, 0o700);
  }
  return folder;
}

/** Every entry in the folder; on POSIX only sockets of this user count (anything else is not ours). */
export async function listEntries(folder: string, platform: NodeJS.Platform): Promise<ChannelEntry[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const entries: ChannelEntry[] = [];
  for (const name of names.sort()) {
    const file = join(folder, name);
    if (platform === 'win32') {
      if (!name.endsWith(PIPE_SUFFIX)) continue;
      const address = (await readFile(file, 'utf8').catch(() => '')).trim();
      if (address.startsWith('\\\\.\\pipe\\cloudtoken-')) entries.push({ file, address, keyFile: keyFileOf(file) });
      continue;
    }
    if (!name.endsWith(SOCKET_SUFFIX)) continue;
    const info = await lstat(file).catch(() => undefined);
    if (info?.isSocket() && (process.getuid === undefined || info.uid === process.getuid())) entries.push({ file, address: file, keyFile: keyFileOf(file) });
  }
  return entries;
}

/** An entry nothing answers at any more (a session killed with SIGKILL, a power loss); only one with a key counts as such. */
export async function removeStaleEntry(entry: ChannelEntry): Promise<void> {
  await rm(entry.file, { force: true });
  await rm(entry.keyFile, { force: true });
}

/** A session writes its key once it listens; an entry this old with half of its files died starting or crashed. */
const LEFTOVER_AGE_MS = 60_000;

/**
 * Halves of dead sessions' entries: a key whose socket (or pipe-name file) is gone, and a socket with no key,
 * whose session died between binding and listening. Only old ones: a session starting now has such a half
 * for a moment.
 */
export async function removeLeftovers(folder: string, now: number = Date.now()): Promise<void> {
  const names = await readdir(folder).catch(() => [] as string[]);
  const ids = (suffixes: string[]) => new Set(names.filter((n) => suffixes.some((s) => n.endsWith(s))).map(sessionIdOf));
  const withEntry = ids([SOCKET_SUFFIX, PIPE_SUFFIX]);
  const withKey = ids([KEY_SUFFIX]);
  for (const name of names) {
    const half = name.endsWith(KEY_SUFFIX) ? !withEntry.has(sessionIdOf(name)) : (name.endsWith(SOCKET_SUFFIX) || name.endsWith(PIPE_SUFFIX)) && !withKey.has(sessionIdOf(name));
    if (!half) continue;
    const file = join(folder, name);
    const info = await lstat(file).catch(() => undefined);
    if (info && now - info.mtimeMs > LEFTOVER_AGE_MS) await rm(file, { force: true });
  }
}

/** The session key an entry's key file holds, or undefined when there is none (a session of an older release). */
export async function readSessionKey(entry: ChannelEntry): Promise<string | undefined> {
  try {
    return (await readFile(entry.keyFile, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
