import { describe, expect, it } from 'vitest';
import type { SessionPhase } from '../../../main/session/types.js';
import { buildTrayMenu, statusLine } from '../../../main/tray/menu.js';
import type { MenuItemDescription, TrayMenuContext } from '../../../main/tray/menu.js';
import { manyRoles, role, serving, snapshot, status } from '../../support/session-snapshots.js';

const NOW = Date.UTC(2026, 10, 25, 13, 0, 0);
const context: TrayMenuContext = { accountLabels: {}, startAtLogin: false, hasProfiles: true, now: NOW, timeZone: 'UTC' };
const admin = role('123456789012', 'Admin');
const readOnly = role('123456789012', 'ReadOnly');
const deploy = role('210987654321', 'Deploy');

function flatten(items: MenuItemDescription[]): MenuItemDescription[] {
  return items.flatMap((entry) => [entry, ...flatten(entry.submenu ?? [])]);
}

function find(items: MenuItemDescription[], id: string): MenuItemDescription {
  const found = flatten(items).find((entry) => entry.id === id);
  if (!found) throw new Error(`no item ${id} in ${flatten(items).map((e) => e.id).join(', ')}`);
  return found;
}

function ids(items: MenuItemDescription[]): string[] {
  return items.map((entry) => entry.id);
}

/** Properties Electron needs of any menu: unique ids, radio groups contiguous with at most one checked,
 *  no action on a disabled item, disabled items say why, no leading/trailing/double separators. */
function expectWellFormed(items: MenuItemDescription[]): void {
  const all = flatten(items);
  expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
  const check = (list: MenuItemDescription[]) => {
    expect(list[0]?.type).not.toBe('separator');
    expect(list.at(-1)?.type).not.toBe('separator');
    list.forEach((entry, index) => {
      if (entry.type === 'separator') expect(list[index + 1]?.type).not.toBe('separator');
      if (!entry.enabled) expect(entry.action).toBeUndefined();
      if (entry.disabledReason) expect(entry.label).toContain(`(${entry.disabledReason})`);
      if (entry.type === 'submenu') check(entry.submenu ?? []);
    });
    const radioRuns = list.map((e) => (e.type === 'radio' ? 'r' : '.')).join('').match(/r+/g) ?? [];
    expect(radioRuns.length).toBeLessThanOrEqual(1);
    expect(list.filter((e) => e.type === 'radio' && e.checked).length).toBeLessThanOrEqual(1);
  };
  check(items);
}

describe('buildTrayMenu in every phase', () => {
  it('signed out: sign in, nothing to refresh or copy, and each disabled item says why', () => {
    const menu = buildTrayMenu(snapshot('signed-out'), context);
    expectWellFormed(menu);
    expect(ids(menu)).toEqual([
      'status', 'separator:1', 'sign-in', 'separator:2', 'refresh', 'copy-env', 'open-console', 'separator:3',
      'open-status', 'open-settings', 'start-at-login', 'separator:4', 'quit',
    ]);
    expect(find(menu, 'status').label).toBe('Signed out');
    expect(find(menu, 'sign-in')).toMatchObject({ label: 'Sign in…', enabled: true, action: { kind: 'sign-in' } });
    expect(find(menu, 'refresh')).toMatchObject({ label: 'Refresh now (sign in first)', enabled: false });
    expect(find(menu, 'copy-env')).toMatchObject({ enabled: false, disabledReason: 'sign in first' });
    expect(find(menu, 'open-console').action).toBeUndefined();
  });

  it('offers to connect the browser extension while a profile signs in through it without its host', () => {
    const menu = buildTrayMenu(snapshot('signed-out'), { ...context, offerExtensionHost: true });
    expect(ids(menu).slice(-6)).toEqual(['install-extension-host', 'open-status', 'open-settings', 'start-at-login', 'separator:4', 'quit']);
    expect(find(menu, 'install-extension-host')).toMatchObject({ enabled: true, action: { kind: 'install-extension-host' } });
  });

  it('signed out without any IdP profile: sign-in points to Settings', () => {
    const menu = buildTrayMenu(snapshot('signed-out'), { ...context, hasProfiles: false });
    expect(find(menu, 'sign-in')).toMatchObject({ enabled: false, label: 'Sign in… (add an identity provider in Settings first)' });
  });

  it('signing in: show the window or cancel; roles from before cannot be chosen meanwhile', () => {
    const menu = buildTrayMenu(snapshot('signing-in', { roles: [admin, readOnly] }), context);
    expectWellFormed(menu);
    expect(find(menu, 'status').label).toBe('Signing in…');
    expect(find(menu, 'show-sign-in').action).toEqual({ kind: 'show-sign-in' });
    expect(find(menu, 'sign-out').label).toBe('Cancel sign-in');
    expect(find(menu, `role:${admin.roleArn}`)).toMatchObject({ enabled: false, label: 'Admin (signing in…)' });
    expect(find(menu, 'refresh').disabledReason).toBe('signing in…');
  });

  it('choosing a role: plain items (no radio is checked yet), refresh waits for a role', () => {
    const menu = buildTrayMenu(snapshot('choosing-role', { roles: [readOnly, admin] }), context);
    expectWellFormed(menu);
    expect(find(menu, 'status').label).toBe('Signed in — choose a role');
    expect(find(menu, 'account-header').label).toBe('Account 123456789012');
    const roleItems = flatten(menu).filter((e) => e.id.startsWith('role:'));
    expect(roleItems.map((e) => [e.label, e.type])).toEqual([['Admin', 'normal'], ['ReadOnly', 'normal']]);
    expect(roleItems[0]!.action).toEqual({ kind: 'choose-role', roleArn: admin.roleArn });
    expect(find(menu, 'refresh').disabledReason).toBe('choose a role first');
    expect(flatten(menu).some((e) => e.id === 'keep-active')).toBe(false);
  });

  it('active: role and account label in the status line, metadata role checked, everything usable', () => {
    const s = serving('active', [admin, readOnly], admin, NOW + 42 * 60_000);
    const menu = buildTrayMenu(s, { ...context, accountLabels: { '123456789012': 'Production' } });
    expectWellFormed(menu);
    expect(find(menu, 'status').label).toBe('Admin · Production — expires at 13:42');
    expect(find(menu, 'account-header').label).toBe('Account Production (123456789012)');
    expect(find(menu, `role:${admin.roleArn}`)).toMatchObject({ type: 'radio', checked: true });
    expect(find(menu, `role:${readOnly.roleArn}`)).toMatchObject({ type: 'radio', checked: false });
    expect(find(menu, 'sign-out').action).toEqual({ kind: 'sign-out' });
    expect(flatten(menu).some((e) => e.id === 'sign-in')).toBe(false);
    for (const id of ['refresh', 'open-console', 'copy-env:sh', 'copy-env:powershell']) expect(find(menu, id).enabled).toBe(true);
    expect(find(menu, 'copy-env:powershell').action).toEqual({ kind: 'copy-env', shell: 'powershell' });
  });

  it('refreshing: still usable while the credentials last, refresh itself is busy', () => {
    const menu = buildTrayMenu(serving('refreshing', [admin], admin, NOW + 5 * 60_000), context);
    expectWellFormed(menu);
    expect(find(menu, 'status').label).toBe('Admin · 123456789012 — refreshing…');
    expect(find(menu, 'refresh').label).toBe('Refresh now (refreshing…)');
    expect(find(menu, 'open-console').enabled).toBe(true);
  });

  it('needs sign-in: says so with the IdP message, offers to sign in again, credentials still usable until they end', () => {
    const s = serving('needs-sign-in', [admin], admin, NOW + 9 * 60_000, {
      error: { code: 'INTERACTION_REQUIRED', message: 'Your identity provider wants you to sign in again.' },
    });
    const menu = buildTrayMenu(s, context);
    expectWellFormed(menu);
    expect(find(menu, 'status').label).toBe('Admin · 123456789012 — sign in again (expires at 13:09)');
    expect(find(menu, 'status-error').label).toBe('Your identity provider wants you to sign in again.');
    expect(find(menu, 'sign-in')).toMatchObject({ label: 'Sign in again…', enabled: true });
    expect(find(menu, 'refresh').disabledReason).toBe('sign in again first');
    expect(find(menu, 'copy-env').enabled).toBe(true);
  });

  it('failed: the error on one line, cut to a readable length, refresh offered as the retry', () => {
    const long = `STS refused the request:\n${'AccessDenied '.repeat(20)}`;
    const menu = buildTrayMenu(serving('failed', [admin], admin, NOW - 1, { error: { code: 'STS_ACCESS_DENIED', message: long } }), context);
    expectWellFormed(menu);
    expect(find(menu, 'status').label).toBe('Refresh failed');
    const line = find(menu, 'status-error').label;
    expect(line).not.toContain('\n');
    expect(line.length).toBeLessThanOrEqual(90);
    expect(line.endsWith('…')).toBe(true);
    expect(find(menu, 'refresh').enabled).toBe(true);
    expect(find(menu, 'open-console').disabledReason).toBe('no valid credentials');
  });

  it('expired: sign in again, nothing to copy', () => {
    const menu = buildTrayMenu(serving('expired', [admin], admin, NOW - 60_000), context);
    expectWellFormed(menu);
    expect(find(menu, 'status').label).toBe('Credentials expired — sign in again');
    expect(find(menu, 'sign-in').enabled).toBe(true);
    expect(find(menu, 'copy-env').label).toBe('Copy credentials as environment variables (no valid credentials)');
  });

  it.each<SessionPhase>(['signed-out', 'signing-in', 'choosing-role', 'active', 'refreshing', 'needs-sign-in', 'failed', 'expired'])(
    '%s: settings, status, start at login and quit are always there',
    (phase) => {
      const menu = buildTrayMenu(serving(phase, [admin], admin, NOW + 60_000), { ...context, startAtLogin: true });
      expectWellFormed(menu);
      expect(find(menu, 'start-at-login')).toMatchObject({ type: 'checkbox', checked: true, action: { kind: 'set-start-at-login', enabled: false } });
      expect(find(menu, 'open-settings').enabled).toBe(true);
      expect(menu.at(-1)).toMatchObject({ id: 'quit', action: { kind: 'quit' } });
    },
  );
});

describe('roles by account', () => {
  it('several accounts become submenus named by label (ids otherwise), the current one marked', () => {
    const s = serving('active', [admin, deploy, readOnly], deploy, NOW + 3_600_000);
    const menu = buildTrayMenu(s, { ...context, accountLabels: { '210987654321': 'Staging' } });
    expectWellFormed(menu);
    const accounts = menu.filter((e) => e.id.startsWith('account:'));
    expect(accounts.map((e) => e.label)).toEqual(['Staging (210987654321) ✓', '123456789012']);
    expect(accounts[0]!.submenu!.map((e) => [e.label, e.checked])).toEqual([['Deploy', true]]);
    expect(accounts[1]!.submenu!.map((e) => [e.label, e.checked])).toEqual([['Admin', false], ['ReadOnly', false]]);
  });

  it.each([1, 2, 15, 16, 40, 500])('%i roles in one account: at most 15 inline, the rest behind "More roles…"', (count) => {
    const roles = manyRoles(count);
    const served = roles[count - 1]!;
    const menu = buildTrayMenu(serving('active', roles, served, NOW + 3_600_000), context);
    expectWellFormed(menu);
    const roleItems = flatten(menu).filter((e) => e.id.startsWith('role:'));
    expect(roleItems).toHaveLength(Math.min(count, 15));
    expect(roleItems.filter((e) => e.checked).map((e) => e.label)).toEqual([served.roleName]);
    const more = flatten(menu).find((e) => e.id.startsWith('more-roles:'));
    if (count > 15) expect(more).toMatchObject({ label: `More roles… (${count - 15} more)`, action: { kind: 'open-role-picker' } });
    else expect(more).toBeUndefined();
  });

  it('500 roles over 100 accounts: 20 account submenus (the current one included) and a way to all of them', () => {
    const roles = manyRoles(500, 100);
    const served = roles[499]!;
    const menu = buildTrayMenu(serving('active', roles, served, NOW + 3_600_000), context);
    expectWellFormed(menu);
    const accounts = menu.filter((e) => e.id.startsWith('account:'));
    expect(accounts).toHaveLength(20);
    expect(accounts.some((e) => e.id === `account:${served.accountId}`)).toBe(true);
    expect(find(menu, 'more-accounts').label).toBe('All accounts and roles… (100 accounts)');
  });

  // How fast this is belongs to `npm run bench` (scale with roles); here: what a menu of 500 roles holds.
  it('keeps a menu of 500 roles short: every account capped, the rest behind "More roles…"', () => {
    const roles = manyRoles(500, 7);
    const menu = buildTrayMenu(serving('active', roles, roles[250]!, NOW + 3_600_000), context);
    expect(flatten(menu).length).toBeLessThan(300);
    expect(JSON.stringify(menu)).toContain('More roles');
  });
});

describe('keep-active toggles', () => {
  it('lists every other role as a checkbox when there are few, with the expiry of the kept ones', () => {
    const s = serving('active', [admin, readOnly, deploy], admin, NOW + 3_600_000, {
      active: [status(admin, NOW + 3_600_000, { metadata: true }), status(deploy, NOW + 1_800_000, { keptActive: true })],
    });
    const menu = buildTrayMenu(s, { ...context, accountLabels: { '210987654321': 'Staging' } });
    const keep = find(menu, 'keep-active');
    expect(keep.label).toBe('Keep other roles active (1)');
    expect(keep.submenu!.map((e) => [e.label, e.checked, e.action])).toEqual([
      ['ReadOnly · 123456789012', false, { kind: 'keep-active', roleArn: readOnly.roleArn, keep: true }],
      ['Deploy · Staging — until 13:30', true, { kind: 'keep-active', roleArn: deploy.roleArn, keep: false }],
    ]);
  });

  it('with many roles lists only the kept ones and opens the picker for the rest', () => {
    const roles = manyRoles(60, 2);
    const s = serving('active', roles, roles[0]!, NOW + 3_600_000, {
      active: [status(roles[0]!, NOW + 3_600_000, { metadata: true }), status(roles[7]!, NOW + 3_600_000, { keptActive: true })],
    });
    const menu = buildTrayMenu(s, context);
    expectWellFormed(menu);
    expect(find(menu, 'keep-active').submenu!.map((e) => e.id)).toEqual([`keep:${roles[7]!.roleArn}`, 'separator:keep', 'keep-more']);
  });
});

describe('statusLine', () => {
  it('renders the clock in the given zone', () => {
    const s = serving('active', [admin], admin, Date.UTC(2026, 0, 1, 23, 5));
    expect(statusLine(s, {}, Date.UTC(2026, 0, 1, 22), 'Asia/Tokyo')).toBe('Admin · 123456789012 — expires at 08:05');
  });

  it('an active session whose credentials ran out says so instead of a past time', () => {
    expect(statusLine(serving('active', [admin], admin, NOW - 1), {}, NOW, 'UTC')).toBe('Admin · 123456789012 — no valid credentials');
  });
});
