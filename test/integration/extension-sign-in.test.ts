import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:https';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionStatus } from '../../main/channel/protocol.js';
import { CHROME_EXTENSION_ID, NATIVE_HOST_NAME } from '../../main/extension/identity.js';
import { freePortPair } from '../support/free-ports.js';
import { CloudtokenProcess, runCloudtoken } from '../support/cli.js';
import { ALICE, startIdp, type RunningIdp } from '../support/idp/index.js';
import { providersTrusting, startStsStandIn, type StsStandIn } from '../support/sts/stand-in.js';
import { startTrayHarness } from '../support/tray-controller-harness.js';

/**
 * "Your browser": Debian's Chromium, headless, with the built extension unpacked and the native messaging host
 * installed by `cloudtoken extension install` into its user-data folder (the real launcher, the built CLI).
 * Names resolve nowhere but loopback, so nothing can reach AWS; the IdP is SimpleSAMLphp, STS the stand-in.
 */
const CHROMIUM = '/usr/bin/chromium';
const EXTENSION = fileURLToPath(new URL('../../dist/extension/chrome', import.meta.url));
const execFileAsync = promisify(execFile);
const DEVELOPER = 'arn:aws:iam::111111111111:role/Developer';

let idp: RunningIdp;
let standIn: StsStandIn;
let dir: string;
let env: Record<string, string>;
let userDataDir: string;
let foreignExtension: string;
let context: BrowserContext;
/** What the browser tried to send to AWS, and how that ended. */
const awsRequests: string[] = [];
/** "AWS": signin.aws.amazon.com resolves to this local HTTPS server, which records whatever reaches it. */
let fakeAws: Server;
const reachedAws: string[] = [];

async function startFakeAws(): Promise<number> {
  await execFileAsync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=signin.aws.amazon.com', '-days', '1', '-keyout', join(dir, 'aws.key'), '-out', join(dir, 'aws.crt')]);
  fakeAws = createServer({ key: await readFile(join(dir, 'aws.key')), cert: await readFile(join(dir, 'aws.crt')) }, (request, response) => {
    reachedAws.push(`${request.method} ${request.url}`);
    response.end('AWS console');
  });
  const port = await freePortPair();
  await new Promise<void>((resolve) => fakeAws.listen(port, '127.0.0.1', resolve));
  return port;
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function sessions(): Promise<SessionStatus[]> {
  const result = await runCloudtoken(['status', '--json'], env);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { sessions: SessionStatus[] }).sessions;
}

async function typeCredentials(page: Page): Promise<void> {
  await page.locator('input[name="username"]').fill(ALICE.username);
  await page.locator('input[name="password"]').fill(ALICE.password);
  await page.locator('input[name="password"]').press('Enter');
}


beforeAll(async () => {
  idp = await startIdp();
  standIn = await startStsStandIn({ providers: providersTrusting(idp) });
  dir = await mkdtemp(join(tmpdir(), 'cloudtoken-extension-'));
  env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(dir, 'home'),
    XDG_CONFIG_HOME: join(dir, 'home', '.config'),
    CLOUDTOKEN_HOME: join(dir, 'state'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_STS: standIn.url,
  };
  const install = await runCloudtoken(['extension', 'install'], env);
  expect(install.code, install.stderr).toBe(0);
  // Chromium's own folder under XDG_CONFIG_HOME, where `extension install` put the host's manifest.
  userDataDir = join(dir, 'home', '.config', 'chromium');
  foreignExtension = join(dir, 'foreign-extension');
  await mkdir(foreignExtension, { recursive: true });
  await writeFile(join(foreignExtension, 'manifest.json'), JSON.stringify({ manifest_version: 3, name: 'Foreign', version: '1', permissions: ['nativeMessaging'], background: { service_worker: 'sw.js' } }));
  await writeFile(join(foreignExtension, 'sw.js'), '');
  const awsPort = await startFakeAws();
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    env: { ...env, DISPLAY: '' },
    ignoreDefaultArgs: ['--disable-extensions'],
    args: [
      `--load-extension=${EXTENSION},${foreignExtension}`,
      `--disable-extensions-except=${EXTENSION},${foreignExtension}`,
      `--host-resolver-rules=MAP signin.aws.amazon.com 127.0.0.1:${awsPort}, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1`,
      '--ignore-certificate-errors',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
  context.on('request', (request) => {
    if (/amazon|amazonaws/.test(new URL(request.url()).hostname)) awsRequests.push(`${request.method()} ${request.url()}`);
  });
  context.on('requestfailed', (request) => {
    if (/amazon|amazonaws/.test(new URL(request.url()).hostname)) awsRequests.push(`failed ${request.method()} ${request.url()} ${request.failure()?.errorText}`);
  });
}, 90_000);

afterAll(async () => {
  await context?.close();
  fakeAws?.close();
  await standIn?.close();
  await idp?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!existsSync(CHROMIUM) || !existsSync(EXTENSION))('signing in with your own browser, through the extension', { timeout: 120_000 }, () => {
  it('installed the host for every browser, admitting only the extension', async () => {
    const manifest = JSON.parse(await readFile(join(userDataDir, 'NativeMessagingHosts', `${NATIVE_HOST_NAME}.json`), 'utf8')) as { path: string; allowed_origins: string[] };
    expect(manifest.allowed_origins).toEqual([`chrome-extension://${CHROME_EXTENSION_ID}/`]);
    expect(manifest.path).toBe(join(dir, 'state', 'native-host', 'cloudtoken-native-host'));
    expect(existsSync(join(dir, 'home', '.mozilla', 'native-messaging-hosts', `${NATIVE_HOST_NAME}.json`))).toBe(true);
  });

  it('Chromium takes the blocking rule and matches it to every AWS SAML endpoint', async () => {
    const worker = await until('the extension’s worker', () => context.serviceWorkers().find((w) => w.url().includes(CHROME_EXTENSION_ID)));
    const outcomes = await worker.evaluate(async (urls) => {
      const dnr = (globalThis as unknown as { chrome: { declarativeNetRequest: { testMatchOutcome(r: object): Promise<{ matchedRules: unknown[] }> } } }).chrome.declarativeNetRequest;
      const matched = async (url: string, method: string) => (await dnr.testMatchOutcome({ url, method, type: 'main_frame', tabId: -1 })).matchedRules.length > 0;
      return Promise.all(urls.map(async (url) => [url, await matched(url, 'post'), await matched(url, 'get')]));
    }, ['https://signin.aws.amazon.com/saml', 'https://eu-west-1.signin.aws.amazon.com/static/saml', 'https://signin.amazonaws.cn/saml/acs/ABC123', 'https://signin.amazonaws-us-gov.com/saml', 'https://signin.aws.amazon.com/console', 'https://idp.example/saml']);
    expect(outcomes).toEqual([
      ['https://signin.aws.amazon.com/saml', true, false],
      ['https://eu-west-1.signin.aws.amazon.com/static/saml', true, false],
      ['https://signin.amazonaws.cn/saml/acs/ABC123', true, false],
      ['https://signin.amazonaws-us-gov.com/saml', true, false],
      ['https://signin.aws.amazon.com/console', false, false],
      ['https://idp.example/saml', false, false],
    ]);
  });

  it('1: a sign-in nobody waits for is kept from AWS and refused, and changes nothing', async () => {
    const page = await context.newPage();
    await page.goto(idp.signInUrl);
    await typeCredentials(page);
    await until('the refusal page', () => page.url().endsWith('/signed-in.html#refused'));
    // The page fills in its heading once it has read the outcome.
    await until('the refusal heading', async () => (await page.locator('h1').textContent()) === 'Cloudtoken was not waiting for a sign-in');
    expect(awsRequests[0]).toBe('POST https://signin.aws.amazon.com/saml');
    expect(reachedAws).toEqual([]);
    expect(existsSync(join(dir, 'state', 'settings.json'))).toBe(false);
    await page.close();
  });

  it('2: cloudtoken login --extension gets the roles from the browser’s IdP session, with no typing', async () => {
    const pagesBefore = context.pages().length;
    const login = await runCloudtoken(['login', '--extension', '--idp-url', idp.signInUrl, '--role', 'Developer', '--json'], env);
    expect(login.code, login.stderr).toBe(0);
    const result = JSON.parse(login.stdout) as { roleArn: string; roles: string[] };
    expect(result.roleArn).toBe(DEVELOPER);
    expect(result.roles).toHaveLength(ALICE.roles.length);
    // The tab the sign-in opened closed itself once Cloudtoken had the assertion.
    await until('the sign-in tab to close', () => context.pages().length === pagesBefore);
    const state = JSON.parse(await readFile(join(dir, 'state', 'cli-state.json'), 'utf8')) as Record<string, { method: string }>;
    expect(Object.values(state).map((s) => s.method)).toEqual(['extension']);
  });

  it('3: a daemon refreshes through the extension in a background tab; when the IdP wants the user, the tab comes forward', async () => {
    const port = await freePortPair();
    const daemon = new CloudtokenProcess(['daemon', '--imds', 'loopback', '--port', String(port)], env);
    try {
      await daemon.waitFor(/Metadata proxy now available/, 60_000);
      const [running] = await sessions();
      expect(running).toMatchObject({ host: 'daemon', phase: 'active', extension: { connected: 1 } });
      const human = await runCloudtoken(['status'], env);
      expect(human.stdout).toMatch(/Browser extension: connected \(Chrome or Chromium\)/);

      const issued = standIn.issued.length;
      const refreshed = await runCloudtoken(['refresh'], env);
      expect(refreshed.code, refreshed.stderr).toBe(0);
      expect(standIn.issued.length).toBeGreaterThan(issued);
      await until('the background tab to close', () => context.pages().every((p) => !p.url().startsWith(idp.baseUrl)));

      // The IdP session is gone: the background tab rests on the login page, comes forward, and the daemon says so.
      await context.clearCookies();
      const refused = await runCloudtoken(['refresh'], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/identity provider wants you to sign in again/);
      expect((await sessions())[0]?.phase).toBe('needs-sign-in');
      const loginTab = await until('the IdP tab', () => context.pages().find((p) => p.url().startsWith(idp.baseUrl)));
      expect(await loginTab.evaluate(() => document.visibilityState)).toBe('visible');
      // The user signs in where the IdP asked: the daemon takes that assertion and is active again.
      await typeCredentials(loginTab);
      await until('the daemon to sign in again', async () => (await sessions())[0]?.phase === 'active');
      await daemon.waitFor(/Credentials refreshed|Signed in|Metadata/, 5_000);
    } finally {
      expect(await daemon.stop('SIGINT')).toBe(0);
    }
  });

  it('4: another extension and a page script cannot reach the host', async () => {
    const foreign = await until('the foreign extension’s worker', () => context.serviceWorkers().find((w) => !w.url().includes(CHROME_EXTENSION_ID)));
    const refusal = await foreign.evaluate(
      (name) =>
        new Promise<string | undefined>((resolve) => {
          const api = (globalThis as unknown as { chrome: { runtime: { connectNative(n: string): { onDisconnect: { addListener(f: () => void): void } }; lastError?: { message?: string } } } }).chrome;
          const port = api.runtime.connectNative(name);
          port.onDisconnect.addListener(() => resolve(api.runtime.lastError?.message));
        }),
      NATIVE_HOST_NAME,
    );
    expect(refusal).toBe('Access to the specified native messaging host is forbidden.');
    const page = await context.newPage();
    await page.goto(idp.baseUrl);
    expect(await page.evaluate(() => typeof (globalThis as unknown as { chrome?: { runtime?: { connectNative?: unknown; sendMessage?: unknown } } }).chrome?.runtime?.connectNative)).toBe('undefined');
    await page.close();
    // Started by hand for another caller, the host refuses before looking at any session.
    const launcher = join(dir, 'state', 'native-host', 'cloudtoken-native-host');
    const stranger = await execFileAsync(launcher, ['chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/'], { env }).catch((error: { code: number; stderr: string; stdout: string }) => error);
    expect(stranger).toMatchObject({ code: 1, stdout: '' });
    expect(stranger.stderr).toMatch(/started by something other than the Cloudtoken extension/);
  });

  it('5: no SAML POST ever reached AWS, unless the user lets the console sign-in through', async () => {
    // Every POST the browser tried was stopped before it left (blocked, or given up for the extension's page).
    expect(awsRequests.filter((r) => r.startsWith('POST')).length).toBeGreaterThanOrEqual(4);
    for (const request of awsRequests) expect(request).toMatch(/^(POST https:\/\/signin\.aws\.amazon\.com\/saml|failed POST https:\/\/signin\.aws\.amazon\.com\/saml net::ERR_BLOCKED_BY_CLIENT)$/);
    expect(reachedAws).toEqual([]);

    // With "also sign in to the AWS console" on, the same sign-in reaches "AWS": the check above can fail.
    const worker = context.serviceWorkers().find((w) => w.url().includes(CHROME_EXTENSION_ID))!;
    await worker.evaluate(() => (globalThis as unknown as { chrome: { storage: { local: { set(v: object): Promise<void> } } } }).chrome.storage.local.set({ letConsoleThrough: true }));
    const page = await context.newPage();
    await page.goto(idp.signInUrl);
    await until('the POST to reach AWS', () => reachedAws.length > 0);
    expect(reachedAws[0]).toBe('POST /saml');
    await page.close();
    await worker.evaluate(() => (globalThis as unknown as { chrome: { storage: { local: { set(v: object): Promise<void> } } } }).chrome.storage.local.set({ letConsoleThrough: false }));
  });

  it('6: the tray app’s runtime signs in and refreshes through the extension, and offers to connect it', async () => {
    const tray = await startTrayHarness({ idp, stsUrl: standIn.url, root: dir, stateHome: join(dir, 'state'), initial: () => undefined });
    const sender = { kind: 'settings' as const, webContentsId: 1 };
    try {
      expect(await tray.controller.ipc['cloudtoken:settings:sign-in-kind']({ profileId: 'idp-corp', kind: 'extension' }, sender)).toEqual({ ok: true });
      // Started anew with the browser: its silent sign-in at start takes the browser's IdP session.
      await until('the roles from the browser', () => tray.controller.snapshot().roles.length > 0);
      await tray.controller.actions['choose-role']({ kind: 'choose-role', roleArn: DEVELOPER });
      expect(tray.controller.snapshot().phase).toBe('active');
      const status = await tray.controller.ipc['cloudtoken:status:get'](undefined, { kind: 'status', webContentsId: 2 });
      expect(status.extension).toEqual({ connected: 1, browsers: ['Chrome or Chromium'] });
      const view = await tray.controller.ipc['cloudtoken:settings:get'](undefined, sender);
      expect(view.signInKinds).toEqual({ 'idp-corp': 'extension' });

      const issued = standIn.issued.length;
      await tray.controller.actions.refresh({ kind: 'refresh' });
      expect(standIn.issued.length).toBeGreaterThan(issued);
      expect(tray.controller.snapshot().phase).toBe('active');

      // Its own home has no host manifests yet: the menu offers to connect the extension, and doing it installs them.
      expect(tray.controller.menuContext().offerExtensionHost).toBe(true);
      await tray.controller.actions['install-extension-host']({ kind: 'install-extension-host' });
      expect(tray.controller.menuContext().offerExtensionHost).toBe(false);
      expect((await tray.controller.ipc['cloudtoken:settings:get'](undefined, sender)).extensionHostInstalledFor).toEqual(['Google Chrome', 'Chromium', 'Microsoft Edge', 'Brave', 'Firefox']);
    } finally {
      await tray.controller.stop();
    }
  });
});
