import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signInPreferences } from '../../../main/login/sign-in-preferences.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudtoken-sign-in-prefs-'));
  path = join(dir, 'state', 'sign-in-preferences.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('signInPreferences', () => {
  it('knows no profile before anything is chosen, and keeps a choice for the next run', async () => {
    expect(await signInPreferences(path).load()).toEqual(new Map());
    await signInPreferences(path).remember('work', 'system-browser');
    expect(await signInPreferences(path).load()).toEqual(new Map([['work', 'system-browser']]));
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ work: 'system-browser' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await signInPreferences(path).remember('work', 'window');
    expect(await signInPreferences(path).load()).toEqual(new Map());
  });

  it('keeps the choices another instance wrote in between, and orders its own writes', async () => {
    const first = signInPreferences(path);
    const second = signInPreferences(path);
    await first.remember('work', 'system-browser');
    await second.remember('lab', 'extension');
    await Promise.all([first.remember('home', 'system-browser'), first.remember('lab', 'window'), first.remember('home', 'window'), first.remember('home', 'system-browser')]);
    expect(await second.load()).toEqual(new Map([['work', 'system-browser'], ['home', 'system-browser']]));
  });

  it('reads a damaged file as no choice, skips entries it does not know, and writes a clean file', async () => {
    await signInPreferences(path).remember('work', 'system-browser');
    await writeFile(path, '{"work": "system-br');
    expect(await signInPreferences(path).load()).toEqual(new Map());
    await writeFile(path, JSON.stringify({ work: 'system-browser', lab: 'window', '../x': 'system-browser', home: true, bench: 'extension' }));
    expect(await signInPreferences(path).load()).toEqual(new Map([['work', 'system-browser'], ['bench', 'extension']]));
    await signInPreferences(path).remember('home', 'system-browser');
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ work: 'system-browser', bench: 'extension', home: 'system-browser' });
  });

  it('refuses a profile id that is not one, writing nothing', async () => {
    for (const id of ['', '__proto__', '../settings', 'a'.repeat(65)]) {
      await expect(signInPreferences(path).remember(id, 'system-browser')).rejects.toThrow(/not a profile id/);
    }
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
