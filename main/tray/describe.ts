import type { SamlRole } from '../saml/types.js';
import type { RoleStatus, SessionSnapshot } from '../session/types.js';

/**
 * Wording shared by the tray menu, the tray tooltip and the notifications: how an account, a role and a
 * remaining lifetime are named, so every surface says the same thing.
 */

export type AccountLabels = Readonly<Record<string, string>>;

/** "Production (123456789012)" with a label, the bare id without one. */
export function accountName(accountId: string, labels: AccountLabels): string {
  const label = labels[accountId]?.trim();
  return label ? `${label} (${accountId})` : accountId;
}

/** The short form for tight places (tooltip, status line): the label alone when there is one. */
export function accountShortName(accountId: string, labels: AccountLabels): string {
  return labels[accountId]?.trim() || accountId;
}

/** "42 min", "1 h 05 min", "less than a minute". */
export function formatTimeLeft(ms: number): string {
  if (ms < 60_000) return 'less than a minute';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** "14:05" in the given IANA zone (the machine's zone when omitted). */
export function formatClock(epochMs: number, timeZone?: string): string {
  return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone }).format(epochMs);
}

/** Menu items and tooltips are single lines of modest length: squash line breaks, cut long IdP messages. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1).trimEnd()}…` : flat;
}

export function metadataRole(snapshot: SessionSnapshot): RoleStatus | undefined {
  return snapshot.active.find((status) => status.metadata);
}

/** Credentials that can still be handed out right now (a refresh or an error does not void them). */
export function hasValidCredentials(status: RoleStatus | undefined, now: number): status is RoleStatus & { expiresAt: number } {
  return status?.expiresAt !== undefined && status.expiresAt > now;
}

export interface AccountGroup {
  accountId: string;
  name: string;
  roles: SamlRole[];
}

/**
 * Roles grouped by account, for people scanning by name rather than in the IdP's order: labelled accounts
 * first by label, then the unlabelled ones by id; roles by name within each.
 */
export function groupRolesByAccount(roles: readonly SamlRole[], labels: AccountLabels): AccountGroup[] {
  const byAccount = new Map<string, SamlRole[]>();
  for (const role of roles) {
    const list = byAccount.get(role.accountId);
    if (list) list.push(role);
    else byAccount.set(role.accountId, [role]);
  }
  const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
  return [...byAccount]
    .map(([accountId, list]) => ({
      accountId,
      name: accountName(accountId, labels),
      labelled: Boolean(labels[accountId]?.trim()),
      roles: list.sort((a, b) => collator.compare(a.roleName, b.roleName) || collator.compare(a.roleArn, b.roleArn)),
    }))
    .sort((a, b) => Number(b.labelled) - Number(a.labelled) || collator.compare(a.name, b.name))
    .map(({ labelled: _labelled, ...group }) => group);
}
