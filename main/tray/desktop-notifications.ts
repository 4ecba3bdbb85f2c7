import type { SamlRole } from '../saml/types.js';
import type { SessionEvent } from '../session/session.js';
import { accountShortName, formatClock, type AccountLabels } from './describe.js';

/**
 * Desktop notifications for the four moments a tray user must hear about: signed in, a refresh failed, the
 * IdP wants the user again (clicking opens the login window), and credentials expiring in 10 minutes that
 * cannot be renewed silently. Electron's Notification class is passed in (main/shell/app.ts).
 */

export interface NotificationContent {
  title: string;
  body: string;
  /** Clicking it opens the login window. */
  opensSignIn: boolean;
}

function roleName(roleArn: string, roles: readonly SamlRole[], labels: AccountLabels): string {
  const role = roles.find((r) => r.roleArn === roleArn);
  return role ? `${role.roleName} · ${accountShortName(role.accountId, labels)}` : roleArn.replace(/^.*:role\//, '');
}

/** What to tell the user about a session event, or undefined for events that stay in the tray. */
export function notificationFor(event: SessionEvent, context: { roles: readonly SamlRole[]; labels: AccountLabels; timeZone?: string }): NotificationContent | undefined {
  switch (event.type) {
    case 'signed-in':
      return {
        title: 'Signed in to AWS',
        body: event.roles.length === 1 ? 'Your credentials are being served to AWS tools.' : `${event.roles.length} roles are available; choose one from the Cloudtoken menu.`,
        opensSignIn: false,
      };
    case 'refresh-failed':
      return {
        title: 'Refreshing AWS credentials failed',
        body: event.retryAt === undefined ? event.error.message : `${event.error.message} Cloudtoken tries again at ${formatClock(event.retryAt, context.timeZone)}.`,
        opensSignIn: false,
      };
    case 'needs-sign-in':
      // No roles yet: the first sign-in of this run (a new install, a restart after the IdP session ended).
      return context.roles.length === 0
        ? { title: 'Sign in to AWS', body: 'Sign in with your identity provider to get AWS credentials. Click to open the sign-in window.', opensSignIn: true }
        : { title: 'Sign in again', body: 'Your identity provider wants you to sign in again. Click to open the sign-in window.', opensSignIn: true };
    case 'expiring':
      return {
        title: 'AWS credentials expire soon',
        body: `The credentials for ${roleName(event.roleArn, context.roles, context.labels)} expire at ${formatClock(event.expiresAt, context.timeZone)} and cannot be renewed without you. Click to sign in.`,
        opensSignIn: true,
      };
    default:
      return undefined;
  }
}

/** What the notifier needs of one Electron Notification. */
export interface NotificationHandle {
  on(event: 'click' | 'close', listener: () => void): unknown;
  show(): void;
}

export interface NotifierOptions {
  create(options: { title: string; body: string; silent: boolean }): NotificationHandle;
  /** `Notification.isSupported()`: false on Linux desktops without a notification server. */
  isSupported(): boolean;
  enabled(): boolean;
  openSignIn(): void;
}

export interface Notifier {
  notify(content: NotificationContent): void;
  /** How many notifications are still referenced (shown and neither clicked nor closed). */
  pending(): number;
}

export function createNotifier(options: NotifierOptions): Notifier {
  // A Notification that is no longer referenced is garbage-collected with its click handler.
  const live = new Set<NotificationHandle>();
  return {
    notify(content) {
      if (!options.enabled() || !options.isSupported()) return;
      const notification = options.create({ title: content.title, body: content.body, silent: false });
      live.add(notification);
      notification.on('click', () => {
        live.delete(notification);
        if (content.opensSignIn) options.openSignIn();
      });
      notification.on('close', () => live.delete(notification));
      notification.show();
    },
    pending: () => live.size,
  };
}
