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

/**
 * A route answers from one credentials snapshot (undefined: none valid), the region and the request path.
 * Routes are built once; a request allocates nothing for routing.
 */
type Render = (served: ServedCredentials | undefined, region: () => string, path: string) => string | undefined;

type Route = { kind: 'content'; render: Render } | { kind: 'redirect'; location: string };

/**
 * The EC2 instance metadata service as AWS clients use it: IMDSv2 tokens (PUT, TTL header), the paths and
 * JSON shapes botocore, the AWS CLI and the JS SDK read, and the refusals that keep it from being abused.
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

  // A fresh object per response (respond() adds Content-Length), built without spreading on the hot path.
  const textHeaders = (ttlSeconds?: number): Record<string, string | number> =>
    ttlSeconds === undefined
      ? { 'Content-Type': 'text/plain', Server: 'EC2ws' }
      : { 'Content-Type': 'text/plain', Server: 'EC2ws', [TTL_RESPONSE_HEADER]: ttlSeconds };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = requestPath(req.url);
    const method = req.method;
    if (!isLocalClient(req.socket.remoteAddress) || !hostAllowed(req) || req.headers.origin !== undefined) {
      return respond(req, res, path, 403, textHeaders(), 'Forbidden');
    }
    if (announcesBody(req)) {
      // The body is never read, so the connection cannot be reused.
      return respond(req, res, path, 413, { ...textHeaders(), Connection: 'close' }, 'Payload Too Large');
    }
    if (path === TOKEN_PATH) return issueToken(req, res, path);
    if (method === 'PUT' && isDatedTokenPath(path)) return respond(req, res, path, 403, textHeaders(), 'Forbidden');

    const route = routes.get(path) ?? roleRoute(path);
    if (!route) return respond(req, res, path, 404, textHeaders(), 'Not Found');
    if (method !== 'GET') return respond(req, res, path, 405, { ...textHeaders(), Allow: 'GET' });

    // A token that is sent must be valid even when tokens are optional: clients fetch a new one on 401.
    const token = req.headers[TOKEN_HEADER];
    let secondsLeft: number | undefined;
    if (token !== undefined) {
      secondsLeft = typeof token === 'string' ? tokens.secondsLeft(token) : undefined;
      if (secondsLeft === undefined) return respond(req, res, path, 401, textHeaders(), 'Unauthorized');
    } else if (tokensRequired) {
      return respond(req, res, path, 401, textHeaders(), 'Unauthorized');
    }
    const headers = textHeaders(secondsLeft);

    if (route.kind === 'redirect') {
      headers.Location = route.location;
      return respond(req, res, path, 301, headers, 'Moved Permanently');
    }
    // The provider is read once, here; everything in the response comes from this one snapshot.
    const current = options.credentials();
    // Expired credentials are never served: botocore would extend them locally and keep using them.
    const served = current && current.credentials.expiration > clock.now() ? current : undefined;
    const body = route.render(served, regionOf, path);
    if (body === undefined) return respond(req, res, path, 404, textHeaders(), 'Not Found');
    respond(req, res, path, 200, headers, body);
  };

  const issueToken = (req: IncomingMessage, res: ServerResponse, path: string): void => {
    if (req.method !== 'PUT') return respond(req, res, path, 405, { ...textHeaders(), Allow: 'OPTIONS, PUT' });
    // As on EC2: a token request that passed through a proxy may come from anywhere, so it gets no token.
    if (req.headers['x-forwarded-for'] !== undefined) return respond(req, res, path, 403, textHeaders(), 'Forbidden');
    const ttl = parseTtl(req.headers[TTL_HEADER]);
    if (ttl === undefined) return respond(req, res, path, 400, textHeaders(), 'Bad Request');
    respond(req, res, path, 200, textHeaders(ttl), tokens.issue(ttl));
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

function roleRoute(path: string): Route | undefined {
  if (path.startsWith(CREDENTIALS_PREFIX)) return CREDENTIALS_ROUTE;
  if (path.startsWith(EXTENDED_PREFIX)) return EXTENDED_ROUTE;
  return undefined;
}

/** The role list's name is the only role served; any other name, or no credentials, is 404. */
function credentialsRoute(prefix: string, extended: boolean): Route {
  return {
    kind: 'content',
    render(served, _region, path) {
      if (!served || !sameRoleName(path.slice(prefix.length), served.roleName)) return undefined;
      return credentialsDocument(served, extended);
    },
  };
}

const CREDENTIALS_ROUTE = credentialsRoute(CREDENTIALS_PREFIX, false);
const EXTENDED_ROUTE = credentialsRoute(EXTENDED_PREFIX, true);

interface CredentialsDocuments {
  source: ServedCredentials;
  classic: string;
  extended: string;
}

// Clients fetch the same set thousands of times between rotations: serialize each set once. Keyed by the
// credentials object, which the session replaces whole on rotation; every served field is still compared,
// so a set changed in place is never answered from the cache.
const documentCache = new WeakMap<AwsCredentials, CredentialsDocuments>();

function sameServed(a: ServedCredentials, b: ServedCredentials): boolean {
  return (
    a.roleName === b.roleName &&
    a.accountId === b.accountId &&
    a.lastUpdated === b.lastUpdated &&
    a.credentials.accessKeyId === b.credentials.accessKeyId &&
    a.credentials.secretAccessKey === b.credentials.secretAccessKey &&
    a.credentials.sessionToken === b.credentials.sessionToken &&
    a.credentials.expiration === b.credentials.expiration
  );
}

/**
 * The credentials JSON exactly as the metadata service sends it (field order included); `extended` adds
 * AccountId, as on the `security-credentials-extended/` path. Benchmarks and tests compare against this.
 */
export function credentialsDocument(served: ServedCredentials, extended = false): string {
  const documents = credentialsDocuments(served);
  return extended ? documents.extended : documents.classic;
}

function credentialsDocuments(served: ServedCredentials): CredentialsDocuments {
  const { credentials } = served;
  const cached = documentCache.get(credentials);
  if (cached && sameServed(cached.source, served)) return cached;
  const classic = {
    Code: 'Success',
    LastUpdated: awsTimestamp(served.lastUpdated),
    Type: 'AWS-HMAC',
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    Token: credentials.sessionToken,
    Expiration: awsTimestamp(credentials.expiration),
  };
  const documents = {
    source: { ...served, credentials: { ...credentials } },
    classic: JSON.stringify(classic),
    extended: JSON.stringify({ ...classic, AccountId: served.accountId }),
  };
  documentCache.set(credentials, documents);
  return documents;
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
  const content = (path: string, render: Render) => routes.set(path, { kind: 'content', render });
  // A directory without its slash redirects to the slash form, relatively (the last segment plus `/`).
  const redirectToSlash = (path: string) => {
    const withoutSlash = path.slice(0, -1);
    routes.set(withoutSlash, { kind: 'redirect', location: `${withoutSlash.slice(withoutSlash.lastIndexOf('/') + 1)}/` });
  };
  // A directory lists its entries, newline-separated; sub-directories end in `/`.
  const directory = (path: string, entries: string[], onlyWithRole = false) => {
    const listing = entries.join('\n');
    content(path, (served) => (onlyWithRole && !served ? undefined : listing));
    if (path !== '/') redirectToSlash(path);
  };
  const roleName: Render = (served) => served?.roleName;

  directory('/', ['latest/']);
  directory('/latest/', ['dynamic/', 'meta-data/']);
  directory('/latest/meta-data/', ['iam/', 'instance-id', 'placement/']);
  // Like an instance without a profile, the iam/ tree does not exist while there is nothing to serve.
  // The extended path is served (Java asks there first and reads AccountId) but, as on EC2, not listed.
  directory('/latest/meta-data/iam/', ['info', 'security-credentials/'], true);
  // The role "directories" list exactly one name, no trailing newline: botocore puts the body in the next URL.
  for (const prefix of [CREDENTIALS_PREFIX, EXTENDED_PREFIX]) {
    content(prefix, roleName);
    redirectToSlash(prefix);
  }
  content('/latest/meta-data/iam/info', (served) => served && instanceProfileInfo(served));
  content('/latest/meta-data/instance-id', () => instanceId);
  directory('/latest/meta-data/placement/', ['availability-zone', 'region']);
  content('/latest/meta-data/placement/region', (_served, region) => region());
  // The AWS CLI asks with a trailing slash.
  const availabilityZone: Render = (_served, region) => `${region()}a`;
  content('/latest/meta-data/placement/availability-zone', availabilityZone);
  content('/latest/meta-data/placement/availability-zone/', availabilityZone);
  directory('/latest/dynamic/', ['instance-identity/']);
  directory('/latest/dynamic/instance-identity/', ['document']);
  content('/latest/dynamic/instance-identity/document', (served, region) =>
    identityDocument(instanceId, region(), served?.accountId),
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
