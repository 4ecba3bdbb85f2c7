import { readFile, rm } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { writeFileAtomic } from '../support/atomic-file.js';
import { CloudtokenError } from '../support/errors.js';

/**
 * Start at login on Linux desktops: an XDG autostart entry (Electron's setLoginItemSettings does nothing
 * there). GNOME, KDE, Xfce and others start every `.desktop` file in `$XDG_CONFIG_HOME/autostart` at login.
 */

export const AUTOSTART_FILE_NAME = 'cloudtoken.desktop';
/**
 * The name the Linux packages install the app under (electron-builder.yml `linux.executableName`): the deb's
 * `/usr/share/applications/<id>.desktop` and its hicolor icons `<id>.png`, and package.json's `desktopName`,
 * from which Electron takes the app id (Wayland app_id, X11 WM_CLASS) that desktops match windows by.
 */
export const DESKTOP_ENTRY_ID = 'cloudtoken-tray';
/** Tells the app it was started by the session, so it comes up in the tray without opening a window. */
export const HIDDEN_ARG = '--hidden';

export interface AutostartLocation {
  env: Readonly<Record<string, string | undefined>>;
  homedir: string;
}

export function autostartFilePath({ env, homedir }: AutostartLocation): string {
  const xdg = env.XDG_CONFIG_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir, '.config'), 'autostart', AUTOSTART_FILE_NAME);
}

// Desktop Entry spec, "The Exec key": an argument holding any of these must be quoted.
const RESERVED = /[\s"'\\><~|&;$*?#()`]/;

/**
 * One Exec argument, quoted per the spec where needed, then escaped as a string value of the key file
 * (where a backslash is itself written `\\`), and `%` doubled so it is not read as a field code.
 */
export function quoteExecArgument(argument: string): string {
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (argument === '' || /[\u0000-\u001f\u007f]/.test(argument)) {
    throw new CloudtokenError('AUTOSTART_BAD_PATH', 'The application path contains characters a desktop entry cannot hold; start at login was not changed.');
  }
  const quoted = RESERVED.test(argument) ? `"${argument.replace(/["`$\\]/g, (c) => `\\${c}`)}"` : argument;
  return quoted.replace(/\\/g, '\\\\').replace(/%/g, '%%');
}

export interface AutostartEntryOptions {
  /** Absolute path of what to start: the AppImage ($APPIMAGE) when running from one, else the executable. */
  execPath: string;
  args?: readonly string[];
  name?: string;
}

export function renderAutostartEntry({ execPath, args = [HIDDEN_ARG], name = 'Cloudtoken' }: AutostartEntryOptions): string {
  if (!isAbsolute(execPath)) {
    throw new CloudtokenError('AUTOSTART_BAD_PATH', `The application path “${execPath}” is not absolute; start at login was not changed.`);
  }
  const exec = [execPath, ...args].map(quoteExecArgument).join(' ');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    `Name=${name}`,
    'Comment=Short-lived AWS credentials from your identity provider',
    `Exec=${exec}`,
    `Icon=${DESKTOP_ENTRY_ID}`,
    `StartupWMClass=${DESKTOP_ENTRY_ID}`,
    'Terminal=false',
    'NoDisplay=true',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export async function enableAutostart(location: AutostartLocation, options: AutostartEntryOptions): Promise<void> {
  // Rendered before anything is written, so a bad path leaves an existing entry as it was.
  const entry = renderAutostartEntry(options);
  await writeFileAtomic(autostartFilePath(location), entry, { mode: 0o644 });
}

export async function disableAutostart(location: AutostartLocation): Promise<void> {
  await rm(autostartFilePath(location), { force: true });
}

/** A `[Desktop Entry]` key's value (the group holds one entry; the first occurrence counts). */
function entryValue(text: string, key: string): string | undefined {
  let inEntry = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) inEntry = line === '[Desktop Entry]';
    else if (inEntry) {
      const match = /^([A-Za-z0-9-]+)\s*=\s*(.*)$/.exec(line);
      if (match?.[1] === key) return match[2];
    }
  }
  return undefined;
}

/**
 * Whether the session will start Cloudtoken: the entry exists and neither `Hidden=true` (the spec's "deleted")
 * nor `X-GNOME-Autostart-enabled=false` (what GNOME's Tweaks writes to switch it off) says otherwise.
 */
export async function isAutostartEnabled(location: AutostartLocation): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(autostartFilePath(location), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  if (entryValue(text, 'Type') === undefined) return false;
  return entryValue(text, 'Hidden') !== 'true' && entryValue(text, 'X-GNOME-Autostart-enabled') !== 'false';
}
