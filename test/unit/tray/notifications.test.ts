import { describe, expect, it } from 'vitest';
import { EXPIRY_WARNING_MS, expiryWarning, expiryWarningAt, notificationsForChange } from '../../../main/tray/notifications.js';
import type { NotificationContext } from '../../../main/tray/notifications.js';
import { role, serving, snapshot } from '../../support/session-snapshots.js';

const NOW = Date.UTC(2026, 10, 25, 13, 0, 0);
const context: NotificationContext = { accountLabels: { '123456789012': 'Production' }, now: NOW, enabled: true, timeZone: 'UTC' };
const admin = role('123456789012', 'Admin');
const deploy = role('123456789012', 'Deploy');
const hour = NOW + 3_600_000;

describe('notificationsForChange', () => {
  it('announces a sign-in with role, account label and end time', () => {
    const notes = notificationsForChange(snapshot('choosing-role', { roles: [admin] }), serving('active', [admin], admin, hour), context);
    expect(notes).toEqual([{ key: `active:${admin.roleArn}:${hour}`, title: 'Signed in to AWS', body: 'Admin · Production — credentials until 14:00.' }]);
  });

  it('announces a role change but not a routine refresh', () => {
    const before = serving('active', [admin, deploy], admin, hour);
    expect(notificationsForChange(before, serving('active', [admin, deploy], deploy, hour), context).map((n) => n.title)).toEqual(['Role changed']);
    expect(notificationsForChange(serving('refreshing', [admin], admin, hour), serving('active', [admin], admin, hour + 1), context)).toEqual([]);
    expect(notificationsForChange(before, serving('refreshing', [admin, deploy], admin, hour), context)).toEqual([]);
  });

  it('a failed refresh says why and until when the current credentials last; click retries', () => {
    const failed = serving('failed', [admin], admin, NOW + 20 * 60_000, { error: { code: 'STS_THROTTLED', message: 'AWS STS is throttling requests.' }, lastRefreshAt: NOW - 1 });
    const [note] = notificationsForChange(serving('refreshing', [admin], admin, NOW + 20 * 60_000), failed, context);
    expect(note).toEqual({
      key: `failed:STS_THROTTLED:${NOW - 1}`,
      title: 'Refresh failed',
      body: 'AWS STS is throttling requests. The current credentials last until 13:20.',
      action: { kind: 'refresh' },
    });
    expect(notificationsForChange(failed, { ...failed, lastRefreshAt: NOW }, context)).toEqual([]);
  });

  it('the IdP asking again opens the sign-in on click', () => {
    const [note] = notificationsForChange(serving('refreshing', [admin], admin, undefined), serving('needs-sign-in', [admin], admin, undefined), context);
    expect(note).toMatchObject({ title: 'Sign in again', body: 'Your identity provider wants you to sign in again. Click to sign in.', action: { kind: 'sign-in' } });
  });

  it('says nothing when notifications are off', () => {
    expect(notificationsForChange(undefined, serving('needs-sign-in', [admin], admin, hour), { ...context, enabled: false })).toEqual([]);
  });
});

describe('expiry warning', () => {
  const stuck = serving('needs-sign-in', [admin], admin, NOW + 25 * 60_000);

  it('is due ten minutes before credentials that cannot refresh silently expire', () => {
    expect(expiryWarningAt(stuck, NOW)).toBe(NOW + 25 * 60_000 - EXPIRY_WARNING_MS);
    expect(expiryWarning(stuck, context)).toBeUndefined();
    const at = { ...context, now: NOW + 15 * 60_000 };
    expect(expiryWarning(stuck, at)).toEqual({
      key: `expiry:${admin.roleArn}:${NOW + 25 * 60_000}`,
      title: 'AWS credentials expire in 10 min',
      body: 'Admin · Production cannot be refreshed without you. Click to sign in again.',
      action: { kind: 'sign-in' },
    });
  });

  it('never fires for a session that refreshes by itself, nor after expiry', () => {
    const active = serving('active', [admin], admin, NOW + 5 * 60_000);
    expect(expiryWarning(active, context)).toBeUndefined();
    expect(expiryWarningAt(active, NOW)).toBeUndefined();
    expect(expiryWarning(stuck, { ...context, now: NOW + 26 * 60_000 })).toBeUndefined();
    expect(expiryWarningAt(stuck, NOW + 20 * 60_000)).toBe(NOW + 20 * 60_000);
  });
});
