import { describe, expect, it } from 'vitest';
import { createCredentialEventTracker } from '../../../main/plugins/credential-events.js';
import type { RoleCredentials } from '../../../main/sts/types.js';

const role = (name: string) => ({ roleArn: `arn:aws:iam::111111111111:role/${name}`, principalArn: 'arn:aws:iam::111111111111:saml-provider/P', accountId: '111111111111', roleName: name, partition: 'aws' as const });
const held = (name: string, key: string, expiration: number): RoleCredentials => ({
  role: role(name),
  credentials: { accessKeyId: key, secretAccessKey: `secret-${key}`, sessionToken: `token-${key}`, expiration },
  assumedRoleArn: `arn:aws:sts::111111111111:assumed-role/${name}/alice`,
  obtainedAt: 0,
});
const base = { profile: { id: 'idp-a', name: 'A' }, region: 'eu-west-1' };

describe('credential events from what the session serves', () => {
  it('issues, refreshes, stays quiet when nothing changed, and withdraws by expiry or by no longer serving', () => {
    const tracker = createCredentialEventTracker();
    const first = tracker.next({ ...base, served: [held('Dev', 'K1', 5000)], metadataRoleArn: role('Dev').roleArn, now: 1000 });
    expect(first).toEqual([
      {
        apiVersion: 1,
        type: 'issued',
        at: new Date(1000).toISOString(),
        ...base,
        role: { roleArn: role('Dev').roleArn, accountId: '111111111111', roleName: 'Dev', partition: 'aws' },
        assumedRoleArn: 'arn:aws:sts::111111111111:assumed-role/Dev/alice',
        metadata: true,
        credentials: { accessKeyId: 'K1', secretAccessKey: 'secret-K1', sessionToken: 'token-K1', expiration: new Date(5000).toISOString() },
      },
    ]);
    expect(tracker.next({ ...base, served: [held('Dev', 'K1', 5000)], metadataRoleArn: role('Dev').roleArn, now: 1500 })).toEqual([]);
    const second = tracker.next({ ...base, served: [held('Dev', 'K2', 9000), held('Ops', 'K3', 9000)], metadataRoleArn: role('Dev').roleArn, now: 2000 });
    expect(second.map((e) => [e.type, 'role' in e && e.role.roleName, 'metadata' in e && e.metadata])).toEqual([
      ['refreshed', 'Dev', true],
      ['issued', 'Ops', false],
    ]);
    const third = tracker.next({ ...base, served: [], metadataRoleArn: role('Dev').roleArn, now: 9000 });
    expect(third.map((e) => [e.type, 'reason' in e && e.reason])).toEqual([
      ['withdrawn', 'expired'],
      ['withdrawn', 'expired'],
    ]);
    expect(third.some((e) => 'credentials' in e)).toBe(false);
    tracker.next({ ...base, served: [held('Ops', 'K4', 20000)], metadataRoleArn: role('Ops').roleArn, now: 10000 });
    expect(tracker.next({ ...base, served: [], metadataRoleArn: undefined, now: 11000 }).map((e) => 'reason' in e && e.reason)).toEqual(['not-served']);
    expect(tracker.signedOut({ profile: base.profile, now: 12000 })).toEqual({ apiVersion: 1, type: 'signed-out', at: new Date(12000).toISOString(), profile: base.profile });
  });

  it('says when the session stops, without credentials, and forgets what it told', () => {
    const tracker = createCredentialEventTracker();
    tracker.next({ ...base, served: [held('Dev', 'K1', 5000)], metadataRoleArn: role('Dev').roleArn, now: 1000 });
    expect(tracker.stopped({ profile: base.profile, now: 2000 })).toEqual({ apiVersion: 1, type: 'stopped', at: new Date(2000).toISOString(), profile: base.profile });
    // A session started again on the same tracker tells of its credentials as new.
    expect(tracker.next({ ...base, served: [held('Dev', 'K1', 5000)], metadataRoleArn: role('Dev').roleArn, now: 3000 }).map((e) => e.type)).toEqual(['issued']);
  });
});
