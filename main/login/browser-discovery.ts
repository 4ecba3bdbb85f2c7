import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { CloudtokenError } from '../support/errors.js';

/**
 * Where Chrome, Edge and Chromium install themselves on each OS, in the order Cloudtoken prefers them
 * (Chrome and Edge have the best passkey and security-key support). Cloudtoken only ever launches a browser
 * the user already has; it never downloads one.
 */
export type Environment = Readonly<Record<string, string | undefined>>;

export class BrowserNotFoundError extends CloudtokenError {
  /** Every path that was checked. */
  readonly searched: readonly string[];

  constructor(message: string, searched: readonly string[]) {
    super('BROWSER_NOT_FOUND', message);
    this.searched = searched;
  }
}

const LINUX_COMMANDS = ['google-chrome-stable', 'google-chrome', 'microsoft-edge-stable', 'microsoft-edge', 'chromium', 'chromium-browser'];
const LINUX_FIXED = ['/opt/google/chrome/chrome', '/opt/microsoft/msedge/msedge', '/snap/bin/chromium'];
const MAC_APPS = [
  'Google Chrome.app/Contents/MacOS/Google Chrome',
  'Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
  'Chromium.app/Contents/MacOS/Chromium',
  'Google Chrome Canary.app/Contents/MacOS/Google Chrome Canary',
];
const WINDOWS_APPS = ['Google\\Chrome\\Application\\chrome.exe', 'Microsoft\\Edge\\Application\\msedge.exe', 'Chromium\\Application\\chrome.exe'];

/** Windows environment names are case-insensitive; a copied environment object is not. */
function windowsVariable(env: Environment, name: string): string | undefined {
  const key = Object.keys(env).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : env[key];
}

/** Every place to look, best first, without checking the disk. */
export function findBrowserCandidates(platform: NodeJS.Platform, env: Environment): string[] {
  let candidates: string[];
  if (platform === 'win32') {
    const bases = ['LOCALAPPDATA', 'PROGRAMFILES', 'PROGRAMFILES(X86)'].map((name) => windowsVariable(env, name)).filter((base): base is string => Boolean(base));
    candidates = WINDOWS_APPS.flatMap((app) => bases.map((base) => path.win32.join(base, app)));
  } else if (platform === 'darwin') {
    const roots = ['/Applications', ...(env.HOME ? [path.posix.join(env.HOME, 'Applications')] : [])];
    candidates = MAC_APPS.flatMap((app) => roots.map((root) => path.posix.join(root, app)));
  } else {
    const directories = (env.PATH ?? '/usr/bin:/bin').split(':').filter((directory) => path.posix.isAbsolute(directory));
    candidates = [...LINUX_COMMANDS.flatMap((command) => directories.map((directory) => path.posix.join(directory, command))), ...LINUX_FIXED];
  }
  return [...new Set(candidates)];
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return false;
    await fs.access(file, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface FindBrowserOptions {
  platform: NodeJS.Platform;
  env: Environment;
  /** `--browser PATH`: use exactly this one. */
  override?: string | undefined;
  isExecutable?: (file: string) => Promise<boolean>;
}

/** The browser to launch, or a `BROWSER_NOT_FOUND` error that lists where Cloudtoken looked. */
export async function findBrowser(options: FindBrowserOptions): Promise<string> {
  const check = options.isExecutable ?? isExecutable;
  if (options.override !== undefined) {
    if (await check(options.override)) return options.override;
    throw new BrowserNotFoundError(
      `The browser you named, ${options.override}, does not exist or cannot be run. Pass the full path of Chrome, Edge or Chromium with --browser PATH.`,
      [options.override],
    );
  }
  const candidates = findBrowserCandidates(options.platform, options.env);
  for (const candidate of candidates) {
    if (await check(candidate)) return candidate;
  }
  throw new BrowserNotFoundError(
    'No Chrome, Edge or Chromium was found. Install one of them, or pass the full path of the one you have with --browser PATH. ' +
      `Cloudtoken looked in: ${candidates.join(', ')}.`,
    candidates,
  );
}
