import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IMDS_NO_PROXY, createImdsApp } from '../../main/imds/app.js';
import type { ServedCredentials } from '../../main/imds/app.js';
import { containerEnvironment, containerRolePath, createContainerApp, generateContainerToken } from '../../main/imds/container.js';
import { startMetadataServer } from '../../main/imds/server.js';
import type { RunningServer } from '../../main/imds/server.js';
import { CONTAINER_CLIENTS, IMDS_CLIENTS, accessKeyFrom, accessKeysFrom } from '../support/aws-clients.js';

/**
 * The real clients (JS SDK v3, AWS CLI v2, botocore) against our endpoints on 127.0.0.1, each told where to
 * look by its endpoint variable, so none of them ever goes near 169.254.169.254. The real default address is
 * covered in imds-netns.test.ts, inside an unshare'd network namespace (netns).
 */
const HOUR = 3_600_000;
const served = (key: string, roleName = 'Developer', accountId = '123456789012'): ServedCredentials => ({
  roleName,
  accountId,
  lastUpdated: Date.now(),
  credentials: { accessKeyId: key, secretAccessKey: `secret/${key}+x`, sessionToken: `IQoJb3JpZ2luX2VjE${key}`, expiration: Date.now() + HOUR },
});
const expectAll = (keys: Record<string, string>, clients: readonly string[], key: string) =>
  expect(keys).toEqual(Object.fromEntries(clients.map((client) => [client, key])));

describe('real AWS clients read our endpoints on loopback', () => {
  let current = served('ASIAINTEGRATION00001');
  const other = served('ASIAOTHERROLE0000001', 'Auditor', '210987654321');
  const token = generateContainerToken();
  const servers: RunningServer[] = [];
  let required: RunningServer;
  let optional: RunningServer;
  let container: RunningServer;

  beforeAll(async () => {
    const imds = (tokensRequired: boolean) =>
      startMetadataServer({ app: createImdsApp({ credentials: () => current, region: 'eu-central-1', tokensRequired }), host: '127.0.0.1', port: 0 });
    const containerApp = createContainerApp({
      token,
      credentialsFor: (selector) =>
        selector === 'default' ? current : selector.accountId === other.accountId && selector.roleName === other.roleName ? other : undefined,
    });
    [required, optional, container] = await Promise.all([
      imds(true),
      imds(false),
      startMetadataServer({ app: containerApp, host: '127.0.0.1', port: 0 }),
    ]);
    servers.push(required, optional, container);
  });
  afterAll(() => Promise.all(servers.map((server) => server.close())));

  // The endpoint ends in `/`: AWS CLI v2.9 appends `latest/…` with no separator.
  const imdsVars = (server: RunningServer) => ({ AWS_EC2_METADATA_SERVICE_ENDPOINT: server.url });
  const containerVars = (path?: string) => ({
    ...containerEnvironment({ port: container.port, token, path }),
    AWS_EC2_METADATA_DISABLED: 'true',
  });

  it('every client gets the exact key in both token modes and through the container endpoint, and the new key after a swap', async () => {
    const [inRequired, inOptional, inContainer] = await Promise.all([
      accessKeysFrom(IMDS_CLIENTS, imdsVars(required)),
      accessKeysFrom(IMDS_CLIENTS, imdsVars(optional)),
      accessKeysFrom(CONTAINER_CLIENTS, containerVars()),
    ]);
    expectAll(inRequired, IMDS_CLIENTS, 'ASIAINTEGRATION00001');
    expectAll(inOptional, IMDS_CLIENTS, 'ASIAINTEGRATION00001');
    expectAll(inContainer, CONTAINER_CLIENTS, 'ASIAINTEGRATION00001');

    current = served('ASIASWAPPED000000002');
    const [afterSwap, containerAfterSwap] = await Promise.all([
      accessKeysFrom(IMDS_CLIENTS, imdsVars(required)),
      accessKeysFrom(CONTAINER_CLIENTS, containerVars()),
    ]);
    expectAll(afterSwap, IMDS_CLIENTS, 'ASIASWAPPED000000002');
    expectAll(containerAfterSwap, CONTAINER_CLIENTS, 'ASIASWAPPED000000002');
  }, 300_000);

  it('serves another role at its own container path', async () => {
    const path = containerRolePath({ accountId: other.accountId, roleName: other.roleName });
    expect(await accessKeyFrom('js-container', containerVars(path))).toBe('ASIAOTHERROLE0000001');
  });

  it('gives clients nothing with a wrong container token or once the credentials have expired', async () => {
    const wrong = { ...containerVars(), AWS_CONTAINER_AUTHORIZATION_TOKEN: generateContainerToken() };
    const expiredBefore = current;
    const results = await Promise.all([
      accessKeyFrom('js-container', wrong).catch((error: Error) => error.message),
      (async () => {
        current = { ...current, credentials: { ...current.credentials, expiration: Date.now() - 1 } };
        return accessKeyFrom('js-imds', imdsVars(required)).catch((error: Error) => error.message);
      })(),
    ]);
    current = expiredBefore;
    for (const result of results) expect(result).toMatch(/exited 1/);
  });

  it('reaches botocore and the CLI behind a proxy only with the documented NO_PROXY (rule 27)', async () => {
    let proxied = 0;
    const proxy = createServer((req, res) => {
      proxied += 1;
      req.resume();
      res.writeHead(502).end();
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const proxyVars = { ...imdsVars(required), HTTP_PROXY: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` };
      expectAll(await accessKeysFrom(['botocore', 'aws-cli'], { ...proxyVars, NO_PROXY: IMDS_NO_PROXY }), ['botocore', 'aws-cli'], current.credentials.accessKeyId);
      expect(proxied).toBe(0);
      await expect(accessKeyFrom('botocore', proxyVars)).rejects.toThrow(/exited 1/);
      expect(proxied).toBeGreaterThan(0);
    } finally {
      proxy.closeAllConnections();
      proxy.close();
    }
  });
});
