/**
 * Runs INSIDE a network namespace made by imds-netns.test.ts (unshare, with 169.254.169.254/32 on lo):
 * `node --import tsx imds-netns-scenario.ts <required|optional|alias-missing>`. Prints one JSON line.
 * The clients get no endpoint variable at all: they use the real default address, as on EC2.
 */
import { createImdsApp } from '../../main/imds/app.js';
import { LINK_LOCAL_ADDRESS } from '../../main/imds/request-guards.js';
import { startMetadataServer } from '../../main/imds/server.js';
import { isCloudtokenError } from '../../main/support/errors.js';
import { IMDS_CLIENTS, accessKeysFrom, awsCliSigningScope } from '../support/aws-clients.js';

export const NETNS_ACCESS_KEY = 'ASIANAMESPACE0000001';
export const NETNS_REGION = 'ap-northeast-1';

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
