import type { SamlRole } from '../saml/types.js';

/**
 * The states of one credential session (one per IdP profile).
 *   signed-out → signing-in → choosing-role → active ⇄ refreshing
 *   refreshing → needs-sign-in (IdP wants the user) | failed (hard error) | expired (nothing valid left)
 */
export type SessionPhase =
  | 'signed-out'
  | 'signing-in'
  | 'choosing-role'
  | 'active'
  | 'refreshing'
  | 'needs-sign-in'
  | 'failed'
  | 'expired';

/** What is known of one role's current credentials — never the secrets themselves. */
export interface RoleStatus {
  role: SamlRole;
  /** arn:…:sts::<acct>:assumed-role/<role>/<session>, once credentials exist. */
  assumedRoleArn: string | undefined;
  /** Epoch ms; undefined when no valid credentials are held for this role. */
  expiresAt: number | undefined;
  /** Served at IMDS (like an instance profile). Exactly one role at most. */
  metadata: boolean;
  /** Kept active besides the metadata role (container endpoint path, optional credentials-file profile). */
  keptActive: boolean;
}

export interface SessionError {
  code: string;
  message: string;
}

/** An immutable picture of the session for the tray, windows and CLI. */
export interface SessionSnapshot {
  profileId: string;
  phase: SessionPhase;
  /** Every role the last assertion offered, in the IdP's order. */
  roles: SamlRole[];
  /** Status of the metadata role and every kept-active role. */
  active: RoleStatus[];
  metadataRoleArn: string | undefined;
  /** Epoch ms of the next scheduled refresh, if any. */
  nextRefreshAt: number | undefined;
  /** Epoch ms the last successful refresh finished. */
  lastRefreshAt: number | undefined;
  /** The last error worth showing (refresh failed, sign-in needed…). */
  error: SessionError | undefined;
}
