import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings, type Settings } from '../../main/settings/schema.js';
import { createSettingsStore } from '../../main/settings/settings-store.js';
import { freePort } from '../support/free-ports.js';
import { startIdp, type RunningIdp } from '../support/idp/index.js';
import { signInAndChoose, startTrayHarness, type TrayHarness } from '../support/tray-controller-harness.js';
import { providersTrusting, startStsStandIn, type StsStandIn } from '../support/sts/stand-in.js';

/**
 * The tray app's controller (everything the tray and its windows do, minus Electron) against the real
 * SimpleSAMLphp IdP, the STS stand-in and the real metadata service on loopback. The embedded login window
 * cannot run here, so the profile signs in through the HTML-form authenticator (the tray-journey test drives
 * the real window through a Chromium stand-in). Each setting of the Settings window is saved through the IPC
 * handler, as the window does, and the test checks that it reached what the runtime serves.
 */
const DEVELOPER = 'arn:aws:iam::111111111111:role/Developer';
const ADMIN = 'arn:aws:iam::222222222222:role/Admin';

let idp: RunningIdp;
let standIn: StsStandIn;
let otherStandIn: StsStandIn;
let root: string;

async function imds(port: number, path: string, tokenless = false): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = {};
  if (!tokenless) {
    const token = await fetch(`http://127.0.0.1:${port}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' } });
    headers['x-aws-ec2-metadata-token'] = await token.text();
  }
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
  return { status: response.status, body: await response.text() };
}

const servedRole = async (port: number) => (await imds(port, '/latest/meta-data/iam/security-credentials/')).body;

const harnesses: TrayHarness[] = [];

async function startHarness(initial: (settings: Settings) => void): Promise<TrayHarness> {
  const harness = await startTrayHarness({ idp, stsUrl: standIn.url, root, initial });
  harnesses.push(harness);
  return harness;
}

/** Sign in from the tray and pick a role; resolves once the metadata service serves it. */
async function signInAndServe(harness: TrayHarness, roleArn: string): Promise<number> {
  await signInAndChoose(harness, roleArn);
  const port = (await harness.settings()).imdsPort;
  await expect.poll(() => servedRole(port).catch(() => ''), { timeout: 15_000 }).toBe(roleArn.replace(/^.*:role\/(?:.*\/)?/, ''));
  return port;
}

beforeAll(async () => {
  idp = await startIdp();
  const providers = providersTrusting(idp);
  standIn = await startStsStandIn({ providers });
  otherStandIn = await startStsStandIn({ providers });
  root = await mkdtemp(join(tmpdir(), 'cloudtoken-tray-controller-'));
}, 60_000);

afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.controller.stop();
});

afterAll(async () => {
  await standIn?.close();
  await otherStandIn?.close();
  await idp?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('the tray app’s controller, with the runtime the daemon runs', () => {
  it('signs in, serves the chosen role, and saves the choice where the CLI reads it', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const harness = await startHarness((s) => (s.imdsPort = port));
    await signInAndServe(harness, DEVELOPER);
    await expect.poll(async () => (await harness.store.load()).lastRoleArnByProfile['idp-corp']).toBe(DEVELOPER);
    expect(harness.notifications.map((n) => n.title)).toContain('Signed in to AWS');
  });

  it('follows a role chosen by another process, and a save in the window keeps it', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const harness = await startHarness((s) => (s.imdsPort = port));
    await signInAndServe(harness, DEVELOPER);
    // What `cloudtoken login --role Admin` does to the shared file:
    await createSettingsStore({ path: harness.paths.settingsFile }).update((s) => (s.lastRoleArnByProfile['idp-corp'] = ADMIN));
    await expect.poll(() => harness.controller.snapshot().metadataRoleArn, { timeout: 10_000 }).toBe(ADMIN);
    await expect.poll(() => servedRole(port), { timeout: 10_000 }).toBe('Admin');
    // The window then saves an unrelated change from what it was showing before: the CLI's choice survives.
    const stale = structuredClone(await harness.settings());
    stale.lastRoleArnByProfile['idp-corp'] = DEVELOPER;
    stale.accountLabels = { '222222222222': 'Production' };
    const result = await harness.controller.ipc['cloudtoken:settings:save'](stale, { kind: 'settings', webContentsId: 1 });
    expect(result.ok).toBe(true);
    const saved = await harness.store.load();
    expect(saved.accountLabels).toEqual({ '222222222222': 'Production' });
    expect(saved.lastRoleArnByProfile['idp-corp']).toBe(ADMIN);
    await expect(servedRole(port)).resolves.toBe('Admin');
  });

  it('each setting of the Settings window reaches the runtime', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const harness = await startHarness((s) => (s.imdsPort = port));
    await signInAndServe(harness, DEVELOPER);

    // region: what the metadata service says the instance's region is.
    await harness.save((s) => (s.region = 'eu-west-2'));
    await expect.poll(async () => (await imds(port, '/latest/meta-data/placement/region')).body).toBe('eu-west-2');

    // tokensRequired: IMDSv1 reads are refused, then allowed.
    expect((await imds(port, '/latest/meta-data/iam/security-credentials/', true)).status).toBe(401);
    await harness.save((s) => (s.tokensRequired = false));
    await expect.poll(async () => (await imds(port, '/latest/meta-data/iam/security-credentials/', true).catch(() => ({ status: 0 }))).status, { timeout: 10_000 }).toBe(200);

    // imdsPort (and the container port beside it): the service moves.
    const moved = await freePort();
    await harness.save((s) => (s.imdsPort = moved));
    await expect.poll(() => servedRole(moved).catch(() => ''), { timeout: 10_000 }).toBe('Developer');
    await expect(servedRole(port)).rejects.toThrow();

    // writeCredentialsFileProfiles + accountLabels: a named profile per served role in ~/.aws/credentials.
    await harness.save((s) => {
      s.writeCredentialsFileProfiles = true;
      s.accountLabels = { '111111111111': 'Sandbox' };
    });
    await harness.controller.actions['refresh']({ kind: 'refresh' });
    await expect.poll(async () => (await readFile(join(harness.home, '.aws', 'credentials'), 'utf8').catch(() => '')), { timeout: 10_000 }).toMatch(/\[sandbox-developer\]\s*\n[^[]*aws_access_key_id = ASIA/);

    // notifications: off, and a refresh that fails says nothing; on, and it does.
    await harness.save((s) => (s.notifications = false));
    standIn.setFault({ kind: 'accessDenied', times: 1 });
    await Promise.resolve(harness.controller.actions.refresh({ kind: 'refresh' })).catch(() => undefined);
    expect(harness.notifications.filter((n) => n.title.startsWith('Refreshing'))).toEqual([]);
    await harness.save((s) => (s.notifications = true));
    standIn.setFault({ kind: 'accessDenied', times: 1 });
    await Promise.resolve(harness.controller.actions.refresh({ kind: 'refresh' })).catch(() => undefined);
    expect(harness.notifications.filter((n) => n.title.startsWith('Refreshing'))).toHaveLength(1);

    // startAtLogin: the OS login item is set, and what the OS reports is what is saved.
    await harness.save((s) => (s.startAtLogin = true));
    expect(harness.autostart.calls).toEqual([true]);
    expect((await harness.store.load()).startAtLogin).toBe(true);

    // stsEndpointOverride, sessionDurationSeconds, refreshIntervalMinutes: a new session, asking the new STS.
    const before = otherStandIn.requests.length;
    await harness.save((s) => {
      s.stsEndpointOverride = otherStandIn.url;
      s.sessionDurationSeconds = 1800;
      s.refreshIntervalMinutes = 10;
    });
    await expect.poll(() => otherStandIn.issued.length, { timeout: 20_000 }).toBeGreaterThan(0);
    const asked = otherStandIn.requests.slice(before).filter((r) => r.action === 'AssumeRoleWithSAML');
    expect(asked.length).toBeGreaterThan(0);
    await expect.poll(() => harness.controller.snapshot().nextRefreshAt ?? 0, { timeout: 10_000 }).toBeLessThanOrEqual(Date.now() + 10 * 60_000 + 5_000);
    await expect.poll(() => servedRole(moved).catch(() => ''), { timeout: 10_000 }).toBe('Developer');

    // idpProfiles + activeProfileId: another profile becomes the running one.
    await harness.save((s) => {
      s.idpProfiles.push({ id: 'idp-lab', name: 'Lab', signInUrl: idp.signInUrl });
      s.activeProfileId = 'idp-lab';
    });
    await expect.poll(() => harness.controller.snapshot().profileId, { timeout: 10_000 }).toBe('idp-lab');
  });

  it('refuses invalid settings with each field’s message and changes nothing', { timeout: 30_000 }, async () => {
    const harness = await startHarness((s) => (s.imdsPort = 19_000));
    const before = await readFile(harness.paths.settingsFile, 'utf8');
    const edited = { ...defaultSettings(), ...(await harness.settings()), imdsPort: 80, idpProfiles: [{ id: 'idp-corp', name: 'Corp', signInUrl: 'http://localhost.evil.example/sso' }] };
    const result = await harness.controller.ipc['cloudtoken:settings:save'](edited, { kind: 'settings', webContentsId: 1 });
    expect(result).toMatchObject({ ok: false, errors: expect.arrayContaining([expect.objectContaining({ field: 'imdsPort' }), expect.objectContaining({ field: 'idpProfiles.0.signInUrl' })]) });
    expect(await readFile(harness.paths.settingsFile, 'utf8')).toBe(before);
  });

  it('a failed tray action is said as a notification, like a failed request is said to its window', { timeout: 30_000 }, async () => {
    const harness = await startHarness((s) => (s.imdsPort = 19_001));
    const failure = await harness.controller.ipc['cloudtoken:status:copy']({ target: 'imds-address' }, { kind: 'status', webContentsId: 1 });
    expect(failure).toEqual({ ok: false, message: 'The metadata service is not running yet: sign in first.' });
    const error = await Promise.resolve()
      .then(() => harness.controller.actions['copy-env']({ kind: 'copy-env', shell: 'sh' }))
      .catch((e: unknown) => e);
    harness.controller.actionFailed(error, { kind: 'copy-env', shell: 'sh' });
    expect(harness.notifications.at(-1)).toEqual({ title: 'Cloudtoken', body: 'There are no valid credentials to copy.', opensSignIn: false });
  });
});
