// Electron's login items and the moment macOS sets wasOpenedAtLogin cannot be exercised here (no Electron): the
// fakes below behave as Electron 41's documentation says, and the tests check what Cloudtoken does with them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAutostart, openedAtLogin, startedAtLogin, type LoginItemApi } from '../../../main/shell/autostart.js';

/** Electron's login items as Windows and macOS keep them: what was set is what is read (for the same path/args). */
class FakeLoginItems implements LoginItemApi {
  readonly set: Array<{ openAtLogin: boolean; path?: string; args?: string[] }> = [];
  setLoginItemSettings(settings: { openAtLogin: boolean; path?: string; args?: string[] }): void {
    this.set.push(settings);
  }
  getLoginItemSettings(options?: { path?: string; args?: string[] }): { openAtLogin: boolean } {
    const last = this.set.at(-1);
    const same = JSON.stringify(options?.args ?? []) === JSON.stringify(last?.args ?? []) && options?.path === last?.path;
    return { openAtLogin: Boolean(last?.openAtLogin && (options === undefined || same)) };
  }
}

const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

describe('createAutostart', () => {
  it('Windows: a login item with --hidden, read back with the same path and args', async () => {
    const app = new FakeLoginItems();
    const autostart = createAutostart({ platform: 'win32', app, execPath: 'C:\\Cloudtoken\\Cloudtoken.exe', env: {}, homedir: 'C:\\Users\\a' });
    await autostart.setEnabled(true);
    expect(app.set).toEqual([{ openAtLogin: true, path: 'C:\\Cloudtoken\\Cloudtoken.exe', args: ['--hidden'] }]);
    expect(await autostart.isEnabled()).toBe(true);
    await autostart.setEnabled(false);
    expect(await autostart.isEnabled()).toBe(false);
  });

  it('macOS: a login item', async () => {
    const app = new FakeLoginItems();
    const autostart = createAutostart({ platform: 'darwin', app, execPath: '/Applications/Cloudtoken.app/Contents/MacOS/Cloudtoken', env: {}, homedir: '/Users/a' });
    await autostart.setEnabled(true);
    expect(app.set[0]?.openAtLogin).toBe(true);
    expect(await autostart.isEnabled()).toBe(true);
  });

  it('Linux: an XDG autostart entry (Electron’s login items do nothing there), starting the AppImage hidden', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cloudtoken-autostart-'));
    homes.push(home);
    const app = new FakeLoginItems();
    const env = { XDG_CONFIG_HOME: join(home, 'config'), APPIMAGE: '/home/a/Apps/Cloudtoken.AppImage' };
    const autostart = createAutostart({ platform: 'linux', app, execPath: '/tmp/.mount_x/cloudtoken-tray', env, homedir: home });
    expect(await autostart.isEnabled()).toBe(false);
    await autostart.setEnabled(true);
    expect(await autostart.isEnabled()).toBe(true);
    expect(readFileSync(join(home, 'config', 'autostart', 'cloudtoken.desktop'), 'utf8')).toContain('Exec=/home/a/Apps/Cloudtoken.AppImage --hidden');
    await autostart.setEnabled(false);
    expect(await autostart.isEnabled()).toBe(false);
    expect(app.set).toEqual([]);
  });
});

describe('startedAtLogin', () => {
  it('is told by --hidden or by macOS', () => {
    expect(startedAtLogin(['/usr/bin/cloudtoken-tray', '--hidden'], undefined)).toBe(true);
    expect(startedAtLogin(['/Applications/Cloudtoken.app'], true)).toBe(true);
    expect(startedAtLogin(['/usr/bin/cloudtoken-tray'], false)).toBe(false);
  });
});

describe('openedAtLogin', () => {
  /** macOS's flag as Electron reports it: false until the app has finished launching (`ready`). */
  function launchedAtLogin() {
    let ready = false;
    let markReady: () => void = () => {};
    const readyPromise = new Promise<void>((resolve) => (markReady = resolve));
    return {
      whenReady: () => readyPromise,
      getLoginItemSettings: () => ({ openAtLogin: true, wasOpenedAtLogin: ready }),
      becomeReady() {
        ready = true;
        markReady();
      },
    };
  }

  it('macOS: asks for wasOpenedAtLogin only once the app is ready', async () => {
    const app = launchedAtLogin();
    const answer = openedAtLogin(app, 'darwin', ['/Applications/Cloudtoken.app/Contents/MacOS/Cloudtoken']);
    app.becomeReady();
    expect(await answer).toBe(true);
  });

  it('elsewhere: only --hidden counts', async () => {
    const app = launchedAtLogin();
    app.becomeReady();
    expect(await openedAtLogin(app, 'win32', ['C:\\Cloudtoken\\Cloudtoken.exe'])).toBe(false);
    expect(await openedAtLogin(app, 'linux', ['/usr/bin/cloudtoken-tray', '--hidden'])).toBe(true);
  });
});
