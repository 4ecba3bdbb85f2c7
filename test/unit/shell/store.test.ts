import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Conf from 'conf';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveStatePaths } from '../../../main/settings/paths.js';
import { defaultSettings, type Settings } from '../../../main/settings/schema.js';
import { loadSettingsFile } from '../../../main/settings/settings-file.js';
import { createSettingsStore, settingsStoreOptions } from '../../../main/shell/store.js';

/**
 * electron-store only loads inside Electron; it is `conf` with Electron's default folder. These tests give
 * the store module `conf` itself, with the options the tray app passes to electron-store.
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

describe('the settings store', () => {
  it('round-trips settings through the schema into the file the CLI reads', async () => {
    const paths = pathsInTempHome();
    const store = createSettingsStore(Conf, paths);
    expect(store.read()).toEqual(defaultSettings());
    const settings = edited();
    store.write(settings);
    expect(createSettingsStore(Conf, paths).read()).toEqual(settings);
    // The CLI's loader reads the same file and agrees.
    expect(settingsStoreOptions(paths)).toMatchObject({ cwd: paths.home, name: 'settings' });
    expect(await loadSettingsFile(paths.settingsFile)).toEqual(settings);
    expect(JSON.parse(readFileSync(paths.settingsFile, 'utf8')).__internal__.migrations.version).toBe('0.1.0');
  });

  it('removes an optional value that was cleared (electron-store refuses undefined)', () => {
    const paths = pathsInTempHome();
    const store = createSettingsStore(Conf, paths);
    store.write({ ...edited(), stsEndpointOverride: 'http://127.0.0.1:4566/' });
    const { stsEndpointOverride: _gone, activeProfileId: _none, ...cleared } = edited();
    store.write(cleared);
    const read = store.read();
    expect(read.stsEndpointOverride).toBeUndefined();
    expect(read.activeProfileId).toBeUndefined();
  });

  it('refuses invalid settings with every field’s message and leaves the file alone', () => {
    const paths = pathsInTempHome();
    const store = createSettingsStore(Conf, paths);
    store.write(edited());
    const before = readFileSync(paths.settingsFile, 'utf8');
    expect(() => store.write({ ...edited(), imdsPort: 80, region: 'moon' })).toThrow(
      expect.objectContaining({ code: 'SETTINGS_INVALID', errors: expect.arrayContaining([expect.objectContaining({ field: 'imdsPort' }), expect.objectContaining({ field: 'region' })]) }),
    );
    expect(readFileSync(paths.settingsFile, 'utf8')).toBe(before);
  });

  it('migrates a hand-written single-URL file into a profile, as the CLI does', () => {
    const paths = pathsInTempHome();
    writeFileSync(paths.settingsFile, JSON.stringify({ signInUrl: 'https://idp.example.com/start', region: 'eu-west-2' }));
    const settings = createSettingsStore(Conf, paths).read();
    expect(settings.idpProfiles).toEqual([expect.objectContaining({ name: 'idp.example.com', signInUrl: 'https://idp.example.com/start' })]);
    expect(settings.activeProfileId).toBe(settings.idpProfiles[0]?.id);
    expect(settings.region).toBe('eu-west-2');
  });

  it('a file the schema refuses is reported with a typed error and kept as it was', () => {
    const paths = pathsInTempHome();
    const text = JSON.stringify({ imdsPort: 'eighty', __internal__: { migrations: { version: '0.1.0' } } });
    writeFileSync(paths.settingsFile, text);
    expect(() => createSettingsStore(Conf, paths)).toThrow(expect.objectContaining({ code: 'SETTINGS_UNREADABLE' }));
    expect(readFileSync(paths.settingsFile, 'utf8')).toBe(text);
  });
});
