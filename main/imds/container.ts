import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express } from 'express';
import { awsTimestamp, systemClock } from '../support/clock.js';
import type { Clock } from '../support/clock.js';
import { silentLogger } from '../support/logger.js';
import type { Logger } from '../support/logger.js';
import type { ServedCredentials } from './app.js';
import { createResponder, leanExpressApp } from './lean-app.js';
import { announcesBody, createHostCheck, isLocalClient, requestPath } from './request-guards.js';

/**
 * The container-credentials endpoint (what ECS offers tasks), for users who cannot or will not let Cloudtoken
 * set up the link-local alias: SDKs read `AWS_CONTAINER_CREDENTIALS_FULL_URI` and send
 * `AWS_CONTAINER_AUTHORIZATION_TOKEN` as `Authorization`.
 *
 * It is a separate app on its own loopback listener, not routes inside the metadata app: the metadata service
 * normally listens on the alias 169.254.169.254, where SDKs refuse container URLs (they allow plain http only
 * to 127.0.0.1/localhost), and its Host/token rules differ from this endpoint's Authorization rule.
 *
 * Paths:
 *   /role/default                    the role the metadata service serves
 *   /role/<accountId>/<roleName>     any other role the session keeps fresh (role name percent-encoded)
 */
export type RoleSelector = 'default' | { accountId: string; roleName: string };

export interface ContainerAppOptions {
  /** The secret clients must send as `Authorization`, exactly. */
  token: string;
  /** Read once per request; undefined (or expired credentials) → 404. */
  credentialsFor(selector: RoleSelector): ServedCredentials | undefined;
  allowedHosts?: Iterable<string>;
  clock?: Clock;
  logger?: Logger;
}

const ROLE_PREFIX = '/role/';
const DEFAULT_PATH = '/role/default';
const ACCOUNT_ID = /^[0-9]{12}$/;

/** 32 random bytes, base64url: fits an environment variable and an HTTP header unquoted. */
export function generateContainerToken(): string {
  return randomBytes(32).toString('base64url');
}

export function containerRolePath(selector: RoleSelector): string {
  return selector === 'default'
    ? DEFAULT_PATH
    : `${ROLE_PREFIX}${selector.accountId}/${encodeURIComponent(selector.roleName)}`;
}

/** The two variables a user sets so that every SDK and the CLI fetch credentials from this endpoint. */
export function containerEnvironment(options: { port: number; token: string; path?: string }): {
  AWS_CONTAINER_CREDENTIALS_FULL_URI: string;
  AWS_CONTAINER_AUTHORIZATION_TOKEN: string;
} {
  return {
    AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${options.port}${options.path ?? DEFAULT_PATH}`,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: options.token,
  };
}

export function parseRolePath(path: string): RoleSelector | undefined {
  if (path === DEFAULT_PATH) return 'default';
  if (!path.startsWith(ROLE_PREFIX)) return undefined;
  const rest = path.slice(ROLE_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash === -1) return undefined;
  const accountId = rest.slice(0, slash);
  if (!ACCOUNT_ID.test(accountId)) return undefined;
  try {
    const roleName = decodeURIComponent(rest.slice(slash + 1));
    return roleName === '' || roleName.includes('/') ? undefined : { accountId, roleName };
  } catch {
    return undefined;
  }
}

export function createContainerApp(options: ContainerAppOptions): Express {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const hostAllowed = createHostCheck(options.allowedHosts);
  const respond = createResponder(logger, 'container-credentials');
  const expected = Buffer.from(options.token);
  const plain = { 'Content-Type': 'text/plain' };

  // Constant time for equal lengths; the length itself is no secret (the format is public).
  const authorized = (header: string | undefined): boolean => {
    if (header === undefined) return false;
    const given = Buffer.from(header);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = requestPath(req.url);
    if (!isLocalClient(req.socket.remoteAddress) || !hostAllowed(req) || req.headers.origin !== undefined) {
      return respond(req, res, path, 403, { ...plain }, 'Forbidden');
    }
    if (announcesBody(req)) return respond(req, res, path, 413, { ...plain, Connection: 'close' }, 'Payload Too Large');
    if (req.method !== 'GET') return respond(req, res, path, 405, { ...plain, Allow: 'GET' });
    // Before the path, so that without the token nobody learns which roles exist.
    if (!authorized(req.headers.authorization)) return respond(req, res, path, 403, { ...plain }, 'Forbidden');
    const selector = parseRolePath(path);
    const served = selector && options.credentialsFor(selector);
    if (!served || served.credentials.expiration <= clock.now()) {
      return respond(req, res, path, 404, { ...plain }, 'Not Found');
    }
    const { credentials } = served;
    const body = JSON.stringify({
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      Token: credentials.sessionToken,
      Expiration: awsTimestamp(credentials.expiration),
      AccountId: served.accountId,
    });
    respond(req, res, path, 200, { 'Content-Type': 'application/json' }, body);
  };

  return leanExpressApp(handle, respond, logger, 'container-credentials');
}
