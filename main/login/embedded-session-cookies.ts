import { rm } from 'node:fs/promises';
import { writeFileAtomic } from '../support/atomic-file.js';
import { readJsonObject } from '../settings/state-file.js';
import type { Logger } from '../support/logger.js';
import { oneAtATime } from '../support/one-at-a-time.js';

/**
 * The embedded sign-in's IdP session across restarts. Electron keeps a `persist:` partition's persistent
 * cookies but drops its session cookies (no expiry) on quit, and those are what IdPs keep their session in
 * (Okta's `sid`, Entra's `ESTSAUTH`, AD FS's `MSISAuth`), so after a reboot or a start at login the silent
 * sign-in failed and the window came up. The tray app saves a partition's session cookies (after each sign-in
 * and on quit) to a 0600 file per profile, restores them once per run before the profile first signs in, and
 * deletes the file on sign-out. A file older than a week is not restored (no IdP session outlives that) and is
 * removed. The file holds secrets: nothing of its content, nor a parse error quoting it, is ever logged.
 * Only the tray app (one instance) writes it; one profile's writes run one after another.
 */

type SameSite = 'unspecified' | 'no_restriction' | 'lax' | 'strict';

/** What this needs of Electron's `Cookie`. */
export interface PartitionCookie {
  name: string;
  value: string;
  domain?: string;
  hostOnly?: boolean;
  path?: string;
  secure?: boolean;
  httpOnly?: boolean;
  session?: boolean;
  expirationDate?: number;
  sameSite: SameSite;
}

/** What this needs of Electron's `CookiesSetDetails`: without `expirationDate` the cookie is a session cookie. */
export interface CookieDetails {
  url: string;
  name: string;
  value: string;
  domain?: string;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite: SameSite;
}

/** What this needs of Electron's `session.cookies`. */
export interface PartitionCookies {
  get(filter: Record<string, never>): Promise<PartitionCookie[]>;
  set(details: CookieDetails): Promise<void>;
}

export interface SavedCookie {
  name: string;
  value: string;
  /** The host (host-only cookies) or the domain with its leading dot, as Chromium reports it. */
  domain: string;
  hostOnly: boolean;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite: SameSite;
}

export const SAVED_SESSION_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
const FORMAT_VERSION = 1;
const SAME_SITE: readonly SameSite[] = ['unspecified', 'no_restriction', 'lax', 'strict'];

/** The session cookies of a partition, in the form they are saved. Persistent ones Chromium keeps itself. */
export function sessionCookiesToSave(cookies: readonly PartitionCookie[]): SavedCookie[] {
  return cookies
    .filter((cookie) => cookie.session !== false && cookie.expirationDate === undefined && cookie.domain)
    .map((cookie) => ({
      name: cookie.name,
      value: cookie.value,
      domain: cookie.domain as string,
      hostOnly: cookie.hostOnly === true,
      path: cookie.path || '/',
      secure: cookie.secure === true,
      httpOnly: cookie.httpOnly === true,
      sameSite: cookie.sameSite,
    }));
}

/**
 * How to set a saved cookie again. Electron sets a cookie for a URL: its scheme carries `secure`, its host the
 * domain. A host-only cookie is set without `domain` (given one, Chromium would widen it to every subdomain);
 * a domain cookie with it. No `expirationDate`, so it stays a session cookie.
 */
export function cookieToRestore(cookie: SavedCookie): CookieDetails {
  const host = cookie.domain.replace(/^\./, '');
  const details: CookieDetails = {
    url: `${cookie.secure ? 'https' : 'http'}://${host}${cookie.path}`,
    name: cookie.name,
    value: cookie.value,
    path: cookie.path,
    secure: cookie.secure,
    httpOnly: cookie.httpOnly,
    sameSite: cookie.sameSite,
  };
  if (!cookie.hostOnly) details.domain = cookie.domain;
  return details;
}

function isSavedCookie(value: unknown): value is SavedCookie {
  const cookie = value as Partial<SavedCookie> | null;
  return (
    typeof cookie === 'object' &&
    cookie !== null &&
    typeof cookie.name === 'string' &&
    typeof cookie.value === 'string' &&
    typeof cookie.domain === 'string' &&
    /^\.?[A-Za-z0-9.-]+$/.test(cookie.domain) &&
    typeof cookie.path === 'string' &&
    cookie.path.startsWith('/') &&
    typeof cookie.hostOnly === 'boolean' &&
    typeof cookie.secure === 'boolean' &&
    typeof cookie.httpOnly === 'boolean' &&
    SAME_SITE.includes(cookie.sameSite as SameSite)
  );
}

export type SavedSession = { kind: 'cookies'; cookies: SavedCookie[]; savedAt: number } | { kind: 'stale' } | { kind: 'none' };

/** What a saved file's object holds: its well-formed cookies, or `stale` past the maximum age. */
export function readSavedSession(saved: Record<string, unknown>, now: number, maxAgeMs = SAVED_SESSION_MAX_AGE_MS): SavedSession {
  if (saved.version !== FORMAT_VERSION || typeof saved.savedAt !== 'number' || !Array.isArray(saved.cookies)) return { kind: 'none' };
  // A savedAt in the future (a clock set back) is as untrustworthy as an old one.
  if (now - saved.savedAt > maxAgeMs || saved.savedAt - now > maxAgeMs) return { kind: 'stale' };
  return { kind: 'cookies', cookies: saved.cookies.filter(isSavedCookie), savedAt: saved.savedAt };
}

export interface EmbeddedSessionStoreOptions {
  /** The 0600 file of this profile (login/browser-session.ts, embeddedSessionFile). */
  file: string;
  cookies: PartitionCookies;
  logger: Logger;
  now?: () => number;
}

export interface EmbeddedSessionStore {
  /** Sets the saved session cookies in the partition, the first time only; never throws. */
  restore(): Promise<void>;
  /** Writes the partition's session cookies (removes the file when there are none); never throws. */
  save(): Promise<void>;
  /** Deletes the file (sign-out). */
  forget(): Promise<void>;
}

export function createEmbeddedSessionStore(options: EmbeddedSessionStoreOptions): EmbeddedSessionStore {
  const { file, cookies, logger } = options;
  const now = options.now ?? Date.now;
  const serially = oneAtATime();
  let restoring: Promise<void> | undefined;
  // When the cookies on file were first seen: saving the same ones again (a quit without a sign-in) keeps
  // that time, so cookies the IdP no longer honours still age out.
  let onFile: { cookies: string; savedAt: number } | undefined;

  const restoreOnce = async () => {
    const saved = readSavedSession(await readJsonObject(file), now());
    if (saved.kind === 'stale') {
      await rm(file, { force: true });
      logger.info('Dropped saved IdP session cookies older than a week', { file });
      return;
    }
    if (saved.kind === 'none') return;
    onFile = { cookies: JSON.stringify(saved.cookies), savedAt: saved.savedAt };
    const results = await Promise.allSettled(saved.cookies.map((cookie) => cookies.set(cookieToRestore(cookie))));
    const failed = results.filter((result) => result.status === 'rejected').length;
    logger.info('Restored the IdP session cookies', { restored: results.length - failed, failed, file });
  };

  return {
    restore() {
      restoring ??= serially(restoreOnce).catch(() => logger.warn('Could not restore the saved IdP session cookies', { file }));
      return restoring;
    },
    save: () =>
      serially(async () => {
        const saved = sessionCookiesToSave(await cookies.get({}));
        if (saved.length === 0) {
          onFile = undefined;
          await rm(file, { force: true });
          return;
        }
        const text = JSON.stringify(saved);
        const savedAt = onFile?.cookies === text ? onFile.savedAt : now();
        await writeFileAtomic(file, JSON.stringify({ version: FORMAT_VERSION, savedAt, cookies: saved }));
        onFile = { cookies: text, savedAt };
      }).catch(() => logger.warn('Could not save the IdP session cookies', { file })),
    forget: () =>
      serially(async () => {
        onFile = undefined;
        await rm(file, { force: true });
      }),
  };
}
