import { HIDDEN_ARG, disableAutostart, enableAutostart, isAutostartEnabled } from '../autostart/xdg.js';
import { CloudtokenError } from '../support/errors.js';

/**
 * Start at login. macOS and Windows: Electron's login items (Windows needs the same path and args when
 * reading as when writing). Linux: Electron's call does nothing there, so an XDG autostart entry is written.
 * Every start at login passes `--hidden`, so the app comes up in the tray without a window. Run from a checkout
 * (`npm start`) the executable is the bare Electron binary, which needs the app's folder as its first argument.
 * macOS login items take no arguments, so there only the packaged app can start at login.
 */

export interface LoginItemApi {
  setLoginItemSettings(settings: { openAtLogin: boolean; path?: string; args?: string[] }): void;
  getLoginItemSettings(options?: { path?: string; args?: string[] }): { openAtLogin: boolean; wasOpenedAtLogin?: boolean };
}

export interface AutostartOptions {
  platform: NodeJS.Platform;
  app: LoginItemApi;
  /** The executable (Windows, Linux) — on Linux the AppImage ($APPIMAGE) when running from one. */
  execPath: string;
  /** `app.isPackaged`: when false, the executable is Electron itself and is given `appPath`. */
  packaged: boolean;
  /** `app.getAppPath()`. */
  appPath: string;
  env: Readonly<Record<string, string | undefined>>;
  homedir: string;
}

export interface Autostart {
  /** What the OS will do at the next login. */
  isEnabled(): Promise<boolean>;
  setEnabled(enabled: boolean): Promise<void>;
}

export function createAutostart(options: AutostartOptions): Autostart {
  const { platform, app, env, homedir } = options;
  const args = options.packaged ? [HIDDEN_ARG] : [options.appPath, HIDDEN_ARG];
  if (platform === 'linux') {
    const location = { env, homedir };
    const execPath = env.APPIMAGE || options.execPath;
    return {
      isEnabled: () => isAutostartEnabled(location),
      setEnabled: (enabled) => (enabled ? enableAutostart(location, { execPath, args }) : disableAutostart(location)),
    };
  }
  const item = platform === 'win32' ? { path: options.execPath, args } : { args };
  return {
    isEnabled: async () => app.getLoginItemSettings(platform === 'win32' ? item : undefined).openAtLogin,
    setEnabled: async (openAtLogin) => {
      if (openAtLogin && platform === 'darwin' && !options.packaged) {
        throw new CloudtokenError('AUTOSTART_NOT_PACKAGED', 'On macOS only the installed Cloudtoken app can start at login, not one run from a checkout.');
      }
      app.setLoginItemSettings({ openAtLogin, ...item });
    },
  };
}


/**
 * Whether this launch is a start at login, asked once the app is ready: macOS sets `wasOpenedAtLogin` while it
 * finishes launching, so read before `ready` it is always false.
 */
export async function openedAtLogin(app: Pick<LoginItemApi, 'getLoginItemSettings'> & { whenReady(): Promise<unknown> }, platform: NodeJS.Platform, argv: readonly string[]): Promise<boolean> {
  await app.whenReady();
  return startedAtLogin(argv, platform === 'darwin' ? app.getLoginItemSettings().wasOpenedAtLogin : undefined);
}

/** Started by the session at login: by `--hidden` (Linux, Windows) or macOS's own flag. */
export function startedAtLogin(argv: readonly string[], wasOpenedAtLogin: boolean | undefined): boolean {
  return argv.includes(HIDDEN_ARG) || wasOpenedAtLogin === true;
}
