import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keyFileOf, removeLeftovers, sessionIdOf } from '../../../main/channel/location.js';

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'cloudtoken-sessions-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('session entries and their keys', () => {
  it('names the key file beside a socket or a pipe-name file', () => {
    expect(keyFileOf('/s/sessions/0a1b2c3d4e5f.sock')).toBe('/s/sessions/0a1b2c3d4e5f.key');
    expect(keyFileOf('C:\\s\\sessions\\0a1b2c3d4e5f.pipe')).toBe('C:\\s\\sessions\\0a1b2c3d4e5f.key');
    expect(sessionIdOf('/s/sessions/0a1b2c3d4e5f.key')).toBe('0a1b2c3d4e5f');
  });

  it('removes only old halves of entries: a session starting now keeps what it has so far', async () => {
    const old = new Date(Date.now() - 5 * 60_000);
    const names = ['alive.sock', 'alive.key', 'pipe.pipe', 'pipe.key', 'orphan.key', 'keyless.sock', 'starting.sock', 'notes.txt'];
    for (const name of names) {
      await writeFile(join(folder, name), 'x');
      if (name !== 'starting.sock') await utimes(join(folder, name), old, old);
    }
    await removeLeftovers(folder);
    expect((await readdir(folder)).sort()).toEqual(['alive.key', 'alive.sock', 'notes.txt', 'pipe.key', 'pipe.pipe', 'starting.sock']);
  });
});
