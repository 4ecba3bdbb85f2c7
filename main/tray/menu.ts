import type { SamlRole } from '../saml/types.js';
import type { SessionPhase, SessionSnapshot } from '../session/types.js';
import {
  accountShortName,
  formatClock,
  groupRolesByAccount,
  hasValidCredentials,
  metadataRole,
  oneLine,
} from './describe.js';
import type { AccountGroup, AccountLabels } from './describe.js';

/**
 * The tray menu as plain data, built from the session state. main/shell maps it onto Electron's Menu and
 * rebuilds it on every state change (Linux's StatusNotifierItem only picks up a menu that is set again).
 *
 * Disabled items carry their reason in the label itself ("Refresh now (sign in first)"): Electron's
 * `sublabel` and `toolTip` are macOS-only, and macOS ignores `enabled` on top-level tray items — so a
 * disabled item also carries no action, and clicking it can do nothing anywhere.
 */

export type TrayAction =
  | { kind: 'sign-in' }
  | { kind: 'show-sign-in' }
  | { kind: 'sign-out' }
  | { kind: 'choose-role'; roleArn: string }
  | { kind: 'keep-active'; roleArn: string; keep: boolean }
  | { kind: 'open-role-picker' }
  | { kind: 'refresh' }
  | { kind: 'copy-env'; shell: 'sh' | 'powershell' }
  | { kind: 'open-console' }
  | { kind: 'open-status' }
  | { kind: 'open-settings' }
  | { kind: 'set-start-at-login'; enabled: boolean }
  | { kind: 'install-extension-host' }
  | { kind: 'quit' };

/** What each tray action does; a Record over every kind, so a new action does not compile until it is handled. */
export type TrayActionHandlers = { [K in TrayAction['kind']]: (action: Extract<TrayAction, { kind: K }>) => unknown };

export type MenuItemType = 'normal' | 'separator' | 'radio' | 'checkbox' | 'submenu';

export interface MenuItemDescription {
  /** Unique within the whole menu tree; stable across rebuilds for the same content. */
  id: string;
  type: MenuItemType;
  /** What every platform shows, reason included for disabled items. */
  label: string;
  enabled: boolean;
  checked?: boolean;
  /** What a click does; absent on informational and disabled items. */
  action?: TrayAction;
  /** Why the item is disabled (also put into `toolTip` on macOS). */
  disabledReason?: string;
  submenu?: MenuItemDescription[];
}

export interface TrayMenuContext {
  accountLabels: AccountLabels;
  startAtLogin: boolean;
  /** False until an IdP profile exists: there is nothing to sign in to yet. */
  hasProfiles: boolean;
  /** The profile signs in through the browser extension, whose connection to Cloudtoken is not installed yet. */
  offerExtensionHost?: boolean;
  now: number;
  /** Roles shown per account before "More roles…" takes over. */
  maxRolesInline?: number;
  /** Account submenus shown before "All accounts and roles…" takes over. */
  maxAccountsInline?: number;
  /** IANA zone for "expires at HH:MM" (the machine's when omitted; tests pin it). */
  timeZone?: string;
}

const DEFAULT_MAX_ROLES_INLINE = 15;
const DEFAULT_MAX_ACCOUNTS_INLINE = 20;
const ERROR_LINE_LENGTH = 90;

const SEPARATOR_PREFIX = 'separator';

function item(id: string, label: string, action: TrayAction, extra: Partial<MenuItemDescription> = {}): MenuItemDescription {
  return { id, type: 'normal', label, enabled: true, action, ...extra };
}

function info(id: string, label: string): MenuItemDescription {
  return { id, type: 'normal', label, enabled: false };
}

function disabled(id: string, label: string, reason: string, type: MenuItemType = 'normal'): MenuItemDescription {
  return { id, type, label: `${label} (${reason})`, enabled: false, disabledReason: reason };
}

/** Either the working item or the same item disabled with the reason, chosen by `reason` being set. */
function unless(reason: string | undefined, enabledItem: MenuItemDescription): MenuItemDescription {
  return reason === undefined ? enabledItem : disabled(enabledItem.id, enabledItem.label, reason, enabledItem.type);
}

function roleTitle(snapshot: SessionSnapshot, labels: AccountLabels): string | undefined {
  const status = metadataRole(snapshot);
  return status ? `${status.role.roleName} · ${accountShortName(status.role.accountId, labels)}` : undefined;
}

/** The first line of the menu: who you are (role, account) and how things stand. */
export function statusLine(snapshot: SessionSnapshot, labels: AccountLabels, now: number, timeZone?: string): string {
  const title = roleTitle(snapshot, labels);
  const status = metadataRole(snapshot);
  const until = hasValidCredentials(status, now) ? `expires at ${formatClock(status.expiresAt, timeZone)}` : undefined;
  switch (snapshot.phase) {
    case 'signed-out':
      return 'Signed out';
    case 'signing-in':
      return 'Signing in…';
    case 'choosing-role':
      return 'Signed in — choose a role';
    case 'active':
      return title ? `${title} — ${until ?? 'no valid credentials'}` : 'Signed in — choose a role';
    case 'refreshing':
      return title ? `${title} — refreshing…` : 'Refreshing…';
    case 'needs-sign-in':
      return title && until ? `${title} — sign in again (${until})` : 'Sign in again to continue';
    case 'failed':
      return title && until ? `${title} — refresh failed (${until})` : 'Refresh failed';
    case 'expired':
      return 'Credentials expired — sign in again';
  }
}

const SIGNED_IN_PHASES: ReadonlySet<SessionPhase> = new Set(['choosing-role', 'active', 'refreshing', 'needs-sign-in', 'failed', 'expired']);

function signInItems(snapshot: SessionSnapshot, context: TrayMenuContext): MenuItemDescription[] {
  if (snapshot.phase === 'signing-in') {
    return [item('show-sign-in', 'Show sign-in window…', { kind: 'show-sign-in' }), item('sign-out', 'Cancel sign-in', { kind: 'sign-out' })];
  }
  const items: MenuItemDescription[] = [];
  if (snapshot.phase !== 'active' && snapshot.phase !== 'refreshing' && snapshot.phase !== 'choosing-role') {
    const label = snapshot.phase === 'signed-out' ? 'Sign in…' : 'Sign in again…';
    items.push(unless(context.hasProfiles ? undefined : 'add an identity provider in Settings first', item('sign-in', label, { kind: 'sign-in' })));
  }
  if (SIGNED_IN_PHASES.has(snapshot.phase)) items.push(item('sign-out', 'Sign out', { kind: 'sign-out' }));
  return items;
}

function roleItem(role: SamlRole, snapshot: SessionSnapshot, radio: boolean, blocked: string | undefined): MenuItemDescription {
  const id = `role:${role.roleArn}`;
  if (blocked) return disabled(id, role.roleName, blocked, radio ? 'radio' : 'normal');
  return item(id, role.roleName, { kind: 'choose-role', roleArn: role.roleArn }, radio ? { type: 'radio', checked: role.roleArn === snapshot.metadataRoleArn } : {});
}

/** At most `max` roles of an account, the metadata role always among them, then "More roles…". */
function accountRoleItems(group: AccountGroup, snapshot: SessionSnapshot, context: TrayMenuContext, blocked: string | undefined): MenuItemDescription[] {
  const max = context.maxRolesInline ?? DEFAULT_MAX_ROLES_INLINE;
  // Radio items only once a role is served: Electron checks the first radio item of a group when none is.
  const radio = snapshot.metadataRoleArn !== undefined;
  let shown = group.roles.slice(0, max);
  const current = group.roles.find((role) => role.roleArn === snapshot.metadataRoleArn);
  if (current && !shown.includes(current)) shown = [...shown.slice(0, max - 1), current];
  const items = shown.map((role) => roleItem(role, snapshot, radio, blocked));
  const hidden = group.roles.length - shown.length;
  if (hidden > 0) items.push(item(`more-roles:${group.accountId}`, `More roles… (${hidden} more)`, { kind: 'open-role-picker' }));
  return items;
}

function rolesSection(snapshot: SessionSnapshot, context: TrayMenuContext): MenuItemDescription[] {
  if (snapshot.roles.length === 0) return [];
  const blocked = snapshot.phase === 'signing-in' ? 'signing in…' : undefined;
  const groups = groupRolesByAccount(snapshot.roles, context.accountLabels);
  const [only] = groups;
  if (groups.length === 1 && only) {
    return [info('account-header', `Account ${only.name}`), ...accountRoleItems(only, snapshot, context, blocked)];
  }
  const maxAccounts = context.maxAccountsInline ?? DEFAULT_MAX_ACCOUNTS_INLINE;
  let shown = groups.slice(0, maxAccounts);
  const currentAccount = metadataRole(snapshot)?.role.accountId;
  const current = groups.find((group) => group.accountId === currentAccount);
  if (current && !shown.includes(current)) shown = [...shown.slice(0, maxAccounts - 1), current];
  const items: MenuItemDescription[] = [info('roles-header', 'Roles')];
  for (const group of shown) {
    const mark = group === current ? ' ✓' : '';
    items.push({
      id: `account:${group.accountId}`,
      type: 'submenu',
      label: `${group.name}${mark}`,
      enabled: true,
      submenu: accountRoleItems(group, snapshot, context, blocked),
    });
  }
  if (groups.length > shown.length) {
    items.push(item('more-accounts', `All accounts and roles… (${groups.length} accounts)`, { kind: 'open-role-picker' }));
  }
  return items;
}

/** Checkboxes for roles kept active besides the metadata role (container endpoint, credentials file). */
function keepActiveSection(snapshot: SessionSnapshot, context: TrayMenuContext): MenuItemDescription[] {
  if (snapshot.metadataRoleArn === undefined || snapshot.roles.length < 2 || snapshot.phase === 'signing-in') return [];
  const kept = new Map(snapshot.active.filter((status) => status.keptActive && !status.metadata).map((status) => [status.role.roleArn, status]));
  const others = snapshot.roles.filter((role) => role.roleArn !== snapshot.metadataRoleArn);
  const max = context.maxRolesInline ?? DEFAULT_MAX_ROLES_INLINE;
  const listed = others.length <= max ? others : others.filter((role) => kept.has(role.roleArn));
  const submenu = listed.map((role): MenuItemDescription => {
    const status = kept.get(role.roleArn);
    const until = hasValidCredentials(status, context.now) ? ` — until ${formatClock(status.expiresAt, context.timeZone)}` : '';
    return item(
      `keep:${role.roleArn}`,
      `${role.roleName} · ${accountShortName(role.accountId, context.accountLabels)}${until}`,
      { kind: 'keep-active', roleArn: role.roleArn, keep: !status },
      { type: 'checkbox', checked: status !== undefined },
    );
  });
  if (listed.length < others.length) {
    if (submenu.length > 0) submenu.push({ id: 'separator:keep', type: 'separator', label: '', enabled: true });
    submenu.push(item('keep-more', 'Choose roles to keep active…', { kind: 'open-role-picker' }));
  }
  const label = kept.size > 0 ? `Keep other roles active (${kept.size})` : 'Keep other roles active';
  return [{ id: 'keep-active', type: 'submenu', label, enabled: true, submenu }];
}

/** Why the metadata role's credentials cannot be used right now, or undefined when they can. */
function credentialsBlocked(snapshot: SessionSnapshot, now: number): string | undefined {
  if (snapshot.phase === 'signed-out') return 'sign in first';
  if (snapshot.phase === 'signing-in') return 'signing in…';
  if (snapshot.metadataRoleArn === undefined) return 'choose a role first';
  if (!hasValidCredentials(metadataRole(snapshot), now)) return snapshot.phase === 'refreshing' ? 'refreshing…' : 'no valid credentials';
  return undefined;
}

function refreshBlocked(snapshot: SessionSnapshot): string | undefined {
  switch (snapshot.phase) {
    case 'signed-out':
      return 'sign in first';
    case 'signing-in':
      return 'signing in…';
    case 'refreshing':
      return 'refreshing…';
    case 'needs-sign-in':
      return 'sign in again first';
    default:
      return snapshot.metadataRoleArn === undefined ? 'choose a role first' : undefined;
  }
}

function credentialItems(snapshot: SessionSnapshot, now: number): MenuItemDescription[] {
  const blocked = credentialsBlocked(snapshot, now);
  const copy: MenuItemDescription = {
    id: 'copy-env',
    type: 'submenu',
    label: 'Copy credentials as environment variables',
    enabled: true,
    submenu: [
      item('copy-env:sh', 'For sh, bash, zsh', { kind: 'copy-env', shell: 'sh' }),
      item('copy-env:powershell', 'For PowerShell', { kind: 'copy-env', shell: 'powershell' }),
    ],
  };
  return [
    unless(refreshBlocked(snapshot), item('refresh', 'Refresh now', { kind: 'refresh' })),
    blocked === undefined ? copy : disabled(copy.id, copy.label, blocked),
    unless(blocked, item('open-console', 'Open AWS Console for this role', { kind: 'open-console' })),
  ];
}

function withSeparators(sections: MenuItemDescription[][]): MenuItemDescription[] {
  return sections
    .filter((section) => section.length > 0)
    .flatMap((section, index) =>
      index === 0 ? section : [{ id: `${SEPARATOR_PREFIX}:${index}`, type: 'separator' as const, label: '', enabled: true }, ...section],
    );
}

export function buildTrayMenu(snapshot: SessionSnapshot, context: TrayMenuContext): MenuItemDescription[] {
  const status = [info('status', statusLine(snapshot, context.accountLabels, context.now, context.timeZone))];
  if (snapshot.error && snapshot.phase !== 'active') status.push(info('status-error', oneLine(snapshot.error.message, ERROR_LINE_LENGTH)));
  return withSeparators([
    status,
    signInItems(snapshot, context),
    [...rolesSection(snapshot, context), ...keepActiveSection(snapshot, context)],
    credentialItems(snapshot, context.now),
    [
      ...(context.offerExtensionHost ? [item('install-extension-host', 'Connect your browser’s Cloudtoken extension…', { kind: 'install-extension-host' })] : []),
      item('open-status', 'Status…', { kind: 'open-status' }),
      item('open-settings', 'Settings…', { kind: 'open-settings' }),
      item('start-at-login', 'Start at login', { kind: 'set-start-at-login', enabled: !context.startAtLogin }, { type: 'checkbox', checked: context.startAtLogin }),
    ],
    [item('quit', 'Quit Cloudtoken', { kind: 'quit' })],
  ]);
}
