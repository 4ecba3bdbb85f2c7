import type { RoleCredentials } from '../sts/types.js';
import { PLUGIN_API_VERSION, type CredentialEvent, type PluginProfile } from './api.js';

/** What handlers were last told of one role: enough to tell new credentials, and why they went. */
interface Told {
  accessKeyId: string;
  expiration: number;
  base: Omit<Extract<CredentialEvent, { type: 'withdrawn' }>, 'type' | 'reason' | 'at'>;
}

export interface ServedState {
  /** Every served role's valid credentials (the session's `servedCredentials()`). */
  served: readonly RoleCredentials[];
  metadataRoleArn: string | undefined;
  profile: Pick<PluginProfile, 'id' | 'name'>;
  region: string;
  now: number;
}

/**
 * Handlers' events from what the session serves, compared with what they were told: a role's first
 * credentials are `issued`, different ones `refreshed`, and a role no longer served is `withdrawn`. Derived
 * from the served state rather than from the session's own events, so every path that changes credentials
 * (a refresh, a role switch, a partial failure, expiry, sign-out) is told the same way.
 */
type ProfileEventAt = Pick<ServedState, 'profile' | 'now'>;

export interface CredentialEventTracker {
  next(state: ServedState): CredentialEvent[];
  signedOut(state: ProfileEventAt): CredentialEvent;
  stopped(state: ProfileEventAt): CredentialEvent;
}

export function createCredentialEventTracker(): CredentialEventTracker {
  const told = new Map<string, Told>();
  return {
    next({ served, metadataRoleArn, profile, region, now }) {
      const at = new Date(now).toISOString();
      const events: CredentialEvent[] = [];
      const current = new Set<string>();
      for (const held of served) {
        const { role, credentials } = held;
        current.add(role.roleArn);
        const before = told.get(role.roleArn);
        if (before?.accessKeyId === credentials.accessKeyId) continue;
        const base = {
          apiVersion: PLUGIN_API_VERSION,
          profile,
          region,
          role: { roleArn: role.roleArn, accountId: role.accountId, roleName: role.roleName, partition: role.partition },
          assumedRoleArn: held.assumedRoleArn,
          metadata: role.roleArn === metadataRoleArn,
        } as const;
        told.set(role.roleArn, { accessKeyId: credentials.accessKeyId, expiration: credentials.expiration, base });
        events.push({
          ...base,
          type: before ? 'refreshed' : 'issued',
          at,
          credentials: {
            accessKeyId: credentials.accessKeyId,
            secretAccessKey: credentials.secretAccessKey,
            sessionToken: credentials.sessionToken,
            expiration: new Date(credentials.expiration).toISOString(),
          },
        });
      }
      for (const [roleArn, before] of told) {
        if (current.has(roleArn)) continue;
        told.delete(roleArn);
        events.push({ ...before.base, type: 'withdrawn', at, reason: before.expiration <= now ? 'expired' : 'not-served' });
      }
      return events;
    },
    signedOut: ({ profile, now }) => ({ apiVersion: PLUGIN_API_VERSION, type: 'signed-out', at: new Date(now).toISOString(), profile }),
    stopped({ profile, now }) {
      told.clear();
      return { apiVersion: PLUGIN_API_VERSION, type: 'stopped', at: new Date(now).toISOString(), profile };
    },
  };
}
