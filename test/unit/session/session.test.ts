import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InteractionRequiredError, type Authenticator, type CapturedAssertion } from '../../../main/login/capture.js';
import { createCredentialSession, type CredentialSession, type SessionEvent } from '../../../main/session/session.js';
import { DEFAULT_POLICY, policyFor } from '../../../main/session/schedule.js';
import { createStsExchange } from '../../../main/sts/assume-role.js';
import { FakeClock } from '../../support/fake-clock.js';
import { buildSamlResponse, createSigningIdentity, DEFAULT_ISSUER } from '../../support/saml-fixtures.js';
import { startStsStandIn, type StsStandIn } from '../../support/sts/stand-in.js';

const MIN = 60_000;
const PROVIDER_A = 'arn:aws:iam::111111111111:saml-provider/Corp';
const READ = 'arn:aws:iam::111111111111:role/ReadOnly';
const DEPLOY = 'arn:aws:iam::111111111111:role/team/Deploy';
const AUDIT = 'arn:aws:iam::111111111111:role/Audit';
const identity = createSigningIdentity('session-test-idp');

/**
 * The IdP side, as a small fake: it signs a real assertion at the fake clock's time, and can be told that its
 * session has ended (a silent attempt then needs the user) or that it is unreachable.
 */
class FakeIdp implements Authenticator {
  sessionAlive = true;
  reachable = true;
  calls: boolean[] = [];
  signedOut = 0;

  constructor(private readonly clock: FakeClock, private roles = [READ, DEPLOY, AUDIT]) {}

  async authenticate({ interactive }: { interactive: boolean }): Promise<CapturedAssertion> {
    this.calls.push(interactive);
    if (!this.reachable) throw new TypeError('fetch failed');
    if (!interactive && !this.sessionAlive) throw new InteractionRequiredError();
    this.sessionAlive = true;
    const samlResponse = buildSamlResponse({
      identity,
      now: this.clock.now(),
      roles: this.roles.map((role) => `${role},${PROVIDER_A}`),
      sessionName: 'alice@example.com',
    });
    return { samlResponse, relayState: undefined, acsUrl: 'https://signin.aws.amazon.com/saml' };
  }

  async signOut(): Promise<void> {
    this.signedOut += 1;
    this.sessionAlive = false;
  }
}

let standIn: StsStandIn;
let clock: FakeClock;
let session: CredentialSession | undefined;

beforeAll(async () => {
  clock = new FakeClock(Date.now());
  standIn = await startStsStandIn({
    providers: [{ arn: PROVIDER_A, issuer: DEFAULT_ISSUER, certificates: [identity.certificatePem] }],
    clock,
  });
});

afterAll(async () => {
  await standIn.close();
});

afterEach(() => {
  session?.dispose();
  session = undefined;
  standIn.setFault(undefined);
});

function start(idp: FakeIdp, extra: Partial<Parameters<typeof createCredentialSession>[0]> = {}) {
  const events: SessionEvent[] = [];
  const sts = createStsExchange({ endpointOverride: standIn.url, clock, sleep: async () => {}, maxAttempts: 2 });
  session = createCredentialSession({
    profileId: 'corp',
    authenticator: idp,
    sts,
    clock,
    timers: clock,
    random: () => 0,
    policy: policyFor(45),
    ...extra,
  });
  session.on((event) => events.push(event));
  return { session, events };
}

function waitFor(s: CredentialSession, type: SessionEvent['type']): Promise<SessionEvent> {
  return new Promise((resolve) => {
    const off = s.on((event) => {
      if (event.type === type) {
        off();
        resolve(event);
      }
    });
  });
}

describe('CredentialSession', () => {
  it('signs in, lets the user choose among several roles, and serves the chosen one', async () => {
    const idp = new FakeIdp(clock);
    const { session: s } = start(idp);
    const afterSignIn = await s.signIn();
    expect(afterSignIn.phase).toBe('choosing-role');
    expect(afterSignIn.roles.map((r) => r.roleArn)).toEqual([READ, DEPLOY, AUDIT]);
    expect(s.metadataCredentials()).toBeUndefined();

    const active = await s.chooseRole(DEPLOY);
    expect(active.phase).toBe('active');
    const held = s.metadataCredentials();
    expect(held?.role.roleArn).toBe(DEPLOY);
    expect(held?.assumedRoleArn).toBe('arn:aws:sts::111111111111:assumed-role/Deploy/alice@example.com');
    expect(standIn.issued.at(-1)?.accessKeyId).toBe(held?.credentials.accessKeyId);
    // The assertion from the interactive sign-in was reused: no second trip to the IdP.
    expect(idp.calls).toEqual([true]);
  });

  it('switches roles with the still-valid assertion, and without another prompt once it is too old', async () => {
    const idp = new FakeIdp(clock);
    const { session: s } = start(idp);
    await s.signIn();
    await s.chooseRole(READ);
    await s.chooseRole(AUDIT);
    expect(idp.calls).toEqual([true]);
    await clock.advance(10 * MIN);
    await s.chooseRole(READ);
    expect(idp.calls).toEqual([true, false]);
    expect(s.metadataCredentials()?.role.roleArn).toBe(READ);
  });

  it('restores the remembered role after the next sign-in and reports choice changes', async () => {
    const choices: unknown[] = [];
    const { session: s } = start(new FakeIdp(clock), {
      remembered: { metadataRoleArn: AUDIT, keptActiveRoleArns: [READ] },
      onChoiceChanged: (choice) => choices.push(choice),
    });
    const snapshot = await s.signIn();
    expect(snapshot.phase).toBe('active');
    expect(snapshot.active.map((a) => [a.role.roleArn, a.metadata, a.keptActive])).toEqual([
      [AUDIT, true, false],
      [READ, false, true],
    ]);
    expect(s.credentialsFor(READ)?.role.roleArn).toBe(READ);
    await s.setKeptActive(READ, false);
    expect(s.credentialsFor(READ)).toBeUndefined();
    expect(choices.at(-1)).toEqual({ metadataRoleArn: AUDIT, keptActiveRoleArns: [] });
  });

  it('refreshes silently on schedule, before less than 25 minutes remain', async () => {
    const idp = new FakeIdp(clock);
    const { session: s } = start(idp, { remembered: { metadataRoleArn: READ } });
    await s.signIn();
    const first = s.metadataCredentials();
    const scheduled = s.snapshot().nextRefreshAt;
    // 1-hour credentials: refreshed 25 minutes (+2 for the refresh itself) before they expire, not at 45.
    expect(scheduled).toBe((first?.credentials.expiration ?? 0) - 27 * MIN);
    const refreshed = waitFor(s, 'refreshed');
    await clock.advance(33 * MIN);
    await refreshed;
    const second = s.metadataCredentials();
    expect(second?.credentials.accessKeyId).not.toBe(first?.credentials.accessKeyId);
    expect(idp.calls).toEqual([true, false]);
    expect((second?.credentials.expiration ?? 0) - clock.now()).toBeGreaterThan(25 * MIN);
  });

  it('asks for the user when the IdP session ended, keeps serving until expiry, then withdraws', async () => {
    const idp = new FakeIdp(clock);
    const { session: s, events } = start(idp, { remembered: { metadataRoleArn: READ } });
    await s.signIn();
    const expiresAt = s.metadataCredentials()?.credentials.expiration ?? 0;
    idp.sessionAlive = false;
    const needs = waitFor(s, 'needs-sign-in');
    await clock.advance(33 * MIN);
    await needs;
    expect(s.snapshot().phase).toBe('needs-sign-in');
    expect(s.snapshot().error?.code).toBe('INTERACTION_REQUIRED');
    expect(s.metadataCredentials()).toBeDefined();

    await clock.advance(expiresAt - clock.now() - 10 * MIN);
    expect(events.some((e) => e.type === 'expiring')).toBe(true);
    await clock.advance(10 * MIN);
    expect(s.metadataCredentials()).toBeUndefined();
    expect(events.some((e) => e.type === 'expired')).toBe(true);

    // Signing in again brings everything back.
    const back = await s.signIn();
    expect(back.phase).toBe('active');
    expect(s.metadataCredentials()).toBeDefined();
  });

  it('retries transient failures with backoff while credentials are valid, then recovers', async () => {
    const idp = new FakeIdp(clock);
    const { session: s } = start(idp, { remembered: { metadataRoleArn: READ } });
    await s.signIn();
    const old = s.metadataCredentials();
    standIn.setFault({ kind: 'internal', times: 2, actions: ['AssumeRoleWithSAML'] });
    const failed = waitFor(s, 'refresh-failed');
    await clock.advance(33 * MIN);
    const failure = (await failed) as Extract<SessionEvent, { type: 'refresh-failed' }>;
    expect(failure.retryAt).toBeGreaterThan(clock.now());
    expect(s.snapshot().phase).toBe('active');
    expect(s.metadataCredentials()?.credentials.accessKeyId).toBe(old?.credentials.accessKeyId);

    const refreshed = waitFor(s, 'refreshed');
    await clock.advance((failure.retryAt ?? 0) - clock.now());
    await refreshed;
    expect(s.metadataCredentials()?.credentials.accessKeyId).not.toBe(old?.credentials.accessKeyId);
    expect(s.snapshot().error).toBeUndefined();
  });

  it('treats an unreachable IdP as transient: old credentials stay until they expire, never after', async () => {
    const idp = new FakeIdp(clock);
    const { session: s } = start(idp, { remembered: { metadataRoleArn: READ } });
    await s.signIn();
    const expiresAt = s.metadataCredentials()?.credentials.expiration ?? 0;
    idp.reachable = false;
    await clock.advance(expiresAt - clock.now() - 1);
    expect(s.metadataCredentials()).toBeDefined();
    expect(s.snapshot().error?.message).toMatch(/fetch failed/);
    await clock.advance(1);
    expect(s.metadataCredentials()).toBeUndefined();
    expect(s.snapshot().phase).toBe('expired');
  });

  it('fails with the STS message on a hard error such as access denied', async () => {
    const { session: s } = start(new FakeIdp(clock), { remembered: { metadataRoleArn: READ } });
    await s.signIn();
    standIn.setFault({ kind: 'accessDenied', actions: ['AssumeRoleWithSAML'] });
    await s.refreshNow();
    const snapshot = s.snapshot();
    expect(snapshot.phase).toBe('failed');
    expect(snapshot.error?.message).toMatch(/trust policy|not authorized|AccessDenied/i);
    expect(snapshot.nextRefreshAt).toBeUndefined();
  });

  it('runs one operation at a time: a role switch during a refresh waits for it and wins', async () => {
    const { session: s } = start(new FakeIdp(clock), { remembered: { metadataRoleArn: READ } });
    await s.signIn();
    standIn.setFault({ kind: 'delay', ms: 200, times: 1 });
    const refresh = s.refreshNow();
    const phases: string[] = [];
    s.on((event) => event.type === 'changed' && phases.push(event.snapshot.phase));
    const choose = s.chooseRole(AUDIT);
    await Promise.all([refresh, choose]);
    expect(s.metadataCredentials()?.role.roleArn).toBe(AUDIT);
    expect(phases.at(-1)).toBe('active');
    expect(phases).toContain('active');
  });

  it('notices a sleep through the clock watchdog and refreshes at once', async () => {
    const idp = new FakeIdp(clock);
    const { session: s } = start(idp, { remembered: { metadataRoleArn: READ }, watchdogIntervalMs: 30_000 });
    await s.signIn();
    const before = s.metadataCredentials();
    clock.sleep(50 * MIN);
    const refreshed = waitFor(s, 'refreshed');
    await clock.advance(30_000);
    await refreshed;
    expect(s.metadataCredentials()?.credentials.accessKeyId).not.toBe(before?.credentials.accessKeyId);
  });

  it('signs out: withdraws every credential and forgets the IdP session', async () => {
    const idp = new FakeIdp(clock);
    const { session: s } = start(idp, { remembered: { metadataRoleArn: READ, keptActiveRoleArns: [AUDIT] } });
    await s.signIn();
    expect(s.servedCredentials()).toHaveLength(2);
    const out = await s.signOut();
    expect(out.phase).toBe('signed-out');
    expect(s.servedCredentials()).toEqual([]);
    expect(idp.signedOut).toBe(1);
    expect(clock.pending()).toEqual([]);
  });

  it('refuses a role the IdP does not offer', async () => {
    const { session: s } = start(new FakeIdp(clock));
    await s.signIn();
    await expect(s.chooseRole('arn:aws:iam::111111111111:role/Admin')).rejects.toMatchObject({ code: 'ROLE_NOT_OFFERED' });
  });
});

describe('CredentialSession with credentials of any length, and what it publishes', () => {
  let short: StsStandIn;
  beforeAll(async () => {
    short = await startStsStandIn({
      providers: [{ arn: PROVIDER_A, issuer: DEFAULT_ISSUER, certificates: [identity.certificatePem] }],
      clock,
      credentialLifetimeSeconds: 120,
    });
  });
  afterAll(() => short.close());
  afterEach(() => short.setFault(undefined));

  const startShort = (idp: FakeIdp, extra: Partial<Parameters<typeof createCredentialSession>[0]> = {}) =>
    start(idp, { sts: createStsExchange({ endpointOverride: short.url, clock, sleep: async () => {}, maxAttempts: 1 }), remembered: { metadataRoleArn: READ }, policy: policyFor(undefined), ...extra });

  /** Steps the fake clock, noting at every step what the metadata service would serve. */
  async function observe(s: CredentialSession, ms: number, stepMs = 5_000) {
    const gaps: number[] = [];
    const expiredServed: number[] = [];
    for (let t = 0; t < ms; t += stepMs) {
      await clock.advance(stepMs);
      const held = s.metadataCredentials();
      if (!held) gaps.push(clock.now());
      else if (held.credentials.expiration <= clock.now()) expiredServed.push(clock.now());
    }
    return { gaps, expiredServed };
  }

  it('serves 2-minute credentials without a gap, refreshing at half their life, and never says they need you', async () => {
    const { session: s, events } = startShort(new FakeIdp(clock));
    await s.signIn();
    const issuedBefore = short.issued.length;
    const { gaps, expiredServed } = await observe(s, 10 * MIN);
    expect({ gaps, expiredServed }).toEqual({ gaps: [], expiredServed: [] });
    // One refresh a minute (half of 120 s), jitter aside: not one every 5 minutes, and not a flood.
    expect(short.issued.length - issuedBefore).toBeGreaterThanOrEqual(9);
    expect(short.issued.length - issuedBefore).toBeLessThanOrEqual(11);
    expect(events.filter((e) => e.type === 'expiring')).toEqual([]);
  });

  it('an IdP outage longer than the credentials: served until expiry, never after, retries go on, recovery on return', async () => {
    const idp = new FakeIdp(clock);
    const { session: s, events } = startShort(idp);
    await s.signIn();
    const expiresAt = s.metadataCredentials()?.credentials.expiration ?? 0;
    idp.reachable = false;
    const during = await observe(s, 6 * MIN, 1_000);
    expect(during.expiredServed).toEqual([]);
    expect(during.gaps[0]).toBe(Math.ceil(expiresAt / 1000) * 1000);
    expect(s.snapshot()).toMatchObject({ phase: 'expired', error: { message: 'fetch failed' } });
    // Retries keep going after expiry, capped, and nothing claims the user must act: the network may return.
    expect(s.snapshot().nextRefreshAt).toBeGreaterThan(clock.now());
    expect(events.filter((e) => e.type === 'expiring')).toEqual([]);
    const failures = events.filter((e) => e.type === 'refresh-failed').length;
    expect(failures).toBeGreaterThanOrEqual(4);
    expect(failures).toBeLessThanOrEqual(8);

    idp.reachable = true;
    await clock.advance(DEFAULT_POLICY.retryMaxMs * 1.2);
    expect(s.snapshot()).toMatchObject({ phase: 'active', error: undefined });
    expect(s.metadataCredentials()?.credentials.expiration).toBeGreaterThan(clock.now());
  });

  it('on resume (wake, network change) retries at once instead of waiting out the backoff', async () => {
    const idp = new FakeIdp(clock);
    const { session: s } = startShort(idp);
    await s.signIn();
    idp.reachable = false;
    await clock.advance(2 * MIN);
    const waiting = s.snapshot().nextRefreshAt ?? 0;
    expect(waiting).toBeGreaterThan(clock.now() + 10_000);
    idp.reachable = true;
    const resumed = await s.onResume();
    expect(resumed).toMatchObject({ phase: 'active', error: undefined });
    expect(s.metadataCredentials()?.credentials.expiration).toBeGreaterThan(clock.now() + MIN);
  });

  it('says "cannot be renewed without you" only when nothing will renew them: the IdP wants the user', async () => {
    const idp = new FakeIdp(clock);
    const { session: s, events } = startShort(idp);
    await s.signIn();
    idp.sessionAlive = false;
    await clock.advance(70_000);
    expect(s.snapshot()).toMatchObject({ phase: 'needs-sign-in', nextRefreshAt: undefined });
    expect(events.filter((e) => e.type === 'expiring').map((e) => e.type)).toEqual(['expiring']);
  });

  it('every published snapshot carries the real next refresh or retry, through a failure and the recovery', async () => {
    const { session: s, events } = startShort(new FakeIdp(clock));
    const published: Array<{ at: number; phase: string; next: number | undefined }> = [];
    s.on((event) => event.type === 'changed' && published.push({ at: clock.now(), phase: event.snapshot.phase, next: event.snapshot.nextRefreshAt }));
    await s.signIn();
    short.setFault({ kind: 'internal', times: 2, actions: ['AssumeRoleWithSAML'] });
    await clock.advance(4 * MIN);
    const retries = events.flatMap((e) => (e.type === 'refresh-failed' ? [e.retryAt] : []));
    expect(retries).toHaveLength(2);
    const active = published.filter((p) => p.phase === 'active');
    expect(active.length).toBeGreaterThanOrEqual(5);
    expect(active.filter((p) => p.next === undefined || p.next <= p.at)).toEqual([]);
    // The snapshot published with each failure names that failure's retry time.
    for (const retryAt of retries) expect(active.some((p) => p.next === retryAt)).toBe(true);
    // And the last one, after the recovery, names the refresh that is actually scheduled.
    expect(published.at(-1)?.next).toBe(s.snapshot().nextRefreshAt);
    expect(clock.pending()).toContain(s.snapshot().nextRefreshAt);
  });
});
