// 169.254.169.254 appears here only as text; no traffic goes to it (real traffic to it happens only inside a
// network namespace a test creates with unshare — see test/support/netns.ts).
import type { LoginWindowState, SessionView, SettingsView, StatusView } from '../../preload/contract.js';
import { defaultSettings } from '../../main/settings/schema.js';
import { role, serving, snapshot, status } from '../support/session-snapshots.js';

/** What main would send the pages, for a company with a few accounts. */

export const NOW = Date.UTC(2026, 10, 25, 13, 0, 0);

export const accountLabels = { '123456789012': 'Production', '210987654321': 'Staging', '555566667777': 'Sandbox' };

export const roles = [
  role('123456789012', 'Admin'),
  role('123456789012', 'ReadOnly'),
  role('123456789012', 'BillingViewer'),
  role('210987654321', 'Deploy'),
  role('210987654321', 'Developer'),
  role('555566667777', 'Developer'),
  role('999988887777', 'AuditReader'),
];
const [admin, , , deploy] = roles;

export function activeSession(): SessionView {
  return {
    snapshot: serving('active', roles, admin!, NOW + 47 * 60_000, {
      active: [status(admin!, NOW + 47 * 60_000, { metadata: true }), status(deploy!, NOW + 32 * 60_000, { keptActive: true })],
    }),
    accountLabels,
    now: NOW,
  };
}

export function choosingSession(): SessionView {
  return { snapshot: snapshot('choosing-role', { roles }), accountLabels, now: NOW };
}

export function statusView(patch: Partial<StatusView> = {}): StatusView {
  return {
    ...activeSession(),
    imds: { mode: 'alias', address: 'http://169.254.169.254', listening: true, tokensRequired: true },
    containerVariables: [
      { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: 'http://127.0.0.1:9911/container/role/Deploy', secret: false },
      { name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN', value: '••••••••', secret: true },
    ],
    warnings: [],
    extension: undefined,
    ...patch,
  };
}

export function settingsView(): SettingsView {
  const settings = defaultSettings();
  settings.idpProfiles = [
    { id: 'idp-corp', name: 'Corporate SSO', signInUrl: 'https://sso.example.com/idp/profile/SAML2/Unsolicited/SSO?providerId=urn:amazon:webservices' },
  ];
  settings.activeProfileId = 'idp-corp';
  settings.accountLabels = { '123456789012': 'Production', '210987654321': 'Staging' };
  return { settings, platform: 'linux', plugins: [], signInKinds: {}, extensionHostInstalledFor: [] };
}

export function loginState(patch: Partial<LoginWindowState> = {}): LoginWindowState {
  return {
    phase: 'waiting',
    profileName: 'Corporate SSO',
    url: 'https://sso.example.com/idp/profile/SAML2/Unsolicited/SSO?providerId=urn:amazon:webservices',
    canGoBack: false,
    notice: undefined,
    message: undefined,
    ...patch,
  };
}
