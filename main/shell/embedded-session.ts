import { join } from 'node:path';
import { session } from 'electron';
import { embeddedSessionFile } from '../login/browser-session.js';
import { loginPartition } from '../login/embedded-capture.js';
import { createEmbeddedSessionStore, embeddedSessionStores } from '../login/embedded-session-cookies.js';
import type { Logger } from '../support/logger.js';

/**
 * The login partitions' session cookies, kept across restarts (login/embedded-session-cookies.ts decides what
 * and how). A partition is asked for only when a profile's cookies are first restored or saved, after `ready`.
 */
export function createEmbeddedSessions(browserProfileDir: string, logger: Logger) {
  return embeddedSessionStores((profileId) =>
    createEmbeddedSessionStore({
      file: embeddedSessionFile(join(browserProfileDir, profileId)),
      cookies: session.fromPartition(loginPartition(profileId)).cookies,
      logger,
    }),
  );
}
