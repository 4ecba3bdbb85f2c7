import type { SessionPhase, SessionSnapshot } from '../session/types.js';
import { accountShortName, formatClock, formatTimeLeft, hasValidCredentials, metadataRole, oneLine } from './describe.js';
import type { AccountLabels } from './describe.js';
import type { TrayAction } from './menu.js';

/**
 * Which desktop notifications a session change deserves. The shell shows what these return (when
 * `Notification.isSupported()`), keeps a reference so clicks arrive, and maps `action` like a menu click.
 */
export interface TrayNotification {
  /** The same key is shown once: the shell remembers the keys it has shown. */
  key: string;
  title: string;
  body: string;
  /** What clicking the notification does. */
  action?: TrayAction;
}

export interface NotificationContext {
  accountLabels: AccountLabels;
  now: number;
  /** The user's `notifications` setting: nothing is returned when false. */
  enabled: boolean;
  timeZone?: string;
}

/** Warn this long before credentials that cannot be refreshed silently run out. */
export const EXPIRY_WARNING_MS = 10 * 60_000;
const BODY_LENGTH = 180;

// Phases in which nothing will renew the credentials without the user.
const STUCK: ReadonlySet<SessionPhase> = new Set(['needs-sign-in', 'failed']);

function who(snapshot: SessionSnapshot, labels: AccountLabels): string | undefined {
  const status = metadataRole(snapshot);
  return status && `${status.role.roleName} · ${accountShortName(status.role.accountId, labels)}`;
}

/** Notifications for the step from `previous` to `next` (previous undefined: the app just started). */
export function notificationsForChange(previous: SessionSnapshot | undefined, next: SessionSnapshot, context: NotificationContext): TrayNotification[] {
  if (!context.enabled || (previous?.phase === next.phase && previous.metadataRoleArn === next.metadataRoleArn)) return [];
  const role = who(next, context.accountLabels);
  const status = metadataRole(next);
  const until = hasValidCredentials(status, context.now) ? formatClock(status.expiresAt, context.timeZone) : undefined;
  const notes: TrayNotification[] = [];
  if (next.phase === 'active' && role && previous?.phase !== 'refreshing') {
    const signedIn = previous?.phase !== 'active';
    notes.push({
      key: `active:${next.metadataRoleArn}:${status?.expiresAt}`,
      title: signedIn ? 'Signed in to AWS' : 'Role changed',
      body: until ? `${role} — credentials until ${until}.` : role,
    });
  }
  if (next.phase === 'failed' && previous?.phase !== 'failed') {
    const detail = next.error ? oneLine(next.error.message, BODY_LENGTH) : 'Cloudtoken could not refresh your credentials.';
    notes.push({
      key: `failed:${next.error?.code}:${next.lastRefreshAt}`,
      title: 'Refresh failed',
      body: until ? `${detail} The current credentials last until ${until}.` : detail,
      action: { kind: 'refresh' },
    });
  }
  if (next.phase === 'needs-sign-in' && previous?.phase !== 'needs-sign-in') {
    notes.push({
      key: `needs-sign-in:${next.lastRefreshAt}`,
      title: 'Sign in again',
      body: `Your identity provider wants you to sign in again${until ? ` (credentials last until ${until})` : ''}. Click to sign in.`,
      action: { kind: 'sign-in' },
    });
  }
  return notes;
}

/**
 * The warning that credentials run out within EXPIRY_WARNING_MS and nothing will renew them silently, or
 * undefined. The shell calls this at `expiryWarningAt` (and on every change).
 */
export function expiryWarning(snapshot: SessionSnapshot, context: NotificationContext): TrayNotification | undefined {
  const status = metadataRole(snapshot);
  if (!context.enabled || !STUCK.has(snapshot.phase) || !hasValidCredentials(status, context.now)) return undefined;
  const left = status.expiresAt - context.now;
  if (left > EXPIRY_WARNING_MS) return undefined;
  return {
    key: `expiry:${status.role.roleArn}:${status.expiresAt}`,
    title: `AWS credentials expire in ${formatTimeLeft(left)}`,
    body: `${who(snapshot, context.accountLabels)} cannot be refreshed without you. Click to sign in again.`,
    action: { kind: 'sign-in' },
  };
}

/** When to call expiryWarning next (epoch ms), or undefined when no warning can become due. */
export function expiryWarningAt(snapshot: SessionSnapshot, now: number): number | undefined {
  const status = metadataRole(snapshot);
  if (!STUCK.has(snapshot.phase) || !hasValidCredentials(status, now)) return undefined;
  return Math.max(now, status.expiresAt - EXPIRY_WARNING_MS);
}
