import { describe, expect, it } from 'vitest';
import { createNotifier, notificationFor, type NotificationHandle } from '../../../main/tray/desktop-notifications.js';
import { role } from '../../support/session-snapshots.js';

const admin = role('123456789012', 'Admin');
const AT = Date.UTC(2026, 10, 25, 14, 5);
const context = { roles: [admin], labels: { '123456789012': 'Production' }, timeZone: 'UTC' };

describe('notificationFor', () => {
  it('tells of sign-in, failed refresh, the IdP wanting the user, and expiry it cannot prevent', () => {
    expect(notificationFor({ type: 'signed-in', roles: [admin] }, context)).toMatchObject({ title: 'Signed in to AWS', opensSignIn: false });
    expect(notificationFor({ type: 'refresh-failed', error: { code: 'STS_THROTTLED', message: 'AWS is busy.' }, retryAt: AT }, context)?.body).toBe(
      'AWS is busy. Cloudtoken tries again at 14:05.',
    );
    const needsUser = { type: 'needs-sign-in', error: { code: 'INTERACTION_REQUIRED', message: 'x' } } as const;
    expect(notificationFor(needsUser, context)).toMatchObject({ title: 'Sign in again', opensSignIn: true });
    // The first sign-in of a run is not "again".
    expect(notificationFor(needsUser, { ...context, roles: [] })).toEqual({
      title: 'Sign in to AWS',
      body: 'Sign in with your identity provider to get AWS credentials. Click to open the sign-in window.',
      opensSignIn: true,
    });
    expect(notificationFor({ type: 'expiring', roleArn: admin.roleArn, expiresAt: AT }, context)).toEqual({
      title: 'AWS credentials expire soon',
      body: 'The credentials for Admin · Production expire at 14:05 and cannot be renewed without you. Click to sign in.',
      opensSignIn: true,
    });
    expect(notificationFor({ type: 'refreshed', roleArns: [admin.roleArn] }, context)).toBeUndefined();
  });
});

class FakeNotification implements NotificationHandle {
  static made: FakeNotification[] = [];
  readonly listeners = new Map<string, () => void>();
  shown = false;
  constructor(readonly options: { title: string; body: string }) {
    FakeNotification.made.push(this);
  }
  on(event: 'click' | 'close', listener: () => void) {
    this.listeners.set(event, listener);
  }
  show() {
    this.shown = true;
  }
}

describe('createNotifier', () => {
  it('keeps a reference until clicked or closed; a click on a sign-in notification opens the login window', () => {
    FakeNotification.made = [];
    let opened = 0;
    const notifier = createNotifier({ create: (o) => new FakeNotification(o), isSupported: () => true, enabled: () => true, openSignIn: () => (opened += 1) });
    notifier.notify({ title: 'Sign in again', body: 'b', opensSignIn: true });
    notifier.notify({ title: 'Signed in', body: 'b', opensSignIn: false });
    expect(notifier.pending()).toBe(2);
    const [first, second] = FakeNotification.made;
    expect(first?.shown && second?.shown).toBe(true);
    first?.listeners.get('click')?.();
    second?.listeners.get('click')?.();
    expect(opened).toBe(1);
    expect(notifier.pending()).toBe(0);
  });

  it('shows nothing when unsupported or switched off in settings', () => {
    FakeNotification.made = [];
    let enabled = false;
    let supported = true;
    const notifier = createNotifier({ create: (o) => new FakeNotification(o), isSupported: () => supported, enabled: () => enabled, openSignIn: () => {} });
    notifier.notify({ title: 't', body: 'b', opensSignIn: false });
    enabled = true;
    supported = false;
    notifier.notify({ title: 't', body: 'b', opensSignIn: false });
    expect(FakeNotification.made).toEqual([]);
  });
});
