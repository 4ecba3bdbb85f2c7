// Electron's login items and the moment macOS sets wasOpenedAtLogin cannot be exercised here (no Electron): the
// fakes below behave as Electron 41's documentation says, and the tests check what Cloudtoken does with them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loginItemDrift, syncLoginItem } from '../../../main/autostart/login-item-sync.js';
import { createAutostart, openedAtLogin, startedAtLogin, type Autostart, type LoginItemApi } from '../../../main/shell/login-items.js';

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

const packaged = { packaged: true, appPath: '/opt/Cloudtoken/resources/app.asar' };

const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

describe('createAutostart', () => {
  it('Windows: a login item with --hidden, read back with the same path and args', async () => {
    const app = new FakeLoginItems();
    const autostart = createAutostart({ platform: 'win32', app, execPath: 'C:\\Cloudtoken\\Cloudtoken.exe', ...packaged, env: {}, homedir: 'C:\\Users\\a' });
    await autostart.setEnabled(true);
    expect(app.set).toEqual([{ openAtLogin: true, path: 'C:\\Cloudtoken\\Cloudtoken.exe', args: ['--hidden'] }]);
    expect(await autostart.isEnabled()).toBe(true);
    await autostart.setEnabled(false);
    expect(await autostart.isEnabled()).toBe(false);
  });

  it('macOS: a login item', async () => {
    const app = new FakeLoginItems();
    const autostart = createAutostart({ platform: 'darwin', app, execPath: '/Applications/Cloudtoken.app/Contents/MacOS/Cloudtoken', ...packaged, env: {}, homedir: '/Users/a' });
    await autostart.setEnabled(true);
    expect(app.set[0]?.openAtLogin).toBe(true);
    expect(await autostart.isEnabled()).toBe(true);
  });

  it('Linux: an XDG autostart entry (Electron’s login items do nothing there), starting the AppImage hidden', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cloudtoken-autostart-'));
    homes.push(home);
    const app = new FakeLoginItems();
    const env = { XDG_CONFIG_HOME: join(home, 'config'), APPIMAGE: '/home/a/Apps/Cloudtoken.AppImage' };
    const autostart = createAutostart({ platform: 'linux', app, execPath: '/tmp/.mount_x/cloudtoken-tray', ...packaged, env, homedir: home });
    expect(await autostart.isEnabled()).toBe(false);
    await autostart.setEnabled(true);
    expect(await autostart.isEnabled()).toBe(true);
    expect(readFileSync(join(home, 'config', 'autostart', 'cloudtoken.desktop'), 'utf8')).toContain('Exec=/home/a/Apps/Cloudtoken.AppImage --hidden');
    await autostart.setEnabled(false);
    expect(await autostart.isEnabled()).toBe(false);
    expect(app.set).toEqual([]);
  });
});

describe('a checkout run with npm start (the bare Electron binary)', () => {
  const checkout = { packaged: false, appPath: 'C:\\src\\cloudtoken' };

  it('Windows: the login item passes the app folder, and is read back with the same path and args', async () => {
    const app = new FakeLoginItems();
    const execPath = 'C:\\src\\cloudtoken\\node_modules\\electron\\dist\\electron.exe';
    const autostart = createAutostart({ platform: 'win32', app, execPath, ...checkout, env: {}, homedir: 'C:\\Users\\a' });
    await autostart.setEnabled(true);
    expect(app.set).toEqual([{ openAtLogin: true, path: execPath, args: ['C:\\src\\cloudtoken', '--hidden'] }]);
    expect(await autostart.isEnabled()).toBe(true);
  });

  it('Linux: the autostart entry starts Electron with the app folder, quoted where it needs to be', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cloudtoken-autostart-'));
    homes.push(home);
    const env = { XDG_CONFIG_HOME: join(home, 'config') };
    const autostart = createAutostart({ platform: 'linux', app: new FakeLoginItems(), execPath: '/src/my app/node_modules/electron/dist/electron', packaged: false, appPath: '/src/my app', env, homedir: home });
    await autostart.setEnabled(true);
    expect(readFileSync(join(home, 'config', 'autostart', 'cloudtoken.desktop'), 'utf8')).toContain('Exec="/src/my app/node_modules/electron/dist/electron" "/src/my app" --hidden\n');
  });

  it('macOS: refuses, since a login item cannot pass the app folder, and registers nothing', async () => {
    const app = new FakeLoginItems();
    const autostart = createAutostart({ platform: 'darwin', app, execPath: '/src/cloudtoken/node_modules/electron/dist/Electron.app/Contents/MacOS/Electron', packaged: false, appPath: '/src/cloudtoken', env: {}, homedir: '/Users/a' });
    await expect(autostart.setEnabled(true)).rejects.toThrow(/only the installed Cloudtoken app/);
    expect(app.set).toEqual([]);
    await autostart.setEnabled(false);
    expect(app.set).toEqual([{ openAtLogin: false, args: ['/src/cloudtoken', '--hidden'] }]);
  });
});

/** An OS that does what it likes with a request: `grants` says what it does with "enable". */
function systemThat(grants: 'enable' | 'ignore' | 'throw', initially = false): Autostart & { asked: boolean[] } {
  let enabled = initially;
  const asked: boolean[] = [];
  return {
    asked,
    isEnabled: async () => enabled,
    setEnabled: async (wanted) => {
      asked.push(wanted);
      if (grants === 'throw') throw new Error('The login item could not be written.');
      if (!wanted || grants === 'enable') enabled = wanted;
    },
  };
}

describe('syncLoginItem', () => {
  it('asks the OS first and answers what it then says, which is what is saved', async () => {
    expect(await syncLoginItem(systemThat('enable'), false, true)).toBe(true);
    // macOS 13+ may leave a new login item waiting for the user's approval: not enabled, so not saved as such.
    expect(await syncLoginItem(systemThat('ignore'), false, true)).toBe(false);
    expect(await syncLoginItem(systemThat('enable', true), true, false)).toBe(false);
  });

  it('throws before anything can be saved when the OS cannot be asked', async () => {
    await expect(syncLoginItem(systemThat('throw'), false, true)).rejects.toThrow('could not be written');
  });

  it('does not touch the OS when nothing changed', async () => {
    const system = systemThat('enable');
    expect(await syncLoginItem(system, false, false)).toBe(false);
    expect(system.asked).toEqual([]);
  });
});

describe('loginItemDrift', () => {
  it('reports the OS’s state only where it differs from the saved one', async () => {
    expect(await loginItemDrift(systemThat('enable', false), true)).toBe(false);
    expect(await loginItemDrift(systemThat('enable', true), false)).toBe(true);
    expect(await loginItemDrift(systemThat('enable', true), true)).toBeUndefined();
  });

  it('reads the XDG entry on Linux: removed by the user, it says so', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cloudtoken-autostart-'));
    homes.push(home);
    const env = { XDG_CONFIG_HOME: join(home, 'config') };
    const autostart = createAutostart({ platform: 'linux', app: new FakeLoginItems(), execPath: '/usr/bin/cloudtoken-tray', ...packaged, env, homedir: home });
    await autostart.setEnabled(true);
    expect(await loginItemDrift(autostart, true)).toBeUndefined();
    rmSync(join(home, 'config', 'autostart', 'cloudtoken.desktop'));
    expect(await loginItemDrift(autostart, true)).toBe(false);
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
