import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromInstanceMetadata } from '@smithy/credential-provider-imds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Authenticator, CapturedAssertion } from '../../main/login/capture.js';
import { createFormAuthenticator } from '../../main/login/form.js';
import { createCredentialSession, type CredentialSession, type SessionEvent } from '../../main/session/session.js';
import type { SchedulePolicy } from '../../main/session/schedule.js';
import { startCredentialService, type RunningCredentialService } from '../../main/runtime/serving.js';
import { createStsExchange } from '../../main/sts/assume-role.js';
import { ALICE, startIdp, type RunningIdp } from '../support/idp/index.js';
import { buildSamlResponse, createSigningIdentity, DEFAULT_ISSUER } from '../support/saml-fixtures.js';
import { startStsStandIn, type StsStandIn } from '../support/sts/stand-in.js';

/**
 * The credential session with real parts around it, in real time on a compressed schedule: SimpleSAMLphp and
 * the form authenticator (silent refresh with cookies, then "interaction required" once the IdP session ends),
 * the strict STS stand-in, the metadata service, and the AWS SDK for JavaScript reading through it.
 */
const SECOND = 1000;
const quickPolicy: SchedulePolicy = {
  refreshIntervalMs: 2 * SECOND,
  minIntervalMs: SECOND,
  shortLifetimeShare: 0.5,
  refreshFloorMs: SECOND,
  minRemainingMs: 0,
  refreshAllowanceMs: 0,
  maxJitterMs: 0,
  retryBaseMs: 500,
  retryMaxMs: SECOND,
  expiryWarningMs: 5 * SECOND,
};
const providers = (issuer: string, certificate: string) =>
  ['111111111111', '222222222222'].map((account) => ({
    arn: `arn:aws:iam::${account}:saml-provider/CloudtokenTestIdP`,
    issuer,
    certificates: [certificate],
  }));

function next(session: CredentialSession, type: SessionEvent['type'], timeoutMs = 20_000): Promise<SessionEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} event within ${timeoutMs} ms`)), timeoutMs);
    const off = session.on((event) => {
      if (event.type !== type) return;
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });
}

/** The JS SDK's instance-metadata provider, pointed at our loopback service (it reads the endpoint from the environment). */
function imdsProvider(endpoint: string) {
  process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = endpoint;
  // Generous: on a loaded two-core CI runner this one process also runs the session, the stand-in and the readers.
  return fromInstanceMetadata({ maxRetries: 0, timeout: 15_000 });
}
const sdkKey = (endpoint: string) => imdsProvider(endpoint)().then((c) => c.accessKeyId);

describe('credential session against SimpleSAMLphp, the STS stand-in and the JS SDK', () => {
  let idp: RunningIdp;
  let standIn: StsStandIn;
  let dir: string;
  let session: CredentialSession | undefined;
  let service: RunningCredentialService | undefined;

  beforeAll(async () => {
    idp = await startIdp({ sessionDuration: 9 });
    standIn = await startStsStandIn({ providers: providers(idp.entityId, idp.certificatePem), credentialLifetimeSeconds: 16 });
    dir = await mkdtemp(join(tmpdir(), 'cloudtoken-session-'));
  }, 60_000);

  afterAll(async () => {
    session?.dispose();
    await service?.close();
    await standIn?.close();
    await idp?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('refreshes silently with the IdP cookies, asks for the user once the IdP session ends, and never serves expired credentials', async () => {
    let passwordAsked = 0;
    const authenticator = createFormAuthenticator({
      signInUrl: idp.signInUrl,
      username: 'alice',
      password: async () => {
        passwordAsked += 1;
        return ALICE.password;
      },
      cookieJarPath: join(dir, 'jar.json'),
    });
    session = createCredentialSession({
      profileId: 'test',
      authenticator,
      sts: createStsExchange({ endpointOverride: standIn.url }),
      policy: quickPolicy,
      remembered: { metadataRoleArn: 'arn:aws:iam::111111111111:role/Developer', keptActiveRoleArns: ['arn:aws:iam::222222222222:role/ReadOnly'] },
    });
    const events: SessionEvent['type'][] = [];
    session.on((event) => events.push(event.type));
    const signedIn = await session.signIn();
    expect(signedIn.phase).toBe('active');
    expect(passwordAsked).toBe(1);
    service = await startCredentialService({ session, mode: 'loopback', port: 0, containerPort: 0, region: () => 'us-east-1', tokensRequired: true });

    const first = await sdkKey(service.imdsUrl);
    expect(first).toBe(session.metadataCredentials()?.credentials.accessKeyId);

    await next(session, 'refreshed');
    const second = await sdkKey(service.imdsUrl);
    expect(second).not.toBe(first);
    expect(passwordAsked).toBe(1);
    // The kept-active role was refreshed with it.
    expect(session.credentialsFor('arn:aws:iam::222222222222:role/ReadOnly')?.credentials.accessKeyId).toBe(
      standIn.issued.filter((i) => i.roleArn.endsWith('ReadOnly')).at(-1)?.accessKeyId,
    );

    const needs = (await next(session, 'needs-sign-in')) as Extract<SessionEvent, { type: 'needs-sign-in' }>;
    expect(needs.error.code).toBe('INTERACTION_REQUIRED');
    expect(passwordAsked).toBe(1);
    // SimpleSAMLphp caps the assertion's SessionNotOnOrAfter at its own session's end, and STS caps the
    // credentials there too: whatever is still valid is served, nothing past its expiry.
    const last = session.metadataCredentials();
    if (last) expect(await sdkKey(service.imdsUrl)).toBe(last.credentials.accessKeyId);
    await expect.poll(() => session?.metadataCredentials(), { timeout: 30_000, interval: 250 }).toBeUndefined();
    await expect(sdkKey(service.imdsUrl)).rejects.toThrow();
    expect(events).toContain('expired');
    expect(session.snapshot().phase).toBe('needs-sign-in');
    // "Cannot be renewed without you" is said only once it is true, after the IdP asked for the user, and
    // whenever credentials were still valid then (the IdP's session end may cap them at that very moment).
    if (last) expect(events.indexOf('expiring')).toBeGreaterThan(events.indexOf('needs-sign-in'));
    else expect(events.slice(0, events.indexOf('needs-sign-in'))).not.toContain('expiring');
  }, 90_000);
});

describe('rotation under load', () => {
  const identity = createSigningIdentity('rotation-idp');
  const roleArn = 'arn:aws:iam::111111111111:role/Developer';
  let standIn: StsStandIn;

  beforeAll(async () => {
    standIn = await startStsStandIn({ providers: providers(DEFAULT_ISSUER, identity.certificatePem) });
  });
  afterAll(() => standIn?.close());

  it('32 concurrent SDK readers through 100 rotations: no errors, no expired or mixed credentials', async () => {
    // A signed assertion per sign-in, as an IdP would send; the IdP itself is exercised above.
    const idp: Authenticator = {
      authenticate: async (): Promise<CapturedAssertion> => {
        const samlResponse = buildSamlResponse({ identity, roles: [`${roleArn},arn:aws:iam::111111111111:saml-provider/CloudtokenTestIdP`] });
        return { samlResponse, relayState: undefined, acsUrl: 'https://signin.aws.amazon.com/saml' };
      },
      signOut: async () => undefined,
    };
    const session = createCredentialSession({
      profileId: 'load',
      authenticator: idp,
      sts: createStsExchange({ endpointOverride: standIn.url }),
      remembered: { metadataRoleArn: roleArn },
    });
    await session.signIn();
    const service = await startCredentialService({ session, mode: 'loopback', port: 0, containerPort: 0, region: () => 'us-east-1', tokensRequired: true });
    try {
      let rotating = true;
      const seen: Array<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date; readAt: number }> = [];
      const errors: string[] = [];
      const reader = async () => {
        while (rotating) {
          try {
            const credentials = await imdsProvider(service.imdsUrl)();
            seen.push({ ...credentials, readAt: Date.now() });
          } catch (error) {
            errors.push(`${(error as Error).message} (${(error as { statusCode?: number }).statusCode ?? 'no status'})`);
          }
        }
      };
      const readers = Array.from({ length: 32 }, reader);
      for (let rotation = 0; rotation < 100; rotation += 1) await session.refreshNow();
      rotating = false;
      await Promise.all(readers);

      const issued = new Map(standIn.issued.map((c) => [c.accessKeyId, c]));
      const mixed = seen.filter((c) => {
        const truth = issued.get(c.accessKeyId);
        return !truth || truth.secretAccessKey !== c.secretAccessKey || truth.sessionToken !== c.sessionToken;
      });
      const expired = seen.filter((c) => c.expiration === undefined || c.expiration.getTime() <= c.readAt);
      expect(standIn.issued.length).toBe(101);
      expect(errors).toEqual([]);
      expect(mixed).toEqual([]);
      expect(expired).toEqual([]);
      expect(new Set(seen.map((c) => c.accessKeyId)).size).toBeGreaterThan(10);
    } finally {
      session.dispose();
      await service.close();
    }
  }, 180_000);
});
