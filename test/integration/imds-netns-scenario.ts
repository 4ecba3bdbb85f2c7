/**
 * Runs INSIDE a network namespace made by imds-netns.test.ts (unshare, with 169.254.169.254/32 on lo):
 * `node --import tsx imds-netns-scenario.ts <required|optional|alias-missing|foreign-client>`. Prints one JSON line.
 * The clients get no endpoint variable at all: they use the real default address, as on EC2.
 */
import { request } from 'node:http';
import { createImdsApp } from '../../main/imds/app.js';
import { LINK_LOCAL_ADDRESS } from '../../main/imds/request-guards.js';
import { startMetadataServer } from '../../main/imds/server.js';
import { isCloudtokenError } from '../../main/support/errors.js';
import { IMDS_CLIENTS, accessKeysFrom, awsCliSigningScope } from '../support/aws-clients.js';

export const NETNS_ACCESS_KEY = 'ASIANAMESPACE0000001';
export const NETNS_REGION = 'ap-northeast-1';
/** An address that is neither loopback nor the alias, added to lo by the test for the foreign-client case. */
export const FOREIGN_ADDRESS = '10.254.0.7';

/** Status of a token PUT to the alias sent from `localAddress`, with a Host the allow-list accepts. */
function tokenStatusFrom(localAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ host: LINK_LOCAL_ADDRESS, port: 80, localAddress, method: 'PUT', path: '/latest/api/token', headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '60' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

async function main(mode: string): Promise<unknown> {
  const app = createImdsApp({
    region: NETNS_REGION,
    tokensRequired: mode === 'required',
    credentials: () => ({
      roleName: 'Developer',
      accountId: '123456789012',
      lastUpdated: Date.now(),
      credentials: { accessKeyId: NETNS_ACCESS_KEY, secretAccessKey: 'netns-secret', sessionToken: 'netns-session', expiration: Date.now() + 3_600_000 },
    }),
  });
  if (mode === 'alias-missing') {
    const error = await startMetadataServer({ app, host: LINK_LOCAL_ADDRESS, port: 80 }).then(
      (server) => server.close().then(() => undefined),
      (e: unknown) => e,
    );
    return isCloudtokenError(error) ? { code: error.code, message: error.message } : { code: 'none' };
  }
  const server = await startMetadataServer({ app, host: LINK_LOCAL_ADDRESS, port: 80 });
  if (mode === 'foreign-client') {
    try {
      return { foreign: await tokenStatusFrom(FOREIGN_ADDRESS), alias: await tokenStatusFrom(LINK_LOCAL_ADDRESS) };
    } finally {
      await server.close();
    }
  }
  try {
    const [keys, cli] = await Promise.all([accessKeysFrom(IMDS_CLIENTS, {}), awsCliSigningScope({})]);
    return { url: server.url, keys, cli };
  } finally {
    await server.close();
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  process.stdout.write(`${JSON.stringify(await main(process.argv[2] ?? 'required'))}\n`);
}
