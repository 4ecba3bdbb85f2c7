import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCookieJar } from '../../../main/login/cookie-jar.js';
import { loadSettingsFile } from '../../../main/settings/settings-file.js';
import { durationLimitsFile } from '../../../main/sts/duration-limits-file.js';
import type { WriterKind } from '../../support/write-forever.js';
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

  /** Each file a writer owns, and how to tell that what a crash left is one whole version of it. */
  const WRITERS: Array<{ kind: WriterKind; file: string; whole(text: string, path: string): Promise<void> | void }> = [
    { kind: 'settings', file: 'settings.json', whole: (text) => void JSON.parse(text) },
    {
      kind: 'settings-store',
      file: 'settings.json',
      async whole(_text, path) {
        const labels = Object.values((await loadSettingsFile(path)).accountLabels);
        expect(labels).toHaveLength(4_000);
        expect(new Set(labels.map((label) => label.split(' ')[1])).size).toBe(1);
      },
    },
    { kind: 'credentials', file: 'credentials', whole: (text) => expect(/aws_secret_access_key = (\S+)\n/.exec(text)?.[1]).toHaveLength('SECRET00000000'.length * 20_000) },
    {
      kind: 'cookie-jar',
      file: 'jar.json',
      async whole(_text, path) {
        const warnings: unknown[] = [];
        const jar = await openCookieJar({ path, onWarning: (warning) => warnings.push(warning) });
        expect(warnings).toEqual([]);
        expect((await jar.cookieHeader('https://idp.example.org/')).split('; ')).toHaveLength(200);
      },
    },
    {
      kind: 'cli-state',
      file: 'cli-state.json',
      whole: (text) => expect(new Set(Object.values(JSON.parse(text) as Record<string, { username: string }>).map((e) => e.username.split(' ')[1])).size).toBe(1),
    },
    { kind: 'duration-limits', file: 'sts-duration-limits.json', whole: async (_text, path) => expect(Object.keys(await durationLimitsFile(path).load()).length).toBeGreaterThan(4_000) },
  ];

  const runWriter = (kind: WriterKind, target: string, once = false) =>
    spawn(process.execPath, ['--import', 'tsx', WRITER, kind, target, dir, ...(once ? ['once'] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });

  it.each(WRITERS)(
    'kill -9 in the middle of $kind writes: never a torn file, and the next writer removes what the crash left',
    async ({ kind, file, whole }) => {
      const target = join(dir, file);
      for (let kill = 0; kill < 5; kill += 1) {
        const child = runWriter(kind, target);
        await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
        await new Promise((resolve) => setTimeout(resolve, 20 + kill * 17));
        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('close', resolve));
        // Whatever round the kill hit, the file is one whole version.
        await whole(await readFile(target, 'utf8'), target);
        // A lock the kill left behind names its dead owner (it is never empty), so the next writer breaks it
        // at once instead of waiting the lock out.
      }
      const leftovers = (await readdir(dir)).filter((name) => name.endsWith('.tmp'));
      // Later (the crash is over a minute old), the owner's next write sweeps them.
      for (const name of leftovers) await backdate(join(dir, name), 2 * 60_000);
      const next = runWriter(kind, target, true);
      const started = Date.now();
      expect(await new Promise((resolve) => next.once('close', resolve))).toBe(0);
      expect(Date.now() - started).toBeLessThan(8_000);
      expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
      await whole(await readFile(target, 'utf8'), target);
    },
    // Five node processes each: on a loaded two-core runner that is slow.
    120_000,
  );
});
