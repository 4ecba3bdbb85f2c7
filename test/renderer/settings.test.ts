import { describe, expect, it } from 'vitest';
import type { Settings } from '../../main/settings/schema.js';
import { inlineScriptRuns, rendererSuite, seriousAxeViolations } from './harness.js';
import type { OpenedPage } from './harness.js';
import { settingsView } from './views.js';

const suite = rendererSuite();

const open = (view = settingsView()): Promise<OpenedPage> =>
  suite.open(
    'settings',
    {
      'cloudtoken:settings:get': view,
      'cloudtoken:settings:save': { ok: true, settings: view.settings },
      'cloudtoken:settings:sign-in-kind': { ok: true },
      'cloudtoken:extension:install-host': { ok: true },
      'cloudtoken:window:close': { ok: true },
    },
    { width: 680, height: 760 },
  );

const errorOf = (opened: OpenedPage, field: string) => opened.page.locator(`[id="error-${field}"]`).textContent();
const savedSettings = async (opened: OpenedPage) => (await opened.calls('cloudtoken:settings:save')).map((call) => call.request as Settings);

describe('settings window', () => {
  it('shows the stored settings', async () => {
    const opened = await open();
    const { page, screenshot, problems } = opened;
    await expect.poll(() => page.inputValue('#region')).toBe('us-east-1');
    expect(await page.inputValue('#sessionDurationSeconds')).toBe('3600');
    expect(await page.inputValue('#imdsPort')).toBe('9911');
    expect(await page.isChecked('#imdsMode-alias')).toBe(true);
    expect(await page.isChecked('#tokensRequired')).toBe(true);
    expect(await page.inputValue('[id="input-idpProfiles.0.name"]')).toBe('Corporate SSO');
    expect(await page.inputValue('[id="input-accountRows.1.label"]')).toBe('Staging');
    expect(await page.isChecked('#active-0')).toBe(true);
    await screenshot('settings');
    await page.locator('#stsEndpointOverride').scrollIntoViewIfNeeded();
    await screenshot('settings-scrolled');
    expect(problems).toEqual([]);
  });

  it('chooses how a profile signs in at once, and offers to connect the browser extension when it is chosen', async () => {
    const opened = await open();
    const { page } = opened;
    await expect.poll(() => page.inputValue('#sign-in-0')).toBe('window');
    expect(await page.isVisible('text=Connect the extension to Cloudtoken…')).toBe(false);
    await page.selectOption('#sign-in-0', 'extension');
    await expect.poll(async () => (await opened.calls('cloudtoken:settings:sign-in-kind')).map((call) => call.request)).toEqual([{ profileId: 'idp-corp', kind: 'extension' }]);
    await page.click('text=Connect the extension to Cloudtoken…');
    await expect.poll(async () => (await opened.calls('cloudtoken:extension:install-host')).length).toBe(1);
    expect(await savedSettings(opened)).toEqual([]);
  });

  it('says where the extension is connected from once its host is installed', async () => {
    const view = { ...settingsView(), signInKinds: { 'idp-corp': 'extension' as const }, extensionHostInstalledFor: ['Google Chrome', 'Firefox'] };
    const { page } = await open(view);
    await expect.poll(() => page.inputValue('#sign-in-0')).toBe('extension');
    expect(await page.textContent('.profile .muted')).toBe('The extension can reach Cloudtoken from Google Chrome, Firefox.');
    expect(await page.isVisible('text=Connect the extension to Cloudtoken…')).toBe(false);
  });

  const INVALID: Array<[selector: string, value: string, field: string, text: string]> = [
    ['#imdsPort', '80', 'imdsPort', 'between 1024 and 65535'],
    ['#imdsPort', '70000', 'imdsPort', 'between 1024 and 65535'],
    ['#sessionDurationSeconds', '600', 'sessionDurationSeconds', 'between 900 and 43200 seconds'],
    ['#sessionDurationSeconds', '', 'sessionDurationSeconds', 'Enter the session duration as a whole number'],
    ['#refreshIntervalMinutes', '1', 'refreshIntervalMinutes', 'between 5 and 720 minutes'],
    ['#region', 'moon-base', 'region', 'AWS region'],
    ['[id="input-idpProfiles.0.signInUrl"]', 'http://sso.example.com/start', 'idpProfiles.0.signInUrl', 'must start with https://'],
    ['[id="input-idpProfiles.0.signInUrl"]', 'sso.example.com', 'idpProfiles.0.signInUrl', 'not a complete URL'],
    ['#stsEndpointOverride', 'ftp://sts.example.com', 'stsEndpointOverride', 'must start with https://'],
  ];

  it('rejects bad URLs, ports, durations and regions with a message under the field, and does not save them', async () => {
    const opened = await open();
    const { page } = opened;
    await expect.poll(() => page.inputValue('#region')).toBe('us-east-1');
    for (const [selector, value, field, text] of INVALID) {
      const before = await page.inputValue(selector);
      await page.fill(selector, value);
      await page.locator(selector).blur();
      await expect.poll(() => errorOf(opened, field), { message: `${field} = ${JSON.stringify(value)}` }).toContain(text);
      expect(await page.getAttribute(selector, 'aria-invalid'), field).toBe('true');
      await page.click('#save');
      await expect.poll(() => page.textContent('#message')).toBe('One setting needs fixing before saving.');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-field')), field).toBe(field);
      await page.fill(selector, before);
      await expect.poll(() => errorOf(opened, field), { message: `${field} restored` }).toBe('');
    }
    expect(await savedSettings(opened)).toEqual([]);
  });

  it('saves valid edits: a new IdP profile, port, loopback mode, account label', async () => {
    const opened = await open();
    const { page } = opened;
    await expect.poll(() => page.inputValue('#region')).toBe('us-east-1');
    await page.click('#add-profile');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('input-idpProfiles.1.name');
    await page.keyboard.type('Test IdP');
    await page.fill('[id="input-idpProfiles.1.signInUrl"]', 'http://127.0.0.1:8080/simplesaml/saml2/idp/SSOService.php?spentityid=urn:amazon:webservices');
    await page.fill('[id="input-idpProfiles.1.region"]', 'eu-west-1');
    await page.check('#active-1');
    await page.fill('#imdsPort', '12345');
    await page.check('#imdsMode-loopback');
    await page.uncheck('#notifications');
    await page.click('#add-account');
    await page.keyboard.type('555566667777');
    await page.fill('[id="input-accountRows.2.label"]', 'Sandbox');
    await page.click('#save');
    await expect.poll(() => page.textContent('#message')).toBe('Settings saved.');
    const [saved] = await savedSettings(opened);
    expect(saved).toMatchObject({
      imdsPort: 12345,
      imdsMode: 'loopback',
      notifications: false,
      accountLabels: { '123456789012': 'Production', '210987654321': 'Staging', '555566667777': 'Sandbox' },
    });
    expect(saved!.idpProfiles[1]).toEqual({ id: expect.stringMatching(/^idp-/), name: 'Test IdP', region: 'eu-west-1', signInUrl: expect.stringContaining('http://127.0.0.1:8080/') });
    expect(saved!.activeProfileId).toBe(saved!.idpProfiles[1]!.id);
  });

  it('flags a bad account id and a duplicate account, removes rows and profiles', async () => {
    const opened = await open();
    const { page } = opened;
    await expect.poll(() => page.inputValue('#region')).toBe('us-east-1');
    await page.click('#add-account');
    await page.keyboard.type('12345');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Short');
    await page.click('#add-account');
    await page.keyboard.type('123456789012');
    await page.fill('[id="input-accountRows.3.label"]', 'Again');
    await page.click('#save');
    await expect.poll(() => errorOf(opened, 'accountRows.2.accountId')).toContain('12 digits');
    expect(await errorOf(opened, 'accountRows.3.accountId')).toBe('This account already has a name above.');
    await page.locator('[id="input-accountRows.3.label"]').scrollIntoViewIfNeeded();
    await opened.screenshot('settings-errors');
    await page.getByRole('button', { name: 'Remove the name of account 12345', exact: true }).click();
    await page.getByRole('button', { name: 'Remove the name of account 123456789012' }).last().click();
    await page.getByRole('button', { name: 'Remove Corporate SSO' }).click();
    expect(await page.textContent('#profiles')).toContain('No identity provider yet');
    await page.click('#save');
    await expect.poll(() => page.textContent('#message')).toBe('Settings saved.');
    const [saved] = await savedSettings(opened);
    expect(saved!.idpProfiles).toEqual([]);
    expect(saved!.activeProfileId).toBeUndefined();
    expect(saved!.accountLabels).toEqual({ '123456789012': 'Production', '210987654321': 'Staging' });
  });

  it('shows errors main sends back against their fields', async () => {
    const opened = await open();
    await expect.poll(() => opened.page.inputValue('#region')).toBe('us-east-1');
    await opened.respond('cloudtoken:settings:save', { ok: false, errors: [{ field: 'imdsPort', message: 'Port 9911 is already used by another program.' }] });
    await opened.page.click('#save');
    await expect.poll(() => errorOf(opened, 'imdsPort')).toBe('Port 9911 is already used by another program.');
    expect(await opened.page.getAttribute('#message', 'data-kind')).toBe('error');
  });

  it('a start-at-login change pushed from the tray updates the checkbox without losing edits', async () => {
    const opened = await open();
    await expect.poll(() => opened.page.inputValue('#region')).toBe('us-east-1');
    await opened.page.fill('#imdsPort', '12000');
    await opened.page.locator('#imdsPort').blur();
    const pushed = settingsView();
    pushed.settings.startAtLogin = true;
    await opened.push('cloudtoken:push:settings', pushed);
    await expect.poll(() => opened.page.isChecked('#startAtLogin')).toBe(true);
    expect(await opened.page.inputValue('#imdsPort')).toBe('12000');
  });

  it('has no serious accessibility violations, and its CSP blocks inline script', async () => {
    const { page } = await open();
    await expect.poll(() => page.inputValue('#region')).toBe('us-east-1');
    expect(await seriousAxeViolations(page)).toEqual([]);
    const attempt = await inlineScriptRuns(page);
    expect(attempt.ran).toBe(false);
    expect(attempt.violations).toContain('script-src-elem');
  });
});
