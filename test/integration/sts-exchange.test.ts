/**
 * The STS exchange end to end on loopback: a signed assertion goes through the real @aws-sdk/client-sts to
 * the strict stand-in, and the credentials it returns are checked by GetCallerIdentity from three real
 * clients (JS SDK, AWS CLI v2, boto3), each verified by SigV4 with the issued secret.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseSamlResponse } from '../../main/saml/assertion.js';
import type { SamlRole } from '../../main/saml/types.js';
import { faultKindOf, type FaultKind } from '../../main/session/fault-model.js';
import { createStsExchange, type StsExchange, type StsExchangeOptions } from '../../main/sts/assume-role.js';
import { StsError } from '../../main/sts/errors.js';
import { createLogger } from '../../main/support/logger.js';
import type { RoleCredentials } from '../../main/sts/types.js';
import { buildSamlResponse, buildSamlResponseXml, createSigningIdentity, DEFAULT_ISSUER } from '../support/saml-fixtures.js';
import { startStsStandIn, type StsStandIn } from '../support/sts/stand-in.js';

const ACCOUNT = '210987654321';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:saml-provider/SimpleSAML`;
const ADMIN = `arn:aws:iam::${ACCOUNT}:role/Admin`;
const READER = `arn:aws:iam::${ACCOUNT}:role/team/Reader`;
const identity = createSigningIdentity();

let standInNow = Date.now();
let standIn: StsStandIn;
const exchanges: StsExchange[] = [];
let sleeps: number[] = [];

beforeAll(async () => {
  standIn = await startStsStandIn({
    providers: [{ arn: PROVIDER, issuer: DEFAULT_ISSUER, certificates: [identity.certificatePem] }],
    clock: { now: () => standInNow },
  });
});
afterAll(() => standIn.close());
beforeEach(() => {
  standInNow = Date.now();
  firstRequest = standIn.requests.length;
  sleeps = [];
  standIn.setFault(undefined);
  standIn.setMaxSessionDuration(ADMIN, 3_600);
  // Proxies of the machine running the tests must not leak into them; tests that want one set it.
  for (const name of ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy']) {
    vi.stubEnv(name, undefined);
  }
});
afterEach(() => {
  vi.unstubAllEnvs();
  while (exchanges.length > 0) exchanges.pop()!.close();
});

function exchange(options: StsExchangeOptions = {}): StsExchange {
  const created = createStsExchange({
    endpointOverride: standIn.url,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
  exchanges.push(created);
  return created;
}

function signIn(options: Parameters<typeof buildSamlResponse>[0] = {}) {
  const samlResponse = buildSamlResponse({ identity, roles: [`${ADMIN},${PROVIDER}`, `${PROVIDER},${READER}`], ...options });
  return parseSamlResponse(samlResponse, { allowExpired: true });
}

function roleOf(assertion: ReturnType<typeof signIn>, roleArn: string): SamlRole {
  const role = assertion.roles.find((candidate) => candidate.roleArn === roleArn);
  if (!role) throw new Error(`fixture offers no ${roleArn}`);
  return role;
}

function assume(target: StsExchange, assertion: ReturnType<typeof signIn>, roleArn = ADMIN): Promise<RoleCredentials> {
  return target.assumeRole({
    role: roleOf(assertion, roleArn),
    samlResponse: assertion.samlResponse,
    sessionDuration: assertion.sessionDuration,
    region: 'eu-west-1',
  });
}

async function failure(promise: Promise<unknown>): Promise<StsError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(StsError);
    return error as StsError;
  }
  throw new Error('expected the exchange to fail');
}

/** Requests the stand-in received during the current test. */
let firstRequest = 0;
const requestsThisTest = () => standIn.requests.slice(firstRequest);
const durationsAsked = () => requestsThisTest().filter((r) => r.action === 'AssumeRoleWithSAML').map((r) => r.params.DurationSeconds);

function run(file: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A clean environment for a client process: its credentials, nothing of ours, no metadata service. */
function clientEnv(home: string, credentials: RoleCredentials['credentials']): Record<string, string> {
  return {
    PATH: '/usr/bin:/bin',
    HOME: home,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
  };
}

describe('assertion → stand-in → credentials that real clients can use', () => {
  const sessionName = 'alice@example.com';
  const arnOf = (roleArn: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${roleArn.split('/').pop()}/${sessionName}`;

  it.each([ADMIN, READER])('%s: the JS SDK gets the assumed-role identity with the credentials', async (roleArn) => {
    const obtained = await assume(exchange(), signIn({ sessionName }), roleArn);
    expect(obtained.assumedRoleArn).toBe(arnOf(roleArn));
    expect(obtained.credentials.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(obtained.credentials.expiration).toBe(Math.floor((standInNow + 3_600_000) / 1000) * 1000);
    expect(durationsAsked()).toEqual(['3600']);

    const sdk = new STSClient({
      region: 'eu-west-1',
      endpoint: standIn.url,
      credentials: { ...obtained.credentials, expiration: new Date(obtained.credentials.expiration) },
    });
    expect((await sdk.send(new GetCallerIdentityCommand({}))).Arn).toBe(arnOf(roleArn));
    sdk.destroy();
  });

  it('the AWS CLI v2 and boto3 sign requests the stand-in verifies, and a wrong secret is refused', async () => {
    const obtained = await assume(exchange(), signIn({ sessionName }));
    const home = mkdtempSync(join(tmpdir(), 'cloudtoken-sts-client-'));
    try {
      writeFileSync(join(home, 'config'), '');
      writeFileSync(join(home, 'credentials'), '');
      const env = clientEnv(home, obtained.credentials);
      const secret = env.AWS_SECRET_ACCESS_KEY!;
      const wrong = { ...env, AWS_SECRET_ACCESS_KEY: `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}` };
      const cliArgs = ['sts', 'get-caller-identity', '--endpoint-url', standIn.url, '--output', 'json'];
      const script = `import boto3, json, sys\nprint(json.dumps(boto3.client('sts', endpoint_url=sys.argv[1]).get_caller_identity()['Arn']))`;
      // Four client processes at once: interpreter start-up dominates, so this keeps the test short.
      const [cli, boto, refusedCli, refusedBoto] = await Promise.all([
        run('/usr/bin/aws', cliArgs, env),
        run('/usr/bin/python3', ['-c', script, standIn.url], env),
        run('/usr/bin/aws', cliArgs, wrong),
        run('/usr/bin/python3', ['-c', script, standIn.url], wrong),
      ]);
      expect(cli.stderr).toBe('');
      expect(JSON.parse(cli.stdout)).toMatchObject({ Account: ACCOUNT, Arn: arnOf(ADMIN) });
      expect(boto.stderr).toBe('');
      expect(JSON.parse(boto.stdout)).toBe(arnOf(ADMIN));
      expect(refusedCli.code).not.toBe(0);
      expect(refusedCli.stderr).toContain('SignatureDoesNotMatch');
      expect(refusedBoto.code).not.toBe(0);
      expect(refusedBoto.stderr).toContain('SignatureDoesNotMatch');
      // Both clients sent the token and signed it.
      const signedBy = requestsThisTest().filter((r) => r.action === 'GetCallerIdentity').map((r) => r.headers.authorization ?? '');
      expect(signedBy).toHaveLength(4);
      for (const authorization of signedBy) expect(authorization).toMatch(/SignedHeaders=[^,]*x-amz-security-token/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('session duration', () => {
  it('asks for the assertion SessionDuration, else the setting, clamped to 900..43200', async () => {
    standIn.setMaxSessionDuration(ADMIN, 43_200);
    const target = exchange({ defaultSessionDuration: 1_800 });
    await assume(target, signIn({ sessionDuration: 7_200 }));
    await assume(target, signIn());
    // The app's parser drops an out-of-range attribute, so hand the exchange the raw wish directly.
    const assertion = signIn();
    await target.assumeRole({ role: roleOf(assertion, ADMIN), samlResponse: assertion.samlResponse, sessionDuration: 100_000 });
    await assume(exchange({ defaultSessionDuration: 60 }), signIn());
    expect(durationsAsked()).toEqual(['7200', '1800', '43200', '900']);
  });

  it('falls back to one hour when the role refuses a longer session, and remembers it', async () => {
    const target = exchange();
    const first = await assume(target, signIn({ sessionDuration: 28_800 }));
    expect(first.credentials.expiration).toBe(Math.floor((standInNow + 3_600_000) / 1000) * 1000);
    expect(durationsAsked()).toEqual(['28800', '3600']);
    expect(target.durationLimits()).toEqual({ [ADMIN]: 3_600 });

    await assume(target, signIn({ sessionDuration: 28_800 }));
    expect(durationsAsked()).toEqual(['28800', '3600', '3600']);

    // A new exchange given the remembered limits starts from them.
    const restored = exchange({ durationLimits: target.durationLimits() });
    await assume(restored, signIn({ sessionDuration: 28_800 }));
    expect(durationsAsked().at(-1)).toBe('3600');
  });
});

describe('STS faults become typed errors', () => {
  it('retries throttling with growing backoff, then succeeds', async () => {
    standIn.setFault({ kind: 'throttling', times: 2 });
    const obtained = await assume(exchange({ backoffBaseMs: 100 }), signIn());
    expect(obtained.assumedRoleArn).toContain('assumed-role/Admin/alice');
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeLessThanOrEqual(200);
    expect(sleeps[1]).toBeLessThanOrEqual(400);
  });

  it('gives up on lasting throttling as retryable STS_THROTTLED', async () => {
    standIn.setFault({ kind: 'throttling' });
    const error = await failure(assume(exchange({ maxAttempts: 3 }), signIn()));
    expect({ code: error.code, kind: faultKindOf(error), awsCode: error.awsCode }).toEqual({ code: 'STS_THROTTLED', kind: 'retryable', awsCode: 'Throttling' });
    expect(requestsThisTest().filter((r) => r.errorCode === 'Throttling')).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('maps each refusal to its code, with a message an admin can act on', async () => {
    const cases: Array<[() => void, ReturnType<typeof signIn>, string, FaultKind, RegExp]> = [
      [() => standIn.setFault({ kind: 'internal' }), signIn(), 'STS_SERVER', 'retryable', /internal error/],
      [() => standIn.setFault({ kind: 'accessDenied' }), signIn(), 'STS_ACCESS_DENIED', 'permanent', /trust policy/],
      [() => standIn.setFault({ kind: 'regionDisabled' }), signIn(), 'STS_REGION_DISABLED', 'permanent', /not activated in eu-west-1/],
      [() => {}, signIn({ audience: 'urn:example:else' }), 'STS_INVALID_IDENTITY_TOKEN', 'permanent', /Audience must be urn:amazon:webservices/],
      [() => {}, signIn({ roles: [`${READER},${PROVIDER}`, `${ADMIN},${PROVIDER.replace('SimpleSAML', 'Other')}`] }), 'STS_INVALID_IDENTITY_TOKEN', 'permanent', /IAM has no SAML provider .*saml-provider\/Other/],
      [() => {}, signIn({ identity: createSigningIdentity('rotated-key') }), 'STS_INVALID_IDENTITY_TOKEN', 'permanent', /upload the IdP's current metadata/],
      [() => {}, signIn({ sessionName: 'has space' }), 'STS_INVALID_IDENTITY_TOKEN', 'permanent', /RoleSessionName/],
    ];
    for (const [arrange, assertion, code, kind, message] of cases) {
      standIn.setFault(undefined);
      arrange();
      const error = await failure(assume(exchange({ maxAttempts: 2 }), assertion));
      expect({ code: error.code, kind: faultKindOf(error) }, code).toEqual({ code, kind });
      expect(error.message).toMatch(message);
    }
  });

  it('says the assertion expired, or names clock skew when the clocks disagree', async () => {
    // Issued six minutes ago, valid for five.
    const assertion = signIn({ now: standInNow - 6 * 60_000 });
    const expired = await failure(assume(exchange(), assertion));
    expect(expired.code).toBe('STS_ASSERTION_EXPIRED');
    expect(expired.message).toMatch(/Sign in again/);

    // AWS's clock 20 minutes ahead of ours: the expiry is a clock problem, and the message says so.
    standInNow = Date.now() + 20 * 60_000;
    const skewed = await failure(assume(exchange(), signIn()));
    expect(skewed.code).toBe('STS_CLOCK_SKEW');
    expect(skewed.message).toMatch(/20 minutes behind AWS's/);

    // An assertion from an IdP whose clock runs ahead is not valid yet at AWS.
    standInNow = Date.now() - 10 * 60_000;
    const early = await failure(assume(exchange(), signIn()));
    expect(early.code).toBe('STS_CLOCK_SKEW');
  });

  it('refuses a tampered assertion', async () => {
    const xml = buildSamlResponseXml({ identity, roles: [`${READER},${PROVIDER}`, `${ADMIN},${PROVIDER}`] });
    const tampered = Buffer.from(xml.replace('alice', 'mallory'), 'utf8').toString('base64');
    const role = signIn().roles.find((r) => r.roleArn === ADMIN)!;
    const error = await failure(exchange().assumeRole({ role, samlResponse: tampered, region: 'eu-west-1' }));
    expect(error.code).toBe('STS_INVALID_IDENTITY_TOKEN');
    expect(error.awsCode).toBe('InvalidIdentityToken');
  });

  it('reports an unreachable endpoint as STS_NETWORK naming it and the proxy settings', async () => {
    const closed = await closedPort();
    const error = await failure(assume(exchange({ endpointOverride: `http://127.0.0.1:${closed}` }), signIn()));
    expect({ code: error.code, kind: faultKindOf(error) }).toEqual({ code: 'STS_NETWORK', kind: 'retryable' });
    expect(error.message).toContain(`http://127.0.0.1:${closed}`);
    expect(error.message).toContain('HTTPS_PROXY');
  });

  it('reports a captive portal or other non-STS answer as STS_UNEXPECTED_RESPONSE', async () => {
    const portal = await listen(createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Please log in to the Wi-Fi</body></html>')));
    try {
      const error = await failure(assume(exchange({ endpointOverride: `http://127.0.0.1:${portal.port}` }), signIn()));
      expect(error.code).toBe('STS_UNEXPECTED_RESPONSE');
      expect(error.message).toContain(`http://127.0.0.1:${portal.port}`);
    } finally {
      await portal.close();
    }
  });

  it('bounds a hung endpoint by the request timeout', async () => {
    standIn.setFault({ kind: 'delay', ms: 2_000, times: 1 });
    const started = performance.now();
    const error = await failure(assume(exchange({ timeouts: { connectMs: 300, requestMs: 400 } }), signIn()));
    expect(error.code).toBe('STS_NETWORK');
    expect(performance.now() - started).toBeLessThan(1_900);
  });
});

describe('what the STS client does not do', () => {
  it('logs no assertion, key, secret or token, even at debug level and on failure', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', sink: (line) => lines.push(line) });
    const assertion = signIn({ sessionDuration: 28_800 });
    standIn.setFault({ kind: 'throttling', times: 1 });
    const obtained = await assume(exchange({ logger }), assertion);
    standIn.setFault({ kind: 'accessDenied' });
    await failure(assume(exchange({ logger }), assertion));
    expect(lines.length).toBeGreaterThan(2);
    const log = lines.join('\n');
    for (const secret of [assertion.samlResponse.slice(0, 40), obtained.credentials.secretAccessKey, obtained.credentials.sessionToken.slice(0, 40), obtained.credentials.accessKeyId]) {
      expect(log).not.toContain(secret);
    }
  });

  it('never looks up credentials of its own: no request reaches a metadata service', async () => {
    const recorded: string[] = [];
    const metadata = await listen(createServer((req, res) => {
      recorded.push(`${req.method} ${req.url}`);
      res.writeHead(404).end();
    }));
    const home = mkdtempSync(join(tmpdir(), 'cloudtoken-no-creds-'));
    try {
      writeFileSync(join(home, 'empty'), '');
      for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_EC2_METADATA_DISABLED',
        'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_WEB_IDENTITY_TOKEN_FILE']) {
        vi.stubEnv(name, undefined);
      }
      vi.stubEnv('AWS_EC2_METADATA_SERVICE_ENDPOINT', `http://127.0.0.1:${metadata.port}`);
      // Nor may the environment redirect the assertion to another endpoint.
      vi.stubEnv('AWS_ENDPOINT_URL_STS', `http://127.0.0.1:${metadata.port}/endpoint-url`);
      vi.stubEnv('AWS_ENDPOINT_URL', `http://127.0.0.1:${metadata.port}/endpoint-url`);
      vi.stubEnv('AWS_CONFIG_FILE', join(home, 'empty'));
      vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(home, 'empty'));

      // Control: an ordinary client without credentials does walk the chain to the metadata service.
      const ordinary = new STSClient({ region: 'eu-west-1', maxAttempts: 1 });
      await expect(ordinary.send(new GetCallerIdentityCommand({}))).rejects.toThrow();
      ordinary.destroy();
      expect(recorded.some((line) => line.startsWith('PUT /latest/api/token'))).toBe(true);

      recorded.length = 0;
      const obtained = await assume(exchange(), signIn());
      expect(obtained.credentials.accessKeyId).toMatch(/^ASIA/);
      const request = standIn.requests.at(-1)!;
      expect(request.headers.authorization).toBeUndefined();
      expect(request.headers['x-amz-security-token']).toBeUndefined();
      expect(recorded).toEqual([]);
    } finally {
      await metadata.close();
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('goes through HTTP(S)_PROXY unless NO_PROXY exempts the host', async () => {
    const proxied: string[] = [];
    const proxy = await listen(createServer((req, res) => forward(req, res, proxied)));
    try {
      vi.stubEnv('HTTP_PROXY', `http://127.0.0.1:${proxy.port}`);
      await assume(exchange(), signIn());
      expect(proxied).toEqual([`POST ${standIn.url}/`]);

      vi.stubEnv('NO_PROXY', '127.0.0.1');
      await assume(exchange(), signIn());
      expect(proxied).toHaveLength(1);

      vi.stubEnv('NO_PROXY', undefined);
      const dead = await closedPort();
      vi.stubEnv('HTTP_PROXY', `http://user:secret@127.0.0.1:${dead}`);
      const error = await failure(assume(exchange(), signIn()));
      expect(error.code).toBe('STS_NETWORK');
      expect(error.message).toContain(`through the proxy http://127.0.0.1:${dead}`);
      expect(error.message).not.toContain('secret');
    } finally {
      await proxy.close();
    }
  });
});

async function listen(server: Server): Promise<{ port: number; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = await listen(createServer());
  await server.close();
  return server.port;
}

/** A minimal forward proxy for plain-http absolute-URI requests, recording what passed through. */
function forward(req: IncomingMessage, res: ServerResponse, log: string[]): void {
  log.push(`${req.method} ${req.url}`);
  const target = new URL(req.url ?? '');
  const upstream = httpRequest(
    { host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => res.writeHead(502).end());
  req.pipe(upstream);
}
