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
    expect(await signInPreferences(path).load()).toEqual(new Set());
    await signInPreferences(path).remember('work', true);
    expect(await signInPreferences(path).load()).toEqual(new Set(['work']));
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ work: 'system-browser' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await signInPreferences(path).remember('work', false);
    expect(await signInPreferences(path).load()).toEqual(new Set());
  });

  it('keeps the choices another instance wrote in between, and orders its own writes', async () => {
    const first = signInPreferences(path);
    const second = signInPreferences(path);
    await first.remember('work', true);
    await second.remember('lab', true);
    await Promise.all([first.remember('home', true), first.remember('lab', false), first.remember('home', false), first.remember('home', true)]);
    expect(await second.load()).toEqual(new Set(['work', 'home']));
  });

  it('reads a damaged file as no choice, skips entries it does not know, and writes a clean file', async () => {
    await signInPreferences(path).remember('work', true);
    await writeFile(path, '{"work": "system-br');
    expect(await signInPreferences(path).load()).toEqual(new Set());
    await writeFile(path, JSON.stringify({ work: 'system-browser', lab: 'window', '../x': 'system-browser', home: true }));
    expect(await signInPreferences(path).load()).toEqual(new Set(['work']));
    await signInPreferences(path).remember('home', true);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ work: 'system-browser', home: 'system-browser' });
  });

  it('refuses a profile id that is not one, writing nothing', async () => {
    for (const id of ['', '__proto__', '../settings', 'a'.repeat(65)]) {
      await expect(signInPreferences(path).remember(id, true)).rejects.toThrow(/not a profile id/);
    }
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
