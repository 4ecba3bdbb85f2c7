import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCredentialsFile } from '../../../main/outputs/credentials-file.js';
import { writeFileAtomic } from '../../../main/support/atomic-file.js';
import { sweepStaleTemporaries } from '../../../main/support/temporary-files.js';

const WRITER = fileURLToPath(new URL('../../support/write-forever.ts', import.meta.url));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ct-temporaries-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const backdate = (path: string, ms: number) => utimes(path, new Date(Date.now() - ms), new Date(Date.now() - ms));

describe('stale temporary files', () => {
  it('sweeps only our own pattern, only regular files, only the old ones', async () => {
    const target = join(dir, 'settings.json');
    const stale = join(dir, '.settings.json.0123456789ab.tmp');
    const fresh = join(dir, '.settings.json.ba9876543210.tmp');
    const foreign = [join(dir, '.settings.json.other.tmp'), join(dir, '.other.json.0123456789ab.tmp'), join(dir, 'settings.json.0123456789ab.tmp')];
    for (const path of [stale, fresh, ...foreign]) await writeFile(path, 'secret');
    for (const path of [stale, ...foreign]) await backdate(path, 5 * 60_000);
    expect(await sweepStaleTemporaries(target)).toEqual([stale]);
    expect((await readdir(dir)).sort()).toEqual(['.other.json.0123456789ab.tmp', '.settings.json.ba9876543210.tmp', '.settings.json.other.tmp', 'settings.json.0123456789ab.tmp']);
  });

  it.each(['settings', 'credentials'] as const)(
    'kill -9 in the middle of %s writes: never a torn file, and the next writer removes what the crash left',
    async (kind) => {
      const target = join(dir, kind === 'settings' ? 'settings.json' : 'credentials');
      for (let kill = 0; kill < 5; kill += 1) {
        const child = spawn(process.execPath, ['--import', 'tsx', WRITER, kind, target, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
        await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
        await new Promise((resolve) => setTimeout(resolve, 20 + kill * 17));
        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('close', resolve));
        // Whatever round the kill hit, the file is one whole version.
        const text = await readFile(target, 'utf8');
        if (kind === 'settings') expect(() => JSON.parse(text) as unknown).not.toThrow();
        else expect(/aws_secret_access_key = (\S+)\n/.exec(text)?.[1]).toHaveLength('SECRET00000000'.length * 20_000);
      }
      const leftovers = (await readdir(dir)).filter((name) => name.endsWith('.tmp'));
      // Later (the crash is over a minute old), the owner's next write sweeps them.
      for (const name of leftovers) await backdate(join(dir, name), 2 * 60_000);
      if (kind === 'settings') await writeFileAtomic(target, '{}\n');
      else await createCredentialsFile({ env: { AWS_SHARED_CREDENTIALS_FILE: target }, homedir: dir }).removeProfiles();
      expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    },
    // Five node processes each: on a loaded two-core runner that is slow.
    120_000,
  );
});
