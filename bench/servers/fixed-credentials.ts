import type { ServedCredentials } from '../../main/imds/app.js';

/** The one role every throughput benchmark serves, and the exact bytes the baselines answer with. */
export const BENCH_ROLE = 'cloudtoken-bench';
export const ROLE_LIST_PATH = '/latest/meta-data/iam/security-credentials/';
export const CREDENTIALS_PATH = `${ROLE_LIST_PATH}${BENCH_ROLE}`;
export const TOKEN_PATH = '/latest/api/token';
export const TOKEN_TTL_SECONDS = 21_600;

const ISSUED_AT = Date.parse('2026-01-01T00:00:00Z');

export function fixedServedCredentials(): ServedCredentials {
  return {
    roleName: BENCH_ROLE,
    accountId: '123456789012',
    lastUpdated: ISSUED_AT,
    credentials: {
      accessKeyId: 'ASIABENCHMARK0000001',
      secretAccessKey: 'c2VjcmV0LWJlbmNobWFyay1rZXktbm90LXJlYWwtMDAwMDAw',
      sessionToken: `IQoJb3JpZ2luX2VjE${'B'.repeat(600)}`,
      // Fixed (so every server sends identical bytes) and far ahead (the service never serves expired ones).
      expiration: Date.parse('2099-01-01T00:00:00Z'),
    },
  };
}

/** The baselines answer with exactly the document our service writes. */
export { credentialsDocument } from '../../main/imds/app.js';
