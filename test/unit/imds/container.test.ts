import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServedCredentials } from '../../../main/imds/app.js';
import {
  containerEnvironment,
  containerRolePath,
  createContainerApp,
  generateContainerToken,
  parseRolePath,
} from '../../../main/imds/container.js';
import type { RoleSelector } from '../../../main/imds/container.js';
import { createLogger } from '../../../main/support/logger.js';
import { manualClock, serve } from './harness.js';
import type { Served } from './harness.js';

const clock = manualClock();
const served = (roleName: string, key: string, expiresIn = 3_600_000): ServedCredentials => ({
  roleName,
  accountId: '123456789012',
  lastUpdated: clock.now(),
  credentials: { accessKeyId: key, secretAccessKey: `secret-${key}`, sessionToken: `session-${key}`, expiration: clock.now() + expiresIn },
});

describe('container-credentials endpoint (rule 28)', () => {
  const token = generateContainerToken();
  const asked: RoleSelector[] = [];
  const logs: string[] = [];
  let s: Served;
  let expired = false;
  beforeAll(async () => {
    const app = createContainerApp({
      token,
      clock,
      logger: createLogger({ level: 'debug', sink: (line) => logs.push(line) }),
      credentialsFor: (selector) => {
        asked.push(selector);
        if (selector === 'default') return served('Developer', 'ASIADEFAULT000000001', expired ? 0 : 3_600_000);
        return selector.accountId === '210987654321' && selector.roleName === 'Ops+Admin@x' ? served('Ops+Admin@x', 'ASIAOTHER00000000001') : undefined;
      },
    });
    s = await serve(app);
  });
  afterAll(() => s.server.close());

  it('makes a 32-byte token that fits a header and an env variable', () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(generateContainerToken()).not.toBe(token);
  });

  it('serves the default role as JSON with the exact token', async () => {
    const reply = await s.send({ path: '/role/default', headers: { Authorization: token } });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(JSON.parse(reply.body)).toEqual({
      AccessKeyId: 'ASIADEFAULT000000001',
      SecretAccessKey: 'secret-ASIADEFAULT000000001',
      Token: 'session-ASIADEFAULT000000001',
      Expiration: '2026-01-01T01:00:00Z',
      AccountId: '123456789012',
    });
  });

  it('serves another role at its own path', async () => {
    const path = containerRolePath({ accountId: '210987654321', roleName: 'Ops+Admin@x' });
    expect(path).toBe('/role/210987654321/Ops%2BAdmin%40x');
    const reply = await s.send({ path, headers: { Authorization: token } });
    expect(JSON.parse(reply.body)).toMatchObject({ AccessKeyId: 'ASIAOTHER00000000001' });
    expect(asked.at(-1)).toEqual({ accountId: '210987654321', roleName: 'Ops+Admin@x' });
  });

  it('answers 403 to a missing or inexact Authorization, before looking at the path', async () => {
    const before = asked.length;
    for (const authorization of [undefined, '', token.slice(1), `${token}x`, `Bearer ${token}`, token.toLowerCase(), ` ${token}A`]) {
      const headers: Record<string, string> = authorization === undefined ? {} : { Authorization: authorization };
      for (const path of ['/role/default', '/nope']) {
        const reply = await s.send({ path, headers });
        expect(reply.status, `${authorization} ${path}`).toBe(403);
        expect(reply.body).not.toContain('ASIA');
      }
    }
    expect(asked.length).toBe(before);
  });

  it('answers 404 to unknown paths and roles, and to expired credentials', async () => {
    for (const path of ['/', '/role/', '/role/default/', '/role/12345/x', '/role/210987654321/', '/role/210987654321/Nobody', '/role/210987654321/a%2Fb', '/role/210987654321/%', '/latest/meta-data/']) {
      expect((await s.send({ path, headers: { Authorization: token } })).status, path).toBe(404);
    }
    expired = true;
    try {
      expect((await s.send({ path: '/role/default', headers: { Authorization: token } })).status).toBe(404);
    } finally {
      expired = false;
    }
  });

  it('refuses other methods, bodies, foreign Hosts and Origins', async () => {
    const auth = { Authorization: token };
    for (const method of ['PUT', 'POST', 'DELETE']) {
      expect((await s.send({ method, path: '/role/default', headers: auth })).status, method).toBe(405);
    }
    expect((await s.send({ path: '/role/default', headers: { ...auth, 'Content-Length': '3' }, body: 'abc' })).status).toBe(413);
    expect((await s.send({ path: '/role/default', headers: { ...auth, Host: `evil.example:${s.server.port}` } })).status).toBe(403);
    expect((await s.send({ path: '/role/default', headers: { ...auth, Origin: 'http://evil.example' } })).status).toBe(403);
    expect((await s.send({ path: '/role/default', headers: { ...auth, Host: `localhost:${s.server.port}` } })).status).toBe(200);
  });

  it('never logs the token or the credentials', () => {
    const text = logs.join('\n');
    expect(text).toContain('"path":"/role/default","status":200');
    for (const secret of [token, 'secret-ASIA', 'session-ASIA', 'ASIADEFAULT']) expect(text).not.toContain(secret);
  });
});

describe('containerEnvironment and role paths', () => {
  it('gives the two variables users set, pointing at 127.0.0.1', () => {
    expect(containerEnvironment({ port: 9912, token: 'abc' })).toEqual({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:9912/role/default',
      AWS_CONTAINER_AUTHORIZATION_TOKEN: 'abc',
    });
    expect(containerEnvironment({ port: 1, token: 't', path: '/role/123456789012/R' }).AWS_CONTAINER_CREDENTIALS_FULL_URI).toBe(
      'http://127.0.0.1:1/role/123456789012/R',
    );
  });

  it('parses exactly the paths it makes', () => {
    for (const selector of ['default', { accountId: '123456789012', roleName: 'a+b=c,d.e@f-g_h' }] as RoleSelector[]) {
      expect(parseRolePath(containerRolePath(selector))).toEqual(selector);
    }
    for (const path of ['/role', '/role/1234567890123/R', '/role/12345678901a/R', '/role/123456789012/', '/roles/default']) {
      expect(parseRolePath(path), path).toBeUndefined();
    }
  });
});
