import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { FileLockError, FileLockFolderError, withFileLock } from '../../../main/support/file-lock.js';

let dir: string;

function deadPid(): number {
  const finished = spawnSync(process.execPath, ['-e', '']);
  if (finished.pid === undefined) throw new Error('could not start a process to get a dead pid');
  return finished.pid;
}

/**
 * Root writes through file modes, so as root (CI) the folder is a read-only tmpfs in a mount namespace of its
 * own; as any other user a folder without write permission does.
 */
async function lockInReadOnlyFolder(folder: string): Promise<{ name: string; code: string; message: string }> {
  const lock = path.join(folder, 'state.lock');
  if (process.getuid?.() !== 0) {
    await fs.chmod(folder, 0o500);
    const error = await withFileLock(lock, async () => undefined).catch((caught: unknown) => caught);
    await fs.chmod(folder, 0o700);
    if (!(error instanceof FileLockFolderError)) throw new Error(`expected a FileLockFolderError, got ${String(error)}`);
    return error;
  }
  const moduleUrl = pathToFileURL(path.resolve('main/support/file-lock.ts')).href;
  const script =
    `const { withFileLock } = await import(${JSON.stringify(moduleUrl)});` +
    `const error = await withFileLock(${JSON.stringify(lock)}, async () => undefined).catch((caught) => caught);` +
    'console.log(JSON.stringify({ name: error?.name, code: error?.code, message: error?.message }));';
  const run = spawnSync(
    'unshare',
    ['--mount', 'sh', '-c', 'mount -t tmpfs -o ro tmpfs "$1" && exec "$2" --import tsx --input-type=module -e "$3"', 'sh', folder, process.execPath, script],
    { encoding: 'utf8', timeout: 20_000 },
  );
  if (run.status !== 0) throw new Error(`read-only folder run failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as { name: string; code: string; message: string };
}
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
    expect((error as Error).message).toBe(
      `Another Cloudtoken process has been editing the same file for more than 0 s (lock file ${lockPath}). ` +
        'Try again; if no other Cloudtoken is running, delete that lock file.',
    );
    expect(await fs.readFile(lockPath, 'utf8')).toContain(String(process.pid));
  });

  it('breaks a lock whose process on this host is gone, leaving nothing behind', async () => {
    await fs.writeFile(lockPath, `${deadPid()}\n${os.hostname()}\n0123456789abcdef\n`);
    await expect(withFileLock(lockPath, async () => 'taken', { timeoutMs: 100 })).resolves.toBe('taken');
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('keeps a dead process\'s lock on another host until it is older than the stale limit', async () => {
    await fs.writeFile(lockPath, `${deadPid()}\nanother-host\n`);
    await expect(withFileLock(lockPath, async () => 'never', { timeoutMs: 100 })).rejects.toBeInstanceOf(FileLockError);
  });

  it('does not delete a lock that replaced its own while it held it', async () => {
    const other = `${process.pid}\n${os.hostname()}\nanother-owner-token\n`;
    await withFileLock(lockPath, async () => {
      await fs.rm(lockPath);
      await fs.writeFile(lockPath, other);
    });
    expect(await fs.readFile(lockPath, 'utf8')).toBe(other);
  });

  it('leaves an abandoned lock alone while a live process is deciding about it', async () => {
    const abandoned = `${deadPid()}\n${os.hostname()}\n`;
    await fs.writeFile(lockPath, abandoned);
    const guard = `${lockPath}.break-${createHash('sha256').update(abandoned).digest('hex').slice(0, 24)}`;
    await fs.writeFile(guard, `${process.pid}\n${os.hostname()}\nbreaker\n`);
    await expect(withFileLock(lockPath, async () => 'never', { timeoutMs: 100 })).rejects.toBeInstanceOf(FileLockError);
    expect(await fs.readFile(lockPath, 'utf8')).toBe(abandoned);
    // Once the guard's owner is gone too, both are broken and swept.
    await fs.writeFile(guard, `${deadPid()}\n${os.hostname()}\nbreaker\n`);
    await expect(withFileLock(lockPath, async () => 'taken', { timeoutMs: 100 })).resolves.toBe('taken');
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('sweeps a guard orphaned by a process that died while breaking a lock', async () => {
    const orphan = `${lockPath}.break-0123456789abcdef01234567`;
    await fs.writeFile(orphan, `${deadPid()}\n${os.hostname()}\nbreaker\n`);
    await withFileLock(lockPath, async () => undefined);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('creates a missing lock folder, private to the user', async () => {
    const nested = path.join(dir, 'new', 'state.lock');
    await expect(withFileLock(nested, async () => 'taken')).resolves.toBe('taken');
    expect((await fs.stat(path.dirname(nested))).mode & 0o777).toBe(0o700);
    expect(await fs.readdir(path.dirname(nested))).toEqual([]);
  });

  it('says the folder is read-only instead of failing with a raw EROFS', async () => {
    const outcome = await lockInReadOnlyFolder(dir);
    expect(outcome).toMatchObject({ name: 'FileLockFolderError', code: 'FILE_LOCK_FOLDER_READ_ONLY' });
    expect(outcome.message).toContain(path.join(dir, 'state.lock'));
    expect(outcome.message).not.toMatch(/EROFS|EACCES/);
  });

  it('breaks a lock older than the stale limit, whoever holds it', async () => {
    await fs.writeFile(lockPath, `${process.pid}\nanother-host\n`);
    const old = new Date(Date.now() - 120_000);
    await fs.utimes(lockPath, old, old);
    await expect(withFileLock(lockPath, async () => 'taken', { timeoutMs: 100, staleMs: 60_000 })).resolves.toBe('taken');
    expect(await fs.readdir(dir)).toEqual([]);
  });
});
