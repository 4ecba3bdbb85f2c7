import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express } from 'express';
import { awsTimestamp, systemClock } from '../support/clock.js';
import type { Clock } from '../support/clock.js';
import { silentLogger } from '../support/logger.js';
import type { Logger } from '../support/logger.js';
import type { AwsCredentials } from '../sts/types.js';
import { createResponder, leanExpressApp } from './lean-app.js';
import { announcesBody, createHostCheck, isLocalClient, requestPath } from './request-guards.js';
import { MAX_TOKEN_TTL_SECONDS, MIN_TOKEN_TTL_SECONDS, createTokenStore } from './tokens.js';
import type { TokenStore } from './tokens.js';

/** What the metadata service serves as "the instance's role": one snapshot, swapped whole by the session. */
export interface ServedCredentials {
  roleName: string;
  accountId: string;
  credentials: AwsCredentials;
  /** Epoch ms when these credentials were obtained (`LastUpdated`). */
  lastUpdated: number;
  /** ARN partition for `iam/info`; `aws` when absent. */
  partition?: string;
}

export type CredentialsProvider = () => ServedCredentials | undefined;

export interface ImdsAppOptions {
  /** Read once per request; every field of a response comes from that one snapshot, so a swap is atomic. */
  credentials: CredentialsProvider;
  region: string | (() => string);
  /** EC2's HttpTokens=required: a GET without a token gets 401. Default true. */
  tokensRequired?: boolean;
  /** Host values accepted besides the alias and the loopback names with the port the request arrived on. */
  allowedHosts?: Iterable<string>;
  clock?: Clock;
  logger?: Logger;
  tokens?: TokenStore;
  instanceId?: string;
}

export const TOKEN_PATH = '/latest/api/token';

/**
 * What users behind a proxy must put in NO_PROXY: botocore (so the AWS CLI too) sends metadata requests
 * through HTTP_PROXY otherwise, and a proxy that adds X-Forwarded-For gets the token refused.
 */
export const IMDS_NO_PROXY = '169.254.169.254,127.0.0.1,localhost';
const TOKEN_HEADER = 'x-aws-ec2-metadata-token';
const TTL_HEADER = 'x-aws-ec2-metadata-token-ttl-seconds';
const TTL_RESPONSE_HEADER = 'X-Aws-Ec2-Metadata-Token-Ttl-Seconds';
const CREDENTIALS_PREFIX = '/latest/meta-data/iam/security-credentials/';
const EXTENDED_PREFIX = '/latest/meta-data/iam/security-credentials-extended/';
const TTL_DIGITS = /^[0-9]{1,5}$/;

// One instance id per process, like one machine: stable across requests, different from any real instance's.
const PROCESS_INSTANCE_ID = `i-${randomBytes(9).toString('hex').slice(0, 17)}`;
const PROCESS_START = Date.now();

/** What a route needs to answer; `served()` reads the provider at most once per request. */
interface RouteContext {
  served(): ServedCredentials | undefined;
  region(): string;
}

type Route =
  | { kind: 'content'; render(context: RouteContext): string | undefined }
  | { kind: 'redirect'; location: string };

/**
 * The EC2 instance metadata service as AWS clients use it (see shared/reference/imds.md for each rule).
 * Returns an express app that is not listening; server.ts decides where it listens.
 */
export function createImdsApp(options: ImdsAppOptions): Express {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const tokens = options.tokens ?? createTokenStore({ clock });
  const tokensRequired = options.tokensRequired ?? true;
  const regionOf = typeof options.region === 'function' ? options.region : () => options.region as string;
  const hostAllowed = createHostCheck(options.allowedHosts);
  const respond = createResponder(logger, 'imds');
  const routes = buildRoutes(options.instanceId ?? PROCESS_INSTANCE_ID);

  const textHeaders = (extra?: Record<string, string | number>): Record<string, string | number> => ({
    'Content-Type': 'text/plain',
    Server: 'EC2ws',
    ...extra,
  });

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = requestPath(req.url);
    const method = req.method;
    if (!isLocalClient(req.socket.remoteAddress) || !hostAllowed(req) || req.headers.origin !== undefined) {
      return respond(req, res, path, 403, textHeaders(), 'Forbidden');
    }
    if (announcesBody(req)) {
      // The body is never read, so the connection cannot be reused.
      return respond(req, res, path, 413, textHeaders({ Connection: 'close' }), 'Payload Too Large');
    }
    if (path === TOKEN_PATH) return issueToken(req, res, path);
    if (method === 'PUT' && isDatedTokenPath(path)) return respond(req, res, path, 403, textHeaders(), 'Forbidden');

    const route = routes.get(path) ?? roleRoute(path);
    if (!route) return respond(req, res, path, 404, textHeaders(), 'Not Found');
    if (method !== 'GET') return respond(req, res, path, 405, textHeaders({ Allow: 'GET' }));

    // A token that is sent must be valid even when tokens are optional: clients fetch a new one on 401.
    const token = req.headers[TOKEN_HEADER];
    let secondsLeft: number | undefined;
    if (token !== undefined) {
      secondsLeft = typeof token === 'string' ? tokens.secondsLeft(token) : undefined;
      if (secondsLeft === undefined) return respond(req, res, path, 401, textHeaders(), 'Unauthorized');
    } else if (tokensRequired) {
      return respond(req, res, path, 401, textHeaders(), 'Unauthorized');
    }
    const headers = textHeaders(secondsLeft === undefined ? undefined : { [TTL_RESPONSE_HEADER]: secondsLeft });

    if (route.kind === 'redirect') {
      headers.Location = route.location;
      return respond(req, res, path, 301, headers, 'Moved Permanently');
    }
    let snapshot: ServedCredentials | undefined | null = null;
    const context: RouteContext = {
      served: () => {
        if (snapshot === null) {
          const current = options.credentials();
          // Expired credentials are never served: botocore would extend them locally and keep using them.
          snapshot = current && current.credentials.expiration > clock.now() ? current : undefined;
        }
        return snapshot;
      },
      region: regionOf,
    };
    const body = route.render(context);
    if (body === undefined) return respond(req, res, path, 404, textHeaders(), 'Not Found');
    respond(req, res, path, 200, headers, body);
  };

  const issueToken = (req: IncomingMessage, res: ServerResponse, path: string): void => {
    if (req.method !== 'PUT') return respond(req, res, path, 405, textHeaders({ Allow: 'OPTIONS, PUT' }));
    // As on EC2: a token request that passed through a proxy may come from anywhere, so it gets no token.
    if (req.headers['x-forwarded-for'] !== undefined) return respond(req, res, path, 403, textHeaders(), 'Forbidden');
    const ttl = parseTtl(req.headers[TTL_HEADER]);
    if (ttl === undefined) return respond(req, res, path, 400, textHeaders(), 'Bad Request');
    respond(req, res, path, 200, textHeaders({ [TTL_RESPONSE_HEADER]: ttl }), tokens.issue(ttl));
  };

  const roleRoute = (path: string): Route | undefined => {
    if (path.startsWith(CREDENTIALS_PREFIX)) return credentialsRoute(path.slice(CREDENTIALS_PREFIX.length), false);
    if (path.startsWith(EXTENDED_PREFIX)) return credentialsRoute(path.slice(EXTENDED_PREFIX.length), true);
    return undefined;
  };

  return leanExpressApp(handle, respond, logger, 'imds');
}

function parseTtl(value: string | string[] | undefined): number | undefined {
  if (typeof value !== 'string' || !TTL_DIGITS.test(value)) return undefined;
  const ttl = Number(value);
  return ttl >= MIN_TOKEN_TTL_SECONDS && ttl <= MAX_TOKEN_TTL_SECONDS ? ttl : undefined;
}

/** `/<version>/api/token` for a version other than `latest`: EC2 answers 403 there. */
function isDatedTokenPath(path: string): boolean {
  const slash = path.indexOf('/', 1);
  return slash > 1 && path.slice(slash) === '/api/token';
}

/** The role list's name is the only role served; any other name, or no credentials, is 404. */
function credentialsRoute(requested: string, extended: boolean): Route {
  return {
    kind: 'content',
    render(context) {
      const served = context.served();
      if (!served || !sameRoleName(requested, served.roleName)) return undefined;
      const { credentials } = served;
      return JSON.stringify({
        Code: 'Success',
        LastUpdated: awsTimestamp(served.lastUpdated),
        Type: 'AWS-HMAC',
        AccessKeyId: credentials.accessKeyId,
        SecretAccessKey: credentials.secretAccessKey,
        Token: credentials.sessionToken,
        Expiration: awsTimestamp(credentials.expiration),
        ...(extended ? { AccountId: served.accountId } : {}),
      });
    },
  };
}

/** Clients put the listed name in the URL verbatim; some HTTP stacks percent-encode characters like `@` or `,`. */
function sameRoleName(requested: string, roleName: string): boolean {
  if (requested === roleName) return true;
  if (!requested.includes('%')) return false;
  try {
    return decodeURIComponent(requested) === roleName;
  } catch {
    return false;
  }
}

function buildRoutes(instanceId: string): Map<string, Route> {
  const routes = new Map<string, Route>();
  const content = (path: string, render: (context: RouteContext) => string | undefined) =>
    routes.set(path, { kind: 'content', render });
  // A directory without its slash redirects to the slash form, relatively (the last segment plus `/`).
  const redirectToSlash = (path: string) => {
    const withoutSlash = path.slice(0, -1);
    routes.set(withoutSlash, { kind: 'redirect', location: `${withoutSlash.slice(withoutSlash.lastIndexOf('/') + 1)}/` });
  };
  // A directory lists its entries, newline-separated; sub-directories end in `/`.
  const directory = (path: string, entries: string[], visible: (context: RouteContext) => boolean = () => true) => {
    const listing = entries.join('\n');
    content(path, (context) => (visible(context) ? listing : undefined));
    if (path !== '/') redirectToSlash(path);
  };
  const hasRole = (context: RouteContext) => context.served() !== undefined;
  const roleName = (context: RouteContext) => context.served()?.roleName;

  directory('/', ['latest/']);
  directory('/latest/', ['dynamic/', 'meta-data/']);
  directory('/latest/meta-data/', ['iam/', 'instance-id', 'placement/']);
  // Like an instance without a profile, the iam/ tree does not exist while there is nothing to serve.
  // The extended path is served (Java asks there first and reads AccountId) but, as on EC2, not listed.
  directory('/latest/meta-data/iam/', ['info', 'security-credentials/'], hasRole);
  // The role "directories" list exactly one name, no trailing newline: botocore puts the body in the next URL.
  for (const prefix of [CREDENTIALS_PREFIX, EXTENDED_PREFIX]) {
    content(prefix, roleName);
    redirectToSlash(prefix);
  }
  content('/latest/meta-data/iam/info', (context) => {
    const served = context.served();
    return served && instanceProfileInfo(served);
  });
  content('/latest/meta-data/instance-id', () => instanceId);
  directory('/latest/meta-data/placement/', ['availability-zone', 'region']);
  content('/latest/meta-data/placement/region', (context) => context.region());
  // The AWS CLI asks with a trailing slash.
  const availabilityZone = (context: RouteContext) => `${context.region()}a`;
  content('/latest/meta-data/placement/availability-zone', availabilityZone);
  content('/latest/meta-data/placement/availability-zone/', availabilityZone);
  directory('/latest/dynamic/', ['instance-identity/']);
  directory('/latest/dynamic/instance-identity/', ['document']);
  content('/latest/dynamic/instance-identity/document', (context) =>
    identityDocument(instanceId, context.region(), context.served()?.accountId),
  );
  return routes;
}

function instanceProfileInfo(served: ServedCredentials): string {
  // A stable, well-formed profile id per account and role: IAM ids are a prefix plus base32 characters.
  const digest = createHash('sha256').update(`${served.accountId}/${served.roleName}`).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let id = 'AIPA';
  for (let i = 0; i < 17; i += 1) id += alphabet[digest[i]! % 32];
  return JSON.stringify({
    Code: 'Success',
    LastUpdated: awsTimestamp(served.lastUpdated),
    InstanceProfileArn: `arn:${served.partition ?? 'aws'}:iam::${served.accountId}:instance-profile/${served.roleName}`,
    InstanceProfileId: id,
  });
}

/** Every field the Go SDK's InstanceIdentityDocument decodes, with the types it expects. */
function identityDocument(instanceId: string, region: string, accountId: string | undefined): string {
  return JSON.stringify({
    accountId: accountId ?? '000000000000',
    architecture: process.arch === 'arm64' ? 'arm64' : 'x86_64',
    availabilityZone: `${region}a`,
    billingProducts: null,
    devpayProductCodes: null,
    marketplaceProductCodes: null,
    imageId: 'ami-00000000000000000',
    instanceId,
    instanceType: 'cloudtoken',
    kernelId: null,
    pendingTime: awsTimestamp(PROCESS_START),
    privateIp: '127.0.0.1',
    ramdiskId: null,
    region,
    version: '2017-09-30',
  });
}
