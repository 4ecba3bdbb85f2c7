/**
 * A strict AWS STS stand-in on 127.0.0.1 for tests: AssumeRoleWithSAML checks what AWS checks (signature,
 * issuer, time, audience, recipient, role pair, durations) and issues fresh credentials; GetCallerIdentity
 * verifies SigV4 with the secret it issued; /federation serves console sign-in tokens. Faults on demand.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { awsTimestamp } from '../../../main/support/clock.js';
import { handleFederation, type SigninTokenRecord } from './federation-endpoint.js';
import {
  issueCredentials,
  nameQualifier,
  newRequestId,
  parseProviderArn,
  parseRoleArn,
} from './issue-credentials.js';
import { offersRole, subjectType, verifySamlResponse, type StandInProvider } from './saml-checks.js';
import { verifySigV4, type IssuedCredentials, type ReceivedRequest } from './sigv4-check.js';
import {
  AWS_FAULTS,
  constraintViolation,
  elements,
  errorDocument,
  fault,
  resultDocument,
  StsFaultError,
} from './sts-xml.js';

export type { StandInProvider } from './saml-checks.js';
export type { IssuedCredentials } from './sigv4-check.js';

const API_VERSION = '2011-06-15';
const DEFAULT_MAX_SESSION_DURATION = 3_600;
const MAX_BODY_BYTES = 1_000_000;

/** A fault the next requests meet; `times` limits it to that many requests, then the stand-in recovers. */
export type StandInFault =
  | { kind: 'throttling' | 'internal' | 'accessDenied' | 'regionDisabled'; times?: number; actions?: string[] }
  | { kind: 'delay'; ms: number; times?: number; actions?: string[] };

export interface StandInOptions {
  providers: StandInProvider[];
  /** Per role ARN: IAM's MaxSessionDuration (default 3600, like a new role). */
  maxSessionDuration?: Record<string, number>;
  clock?: { now(): number };
  /**
   * Issue credentials that live this long whatever was asked (tests that must see credentials expire; real STS
   * never goes below 900 s).
   */
  credentialLifetimeSeconds?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  action: string | undefined;
  params: Record<string, string>;
  headers: Record<string, string>;
  /** The fault or error code answered, or undefined on success. */
  errorCode: string | undefined;
}

export interface IssuedRecord extends IssuedCredentials {
  roleArn: string;
  principalArn: string;
  durationSeconds: number;
  roleSessionName: string;
}

export interface StsStandIn {
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
  setFault(fault: StandInFault | undefined): void;
  setMaxSessionDuration(roleArn: string, seconds: number): void;
  readonly issued: readonly IssuedRecord[];
  readonly requests: readonly RecordedRequest[];
  readonly signinTokens: readonly SigninTokenRecord[];
}

function lowerCaseHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw fault(413, 'RequestEntityTooLarge', 'Request body is too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Query protocol parameters: the form body of a POST, else the query string. */
function queryParams(method: string, query: URLSearchParams, body: string, contentType: string | undefined): Record<string, string> {
  const source = method === 'POST' && (contentType ?? '').startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(body) : query;
  return Object.fromEntries(source.entries());
}

/** The test accounts' IAM SAML providers (`CloudtokenTestIdP`), each trusting this IdP's signing certificate. */
export function providersTrusting(idp: { entityId: string; certificatePem: string }, accounts: readonly string[] = ['111111111111', '222222222222']): StandInProvider[] {
  return accounts.map((account) => ({ arn: `arn:aws:iam::${account}:saml-provider/CloudtokenTestIdP`, issuer: idp.entityId, certificates: [idp.certificatePem] }));
}

export async function startStsStandIn(options: StandInOptions): Promise<StsStandIn> {
  const clock = options.clock ?? { now: () => Date.now() };
  const maxSessionDuration = new Map(Object.entries(options.maxSessionDuration ?? {}));
  const providers = new Map(options.providers.map((provider) => [provider.arn, provider]));
  const issued: IssuedRecord[] = [];
  const requests: RecordedRequest[] = [];
  const signinTokens: SigninTokenRecord[] = [];
  let activeFault: StandInFault | undefined;
  let faultUses = 0;

  /** The fault to apply to this action, counting it against `times`. */
  function takeFault(action: string): StandInFault | undefined {
    if (!activeFault) return undefined;
    if (activeFault.actions && !activeFault.actions.includes(action)) return undefined;
    const current = activeFault;
    faultUses += 1;
    if (current.times !== undefined && faultUses >= current.times) activeFault = undefined;
    return current;
  }

  async function applyFault(action: string, account: string | undefined): Promise<void> {
    const current = takeFault(action);
    if (!current) return;
    switch (current.kind) {
      case 'delay':
        await new Promise((resolve) => setTimeout(resolve, current.ms));
        return;
      case 'throttling':
        throw AWS_FAULTS.throttling();
      case 'internal':
        throw AWS_FAULTS.internal();
      case 'accessDenied':
        throw AWS_FAULTS.accessDenied();
      case 'regionDisabled':
        throw AWS_FAULTS.regionDisabled(account ?? '000000000000');
    }
  }

  function requireParam(params: Record<string, string>, name: string, member: string, min: number, max: number): string {
    const value = params[name];
    if (value === undefined) throw constraintViolation(member, null, 'Member must not be null');
    if (value.length < min) throw constraintViolation(member, value.length > 64 ? `${value.slice(0, 16)}…` : value, `Member must have length greater than or equal to ${min}`);
    if (value.length > max) throw constraintViolation(member, `${value.slice(0, 16)}…`, `Member must have length less than or equal to ${max}`);
    return value;
  }

  function durationParam(params: Record<string, string>): number {
    const raw = params.DurationSeconds;
    if (raw === undefined) return DEFAULT_MAX_SESSION_DURATION;
    if (!/^-?\d+$/.test(raw)) throw fault(400, 'MalformedInput', `Invalid value for DurationSeconds: ${raw}`);
    const seconds = Number(raw);
    if (seconds < 900) throw constraintViolation('durationSeconds', raw, 'Member must have value greater than or equal to 900');
    if (seconds > 43_200) throw constraintViolation('durationSeconds', raw, 'Member must have value less than or equal to 43200');
    return seconds;
  }

  async function assumeRoleWithSaml(params: Record<string, string>, requestId: string): Promise<string> {
    const roleArn = requireParam(params, 'RoleArn', 'roleArn', 20, 2048);
    const principalArn = requireParam(params, 'PrincipalArn', 'principalArn', 20, 2048);
    const samlAssertion = requireParam(params, 'SAMLAssertion', 'sAMLAssertion', 4, 100_000);
    const durationSeconds = durationParam(params);
    const role = parseRoleArn(roleArn);
    const providerArn = parseProviderArn(principalArn);
    if (!role || !providerArn) throw AWS_FAULTS.requestArnInvalid();
    await applyFault('AssumeRoleWithSAML', role.account);

    const provider = providers.get(principalArn);
    if (!provider) throw AWS_FAULTS.providerMissing();
    const now = clock.now();
    const assertion = verifySamlResponse(samlAssertion, provider, now);
    if (!offersRole(assertion, roleArn, principalArn)) throw AWS_FAULTS.accessDenied();
    if (durationSeconds > (maxSessionDuration.get(roleArn) ?? DEFAULT_MAX_SESSION_DURATION)) throw AWS_FAULTS.maxSessionDuration();

    const lifetimeSeconds = options.credentialLifetimeSeconds ?? durationSeconds;
    const expiration = Math.min(now + lifetimeSeconds * 1000, assertion.sessionNotOnOrAfter ?? Number.POSITIVE_INFINITY);
    const credentials = issueCredentials(roleArn, assertion.roleSessionName, expiration);
    issued.push({ ...credentials, roleArn, principalArn, durationSeconds, roleSessionName: assertion.roleSessionName });
    return resultDocument(
      'AssumeRoleWithSAML',
      [
        '<Credentials>',
        elements([
          ['AccessKeyId', credentials.accessKeyId],
          ['SecretAccessKey', credentials.secretAccessKey],
          ['SessionToken', credentials.sessionToken],
          ['Expiration', awsTimestamp(expiration)],
        ]),
        '</Credentials>',
        '<AssumedRoleUser>',
        elements([
          ['AssumedRoleId', credentials.assumedRoleId],
          ['Arn', credentials.assumedRoleArn],
        ]),
        '</AssumedRoleUser>',
        elements([
          ['PackedPolicySize', 0],
          ['Subject', assertion.nameId],
          ['SubjectType', subjectType(assertion.nameIdFormat)],
          ['Issuer', assertion.issuer],
          ['Audience', assertion.recipient],
          ['NameQualifier', nameQualifier(assertion.issuer, providerArn.account, providerArn.name)],
        ]),
      ].join('\n'),
      requestId,
    );
  }

  async function getCallerIdentity(request: ReceivedRequest, requestId: string): Promise<string> {
    await applyFault('GetCallerIdentity', undefined);
    const caller = await verifySigV4(request, (id) => issued.find((record) => record.accessKeyId === id), clock.now());
    return resultDocument(
      'GetCallerIdentity',
      elements([
        ['UserId', caller.assumedRoleId],
        ['Account', caller.account],
        ['Arn', caller.assumedRoleArn],
      ]),
      requestId,
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = newRequestId();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const headers = lowerCaseHeaders(req);
    let record: RecordedRequest | undefined;
    try {
      const body = await readBody(req);
      if (url.pathname === '/federation') {
        const answer = handleFederation(url.searchParams, {
          issued,
          signinTokens,
          now: clock.now(),
        });
        record = { method: req.method ?? '', path: url.pathname, action: url.searchParams.get('Action') ?? undefined, params: Object.fromEntries(url.searchParams), headers, errorCode: answer.status >= 400 ? String(answer.status) : undefined };
        res.writeHead(answer.status, answer.headers).end(answer.body);
        return;
      }
      const params = queryParams(req.method ?? '', url.searchParams, body, headers['content-type']);
      record = { method: req.method ?? '', path: url.pathname, action: params.Action, params, headers, errorCode: undefined };
      if (url.pathname !== '/' || (req.method !== 'POST' && req.method !== 'GET')) throw fault(404, 'UnknownOperationException', 'Unknown operation');
      if (!params.Action) throw fault(400, 'MissingAction', 'Missing Action');
      if (params.Version !== API_VERSION) {
        throw fault(400, 'InvalidAction', `Could not find operation ${params.Action} for version ${params.Version ?? 'NO_VERSION_SPECIFIED'}`);
      }
      const received: ReceivedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        headers,
        query: Object.fromEntries(url.searchParams.entries()),
        body,
      };
      let xml: string;
      if (params.Action === 'AssumeRoleWithSAML') xml = await assumeRoleWithSaml(params, requestId);
      else if (params.Action === 'GetCallerIdentity') xml = await getCallerIdentity(received, requestId);
      else throw fault(400, 'InvalidAction', `Could not find operation ${params.Action} for version ${API_VERSION}`);
      res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId, date: new Date(clock.now()).toUTCString() }).end(xml);
    } catch (error) {
      const stsFault = error instanceof StsFaultError ? error.fault : { status: 500, code: 'InternalFailure', message: 'An internal error occurred.' };
      if (record) record.errorCode = stsFault.code;
      res
        .writeHead(stsFault.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId, date: new Date(clock.now()).toUTCString() })
        .end(errorDocument(stsFault, requestId));
    } finally {
      if (record) requests.push(record);
    }
  }

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
    setFault(next) {
      activeFault = next;
      faultUses = 0;
    },
    setMaxSessionDuration(roleArn, seconds) {
      maxSessionDuration.set(roleArn, seconds);
    },
    issued,
    requests,
    signinTokens,
  };
}
