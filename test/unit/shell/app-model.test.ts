import { describe, expect, it } from 'vitest';
import {
  activeProfile,
  buildStatusView,
  containerPortFor,
  plannedImdsUrl,
  copyText,
  regionFor,
  rendererBaseUrl,
  settingsEffects,
  type ServiceFacts,
} from '../../../main/shell/app-model.js';
import { pathToFileURL } from 'node:url';
import { senderRefusal } from '../../../main/ipc/sender.js';
import { defaultSettings, type Settings } from '../../../main/settings/schema.js';
import { snapshot } from '../../support/session-snapshots.js';

// Pure functions: nothing here opens a socket. The link-local address appears only as text; traffic to it happens
// only in test/integration/imds-netns.test.ts, inside an unshare'd network namespace.
const corp = { id: 'idp-corp', name: 'Corp', signInUrl: 'https://idp.example.com/aws' };
const lab = { id: 'idp-lab', name: 'Lab', signInUrl: 'https://lab.example.com/aws', region: 'eu-west-1' };
const base = (): Settings => ({ ...defaultSettings(), idpProfiles: [corp, lab], activeProfileId: 'idp-corp' });
const service: ServiceFacts = {
  mode: 'loopback',
  imdsUrl: 'http://127.0.0.1:9911/',
  containerEnvironment: { AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:9912/role/default', AWS_CONTAINER_AUTHORIZATION_TOKEN: 'tok-secret-123' },
};

describe('app model', () => {
  it('picks the selected profile, else the first, else none', () => {
    expect(activeProfile(base())?.id).toBe('idp-corp');
    expect(activeProfile({ ...base(), activeProfileId: 'idp-lab' })?.id).toBe('idp-lab');
    expect(activeProfile({ ...base(), activeProfileId: undefined })?.id).toBe('idp-corp');
    expect(activeProfile(defaultSettings())).toBeUndefined();
    expect(regionFor(lab, base())).toBe('eu-west-1');
    expect(regionFor(corp, base())).toBe('us-east-1');
  });

  it('says what a settings change restarts', () => {
    const none = { restartSession: false, restartService: false };
    expect(settingsEffects(base(), base())).toEqual(none);
    expect(settingsEffects(base(), { ...base(), accountLabels: { '123456789012': 'Prod' }, notifications: false })).toEqual(none);
    expect(settingsEffects(base(), { ...base(), activeProfileId: 'idp-lab' }).restartSession).toBe(true);
    expect(settingsEffects(base(), { ...base(), idpProfiles: [{ ...corp, signInUrl: 'https://new.example.com/' }, lab] }).restartSession).toBe(true);
    expect(settingsEffects(base(), { ...base(), sessionDurationSeconds: 7200 }).restartSession).toBe(true);
    expect(settingsEffects(base(), { ...base(), imdsPort: 19_911 })).toEqual({ ...none, restartService: true });
    expect(settingsEffects(base(), { ...base(), imdsMode: 'loopback' }).restartService).toBe(true);
    // Start at login is applied (and read back from the OS) before the settings are saved: nothing to restart.
    expect(settingsEffects(base(), { ...base(), startAtLogin: true })).toEqual(none);
  });

  it('puts the container endpoint beside the metadata port', () => {
    expect(containerPortFor(9911)).toBe(9912);
    expect(containerPortFor(65_535)).toBe(65_534);
  });

  it('builds the status view: masked token, warnings with their fix, the planned address before serving', () => {
    const view = buildStatusView({
      snapshot: snapshot('active'),
      settings: base(),
      now: 1,
      service,
      findings: [{ code: 'ENV_KEYS', severity: 'warning', message: 'AWS_ACCESS_KEY_ID is set.', fix: 'Unset it.' }],
    });
    expect(view.imds).toEqual({ mode: 'loopback', address: 'http://127.0.0.1:9911/', listening: true, tokensRequired: true });
    expect(view.containerVariables).toEqual([
      { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: 'http://127.0.0.1:9912/role/default', secret: false },
      { name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN', value: '••••••••', secret: true },
    ]);
    expect(JSON.stringify(view)).not.toContain('tok-secret-123');
    expect(view.warnings).toEqual([{ code: 'ENV_KEYS', message: 'AWS_ACCESS_KEY_ID is set. Unset it.' }]);

    const before = buildStatusView({ snapshot: snapshot('signed-out'), settings: base(), now: 1, service: undefined, findings: [] });
    expect(before.imds).toMatchObject({ mode: 'alias', address: 'http://169.254.169.254/', listening: false });
    expect(before.containerVariables).toEqual([]);
    expect(plannedImdsUrl({ ...base(), imdsMode: 'loopback', imdsPort: 19_911 })).toBe('http://127.0.0.1:19911/');
  });

  it('copies the real values the window never sees, quoted per shell', () => {
    expect(copyText('imds-address', service)).toBe('http://127.0.0.1:9911/');
    expect(copyText('container-env-sh', service)).toBe(
      "export AWS_CONTAINER_CREDENTIALS_FULL_URI='http://127.0.0.1:9912/role/default'\nexport AWS_CONTAINER_AUTHORIZATION_TOKEN='tok-secret-123'\n",
    );
    expect(copyText('container-env-powershell', service)).toContain("$Env:AWS_CONTAINER_AUTHORIZATION_TOKEN = 'tok-secret-123'");
  });

  it('gives IPC the base its pages load from, spaces and app.asar included', () => {
    const appPath = '/opt/Cloud token/resources/app.asar';
    const pagesBase = rendererBaseUrl(appPath);
    expect(pagesBase).toBe('file:///opt/Cloud%20token/resources/app.asar/dist/renderer/');
    // What loadFile shows for the status page is accepted; the same page outside the app is not.
    const loaded = pathToFileURL(`${appPath}/dist/renderer/status/index.html`).href;
    const facts = { isMainFrame: true, windowKind: 'status' as const };
    expect(senderRefusal({ ...facts, frameUrl: loaded }, 'cloudtoken:status:get', { rendererBaseUrl: pagesBase })).toBeUndefined();
    expect(senderRefusal({ ...facts, frameUrl: 'file:///tmp/dist/renderer/status/index.html' }, 'cloudtoken:status:get', { rendererBaseUrl: pagesBase })).toBeDefined();
  });
});
