import { describe, expect, it } from 'vitest';
import { LOGIN_CHROME_HEIGHT } from '../../preload/contract.js';
import { inlineScriptRuns, rendererSuite, seriousAxeViolations } from './harness.js';
import type { OpenedPage } from './harness.js';
import { loginState } from './views.js';

const suite = rendererSuite();

const open = (state = loginState()): Promise<OpenedPage> =>
  suite.open(
    'login',
    { 'cloudtoken:login:get': state, 'cloudtoken:login:navigate': { ok: true }, 'cloudtoken:login:cancel': { ok: true }, 'cloudtoken:login:use-system-browser': { ok: true } },
    { width: 900, height: 560 },
  );

describe('login window chrome', () => {
  it('shows the IdP host with a lock for https and keeps its height for the IdP view below', async () => {
    const { page, problems, screenshot } = await open(loginState({ phase: 'loading' }));
    await expect.poll(() => page.textContent('#host')).toBe('sso.example.com');
    expect(await page.getAttribute('#address', 'data-secure')).toBe('true');
    expect(await page.textContent('#security')).toBe('Secure connection (https)');
    expect(await page.textContent('#strip-text')).toBe('Loading Corporate SSO…');
    expect((await page.locator('#chrome').boundingBox())?.height).toBe(LOGIN_CHROME_HEIGHT);
    expect(await page.isDisabled('#back')).toBe(true);
    await screenshot('login-loading');
    expect(problems).toEqual([]);
  });

  it('follows pushed states: waiting with a notice, captured, failed with retry and system browser', async () => {
    const opened = await open();
    const { page, push, calls, screenshot } = opened;
    await push('cloudtoken:push:login', loginState({ canGoBack: true, notice: 'Your identity provider wants you to sign in again.' }));
    await expect.poll(() => page.textContent('#strip-text')).toBe('Your identity provider wants you to sign in again.');
    expect(await page.isEnabled('#back')).toBe(true);
    await page.click('#back');
    await page.click('#reload');
    await screenshot('login-waiting');

    await push('cloudtoken:push:login', loginState({ phase: 'captured' }));
    await expect.poll(() => page.textContent('#strip-text')).toBe('Signed in — getting your AWS credentials…');
    expect(await page.isVisible('#stage-message')).toBe(true);
    expect(await page.isDisabled('#reload')).toBe(true);
    await screenshot('login-captured');

    await push('cloudtoken:push:login', loginState({ phase: 'failed', message: 'The identity provider sent no SAML response for AWS.' }));
    await expect.poll(() => page.textContent('#stage-title')).toBe('Sign-in did not complete');
    expect(await page.textContent('#stage-detail')).toBe('The identity provider sent no SAML response for AWS.');
    await screenshot('login-failed');
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.locator('#stage-actions').getByRole('button', { name: 'Use the system browser instead' }).click();
    await page.click('#cancel');
    expect((await calls()).map((call) => [call.channel, call.request])).toEqual([
      ['cloudtoken:login:get', undefined],
      ['cloudtoken:login:navigate', { action: 'back' }],
      ['cloudtoken:login:navigate', { action: 'reload' }],
      ['cloudtoken:login:navigate', { action: 'reload' }],
      ['cloudtoken:login:use-system-browser', undefined],
      ['cloudtoken:login:cancel', undefined],
    ]);
  });

  it('marks a plain-http IdP as not secure, and shows markup in a message as text', async () => {
    const state = loginState({ profileName: 'Local test IdP', url: 'http://127.0.0.1:8080/simplesaml/module.php/core/loginuserpass.php' });
    const { page, push, screenshot } = await open(state);
    await expect.poll(() => page.getAttribute('#address', 'data-secure')).toBe('false');
    expect(await page.textContent('#security')).toContain('Not secure');
    await screenshot('login-insecure');
    await push('cloudtoken:push:login', { ...state, notice: '<img src=x onerror=alert(1)>' });
    await expect.poll(() => page.textContent('#strip-text')).toBe('<img src=x onerror=alert(1)>');
    expect(await page.locator('img').count()).toBe(0);
  });

  it('Escape cancels the sign-in', async () => {
    const { page, calls } = await open();
    await page.keyboard.press('Escape');
    await expect.poll(async () => (await calls('cloudtoken:login:cancel')).length).toBe(1);
  });

  it('has no serious accessibility violations, and its CSP blocks inline script', async () => {
    const { page } = await open();
    expect(await seriousAxeViolations(page)).toEqual([]);
    // The check can fail: an unlabelled field added to the page is reported.
    await page.evaluate(() => document.querySelector('.toolbar')?.append(document.createElement('input')));
    expect((await seriousAxeViolations(page)).map((violation) => violation.id)).toContain('label');
    const attempt = await inlineScriptRuns(page);
    expect(attempt.ran).toBe(false);
    expect(attempt.violations).toContain('script-src-elem');
  });
});
