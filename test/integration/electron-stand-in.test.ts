import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The Electron stand-in's one behaviour the tray journey's last step depends on: like Electron, a restart
 * keeps a `persist:` partition's persistent cookies and loses its session cookies.
 */

const run = promisify(execFile);
const REGISTER = fileURLToPath(new URL('../support/electron-stand-in/register.mjs', import.meta.url));
const PROBE = fileURLToPath(new URL('./fixtures/stand-in-cookies-main.mjs', import.meta.url));

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudtoken-stand-in-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function probe(mode: 'set' | 'get' | 'remove'): Promise<unknown> {
  const { stdout } = await run(process.execPath, ['--import', REGISTER, PROBE, mode, 'http://127.0.0.1:1/'], {
    env: { PATH: '/usr/bin:/bin', HOME: dir, PROBE_USER_DATA: join(dir, 'user-data') },
    timeout: 30_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) as string);
}

describe('the Electron stand-in', () => {
  it('keeps a persist: partition’s persistent cookies across a restart, loses its session cookies, and removes one when asked', async () => {
    expect(await probe('set')).toEqual([
      { name: 'gone', session: true },
      { name: 'kept', session: false },
    ]);
    expect(await probe('get')).toEqual([{ name: 'kept', session: false }]);
    expect(await probe('remove')).toEqual([]);
  });
});
