import { isAbsolute, join, resolve } from 'node:path';

/**
 * Where Cloudtoken keeps its state. The tray app and the CLI resolve the same places, so a sign-in in one is
 * seen by the other. CLOUDTOKEN_HOME moves all of it (tests, portable installs, several identities).
 */
export interface StatePaths {
  /** The folder everything below lives in. */
  home: string;
  /** JSON settings (the format in schema.ts), shared by the tray app (electron-store) and the CLI. */
  settingsFile: string;
  /** The CLI's IdP cookie jar (tough-cookie JSON), per profile id below it. */
  cookieJarDir: string;
  /** The Chromium profile the system-browser sign-in uses. */
  browserProfileDir: string;
  /** What the tray app passes to app.setPath('userData') (its login partitions and caches live there). */
  electronUserData: string;
  /** Roles' session-length limits learned from STS (sts/duration-limits-file.ts). */
  durationLimitsFile: string;
  /** The tray app's profiles that sign in through the system browser (login/sign-in-preferences.ts). */
  signInPreferencesFile: string;
  /** The tray app's log (support/log-file.ts), size-capped with one `.1` backup beside it. */
  trayLogFile: string;
}

export interface PathEnvironment {
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  homedir: string;
}

const APP_DIR = 'Cloudtoken';
const SETTINGS_FILE = 'settings.json';

function platformHome({ env, platform, homedir }: PathEnvironment): string {
  if (platform === 'darwin') return join(homedir, 'Library', 'Application Support', APP_DIR);
  if (platform === 'win32') return join(env.APPDATA || join(homedir, 'AppData', 'Roaming'), APP_DIR);
  // XDG: a relative XDG_CONFIG_HOME is invalid per the spec and must be ignored.
  const xdg = env.XDG_CONFIG_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir, '.config'), 'cloudtoken');
}

export function resolveStatePaths(environment: PathEnvironment): StatePaths {
  const override = environment.env.CLOUDTOKEN_HOME?.trim();
  const home = override ? resolve(override) : platformHome(environment);
  return {
    home,
    settingsFile: join(home, SETTINGS_FILE),
    cookieJarDir: join(home, 'cookies'),
    browserProfileDir: join(home, 'browser-profile'),
    electronUserData: join(home, 'electron'),
    durationLimitsFile: join(home, 'sts-duration-limits.json'),
    signInPreferencesFile: join(home, 'sign-in-preferences.json'),
    trayLogFile: join(home, 'logs', 'tray.log'),
  };
}

/** electron-store options that put its file exactly where the CLI reads it. */
export function electronStoreLocation(paths: StatePaths): { cwd: string; name: string } {
  return { cwd: paths.home, name: SETTINGS_FILE.replace(/\.json$/, '') };
}
