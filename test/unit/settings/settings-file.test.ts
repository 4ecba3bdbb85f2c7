import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Conf from 'conf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { electronStoreLocation, resolveStatePaths } from '../../../main/settings/paths.js';
import { SETTINGS_VERSION, defaultSettings } from '../../../main/settings/schema.js';
import { electronStoreOptions } from '../../../main/shell/electron-store-backend.js';
import { loadSettingsFile, saveSettingsFile } from '../../../main/settings/settings-file.js';
import { readJsonObject } from '../../../main/settings/state-file.js';
import { isCloudtokenError } from '../../../main/support/errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ct-settings-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resolveStatePaths', () => {
  const base = { homedir: '/home/ana' };
  it('follows XDG on Linux, ignoring a relative XDG_CONFIG_HOME', () => {
    expect(resolveStatePaths({ ...base, platform: 'linux', env: {} }).settingsFile).toBe('/home/ana/.config/cloudtoken/settings.json');
    expect(resolveStatePaths({ ...base, platform: 'linux', env: { XDG_CONFIG_HOME: '/xdg' } }).home).toBe('/xdg/cloudtoken');
    expect(resolveStatePaths({ ...base, platform: 'linux', env: { XDG_CONFIG_HOME: 'rel' } }).home).toBe('/home/ana/.config/cloudtoken');
  });

  it('uses Application Support on macOS and APPDATA on Windows', () => {
    expect(resolveStatePaths({ ...base, platform: 'darwin', env: {} }).home).toBe('/home/ana/Library/Application Support/Cloudtoken');
    expect(resolveStatePaths({ ...base, platform: 'win32', env: { APPDATA: '/appdata' } }).home).toBe('/appdata/Cloudtoken');
  });

  it('moves every piece of state under CLOUDTOKEN_HOME', () => {
    const paths = resolveStatePaths({ ...base, platform: 'darwin', env: { CLOUDTOKEN_HOME: '/srv/ct' } });
    expect(paths).toEqual({
      home: '/srv/ct',
      settingsFile: '/srv/ct/settings.json',
      cookieJarDir: '/srv/ct/cookies',
      browserProfileDir: '/srv/ct/browser-profile',
      electronUserData: '/srv/ct/electron',
      durationLimitsFile: '/srv/ct/sts-duration-limits.json',
      signInPreferencesFile: '/srv/ct/sign-in-preferences.json',
      trayLogFile: '/srv/ct/logs/tray.log',
    });
    expect(electronStoreLocation(paths)).toEqual({ cwd: '/srv/ct', name: 'settings' });
  });
});

describe('loadSettingsFile / saveSettingsFile', () => {
  it('gives the defaults when there is no file, and round-trips what it saves with mode 0600', async () => {
    const path = join(dir, 'nested', 'settings.json');
    expect(await loadSettingsFile(path)).toEqual(defaultSettings());
    const settings = defaultSettings();
    settings.idpProfiles = [{ id: 'idp-1', name: 'Corp', signInUrl: 'https://sso.example.com' }];
    settings.activeProfileId = 'idp-1';
    settings.imdsPort = 12000;
    await saveSettingsFile(path, settings);
    expect(await loadSettingsFile(path)).toEqual(settings);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path, 'utf8')).__internal__).toEqual({ migrations: { version: SETTINGS_VERSION } });
    expect(await readdir(join(dir, 'nested'))).toEqual(['settings.json']);
  });

  it('refuses invalid settings with field errors and leaves the file as it was', async () => {
    const path = join(dir, 'settings.json');
    await saveSettingsFile(path, defaultSettings());
    const before = await readFile(path, 'utf8');
    const error = await saveSettingsFile(path, { ...defaultSettings(), imdsPort: 22 }).catch((e: unknown) => e);
    expect(isCloudtokenError(error, 'SETTINGS_INVALID')).toBe(true);
    expect((error as { errors: unknown[] }).errors).toEqual([{ field: 'imdsPort', message: expect.stringContaining('1024') }]);
    expect(await readFile(path, 'utf8')).toBe(before);
  });

  it.each([
    ['{ not json', 'SETTINGS_NOT_JSON'],
    ['[1,2]', 'SETTINGS_NOT_OBJECT'],
    ['{"imdsPort": 80}', 'SETTINGS_INVALID'],
    ['{"__internal__": {"migrations": {"version": "9.0.0"}}}', 'SETTINGS_TOO_NEW'],
  ])('reports a bad file %s as %s without touching it', async (content, code) => {
    const path = join(dir, 'settings.json');
    await writeFile(path, content);
    const error = await loadSettingsFile(path).catch((e: unknown) => e);
    expect(isCloudtokenError(error, code)).toBe(true);
    expect(await readFile(path, 'utf8')).toBe(content);
  });

  it('migrates a hand-written file that names a single sign-in URL', async () => {
    const path = join(dir, 'settings.json');
    await writeFile(path, JSON.stringify({ signInUrl: 'https://sso.example.com/start', imdsMode: 'loopback' }));
    const settings = await loadSettingsFile(path);
    expect(settings.imdsMode).toBe('loopback');
    expect(settings.idpProfiles).toEqual([{ id: settings.activeProfileId, name: 'sso.example.com', signInUrl: 'https://sso.example.com/start' }]);
  });
});

describe('the same file through conf (the engine of electron-store 12)', () => {
  // electron-store passes its `name` option on to conf as `configName`.
  const open = () => {
    const options = electronStoreOptions(resolveStatePaths({ env: { CLOUDTOKEN_HOME: dir }, platform: 'linux', homedir: '/nowhere' }));
    return new Conf(options as never) as unknown as Conf<Record<string, unknown>>;
  };

  it('the CLI reads what the store wrote, with the defaults for the rest', async () => {
    const store = open();
    store.set('imdsPort', 10001);
    store.set('idpProfiles', [{ id: 'idp-x', name: 'X', signInUrl: 'https://x.example' }]);
    const settings = await loadSettingsFile(join(dir, 'settings.json'));
    expect(settings).toEqual({ ...defaultSettings(), imdsPort: 10001, idpProfiles: [{ id: 'idp-x', name: 'X', signInUrl: 'https://x.example' }] });
  });

  it('runs the 0.1.0 migration on a file that records no version, and the CLI accepts the result', async () => {
    const path = join(dir, 'settings.json');
    await writeFile(path, JSON.stringify({ signInUrl: 'https://sso.example.com/a' }));
    const store = open();
    expect(store.get('idpProfiles')).toEqual([{ id: expect.stringMatching(/^idp-/), name: 'sso.example.com', signInUrl: 'https://sso.example.com/a' }]);
    expect(store.get('signInUrl')).toBeUndefined();
    const settings = await loadSettingsFile(path);
    expect(settings.activeProfileId).toBe((store.get('idpProfiles') as Array<{ id: string }>)[0]!.id);
    await saveSettingsFile(path, { ...settings, notifications: false });
    expect(open().get('notifications')).toBe(false);
  });
});

describe('readJsonObject', () => {
  it('gives the object a file holds', async () => {
    const path = join(dir, 'object.json');
    await writeFile(path, '{"work": "system-browser", "n": 3}');
    expect(await readJsonObject(path)).toEqual({ work: 'system-browser', n: 3 });
  });

  it('gives an empty object for a missing file, a folder, broken JSON and JSON that is not an object', async () => {
    expect(await readJsonObject(join(dir, 'missing.json'))).toEqual({});
    expect(await readJsonObject(dir)).toEqual({});
    for (const [name, text] of [['broken', '{"work": "sys'], ['array', '["work"]'], ['null', 'null'], ['string', '"work"'], ['empty', '']] as const) {
      const path = join(dir, `${name}.json`);
      await writeFile(path, text);
      expect(await readJsonObject(path), name).toEqual({});
    }
  });
});
