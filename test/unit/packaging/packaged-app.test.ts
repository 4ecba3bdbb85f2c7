// Runs the real electron-builder with electron-builder.yml on a throw-away project and reads the app.asar it
// writes, to check what a user would actually install: the built bundles, the run-time icons and production
// dependencies — never sources, tests, source maps or build tools. Electron's binary cannot be downloaded
// here, so a stand-in executable is packaged instead, and the fuses (which patch that binary) are left out.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { listPackage } from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };

const BUILT = ['dist/main/index.js', 'dist/preload/index.cjs', 'dist/renderer/roles/index.html', 'dist/renderer/roles/main.js'];
// Present in the project folder, as in a real checkout, and must stay out of the package.
const NOT_SHIPPED = ['dist/main/index.js.map', 'main/index.ts', 'test/unit/example.test.ts', 'scripts/build.mjs', 'assets/source/cloudtoken.svg', 'README.md'];

let work: string;
let shipped: string[];

function write(relative: string, text: string): void {
  const file = join(work, relative);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'cloudtoken-package-'));
  cpSync(join(root, 'package.json'), join(work, 'package.json'));
  cpSync(join(root, 'assets'), join(work, 'assets'), { recursive: true });
  cpSync(join(root, 'build'), join(work, 'build'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'));
  for (const file of [...BUILT, ...NOT_SHIPPED.filter((f) => !f.startsWith('assets/'))]) write(file, '// stand-in\n');

  const electronDist = join(work, 'electron-dist');
  write('electron-dist/electron', '#!/bin/sh\n');
  const config = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
  delete config.electronFuses;
  config.electronDist = electronDist;
  writeFileSync(join(work, 'builder-config.json'), JSON.stringify(config));

  await promisify(execFile)(
    process.execPath,
    [require.resolve('electron-builder/cli.js'), '--linux', 'dir', '--x64', '--config', 'builder-config.json', '--publish', 'never', '--projectDir', work],
    { cwd: work, env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, maxBuffer: 64 * 1024 * 1024 },
  );
  shipped = listPackage(join(work, 'release/linux-unpacked/resources/app.asar'), { isPack: false }).map((p) => p.replace(/^[/\\]/, ''));
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packaged app (electron-builder --linux dir)', () => {
  it('contains the built bundles, package.json and every tray and app icon', () => {
    const icons = ['assets/tray/activeTemplate@2x.png', 'assets/tray/attention.png', 'assets/icons/512x512.png'];
    expect(shipped).toEqual(expect.arrayContaining(['package.json', ...BUILT, ...icons]));
  });

  it('leaves out sources, tests, source maps, the icon drawing and anything else in the project folder', () => {
    for (const file of NOT_SHIPPED) expect(shipped, file).not.toContain(file);
    const outsideNodeModules = shipped.filter((p) => !p.startsWith('node_modules'));
    expect(outsideNodeModules.filter((p) => !/^(package\.json|dist|assets)(\/|$)/.test(p))).toEqual([]);
  });

  it('brings the production dependencies and none of the development tools', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    for (const name of Object.keys(manifest.dependencies)) expect(shipped, name).toContain(`node_modules/${name}/package.json`);
    for (const name of ['electron', 'electron-builder', 'vitest', 'typescript', 'esbuild', 'eslint', '@doyensec/electronegativity']) {
      expect(shipped, name).not.toContain(`node_modules/${name}/package.json`);
    }
  });
});
