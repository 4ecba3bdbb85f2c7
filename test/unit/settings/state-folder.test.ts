import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { assertStateFolderWritable } from '../../../main/settings/state-folder.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ct-state-folder-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

it('accepts a writable state folder and leaves no probe behind', async () => {
  await assertStateFolderWritable(join(dir, 'home'));
  expect(await readdir(join(dir, 'home'))).toEqual([]);
});

it('refuses, with a clear message and no raw errno text, a state folder it cannot write', async () => {
  const home = join(dir, 'home');
  await writeFile(home, 'not a folder');
  const error = (await assertStateFolderWritable(home).catch((e: unknown) => e)) as Error & { code: string };
  expect(error).toMatchObject({ code: 'STATE_FOLDER_NOT_WRITABLE' });
  expect(error.message).toBe(
    `Cloudtoken cannot save its state in ${home}: a file stands where the folder should be. Nothing was signed in. Make the folder writable, or set CLOUDTOKEN_HOME to one that is.`,
  );
});
