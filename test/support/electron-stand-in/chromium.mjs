import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { app } from './app.mjs';

/**
 * One Chromium profile per Electron session, launched on first use: Debian's Chromium, headless, able to
 * reach loopback only. Every session is a persistent profile on disk, as in Electron (the default session in
 * userData, a `persist:` partition in userData/Partitions/<name>); an in-memory partition gets a temporary
 * profile that is deleted at quit.
 */

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
  // Electron's grantFileProtocolExtraPrivileges fuse (on by default): module scripts load from file:// pages.
  '--allow-file-access-from-files',
];

const open = new Set();
const EXECUTABLE = process.env.ELECTRON_STAND_IN_CHROMIUM ?? '/usr/bin/chromium';
let version;

/** Chromium's version ("156.0.8078.114"), asked of the binary once: Electron knows its own synchronously. */
export function chromiumVersion() {
  version ??= /\d+(?:\.\d+){3}/.exec(execFileSync(EXECUTABLE, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))?.[0] ?? '0.0.0.0';
  return version;
}

/** `profileDir` undefined: a throwaway profile (Playwright's temporary directory). */
export async function launchProfile(profileDir) {
  const context = await chromium.launchPersistentContext(profileDir ?? '', {
    executablePath: EXECUTABLE,
    headless: true,
    args: FLAGS,
    viewport: null,
    acceptDownloads: false,
  });
  open.add(context);
  context.on('close', () => open.delete(context));
  return context;
}

// Closing (not killing) lets Chromium write its cookie store, as Electron does when it quits.
app._onShutdown(async () => {
  await Promise.all([...open].map((context) => context.close().catch(() => {})));
});
