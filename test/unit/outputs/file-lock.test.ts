import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileLockError, withFileLock } from '../../../main/outputs/file-lock.js';

let dir: string;
let lockPath: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ct-lock-'));
  lockPath = path.join(dir, 'file.lock');
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('withFileLock', () => {
  it('runs one holder at a time and removes the lock afterwards', async () => {
    const events: string[] = [];
    const hold = (name: string) =>
      withFileLock(lockPath, async () => {
        events.push(`${name} in`);
        await new Promise((resolve) => setTimeout(resolve, 30));
        events.push(`${name} out`);
      });
    await Promise.all([hold('a'), hold('b'), hold('c')]);
    for (let i = 0; i < events.length; i += 2) expect(events[i]?.replace(' in', '')).toBe(events[i + 1]?.replace(' out', ''));
    await expect(fs.access(lockPath)).rejects.toThrow();
  });

  it('releases the lock when the action fails', async () => {
    await expect(withFileLock(lockPath, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(withFileLock(lockPath, async () => 'again')).resolves.toBe('again');
  });

  it('gives up with a typed error naming the lock file while a live process holds it', async () => {
    await fs.writeFile(lockPath, `${process.pid}\n${os.hostname()}\n`);
    const error = await withFileLock(lockPath, async () => 'never', { timeoutMs: 150 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FileLockError);
    expect(error).toMatchObject({ code: 'FILE_LOCKED', lockPath });
    expect((error as Error).message).toContain(lockPath);
    expect(await fs.readFile(lockPath, 'utf8')).toContain(String(process.pid));
  });

  it('breaks a lock whose process on this host is gone', async () => {
    const finished = spawnSync(process.execPath, ['-e', '']);
    await fs.writeFile(lockPath, `${finished.pid}\n${os.hostname()}\n`);
    await expect(withFileLock(lockPath, async () => 'taken', { timeoutMs: 100 })).resolves.toBe('taken');
  });

  it('breaks a lock older than the stale limit, whoever holds it', async () => {
    await fs.writeFile(lockPath, `${process.pid}\nanother-host\n`);
    const old = new Date(Date.now() - 120_000);
    await fs.utimes(lockPath, old, old);
    await expect(withFileLock(lockPath, async () => 'taken', { timeoutMs: 100, staleMs: 60_000 })).resolves.toBe('taken');
    expect(await fs.readdir(dir)).toEqual([]);
  });
});
