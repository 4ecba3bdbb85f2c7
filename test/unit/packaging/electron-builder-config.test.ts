// `npm run dist` cannot run here (no Electron binary), so the packaging config is checked the way electron-builder
// would start: against the JSON schema shipped in its own package, and for the files it names.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { DESKTOP_ENTRY_ID, renderAutostartEntry } from '../../../main/autostart/xdg.js';

const root = new URL('../../../', import.meta.url).pathname;
const require = createRequire(import.meta.url);
// js-yaml ships no type declarations; only `load` is used.
const yaml = require('js-yaml') as { load(text: string): unknown };

type Config = Record<string, unknown>;

function loadConfig(): Config {
  return yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Config;
}

function compileSchema(): ValidateFunction {
  const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;
  // strict: false because the schema carries keywords ajv does not know (electron-builder compiles it the same way).
  return new Ajv({ allErrors: true, strict: false }).compile(schema);
}

const validate = compileSchema();
const config = loadConfig();
const section = (name: string): Config => (config[name] ?? {}) as Config;

function targets(platform: string): Array<{ target: string; arch: string[] }> {
  return section(platform).target as Array<{ target: string; arch: string[] }>;
}

describe('electron-builder.yml', () => {
  it("matches electron-builder's configuration schema", () => {
    const valid = validate(config);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('is rejected by that schema when a key is misspelt or mistyped, so the check above means something', () => {
    const misspelt = { ...config, mac: { ...section('mac'), hardendRuntime: true } };
    const mistyped = { ...config, asar: 'yes please' };
    expect(validate(misspelt)).toBe(false);
    expect(validate(mistyped)).toBe(false);
  });

  it('builds a tray-only, hardened macOS app as dmg and zip for both architectures', () => {
    const mac = section('mac');
    expect(mac.hardenedRuntime).toBe(true);
    expect((mac.extendInfo as Config).LSUIElement).toBe(true);
    for (const kind of ['dmg', 'zip']) {
      expect(targets('mac').find((t) => t.target === kind)?.arch.sort()).toEqual(['arm64', 'x64']);
    }
  });

  it('builds a per-user NSIS installer for Windows and AppImage + deb for Linux', () => {
    expect(targets('win').map((t) => t.target)).toEqual(['nsis']);
    expect(section('nsis')).toMatchObject({ oneClick: true, perMachine: false });
    expect(targets('linux').map((t) => t.target).sort()).toEqual(['AppImage', 'deb']);
    expect(section('deb').depends).toContain('libayatana-appindicator3-1 | libappindicator3-1');
    // The deb puts the app on PATH under its executable name, which must not shadow the `cloudtoken` CLI.
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(Object.keys(manifest.bin)).not.toContain(section('linux').executableName);
  });

  it('installs the Linux desktop entry and icons under the one name Electron and the autostart entry use', () => {
    const linux = section('linux');
    // electron-builder names the deb's desktop file and hicolor icons after executableName, and with
    // syncDesktopName the desktop file after package.json's desktopName (which Electron takes its app id from).
    expect(linux.executableName).toBe(DESKTOP_ENTRY_ID);
    expect(linux.syncDesktopName).toBe(true);
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { desktopName?: string };
    expect(manifest.desktopName).toBe(`${linux.executableName as string}.desktop`);
    const entry = renderAutostartEntry({ execPath: '/usr/bin/cloudtoken-tray' });
    expect(entry).toContain(`\nIcon=${linux.executableName as string}\n`);
    expect(entry).toContain(`\nStartupWMClass=${linux.executableName as string}\n`);
  });

  it('pins every Electron fuse the security checklist names, and the file:// privileges the pages need', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeCliInspectArguments: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: true,
    });
    // Why the last one must stay on: the windows load their pages from file:// as module scripts.
    const page = readFileSync(join(root, 'renderer', 'settings', 'index.html'), 'utf8');
    expect(page).toContain('<script type="module" src="main.js"></script>');
  });

  it('ships only built output inside an asar archive', () => {
    expect(config.asar).toBe(true);
    const files = config.files as string[];
    for (const pattern of files.filter((p) => !p.startsWith('!'))) {
      expect(pattern, 'a source or dependency folder would be shipped').toMatch(/^(package\.json|dist\/|assets\/(tray|icons)\/)/);
    }
    // The entry point package.json names and the sandboxed preload bundle are both covered.
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
    for (const shipped of [manifest.main, 'dist/preload/index.cjs', 'dist/renderer/base.css']) {
      expect(files.some((p) => p.endsWith('/**') && shipped.startsWith(p.slice(0, -2))), shipped).toBe(true);
    }
  });

  it('names only files that exist: icons, the Linux icon set and the entitlements', () => {
    const mac = section('mac');
    const referenced = [mac.icon, mac.entitlements, mac.entitlementsInherit, section('win').icon, ...(mac.files as string[])];
    for (const file of referenced) {
      expect(typeof file).toBe('string');
      expect(existsSync(join(root, file as string)), String(file)).toBe(true);
    }
    // electron-builder picks Linux icons by their NxN.png names and wants a large one.
    const iconDir = join(root, section('linux').icon as string);
    expect(statSync(iconDir).isDirectory()).toBe(true);
    const sizes = readdirSync(iconDir).map((name) => /^(\d+)x\1\.png$/.exec(name)?.[1]).filter(Boolean).map(Number);
    expect(Math.max(...sizes)).toBeGreaterThanOrEqual(512);
    for (const pattern of (config.files as string[]).filter((p) => p.startsWith('assets/'))) {
      expect(readdirSync(join(root, pattern.replace(/\/\*\*$/, ''))).length, pattern).toBeGreaterThan(0);
    }
  });

  it('grants the hardened runtime only the JIT exception V8 needs', () => {
    const plist = readFileSync(join(root, section('mac').entitlements as string), 'utf8');
    const document = new DOMParser().parseFromString(plist, 'text/xml');
    const dict = document.getElementsByTagName('dict')[0];
    const entries: Record<string, string> = {};
    let key: string | null = null;
    for (let node = dict?.firstChild ?? null; node; node = node.nextSibling) {
      if (node.nodeType !== node.ELEMENT_NODE) continue;
      if (node.nodeName === 'key') key = node.textContent;
      else if (key !== null) entries[key] = node.nodeName;
    }
    expect(entries).toEqual({ 'com.apple.security.cs.allow-jit': 'true' });
  });
});
