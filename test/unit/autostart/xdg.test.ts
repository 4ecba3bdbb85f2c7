import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  autostartFilePath,
  disableAutostart,
  enableAutostart,
  isAutostartEnabled,
  quoteExecArgument,
  renderAutostartEntry,
} from '../../../main/autostart/xdg.js';
import { isCloudtokenError } from '../../../main/support/errors.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'ct-autostart-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('autostartFilePath', () => {
  it('honours an absolute XDG_CONFIG_HOME and ignores a relative one', () => {
    expect(autostartFilePath({ env: {}, homedir: '/home/ana' })).toBe('/home/ana/.config/autostart/cloudtoken.desktop');
    expect(autostartFilePath({ env: { XDG_CONFIG_HOME: '/cfg' }, homedir: '/home/ana' })).toBe('/cfg/autostart/cloudtoken.desktop');
    expect(autostartFilePath({ env: { XDG_CONFIG_HOME: 'cfg' }, homedir: '/home/ana' })).toBe('/home/ana/.config/autostart/cloudtoken.desktop');
  });
});

describe('quoteExecArgument (Desktop Entry spec)', () => {
  it.each([
    ['/opt/Cloudtoken/cloudtoken', '/opt/Cloudtoken/cloudtoken'],
    ['--hidden', '--hidden'],
    ['/home/ana/Apps/Cloud Token.AppImage', '"/home/ana/Apps/Cloud Token.AppImage"'],
    ['/opt/a"b', '"/opt/a\\\\"b"'],
    ['/opt/$HOME`x`', '"/opt/\\\\$HOME\\\\`x\\\\`"'],
    ['/opt/back\\slash', '"/opt/back\\\\\\\\slash"'],
    ['/opt/100%', '/opt/100%%'],
  ])('%s → %s', (input, expected) => {
    expect(quoteExecArgument(input)).toBe(expected);
  });

  it('refuses control characters rather than writing a broken entry', () => {
    expect(() => quoteExecArgument('/opt/a\nExec=evil')).toThrow(/characters/);
  });
});

describe('renderAutostartEntry', () => {
  it('starts the app hidden and is enabled for GNOME', () => {
    const entry = renderAutostartEntry({ execPath: '/opt/Cloudtoken/cloudtoken' });
    expect(entry).toContain('Exec=/opt/Cloudtoken/cloudtoken --hidden\n');
    expect(entry).toContain('X-GNOME-Autostart-enabled=true\n');
    expect(entry.startsWith('[Desktop Entry]\nType=Application\n')).toBe(true);
  });

  it('refuses a relative path', () => {
    expect(() => renderAutostartEntry({ execPath: 'cloudtoken' })).toThrow(/not absolute/);
  });

  // desktop-file-validate (desktop-file-utils) is the reference checker when the machine has it.
  const validator = (() => {
    try {
      execFileSync('desktop-file-validate', ['--help'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!validator)('passes desktop-file-validate', async () => {
    const path = join(home, 'cloudtoken.desktop');
    await writeFile(path, renderAutostartEntry({ execPath: '/home/ana/My Apps/Cloudtoken.AppImage' }));
    expect(execFileSync('desktop-file-validate', [path], { encoding: 'utf8' })).toBe('');
  });
});

describe('enable / disable / isAutostartEnabled against a real folder', () => {
  const location = () => ({ env: { XDG_CONFIG_HOME: join(home, 'config') }, homedir: home });

  it('writes the entry, reports it, and removes it', async () => {
    expect(await isAutostartEnabled(location())).toBe(false);
    await enableAutostart(location(), { execPath: '/home/ana/Cloud Token/cloudtoken' });
    const path = join(home, 'config', 'autostart', 'cloudtoken.desktop');
    expect(await readFile(path, 'utf8')).toContain('Exec="/home/ana/Cloud Token/cloudtoken" --hidden');
    expect((await stat(path)).mode & 0o777).toBe(0o644);
    expect(await isAutostartEnabled(location())).toBe(true);
    await disableAutostart(location());
    expect(await isAutostartEnabled(location())).toBe(false);
    await disableAutostart(location());
  });

  it.each(['Hidden=true', 'X-GNOME-Autostart-enabled=false'])('an entry switched off by the desktop (%s) is not enabled', async (line) => {
    const folder = join(home, 'config', 'autostart');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'cloudtoken.desktop'), `[Desktop Entry]\nType=Application\nExec=/opt/ct\n${line}\n`);
    expect(await isAutostartEnabled(location())).toBe(false);
  });

  it('a bad path leaves an existing entry untouched', async () => {
    await enableAutostart(location(), { execPath: '/opt/ct' });
    const before = await readFile(autostartFilePath(location()), 'utf8');
    const error = await enableAutostart(location(), { execPath: '/opt/a\u0007b' }).catch((e: unknown) => e);
    expect(isCloudtokenError(error, 'AUTOSTART_BAD_PATH')).toBe(true);
    expect(await readFile(autostartFilePath(location()), 'utf8')).toBe(before);
  });
});
