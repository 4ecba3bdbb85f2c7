import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Settings } from '../../../main/settings/schema.js';
import { createSettingsStore } from '../../../main/settings/settings-store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudtoken-settings-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const profile = (n: number) => ({ id: `idp-${n}`, name: `P${n}`, signInUrl: `https://idp${n}.example.com/` });

describe('the settings store', () => {
  it('keeps every one of many concurrent updates from separate stores on one file', async () => {
    const path = join(dir, 'settings.json');
    const stores = Array.from({ length: 4 }, () => createSettingsStore({ path }));
    await Promise.all(Array.from({ length: 16 }, (_, n) => stores[n % 4]!.update((s) => s.idpProfiles.push(profile(n)))));
    const saved = await createSettingsStore({ path }).load();
    expect(saved.idpProfiles.map((p) => p.id).sort()).toEqual(Array.from({ length: 16 }, (_, n) => `idp-${n}`).sort());
  });

  it('writes nothing when nothing changed, and nothing invalid', async () => {
    const path = join(dir, 'settings.json');
    const store = createSettingsStore({ path });
    await store.update(() => undefined);
    await expect(readFile(path)).rejects.toMatchObject({ code: 'ENOENT' });
    await store.update((s) => (s.region = 'eu-west-1'));
    const before = await readFile(path, 'utf8');
    await expect(store.update((s) => (s.imdsPort = 22))).rejects.toMatchObject({ code: 'SETTINGS_INVALID' });
    expect(await readFile(path, 'utf8')).toBe(before);
  });

  it('tells a watcher about changes made by anyone, once each, and not about a damaged write', async () => {
    const path = join(dir, 'settings.json');
    const store = createSettingsStore({ path });
    await store.update((s) => (s.region = 'eu-west-1'));
    const seen: Settings[] = [];
    const stop = store.watch((s) => seen.push(s));
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await createSettingsStore({ path }).update((s) => (s.region = 'eu-west-2'));
      await expect.poll(() => seen.map((s) => s.region)).toEqual(['eu-west-2']);
      await writeFile(path, '{"region": ');
      await new Promise((resolve) => setTimeout(resolve, 200));
      await createSettingsStore({ path }).update((s) => (s.notifications = false)).catch(() => undefined);
      await writeFile(path, JSON.stringify({ region: 'ap-south-1' }));
      await expect.poll(() => seen.map((s) => s.region)).toEqual(['eu-west-2', 'ap-south-1']);
    } finally {
      stop();
    }
  });
});
