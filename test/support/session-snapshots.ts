import type { SamlRole } from '../../main/saml/types.js';
import type { RoleStatus, SessionPhase, SessionSnapshot } from '../../main/session/types.js';

/** Session pictures for tests of what the tray and the windows show (no secrets exist in a snapshot). */

export function role(accountId: string, roleName: string): SamlRole {
  return {
    roleArn: `arn:aws:iam::${accountId}:role/${roleName}`,
    principalArn: `arn:aws:iam::${accountId}:saml-provider/Corp`,
    accountId,
    roleName,
    partition: 'aws',
  };
}

/** `count` roles spread over `accounts` accounts (account ids 1000000000NN). */
export function manyRoles(count: number, accounts = 1): SamlRole[] {
  return Array.from({ length: count }, (_, index) =>
    role(String(100_000_000_000 + (index % accounts)), `Role${String(index).padStart(3, '0')}`),
  );
}

export function status(of: SamlRole, expiresAt: number | undefined, flags: { metadata?: boolean; keptActive?: boolean } = {}): RoleStatus {
  return {
    role: of,
    assumedRoleArn: expiresAt === undefined ? undefined : `arn:aws:sts::${of.accountId}:assumed-role/${of.roleName}/ana@example.com`,
    expiresAt,
    metadata: flags.metadata ?? false,
    keptActive: flags.keptActive ?? false,
  };
}

export function snapshot(phase: SessionPhase, patch: Partial<SessionSnapshot> = {}): SessionSnapshot {
  return {
    profileId: 'idp-corp',
    phase,
    roles: [],
    active: [],
    metadataRoleArn: undefined,
    nextRefreshAt: undefined,
    lastRefreshAt: undefined,
    error: undefined,
    ...patch,
  };
}

/** A session serving `served` at the metadata address, its credentials expiring at `expiresAt`. */
export function serving(phase: SessionPhase, roles: SamlRole[], served: SamlRole, expiresAt: number | undefined, patch: Partial<SessionSnapshot> = {}): SessionSnapshot {
  return snapshot(phase, {
    roles,
    active: [status(served, expiresAt, { metadata: true })],
    metadataRoleArn: served.roleArn,
    ...patch,
  });
}
