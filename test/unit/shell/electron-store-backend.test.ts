import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Conf from 'conf';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveStatePaths } from '../../../main/settings/paths.js';
import { defaultSettings, type Settings } from '../../../main/settings/schema.js';
import { loadSettingsFile } from '../../../main/settings/settings-file.js';
import { createSettingsStore } from '../../../main/settings/settings-store.js';
import { electronStoreBackend, electronStoreOptions } from '../../../main/shell/electron-store-backend.js';

/**
 * electron-store only loads inside Electron; it is `conf` with Electron's default folder. These tests give
 * the backend `conf` itself, with the options the tray app passes to electron-store.
 */
const homes: string[] = [];
function pathsInTempHome() {
  const home = mkdtempSync(join(tmpdir(), 'cloudtoken-store-'));
  homes.push(home);
  return resolveStatePaths({ env: { CLOUDTOKEN_HOME: home }, platform: 'linux', homedir: home });
}
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

const edited = (): Settings => ({
  ...defaultSettings(),
  idpProfiles: [{ id: 'idp-0123456789abcdef', name: 'Corp SSO', signInUrl: 'https://idp.example.com/sso/aws', region: 'eu-west-1' }],
  activeProfileId: 'idp-0123456789abcdef',
  imdsMode: 'loopback',
  imdsPort: 19_911,
  accountLabels: { '123456789012': 'Production' },
  lastRoleArnByProfile: { 'idp-0123456789abcdef': 'arn:aws:iam::123456789012:role/Admin' },
  startAtLogin: true,
});

const trayStore = (paths: ReturnType<typeof pathsInTempHome>) =>
  createSettingsStore({ path: paths.settingsFile, backend: electronStoreBackend(Conf as never, paths) });

describe('the tray app’s settings store (electron-store on the CLI’s file)', () => {
  it('round-trips settings into the file the CLI reads', async () => {
    const paths = pathsInTempHome();
    const store = trayStore(paths);
    expect(await store.load()).toEqual(defaultSettings());
    const settings = edited();
    await store.update((s) => Object.assign(s, settings));
    expect(await trayStore(paths).load()).toEqual(settings);
    expect(electronStoreOptions(paths)).toMatchObject({ cwd: paths.home, name: 'settings' });
    expect(await loadSettingsFile(paths.settingsFile)).toEqual(settings);
    expect(JSON.parse(readFileSync(paths.settingsFile, 'utf8')).__internal__.migrations.version).toBe('0.1.0');
  });

  it('removes an optional value that was cleared (electron-store refuses undefined)', async () => {
    const paths = pathsInTempHome();
    const store = trayStore(paths);
    await store.update((s) => Object.assign(s, edited(), { stsEndpointOverride: 'http://127.0.0.1:4566/' }));
    await store.update((s) => {
      delete s.stsEndpointOverride;
      delete s.activeProfileId;
    });
    const read = await store.load();
    expect(read.stsEndpointOverride).toBeUndefined();
    expect(read.activeProfileId).toBeUndefined();
  });

  it('refuses invalid settings with every field’s message and leaves the file alone', async () => {
    const paths = pathsInTempHome();
    const store = trayStore(paths);
    await store.update((s) => Object.assign(s, edited()));
    const before = readFileSync(paths.settingsFile, 'utf8');
    for (const signInUrl of ['http://localhost.evil.example/sso', 'http://127.evil.example/', 'https://user:pw@idp.example.com/']) {
      await expect(store.update((s) => (s.idpProfiles[0]!.signInUrl = signInUrl))).rejects.toMatchObject({
        code: 'SETTINGS_INVALID',
        errors: [expect.objectContaining({ field: 'idpProfiles.0.signInUrl' })],
      });
    }
    await expect(store.update((s) => Object.assign(s, { imdsPort: 80, region: 'moon' }))).rejects.toMatchObject({
      code: 'SETTINGS_INVALID',
      errors: expect.arrayContaining([expect.objectContaining({ field: 'imdsPort' }), expect.objectContaining({ field: 'region' })]),
    });
    expect(readFileSync(paths.settingsFile, 'utf8')).toBe(before);
  });

  it('migrates a hand-written single-URL file into a profile, as the CLI does', async () => {
    const paths = pathsInTempHome();
    writeFileSync(paths.settingsFile, JSON.stringify({ signInUrl: 'https://idp.example.com/start', region: 'eu-west-2' }));
    const settings = await trayStore(paths).load();
    expect(settings.idpProfiles).toEqual([expect.objectContaining({ name: 'idp.example.com', signInUrl: 'https://idp.example.com/start' })]);
    expect(settings.activeProfileId).toBe(settings.idpProfiles[0]?.id);
    expect(settings.region).toBe('eu-west-2');
  });

  it('a file with invalid values is reported with a typed error and kept as it was', async () => {
    const paths = pathsInTempHome();
    const text = JSON.stringify({ imdsPort: 'eighty', __internal__: { migrations: { version: '0.1.0' } } });
    writeFileSync(paths.settingsFile, text);
    await expect(trayStore(paths).load()).rejects.toMatchObject({ code: 'SETTINGS_INVALID', errors: [expect.objectContaining({ field: 'imdsPort' })] });
    expect(readFileSync(paths.settingsFile, 'utf8')).toBe(text);
  });

  it('a file that is not JSON is reported and kept as it was', () => {
    const paths = pathsInTempHome();
    writeFileSync(paths.settingsFile, '{"imdsPort": 99');
    expect(() => electronStoreBackend(Conf as never, paths)).toThrow(expect.objectContaining({ code: 'SETTINGS_UNREADABLE' }));
    expect(readFileSync(paths.settingsFile, 'utf8')).toBe('{"imdsPort": 99');
  });

  it('sees what the CLI wrote since it opened the file, and keeps it when it writes', async () => {
    const paths = pathsInTempHome();
    const tray = trayStore(paths);
    await tray.update((s) => Object.assign(s, edited()));
    const cli = createSettingsStore({ path: paths.settingsFile });
    await cli.update((s) => (s.lastRoleArnByProfile['idp-0123456789abcdef'] = 'arn:aws:iam::123456789012:role/ReadOnly'));
    await tray.update((s) => (s.notifications = false));
    const after = await cli.load();
    expect(after.lastRoleArnByProfile['idp-0123456789abcdef']).toBe('arn:aws:iam::123456789012:role/ReadOnly');
    expect(after.notifications).toBe(false);
  });
});
