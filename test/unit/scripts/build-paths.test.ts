// `npm run build` from a checkout whose path holds a space (issue 16, item 1): the build script once took its
// root from `URL.pathname`, which keeps `%20` (and gives `/C:/…` on Windows). The Windows drive-letter form
// cannot be reproduced on Linux; fileURLToPath is Node's own answer to it, and the space case here fails on the
// old code the same way.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'cloudtoken build '));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('scripts/build.mjs', () => {
  it('builds every bundle from a checkout whose path contains a space', async () => {
    for (const entry of ['package.json', 'scripts', 'main', 'preload', 'renderer', 'extension', 'assets']) cpSync(join(root, entry), join(work, entry), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'));
    await promisify(execFile)(process.execPath, [join(work, 'scripts', 'build.mjs')], { cwd: tmpdir() });
    for (const built of ['dist/main/index.js', 'dist/main/cli/index.js', 'dist/preload/index.cjs', 'dist/renderer/settings/index.html', 'dist/renderer/settings/main.js', 'dist/extension/chrome/manifest.json', 'dist/extension/firefox/background.js']) {
      expect(existsSync(join(work, built)), built).toBe(true);
    }
  });
});
