import { describe, expect, it } from 'vitest';
import type { QuestionView } from '../../preload/contract.js';
import { inlineScriptRuns, rendererSuite, seriousAxeViolations } from './harness.js';

const suite = rendererSuite();

const password: QuestionView = { id: 4, profileName: 'Corporate SSO', label: 'Password for alice at sso.example.com', secret: true };

const open = (view: QuestionView | null = password, answered: { ok: true } | { ok: false; message: string } = { ok: true }) =>
  suite.open('question', { 'cloudtoken:question:get': view, 'cloudtoken:question:answer': answered, 'cloudtoken:question:cancel': { ok: true } }, { width: 460, height: 260 });

describe('the question window of a sign-in plugin', () => {
  it('asks for a secret in a focused password field; Enter sends the answer once and clears the field', async () => {
    const { page, calls, problems, screenshot } = await open();
    await expect.poll(() => page.textContent('label[for="answer"]')).toBe('Password for alice at sso.example.com');
    expect(await page.getAttribute('#answer', 'type')).toBe('password');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('answer');
    expect(await page.textContent('h1')).toBe('Signing in to Corporate SSO');
    await page.keyboard.type('s3cret pass');
    await screenshot('question-secret');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await calls('cloudtoken:question:answer')).map((call) => call.request)).toEqual([{ id: 4, answer: 's3cret pass' }]);
    expect(await page.inputValue('#answer')).toBe('');
    expect(await page.isDisabled('#submit')).toBe(true);
    // Neither the title nor the page's text carries the answer.
    expect(await page.title()).toBe('Sign-in question — Cloudtoken');
    expect(await page.evaluate(() => document.body.innerText)).not.toContain('s3cret');
    expect(problems).toEqual([]);
  });

  it('shows a question that is not secret as text; Escape and Cancel cancel it', async () => {
    const { page, calls } = await open({ id: 9, profileName: 'Corp', label: 'User name at idp', secret: false });
    await expect.poll(() => page.getAttribute('#answer', 'type')).toBe('text');
    await page.keyboard.type('alice');
    await page.keyboard.press('Escape');
    await expect.poll(async () => (await calls('cloudtoken:question:cancel')).map((call) => call.request)).toEqual([{ id: 9 }]);
    expect(await page.inputValue('#answer')).toBe('');
    await page.click('#cancel');
    expect((await calls('cloudtoken:question:cancel')).length).toBe(2);
    expect(await calls('cloudtoken:question:answer')).toEqual([]);
  });

  it('says so when the question is gone, and when main refuses the answer', async () => {
    const gone = await open(null);
    await expect.poll(() => gone.page.textContent('label[for="answer"]')).toBe('No question is waiting for an answer.');
    expect(await gone.page.isDisabled('#answer')).toBe(true);

    const { page } = await open(password, { ok: false, message: 'This question is no longer waiting for an answer.' });
    await expect.poll(() => page.getAttribute('#answer', 'type')).toBe('password');
    await page.keyboard.type('late');
    await page.click('#submit');
    await expect.poll(() => page.textContent('#message')).toBe('This question is no longer waiting for an answer.');
    expect(await page.isVisible('#message')).toBe(true);
  });

  it('has no serious accessibility violations, and its CSP blocks inline script', async () => {
    const { page } = await open();
    await expect.poll(() => page.getAttribute('#answer', 'type')).toBe('password');
    expect(await seriousAxeViolations(page)).toEqual([]);
    const attempt = await inlineScriptRuns(page);
    expect(attempt.ran).toBe(false);
    expect(attempt.violations).toContain('script-src-elem');
  });
});
