import { posix, win32 } from 'node:path';
import { CHROME_ORIGIN, FIREFOX_EXTENSION_ID, NATIVE_HOST_NAME } from './identity.js';

/**
 * Where each browser looks for the Cloudtoken native messaging host, for this user only (no admin rights):
 * a manifest file in the browser's NativeMessagingHosts folder on macOS and Linux; on Windows a manifest in
 * Cloudtoken's state folder and an HKCU registry key naming it. Each manifest admits only our extension's id.
 * Nothing here writes: the plan is carried out by main/cli/commands/extension.ts and the tray app.
 */
export const BROWSERS = ['chrome', 'chromium', 'edge', 'brave', 'firefox'] as const;
export type BrowserName = (typeof BROWSERS)[number];

export const BROWSER_LABELS: Record<BrowserName, string> = { chrome: 'Google Chrome', chromium: 'Chromium', edge: 'Microsoft Edge', brave: 'Brave', firefox: 'Firefox' };

const LINUX_FOLDERS: Record<BrowserName, string> = {
  chrome: 'google-chrome',
  chromium: 'chromium',
  edge: 'microsoft-edge',
  brave: 'BraveSoftware/Brave-Browser',
  firefox: '',
};
const MAC_FOLDERS: Record<BrowserName, string> = {
  chrome: 'Google/Chrome',
  chromium: 'Chromium',
  edge: 'Microsoft Edge',
  brave: 'BraveSoftware/Brave-Browser',
  firefox: 'Mozilla',
};
const WINDOWS_KEYS: Record<BrowserName, string> = {
  chrome: 'Software\\Google\\Chrome',
  chromium: 'Software\\Chromium',
  edge: 'Software\\Microsoft\\Edge',
  brave: 'Software\\BraveSoftware\\Brave-Browser',
  firefox: 'Software\\Mozilla',
};

export interface HostLocation {
  /** Where the browser reads the host: the manifest file (macOS, Linux) or the registry key (Windows). */
  browser: BrowserName;
  manifestPath: string;
  registryKey: string | undefined;
}

export interface HostPlanInput {
  platform: NodeJS.Platform;
  homedir: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Cloudtoken's state folder: the launcher (and on Windows the manifests) live in its native-host/ folder. */
  stateHome: string;
  /** What runs the host: a program and its arguments (node and the CLI, or the app run as node). */
  command: readonly string[];
  /** Variables the launcher sets first (CLOUDTOKEN_HOME, ELECTRON_RUN_AS_NODE). */
  environment: Readonly<Record<string, string>>;
}

export interface HostPlan {
  launcher: { path: string; content: string };
  manifests: Array<HostLocation & { content: string }>;
  /** `reg add` commands (Windows only), as argument lists: run without a shell, so no quoting applies. */
  registry: string[][];
}

export function hostFolder(stateHome: string, platform: NodeJS.Platform): string {
  return (platform === 'win32' ? win32 : posix).join(stateHome, 'native-host');
}

export function hostLocations(input: Pick<HostPlanInput, 'platform' | 'homedir' | 'env' | 'stateHome'>): HostLocation[] {
  const { platform, homedir } = input;
  const file = `${NATIVE_HOST_NAME}.json`;
  if (platform === 'win32') {
    return BROWSERS.map((browser) => ({
      browser,
      manifestPath: win32.join(hostFolder(input.stateHome, platform), `${NATIVE_HOST_NAME}.${browser === 'firefox' ? 'firefox' : 'chrome'}.json`),
      registryKey: `HKCU\\${WINDOWS_KEYS[browser]}\\NativeMessagingHosts\\${NATIVE_HOST_NAME}`,
    }));
  }
  if (platform === 'darwin') {
    const support = posix.join(homedir, 'Library', 'Application Support');
    return BROWSERS.map((browser) => ({ browser, manifestPath: posix.join(support, MAC_FOLDERS[browser], 'NativeMessagingHosts', file), registryKey: undefined }));
  }
  // Chrome-family browsers keep their profile under XDG_CONFIG_HOME; Firefox always under ~/.mozilla.
  const config = input.env.XDG_CONFIG_HOME?.startsWith('/') ? input.env.XDG_CONFIG_HOME : posix.join(homedir, '.config');
  return BROWSERS.map((browser) => ({
    browser,
    manifestPath: browser === 'firefox' ? posix.join(homedir, '.mozilla', 'native-messaging-hosts', file) : posix.join(config, LINUX_FOLDERS[browser], 'NativeMessagingHosts', file),
    registryKey: undefined,
  }));
}

export function launcherPath(stateHome: string, platform: NodeJS.Platform): string {
  return platform === 'win32' ? win32.join(hostFolder(stateHome, platform), 'cloudtoken-native-host.cmd') : posix.join(hostFolder(stateHome, platform), 'cloudtoken-native-host');
}

const shQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

function launcherScript(input: HostPlanInput): string {
  if (input.platform === 'win32') {
    const lines = ['@echo off', ...Object.entries(input.environment).map(([name, value]) => `set "${name}=${value}"`), `${input.command.map((part) => `"${part}"`).join(' ')} native-host %*`];
    return `${lines.join('\r\n')}\r\n`;
  }
  const lines = [
    '#!/bin/sh',
    '# Written by `cloudtoken extension install`: the browser starts this for the Cloudtoken extension.',
    ...Object.entries(input.environment).map(([name, value]) => `${name}=${shQuote(value)}; export ${name}`),
    `exec ${input.command.map(shQuote).join(' ')} native-host "$@"`,
  ];
  return `${lines.join('\n')}\n`;
}

export function hostManifest(browser: BrowserName, launcher: string): Record<string, unknown> {
  const common = { name: NATIVE_HOST_NAME, description: 'Cloudtoken: hands AWS sign-ins from the browser extension to the Cloudtoken app', path: launcher, type: 'stdio' };
  return browser === 'firefox' ? { ...common, allowed_extensions: [FIREFOX_EXTENSION_ID] } : { ...common, allowed_origins: [CHROME_ORIGIN] };
}

export function hostPlan(input: HostPlanInput): HostPlan {
  const launcher = launcherPath(input.stateHome, input.platform);
  const manifests = hostLocations(input).map((location) => ({ ...location, content: `${JSON.stringify(hostManifest(location.browser, launcher), null, 2)}\n` }));
  return {
    launcher: { path: launcher, content: launcherScript(input) },
    manifests,
    registry: manifests.flatMap((m) => (m.registryKey ? [['reg', 'add', m.registryKey, '/ve', '/t', 'REG_SZ', '/d', m.manifestPath, '/f']] : [])),
  };
}

/** The commands that undo the registry part of a plan. */
export function registryRemoval(plan: HostPlan): string[][] {
  return plan.manifests.flatMap((m) => (m.registryKey ? [['reg', 'delete', m.registryKey, '/f']] : []));
}

