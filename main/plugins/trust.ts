import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname, join, relative, sep, isAbsolute } from 'node:path';
import { PluginError } from './plugin-error.js';

/**
 * The trust rule for plugin files, in the spirit of OpenSSH's StrictModes: a plugin runs with the user's own
 * rights and sees secrets, so every file it is made of, and every folder on the way to it, must be the user's
 * (or the system's, for programs such as /bin/sh) and writable by nobody else. A folder writable by others
 * passes only with the sticky bit (/tmp), where no one else can rename or replace what is in it.
 */
export interface TrustRule {
  /** The plugin's name, for the messages. */
  plugin: string;
  /** Owners besides the user: root (0) for commands, none for modules. */
  alsoOwnedBy: readonly number[];
  /** The user's id; undefined where the OS has none (Windows), and no check is made. */
  uid: number | undefined;
}

const STICKY = 0o1000;
const WRITABLE_BY_OTHERS = 0o022;
/** A package folder holding more than this is not a plugin anyone reviewed. */
const MAX_ENTRIES = 20_000;

export function currentUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

function untrusted(rule: TrustRule, path: string, why: string, fix: string): PluginError {
  return new PluginError('PLUGIN_UNTRUSTED', `The plugin "${rule.plugin}" was not run: ${path} ${why}. ${fix}`);
}

function checkStats(rule: TrustRule, path: string, stats: Stats): void {
  if (rule.uid === undefined) return;
  if (stats.uid !== rule.uid && !rule.alsoOwnedBy.includes(stats.uid)) {
    throw untrusted(rule, path, `belongs to user id ${stats.uid}, not to you (${rule.uid})`, 'A plugin runs with your rights and sees your secrets, so only files you own are trusted.');
  }
  const writable = stats.mode & WRITABLE_BY_OTHERS;
  if (writable && !(stats.isDirectory() && stats.mode & STICKY)) {
    const who = writable & 0o020 && writable & 0o002 ? 'its group and by others' : writable & 0o020 ? 'its group' : 'others';
    throw untrusted(rule, path, `is writable by ${who} (mode ${(stats.mode & 0o7777).toString(8)})`, `Make it writable only by you: chmod go-w '${path}'.`);
  }
}

async function statOrMissing(rule: TrustRule, path: string): Promise<Stats> {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new PluginError('PLUGIN_NOT_FOUND', `The plugin "${rule.plugin}" was not run: ${path} does not exist.`);
    throw untrusted(rule, path, `cannot be checked (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'Make it readable by you.');
  }
}

/** The path itself and every folder above it, up to and including `top` (the file system's root when undefined). */
async function checkChain(rule: TrustRule, path: string, top: string | undefined): Promise<void> {
  const real = await realpath(path);
  checkStats(rule, real, await stat(real));
  for (let folder = dirname(real); ; folder = dirname(folder)) {
    checkStats(rule, folder, await stat(folder));
    if (folder === top || dirname(folder) === folder) return;
  }
}

/** Every entry below a package folder (links followed to what they name). */
async function checkTree(rule: TrustRule, folder: string): Promise<void> {
  let seen = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (++seen > MAX_ENTRIES) throw untrusted(rule, folder, `holds more than ${MAX_ENTRIES} files`, 'Install only the plugin and what it needs there.');
      const path = join(dir, entry.name);
      const stats = entry.isSymbolicLink() ? await statOrMissing(rule, path) : await lstat(path);
      checkStats(rule, path, stats);
      if (entry.isDirectory()) await walk(path);
    }
  };
  await walk(folder);
}

/**
 * A module plugin: its entry (a file, or a package folder and all it holds) inside the plugins folder, and the
 * folders from it up to the plugins folder.
 */
export async function checkModuleTrusted(rule: TrustRule, pluginsDir: string, modulePath: string): Promise<void> {
  const stats = await statOrMissing(rule, modulePath);
  const realDir = await realpath(pluginsDir);
  const real = await realpath(modulePath);
  const inside = relative(realDir, real);
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
    throw untrusted(rule, modulePath, `leads to ${real}, outside the plugins folder ${realDir}`, 'Install the plugin itself in the plugins folder.');
  }
  await checkChain(rule, real, realDir);
  if (stats.isDirectory()) await checkTree(rule, real);
}

/** A command plugin: the program, and every argument that names an existing file (a script it runs), with the folders above each. */
export async function checkCommandTrusted(rule: TrustRule, command: readonly string[]): Promise<void> {
  const [program, ...args] = command;
  await statOrMissing(rule, program as string);
  await checkChain(rule, program as string, undefined);
  for (const arg of args) {
    if (!isAbsolute(arg)) continue;
    const stats = await stat(arg).catch(() => undefined);
    if (stats?.isFile()) await checkChain(rule, arg, undefined);
  }
}
