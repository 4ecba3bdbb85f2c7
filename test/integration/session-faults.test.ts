import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFormAuthenticator } from '../../main/login/form.js';
import type { SchedulePolicy } from '../../main/session/schedule.js';
import { createCredentialSession, type CredentialSession, type SessionEvent } from '../../main/session/session.js';
import { createStsExchange } from '../../main/sts/assume-role.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { ALICE, startIdp, type RunningIdp } from '../support/idp/index.js';
import { startStsStandIn, type StsStandIn } from '../support/sts/stand-in.js';

/**
 * The session with the real form sign-in against SimpleSAMLphp behind a fault proxy, and the STS stand-in, on
 * a compressed schedule in real time: an IdP that stops answering during a refresh is retried with backoff,
 * the old credentials are served while valid, and the first attempt after the IdP is back renews them.
 */
const SECOND = 1000;
const policy: SchedulePolicy = {
  refreshIntervalMs: 3 * SECOND,
  minIntervalMs: SECOND,
  shortLifetimeShare: 0.5,
  refreshFloorMs: SECOND,
  minRemainingMs: 0,
  refreshAllowanceMs: 0,
  maxJitterMs: 0,
  retryBaseMs: SECOND,
  retryMaxMs: 4 * SECOND,
  expiryWarningMs: 2 * SECOND,
};
const ROLE = 'arn:aws:iam::111111111111:role/Developer';

describe('an IdP outage during a refresh (SimpleSAMLphp behind a fault proxy, the STS stand-in)', () => {
  let proxy: FaultProxy;
  let idp: RunningIdp;
  let standIn: StsStandIn;
  let dir: string;
  let session: CredentialSession | undefined;

  beforeAll(async () => {
    proxy = await startFaultProxy();
    idp = await startIdp({ frontPort: proxy.port });
    proxy.targetPort = idp.listenPort;
    standIn = await startStsStandIn({
      providers: [{ arn: 'arn:aws:iam::111111111111:saml-provider/CloudtokenTestIdP', issuer: idp.entityId, certificates: [idp.certificatePem] }],
      credentialLifetimeSeconds: 20,
    });
    dir = await mkdtemp(join(tmpdir(), 'cloudtoken-session-faults-'));
  }, 60_000);

  afterAll(async () => {
    session?.dispose();
    await standIn?.close();
    await idp?.stop();
    await proxy?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('retries a refused IdP with growing backoff, serves the old credentials meanwhile, and recovers when it is back', async () => {
    session = createCredentialSession({
      profileId: 'faults',
      authenticator: createFormAuthenticator({ signInUrl: idp.signInUrl, username: 'alice', password: async () => ALICE.password, cookieJarPath: join(dir, 'jar.json') }),
      sts: createStsExchange({ endpointOverride: standIn.url }),
      policy,
      remembered: { metadataRoleArn: ROLE },
    });
    const s = session;
    await s.signIn();
    const old = s.metadataCredentials();
    expect(old).toBeDefined();

    // Every 50 ms: what would be served is either nothing or credentials still valid — never expired ones.
    const served: Array<{ at: number; key: string | undefined; expiresAt: number | undefined }> = [];
    const watch = setInterval(() => {
      const held = s.metadataCredentials();
      served.push({ at: Date.now(), key: held?.credentials.accessKeyId, expiresAt: held?.credentials.expiration });
    }, 50);
    const failures: Array<Extract<SessionEvent, { type: 'refresh-failed' }> & { at: number }> = [];
    const recovered = new Promise<number>((resolve) => {
      s.on((event) => {
        if (event.type === 'refresh-failed') failures.push({ ...event, at: Date.now() });
        if (event.type === 'refreshed') resolve(Date.now());
      });
    });
    await proxy.setFault({ kind: 'refuse' });
    try {
      await expect.poll(() => failures.length, { timeout: 15 * SECOND, interval: 50 }).toBeGreaterThanOrEqual(2);
      const idpRefusedAt = Date.now();
      await proxy.setFault({ kind: 'pass' });
      const recoveredAt = await recovered;

      expect(failures.slice(0, 2).map((f) => f.error.code)).toEqual(['FORM_NETWORK', 'FORM_NETWORK']);
      expect(failures[0]?.error.message).toMatch(/ECONNREFUSED/);
      const delays = failures.slice(0, 2).map((f) => (f.retryAt ?? 0) - f.at);
      // Backoff with ±20 % jitter: about 1 s, then about 2 s.
      expect(delays[0]).toBeGreaterThanOrEqual(0.75 * SECOND);
      expect(delays[0]).toBeLessThanOrEqual(1.25 * SECOND);
      expect(delays[1]).toBeGreaterThanOrEqual(1.55 * SECOND);
      expect(delays[1]).toBeLessThanOrEqual(2.45 * SECOND);
      // The next attempt after the IdP came back renewed the credentials: within one (capped) backoff.
      expect(recoveredAt - idpRefusedAt).toBeLessThanOrEqual(policy.retryMaxMs * 1.2 + SECOND);
      const renewed = s.metadataCredentials();
      expect(renewed?.credentials.accessKeyId).not.toBe(old?.credentials.accessKeyId);
      expect(standIn.issued.at(-1)?.accessKeyId).toBe(renewed?.credentials.accessKeyId);
      const snapshot = s.snapshot();
      expect({ phase: snapshot.phase, error: snapshot.error }).toEqual({ phase: 'active', error: undefined });
      expect(snapshot.nextRefreshAt).toBeGreaterThan(Date.now());
    } finally {
      clearInterval(watch);
    }
    const outage = served.filter((p) => p.at <= (failures.at(-1)?.at ?? 0));
    expect(outage.length).toBeGreaterThan(10);
    expect(outage.every((p) => p.key === old?.credentials.accessKeyId)).toBe(true);
    expect(served.filter((p) => p.key !== undefined && (p.expiresAt ?? 0) <= p.at)).toEqual([]);
  }, 40_000);
});
