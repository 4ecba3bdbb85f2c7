import { readFile, rename, rm } from 'node:fs/promises';
import { CookieJar } from 'tough-cookie';
import type { Logger } from '../support/logger.js';
import { silentLogger } from '../support/logger.js';
import { writeFileAtomic } from '../support/atomic-file.js';

/**
 * The IdP session cookies between runs, so a later sign-in is silent while the IdP session lives. The file
 * holds session secrets: it is private to the user (0600 in a 0700 directory), replaced atomically, and no
 * cookie value is ever logged.
 */
export interface PersistentCookieJar {
  /** The Cookie header value for a request to `url` ('' when none apply). */
  cookieHeader(url: string): Promise<string>;
  /** Takes the Set-Cookie headers of a response from `url`; cookies the URL may not set are ignored. */
  storeResponseCookies(setCookieHeaders: readonly string[], url: string): Promise<void>;
  /** Writes the jar to its file (when it has one). */
  save(): Promise<void>;
  /** Forgets every cookie and removes the file. */
  clear(): Promise<void>;
}

/** Told when the saved jar cannot be used; the jar then starts empty and the unreadable file is kept aside. */
export interface CookieJarWarning {
  code: 'COOKIE_JAR_UNREADABLE';
  message: string;
  path: string;
  /** Where the unreadable file was moved, if it could be. */
  keptAs: string | undefined;
}

export interface CookieJarOptions {
  /** No path: cookies live in memory only. */
  path?: string;
  logger?: Logger;
  onWarning?: (warning: CookieJarWarning) => void;
}

const FILE_FORMAT = 'cloudtoken-cookie-jar';
const FILE_VERSION = 1;

export async function openCookieJar(options: CookieJarOptions = {}): Promise<PersistentCookieJar> {
  const logger = options.logger ?? silentLogger;
  const path = options.path;
  let jar = path ? await load(path, logger, options.onWarning) : newJar();

  return {
    cookieHeader: (url) => jar.getCookieString(url),
    async storeResponseCookies(headers, url) {
      for (const header of headers) {
        // A cookie the URL may not set (wrong domain, public suffix) is ignored, as a browser would.
        await jar.setCookie(header, url, { ignoreError: true });
      }
    },
    async save() {
      if (!path) return;
      const text = JSON.stringify({ format: FILE_FORMAT, version: FILE_VERSION, jar: await jar.serialize() });
      await writeFileAtomic(path, text);
    },
    async clear() {
      jar = newJar();
      if (path) await rm(path, { force: true });
    },
  };
}

function newJar(): CookieJar {
  return new CookieJar(undefined, { rejectPublicSuffixes: true });
}

async function load(path: string, logger: Logger, onWarning: CookieJarOptions['onWarning']): Promise<CookieJar> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return newJar();
    return unusable(path, `it could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, logger, onWarning, false);
  }
  try {
    const saved = JSON.parse(text) as { format?: unknown; version?: unknown; jar?: unknown };
    if (saved.format !== FILE_FORMAT || saved.version !== FILE_VERSION || typeof saved.jar !== 'object' || saved.jar === null) {
      throw new Error('not a Cloudtoken cookie jar');
    }
    return await CookieJar.deserialize(saved.jar as Parameters<typeof CookieJar.deserialize>[0]);
  } catch {
    return unusable(path, 'its content is damaged', logger, onWarning, true);
  }
}

async function unusable(
  path: string,
  reason: string,
  logger: Logger,
  onWarning: CookieJarOptions['onWarning'],
  keepAside: boolean,
): Promise<CookieJar> {
  let keptAs: string | undefined;
  if (keepAside) {
    // Keep the damaged file for inspection rather than overwrite it at the next save.
    keptAs = `${path}.unreadable-${Date.now()}`;
    await rename(path, keptAs).catch(() => (keptAs = undefined));
  }
  const message = `The saved sign-in session (${path}) was not used: ${reason}. You will be asked to sign in again.`;
  logger.warn(message, { code: 'COOKIE_JAR_UNREADABLE', file: path });
  onWarning?.({ code: 'COOKIE_JAR_UNREADABLE', message, path, keptAs });
  return newJar();
}

