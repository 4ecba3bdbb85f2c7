import { join } from 'node:path';

const SESSION_COOKIES_FILE = 'cloudtoken-session-cookies.json';
const EMBEDDED_SESSION_COOKIES_FILE = 'cloudtoken-embedded-session-cookies.json';

/**
 * Where the system-browser sign-in keeps the IdP's session cookies between launches (Chromium drops session
 * cookies on exit). Rewritten after every successful sign-in: a change means the IdP session was renewed.
 * Its own tiny module so callers need not load playwright-core to watch it.
 */
export function browserSessionFile(profileDir: string): string {
  return join(profileDir, SESSION_COOKIES_FILE);
}

/**
 * Beside it, per profile: the embedded sign-in's session cookies, which Electron drops on exit even in a
 * persistent partition (login/embedded-session-cookies.ts).
 */
export function embeddedSessionFile(profileDir: string): string {
  return join(profileDir, EMBEDDED_SESSION_COOKIES_FILE);
}
