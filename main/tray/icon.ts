import type { SessionSnapshot } from '../session/types.js';
import { accountShortName, formatTimeLeft, hasValidCredentials, metadataRole, oneLine } from './describe.js';
import type { AccountLabels } from './describe.js';

/** The four tray images in assets/tray/ (one per state, macOS template images @1x/@2x). */
export type TrayIconState = 'signed-out' | 'active' | 'refreshing' | 'attention';

export function trayIconState(snapshot: SessionSnapshot): TrayIconState {
  switch (snapshot.phase) {
    case 'signed-out':
      return 'signed-out';
    case 'active':
      return 'active';
    case 'signing-in':
    case 'refreshing':
      return 'refreshing';
    case 'choosing-role':
    case 'needs-sign-in':
    case 'failed':
    case 'expired':
      return 'attention';
  }
}

// Windows truncates notification-area tooltips at 127 characters.
const TOOLTIP_MAX = 127;

/** "Cloudtoken — Admin · Production — 42 min left", or the state when no role is served. */
export function trayTooltip(snapshot: SessionSnapshot, labels: AccountLabels, now: number): string {
  const status = metadataRole(snapshot);
  const parts = ['Cloudtoken'];
  if (status) parts.push(`${status.role.roleName} · ${accountShortName(status.role.accountId, labels)}`);
  const left = hasValidCredentials(status, now) ? `${formatTimeLeft(status.expiresAt - now)} left` : undefined;
  switch (snapshot.phase) {
    case 'signed-out':
      parts.push('signed out');
      break;
    case 'signing-in':
      parts.push('signing in…');
      break;
    case 'choosing-role':
      parts.push('choose a role');
      break;
    case 'active':
      parts.push(left ?? 'no valid credentials');
      break;
    case 'refreshing':
      parts.push(left ? `refreshing, ${left}` : 'refreshing…');
      break;
    case 'needs-sign-in':
      parts.push(left ? `sign in again, ${left}` : 'sign in again');
      break;
    case 'failed':
      parts.push(left ? `refresh failed, ${left}` : 'refresh failed');
      break;
    case 'expired':
      parts.push('credentials expired');
      break;
  }
  return oneLine(parts.join(' — '), TOOLTIP_MAX);
}
