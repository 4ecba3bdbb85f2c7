import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createImdsApp } from '../../../main/imds/app.js';
import type { ImdsAppOptions, ServedCredentials } from '../../../main/imds/app.js';
import { createTokenStore } from '../../../main/imds/tokens.js';
import type { TokenStore } from '../../../main/imds/tokens.js';
import { awsTimestamp } from '../../../main/support/clock.js';
import { createLogger } from '../../../main/support/logger.js';
import { manualClock, serve } from './harness.js';
import type { Reply, Served } from './harness.js';

// 169.254.169.254 appears here only as a string (a Host header, an address to classify or refuse); every request
// goes to 127.0.0.1. Traffic to the alias happens only in imds-netns.test.ts, inside an unshare'd network namespace.

const HOUR = 3_600_000;
const TTL = 'x-aws-ec2-metadata-token-ttl-seconds';
const TOKEN = 'x-aws-ec2-metadata-token';
const ROLE_LIST = '/latest/meta-data/iam/security-credentials/';
const AWS_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

function credentialsAt(now: number, key = 'ASIAFIRSTKEY00000001', expiresIn = 2 * HOUR): ServedCredentials {
  return {
    roleName: 'Developer',
    accountId: '123456789012',
    lastUpdated: now - 60_000,
    credentials: { accessKeyId: key, secretAccessKey: `secret-of-${key}`, sessionToken: `token-of-${key}`, expiration: now + expiresIn },
  };
}

interface Fixture extends Served {
  clock: ReturnType<typeof manualClock>;
  tokens: TokenStore;
  current: { value: ServedCredentials | undefined };
  logs: string[];
  region: { value: string };
  token(ttl?: string): Promise<string>;
  close(): Promise<void>;
}

async function fixture(overrides: Partial<ImdsAppOptions> = {}, maxTokens?: number): Promise<Fixture> {
  const clock = manualClock();
  const tokens = createTokenStore({ clock, maxTokens });
  const current = { value: credentialsAt(clock.now()) as ServedCredentials | undefined };
  const region = { value: 'eu-west-1' };
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', sink: (line) => logs.push(line) });
  const app = createImdsApp({ credentials: () => current.value, region: () => region.value, clock, tokens, logger, ...overrides });
  const served = await serve(app);
  return {
    ...served,
    clock,
    tokens,
    current,
    logs,
    region,
    async token(ttl = '21600') {
      const reply = await served.send({ method: 'PUT', path: '/latest/api/token', headers: { [TTL]: ttl } });
      expect(reply.status).toBe(200);
      return reply.body;
    },
    close: () => served.server.close(),
  };
}

describe('IMDS app, tokens required (the default)', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture();
  });
  afterAll(() => f.close());
  beforeEach(() => {
    f.current.value = credentialsAt(f.clock.now());
  });
  const get = async (path: string, headers: Record<string, string> = {}): Promise<Reply> =>
    f.send({ path, headers: { [TOKEN]: await f.token(), ...headers } });

  describe('token endpoint', () => {
    it('issues a token: 200, body exactly the token, the TTL echoed (rules 1, 2)', async () => {
      for (const ttl of ['21600', '300', '1']) {
        const reply = await f.send({ method: 'PUT', path: '/latest/api/token', headers: { [TTL]: ttl } });
        expect(reply.status).toBe(200);
        expect(reply.body).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(reply.headers[TTL]).toBe(ttl);
        expect(reply.headers['content-type']).toBe('text/plain');
      }
    });

    it('answers 400 to a missing or bad TTL and issues nothing (rule 3)', async () => {
      const before = f.tokens.size;
      for (const ttl of [undefined, '', 'abc', '0', '-1', '21601', '1.5', '1e3', '0x10', '99999999999999999999']) {
        const headers: Record<string, string> = ttl === undefined ? {} : { [TTL]: ttl };
        const reply = await f.send({ method: 'PUT', path: '/latest/api/token', headers });
        expect(reply.status, `ttl ${ttl}`).toBe(400);
        expect(reply.headers[TTL]).toBeUndefined();
      }
      expect(f.tokens.size).toBe(before);
    });

    it('refuses a proxied token request with 403 (rule 4)', async () => {
      const before = f.tokens.size;
      const reply = await f.send({ method: 'PUT', path: '/latest/api/token', headers: { [TTL]: '21600', 'X-Forwarded-For': '10.0.0.1' } });
      expect(reply.status).toBe(403);
      expect(f.tokens.size).toBe(before);
    });

    it('answers any other method with 405, Allow: OPTIONS, PUT and an empty body (rule 5)', async () => {
      for (const method of ['GET', 'POST', 'DELETE', 'PATCH', 'OPTIONS']) {
        const reply = await f.send({ method, path: '/latest/api/token', headers: { [TTL]: '21600' } });
        expect(reply.status, method).toBe(405);
        expect(reply.headers.allow).toBe('OPTIONS, PUT');
        expect(reply.body).toBe('');
      }
    });

    it('answers a token PUT for a dated version with 403 (rule 6)', async () => {
      const reply = await f.send({ method: 'PUT', path: '/2016-09-02/api/token', headers: { [TTL]: '21600' } });
      expect(reply.status).toBe(403);
    });
  });

  describe('token checks', () => {
    it('answers a wrong token with 401 (rule 7)', async () => {
      const reply = await f.send({ path: ROLE_LIST, headers: { [TOKEN]: 'not-a-token' } });
      expect(reply.status).toBe(401);
    });

    it('answers an expired token with 401 (rule 7)', async () => {
      const token = await f.token('2');
      expect((await f.send({ path: ROLE_LIST, headers: { [TOKEN]: token } })).status).toBe(200);
      f.clock.advance(2_000);
      expect((await f.send({ path: ROLE_LIST, headers: { [TOKEN]: token } })).status).toBe(401);
    });

    it('answers a GET without a token with 401 when tokens are required (rule 8)', async () => {
      for (const path of [ROLE_LIST, '/latest/meta-data/', '/latest/meta-data/placement/region']) {
        expect((await f.send({ path })).status, path).toBe(401);
      }
    });

    it('echoes the seconds the token has left (rule 9)', async () => {
      const token = await f.token('600');
      f.clock.advance(100_500);
      const reply = await f.send({ path: '/latest/meta-data/instance-id', headers: { [TOKEN]: token } });
      expect(reply.status).toBe(200);
      expect(reply.headers[TTL]).toBe('500');
    });
  });

  describe('paths and formats', () => {
    it('answers unknown paths with 404, with or without a token (rule 10)', async () => {
      for (const path of ['/latest/meta-data/nope', '/latest/user-data', '/2009-04-04/meta-data/', '/latest/meta-data/iam/info/x', '/favicon.ico']) {
        expect((await get(path)).status, path).toBe(404);
        expect((await f.send({ path })).status, `${path} without token`).toBe(404);
      }
    });

    it('lists exactly the one role name, no newline (rule 11)', async () => {
      const reply = await get(ROLE_LIST);
      expect(reply.status).toBe(200);
      expect(reply.body).toBe('Developer');
    });

    it('serves the credentials JSON with every field clients read (rules 12, 13)', async () => {
      const reply = await get(`${ROLE_LIST}Developer`);
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('text/plain');
      const body = JSON.parse(reply.body) as Record<string, string>;
      expect(body).toEqual({
        Code: 'Success',
        LastUpdated: awsTimestamp(f.clock.now() - 60_000),
        Type: 'AWS-HMAC',
        AccessKeyId: 'ASIAFIRSTKEY00000001',
        SecretAccessKey: 'secret-of-ASIAFIRSTKEY00000001',
        Token: 'token-of-ASIAFIRSTKEY00000001',
        Expiration: awsTimestamp(f.clock.now() + 2 * HOUR),
      });
      expect(body.LastUpdated).toMatch(AWS_TIME);
      expect(body.Expiration).toMatch(AWS_TIME);
    });

    it('writes instants with milliseconds as whole UTC seconds ending in Z (rule 13)', async () => {
      const whole = Math.floor(f.clock.now() / 1000) * 1000;
      const base = credentialsAt(whole);
      f.current.value = { ...base, lastUpdated: base.lastUpdated + 789, credentials: { ...base.credentials, expiration: base.credentials.expiration + 999 } };
      const body = JSON.parse((await get(`${ROLE_LIST}Developer`)).body) as Record<string, string>;
      expect(body.LastUpdated).toBe(new Date(whole - 60_000).toISOString().replace('.000Z', 'Z'));
      expect(body.Expiration).toBe(new Date(whole + 2 * HOUR).toISOString().replace('.000Z', 'Z'));
      expect(body.Expiration).toMatch(AWS_TIME);
    });

    it('serves the extended path with AccountId, and 404 for another role there too (rule 14)', async () => {
      expect((await get('/latest/meta-data/iam/security-credentials-extended/')).body).toBe('Developer');
      const reply = await get('/latest/meta-data/iam/security-credentials-extended/Developer');
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body)).toMatchObject({ Code: 'Success', AccessKeyId: 'ASIAFIRSTKEY00000001', AccountId: '123456789012' });
      expect((await get('/latest/meta-data/iam/security-credentials-extended/Other')).status).toBe(404);
      expect((await get(`${ROLE_LIST}Other`)).status).toBe(404);
    });

    it('never serves expired credentials: the iam tree is 404 while nothing valid exists (rule 15)', async () => {
      const paths = [ROLE_LIST, `${ROLE_LIST}Developer`, '/latest/meta-data/iam/', '/latest/meta-data/iam/info', '/latest/meta-data/iam/security-credentials-extended/Developer'];
      f.current.value = credentialsAt(f.clock.now(), 'ASIAEXPIRED000000001', 0);
      for (const path of paths) expect((await get(path)).status, path).toBe(404);
      f.current.value = undefined;
      for (const path of paths) expect((await get(path)).status, path).toBe(404);
      f.current.value = credentialsAt(f.clock.now(), 'ASIAFRESH00000000001', 1_000);
      expect((await get(`${ROLE_LIST}Developer`)).status).toBe(200);
      f.clock.advance(1_000);
      expect((await get(ROLE_LIST)).status).toBe(404);
    });

    it('serves a swapped set whole: one provider read per request, every field from it', async () => {
      const clock = manualClock();
      let reads = 0;
      const app = createImdsApp({
        region: 'us-east-1',
        clock,
        tokensRequired: false,
        credentials: () => credentialsAt(clock.now(), `ASIASWAP${String(++reads).padStart(12, '0')}`),
      });
      const s = await serve(app);
      try {
        for (let i = 0; i < 5; i += 1) {
          const before = reads;
          const body = JSON.parse((await s.send({ path: `${ROLE_LIST}Developer` })).body) as Record<string, string>;
          expect(reads - before).toBe(1);
          expect(body.SecretAccessKey).toBe(`secret-of-${body.AccessKeyId}`);
          expect(body.Token).toBe(`token-of-${body.AccessKeyId}`);
        }
      } finally {
        await s.server.close();
      }
    });

    it('serializes a set once but never serves a stale document when a set is changed in place', async () => {
      const kept = credentialsAt(f.clock.now(), 'ASIAKEPT000000000001');
      f.current.value = kept;
      const first = (await get(`${ROLE_LIST}Developer`)).body;
      expect((await get(`${ROLE_LIST}Developer`)).body).toBe(first);
      kept.credentials.accessKeyId = 'ASIAKEPT000000000002';
      kept.credentials.sessionToken = 'rotated-in-place';
      const after = JSON.parse((await get(`${ROLE_LIST}Developer`)).body) as Record<string, string>;
      expect(after).toMatchObject({ AccessKeyId: 'ASIAKEPT000000000002', Token: 'rotated-in-place' });
      kept.lastUpdated += 1_000;
      expect(JSON.parse((await get('/latest/meta-data/iam/security-credentials-extended/Developer')).body)).toMatchObject({
        LastUpdated: awsTimestamp(kept.lastUpdated),
        AccountId: '123456789012',
      });
    });

    it('serves the availability zone with and without the trailing slash (rule 16)', async () => {
      expect((await get('/latest/meta-data/placement/availability-zone/')).body).toBe('eu-west-1a');
      expect((await get('/latest/meta-data/placement/availability-zone')).body).toBe('eu-west-1a');
    });

    it('serves the region from the settings, read per request (rule 17)', async () => {
      expect((await get('/latest/meta-data/placement/region')).body).toBe('eu-west-1');
      f.region.value = 'ap-southeast-2';
      try {
        expect((await get('/latest/meta-data/placement/region')).body).toBe('ap-southeast-2');
      } finally {
        f.region.value = 'eu-west-1';
      }
    });

    it('serves an identity document with every field the Go SDK decodes (rule 18)', async () => {
      const doc = JSON.parse((await get('/latest/dynamic/instance-identity/document')).body) as Record<string, unknown>;
      expect(doc.region).toBe('eu-west-1');
      expect(doc.availabilityZone).toBe('eu-west-1a');
      expect(doc.accountId).toBe('123456789012');
      expect(doc.pendingTime).toMatch(AWS_TIME);
      expect(Number.isNaN(Date.parse(doc.pendingTime as string))).toBe(false);
      for (const field of ['marketplaceProductCodes', 'billingProducts', 'devpayProductCodes']) {
        expect(doc[field] === null || Array.isArray(doc[field]), field).toBe(true);
      }
      for (const field of ['privateIp', 'version', 'instanceId', 'instanceType', 'imageId', 'architecture']) {
        expect(typeof doc[field], field).toBe('string');
      }
      expect(doc.instanceId).toBe((await get('/latest/meta-data/instance-id')).body);
    });

    it('serves iam/info with an instance profile ARN and a stable AIPA id (rule 19)', async () => {
      const info = JSON.parse((await get('/latest/meta-data/iam/info')).body) as Record<string, string>;
      expect(info).toMatchObject({ Code: 'Success', InstanceProfileArn: 'arn:aws:iam::123456789012:instance-profile/Developer' });
      expect(info.LastUpdated).toMatch(AWS_TIME);
      expect(info.InstanceProfileId).toMatch(/^AIPA[A-Z2-7]{17}$/);
      expect(JSON.parse((await get('/latest/meta-data/iam/info')).body)).toEqual(info);
    });

    it('serves an instance id that stays the same for the process (rule 20)', async () => {
      const id = (await get('/latest/meta-data/instance-id')).body;
      expect(id).toMatch(/^i-[0-9a-f]{17}$/);
      const other = createImdsApp({ credentials: () => undefined, region: 'us-east-1', tokensRequired: false });
      const s = await serve(other);
      try {
        expect((await s.send({ path: '/latest/meta-data/instance-id' })).body).toBe(id);
      } finally {
        await s.server.close();
      }
    });

    it('lists directories, sub-directories with a slash, and redirects the slashless form relatively (rule 21)', async () => {
      expect((await get('/latest/meta-data/iam/')).body).toBe('info\nsecurity-credentials/');
      expect((await get('/latest/meta-data/')).body).toBe('iam/\ninstance-id\nplacement/');
      expect((await get('/latest/dynamic/instance-identity/')).body).toBe('document');
      for (const [path, location] of [
        ['/latest/meta-data/iam', 'iam/'],
        ['/latest/meta-data', 'meta-data/'],
        ['/latest/meta-data/iam/security-credentials', 'security-credentials/'],
        ['/latest/dynamic/instance-identity', 'instance-identity/'],
      ] as const) {
        const reply = await get(path);
        expect(reply.status, path).toBe(301);
        expect(reply.headers.location, path).toBe(location);
        expect(new URL(location, `http://169.254.169.254${path}`).pathname).toBe(`${path}/`);
      }
    });

    it('labels responses text/plain from EC2ws, with no CORS headers (rules 22, 26)', async () => {
      for (const path of ['/latest/meta-data/', `${ROLE_LIST}Developer`, '/latest/meta-data/nope']) {
        const reply = await get(path);
        expect(reply.headers['content-type']).toBe('text/plain');
        expect(reply.headers.server).toBe('EC2ws');
        expect(Object.keys(reply.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
        expect(reply.headers['x-powered-by']).toBeUndefined();
      }
    });

    it('treats //latest/… as /latest/…, the token PUT included (rule 23)', async () => {
      const reply = await f.send({ method: 'PUT', path: '//latest/api/token', headers: { [TTL]: '300' } });
      expect(reply.status).toBe(200);
      expect((await f.send({ path: '//latest/meta-data/iam/security-credentials/', headers: { [TOKEN]: reply.body } })).body).toBe('Developer');
      expect((await get('///latest/meta-data/placement/region')).body).toBe('eu-west-1');
    });

    it('ignores a query string', async () => {
      expect((await get('/latest/meta-data/placement/region?foo=bar')).body).toBe('eu-west-1');
    });
  });

  describe('hostile requests change nothing', () => {
    it('accepts only the alias and loopback names with this port as Host (rule 24)', async () => {
      const { port } = f.server;
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, '169.254.169.254', '169.254.169.254:80']) {
        expect((await get('/latest/meta-data/placement/region', { Host: host })).status, host).toBe(200);
      }
      const token = await f.token();
      const before = f.tokens.size;
      for (const host of ['evil.example', `evil.example:${port}`, '127.0.0.1', `127.0.0.1:${port + 1}`, 'localhost', '169.254.169.254:8080', `attacker.127.0.0.1.nip.io:${port}`]) {
        expect((await f.send({ path: `${ROLE_LIST}Developer`, headers: { Host: host, [TOKEN]: token } })).status, host).toBe(403);
        expect((await f.send({ method: 'PUT', path: '/latest/api/token', headers: { Host: host, [TTL]: '60' } })).status, host).toBe(403);
      }
      expect(f.tokens.size).toBe(before);
      expect(await f.raw('GET /latest/meta-data/placement/region HTTP/1.0\r\n\r\n')).toMatch(/^HTTP\/1\.1 403/);
    });

    it('refuses requests carrying Origin, even with a valid token (rule 26)', async () => {
      const token = await f.token();
      const before = f.tokens.size;
      expect((await f.send({ path: `${ROLE_LIST}Developer`, headers: { Origin: 'http://evil.example', [TOKEN]: token } })).status).toBe(403);
      expect((await f.send({ method: 'PUT', path: '/latest/api/token', headers: { Origin: 'null', [TTL]: '60' } })).status).toBe(403);
      expect(f.tokens.size).toBe(before);
    });

    it('refuses request bodies without issuing anything', async () => {
      const before = f.tokens.size;
      const put = await f.send({ method: 'PUT', path: '/latest/api/token', headers: { [TTL]: '60' }, body: 'hello' });
      expect(put.status).toBe(413);
      expect(put.headers.connection).toBe('close');
      const chunked = await f.raw(`PUT /latest/api/token HTTP/1.1\r\nHost: 127.0.0.1:${f.server.port}\r\n${TTL}: 60\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`);
      expect(chunked).toMatch(/^HTTP\/1\.1 413/);
      expect(f.tokens.size).toBe(before);
      expect((await f.send({ method: 'PUT', path: '/latest/api/token', headers: { [TTL]: '60', 'Content-Length': '0' } })).status).toBe(200);
    });

    it('answers other methods on metadata paths with 405', async () => {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']) {
        const reply = await f.send({ method, path: ROLE_LIST, headers: { [TOKEN]: await f.token() } });
        expect(reply.status, method).toBe(405);
        expect(reply.headers.allow).toBe('GET');
      }
      expect(await f.raw(`BREW /latest/meta-data/ HTTP/1.1\r\nHost: 127.0.0.1:${f.server.port}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400/);
    });

    it('answers path tricks with 404 and serves nothing outside the tree', async () => {
      for (const path of [
        '/latest/meta-data/../../',
        '/latest/meta-data/../../etc/passwd',
        '/latest/meta-data/%2e%2e/%2e%2e/',
        '/latest/meta-data/iam/security-credentials/../security-credentials/Developer',
        '/latest/meta-data/iam/security-credentials/Developer/',
        '/latest/meta-data/iam/security-credentials/%2e%2e%2f',
        '/latest/meta-data/iam/security-credentials/Developer%00',
        '/latest/./meta-data/',
        '/latest/meta-data//iam/',
        '/latest/meta-data/iam/security-credentials/%',
      ]) {
        const reply = await get(path);
        expect(reply.status, path).toBe(404);
        expect(reply.body).not.toContain('ASIA');
      }
    });

    it('answers absolute-form and asterisk request targets with 404 or Node’s 400', async () => {
      const host = `Host: 127.0.0.1:${f.server.port}`;
      expect(await f.raw(`GET http://169.254.169.254/latest/meta-data/ HTTP/1.1\r\n${host}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 404/);
      expect(await f.raw(`OPTIONS * HTTP/1.1\r\n${host}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 (400|404)/);
    });

    it('rejects huge headers with Node’s limit and keeps serving', async () => {
      const reply = await f.raw(`GET /latest/meta-data/ HTTP/1.1\r\nHost: 127.0.0.1:${f.server.port}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      expect(reply).toMatch(/^HTTP\/1\.1 431/);
      expect((await get('/latest/meta-data/placement/region')).status).toBe(200);
    });

    it('logs method, path, status and client at debug level, never tokens or credentials', async () => {
      f.logs.length = 0;
      const token = await f.token();
      await f.send({ path: `${ROLE_LIST}Developer`, headers: { [TOKEN]: token } });
      await f.send({ path: ROLE_LIST, headers: { [TOKEN]: 'wrong-token-value' } });
      const text = f.logs.join('\n');
      expect(f.logs).toHaveLength(3);
      expect(text).toContain('DEBUG');
      expect(text).toContain('"method":"PUT","path":"/latest/api/token","status":200,"client":"127.0.0.1"');
      expect(text).toContain(`"path":"${ROLE_LIST}Developer","status":200`);
      expect(text).toContain('"status":401');
      for (const secret of [token, 'wrong-token-value', 'secret-of-', 'token-of-', 'ASIAFIRSTKEY']) expect(text).not.toContain(secret);
    });
  });
});

describe('IMDS app, tokens optional', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture({ tokensRequired: false });
  });
  afterAll(() => f.close());

  it('serves a GET without a token, without a TTL header (rule 8)', async () => {
    const reply = await f.send({ path: `${ROLE_LIST}Developer` });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ AccessKeyId: 'ASIAFIRSTKEY00000001' });
    expect(reply.headers[TTL]).toBeUndefined();
  });

  it('still answers a wrong or expired token with 401 (rule 7)', async () => {
    expect((await f.send({ path: ROLE_LIST, headers: { [TOKEN]: 'forged' } })).status).toBe(401);
    const token = await f.token('1');
    expect((await f.send({ path: ROLE_LIST, headers: { [TOKEN]: token } })).headers[TTL]).toBe('1');
    f.clock.advance(1_000);
    expect((await f.send({ path: ROLE_LIST, headers: { [TOKEN]: token } })).status).toBe(401);
  });
});

describe('IMDS app under a token flood', () => {
  it('keeps the store bounded, evicting the oldest tokens', async () => {
    const f = await fixture({}, 50);
    try {
      const first = await f.token();
      const replies = await Promise.all(Array.from({ length: 120 }, () => f.token('60')));
      expect(f.tokens.size).toBe(50);
      expect((await f.send({ path: ROLE_LIST, headers: { [TOKEN]: first } })).status).toBe(401);
      expect((await f.send({ path: ROLE_LIST, headers: { [TOKEN]: replies.at(-1)! } })).status).toBe(200);
    } finally {
      await f.close();
    }
  });
});

describe('IMDS app failures', () => {
  it('answers 500 in plain text, logs the error and keeps serving when the provider throws', async () => {
    let fail = true;
    const logs: string[] = [];
    const app = createImdsApp({
      region: 'us-east-1',
      tokensRequired: false,
      logger: createLogger({ sink: (line) => logs.push(line) }),
      credentials: () => {
        if (fail) throw new Error('session broke');
        return credentialsAt(Date.now());
      },
    });
    const s = await serve(app);
    try {
      const reply = await s.send({ path: ROLE_LIST });
      expect(reply.status).toBe(500);
      expect(reply.body).toBe('Internal Server Error');
      expect(logs.join('\n')).toContain('session broke');
      fail = false;
      expect((await s.send({ path: ROLE_LIST })).body).toBe('Developer');
    } finally {
      await s.server.close();
    }
  });
});
