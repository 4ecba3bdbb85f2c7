import { chmod, chown, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCommandTrusted, checkModuleTrusted, currentUid, type TrustRule } from '../../../main/plugins/trust.js';

/** The trust rule on real files: owner and mode of the file, its folders, and what a package folder holds. */
let root: string;
let plugins: string;
const rule: TrustRule = { plugin: 'p', uid: currentUid(), alsoOwnedBy: [] };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cloudtoken-trust-'));
  plugins = join(root, 'state', 'plugins');
  await mkdir(join(plugins, 'pkg', 'lib'), { recursive: true, mode: 0o700 });
  await chmod(join(root, 'state'), 0o700);
  await writeFile(join(plugins, 'one.mjs'), 'export default {};', { mode: 0o600 });
  await writeFile(join(plugins, 'pkg', 'index.mjs'), 'export default {};', { mode: 0o600 });
  await writeFile(join(plugins, 'pkg', 'lib', 'helper.mjs'), 'export {};', { mode: 0o600 });
  await writeFile(join(root, 'outside.mjs'), 'export default {};', { mode: 0o600 });
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('module plugins', () => {
  it('accept a private file and a private package folder', async () => {
    await expect(checkModuleTrusted(rule, plugins, join(plugins, 'one.mjs'))).resolves.toBeUndefined();
    await expect(checkModuleTrusted(rule, plugins, join(plugins, 'pkg'))).resolves.toBeUndefined();
  });

  it('refuse a group-writable file deep in a package, and a group-writable plugins folder, saying how to fix it', async () => {
    const helper = join(plugins, 'pkg', 'lib', 'helper.mjs');
    await chmod(helper, 0o660);
    await expect(checkModuleTrusted(rule, plugins, join(plugins, 'pkg'))).rejects.toThrow(
      `The plugin "p" was not run: ${helper} is writable by its group (mode 660). Make it writable only by you: chmod go-w '${helper}'.`,
    );
    await chmod(helper, 0o600);
    await chmod(plugins, 0o707);
    await expect(checkModuleTrusted(rule, plugins, join(plugins, 'one.mjs'))).rejects.toMatchObject({ code: 'PLUGIN_UNTRUSTED', message: expect.stringContaining('is writable by others (mode 707)') });
    await chmod(plugins, 0o700);
  });

  it('refuse a link that leads out of the plugins folder, and a missing file', async () => {
    await symlink(join(root, 'outside.mjs'), join(plugins, 'link.mjs'));
    await expect(checkModuleTrusted(rule, plugins, join(plugins, 'link.mjs'))).rejects.toThrow(/leads to .*outside\.mjs, outside the plugins folder/);
    await expect(checkModuleTrusted(rule, plugins, join(plugins, 'none.mjs'))).rejects.toMatchObject({ code: 'PLUGIN_NOT_FOUND' });
  });

  it.skipIf(currentUid() !== 0)('refuse a file another user owns (run as root, which can give it away)', async () => {
    const theirs = join(plugins, 'theirs.mjs');
    await writeFile(theirs, 'export default {};', { mode: 0o600 });
    await chown(theirs, 65534, 65534);
    await expect(checkModuleTrusted(rule, plugins, theirs)).rejects.toThrow(/belongs to user id 65534, not to you \(0\)/);
  });
});

describe('command plugins', () => {
  const commandRule: TrustRule = { ...rule, alsoOwnedBy: [0] };

  it('accept a system program and a private script it runs, through the sticky temporary folder', async () => {
    await expect(checkCommandTrusted(commandRule, ['/bin/sh', join(plugins, 'one.mjs'), 'not-a-file'])).resolves.toBeUndefined();
  });

  it('refuse a script argument that others may change', async () => {
    const script = join(root, 'shared.sh');
    await writeFile(script, '#!/bin/sh\n', { mode: 0o700 });
    await chmod(script, 0o722);
    await expect(checkCommandTrusted(commandRule, ['/bin/sh', script])).rejects.toThrow(/shared\.sh is writable by its group and by others \(mode 722\)/);
  });
});
