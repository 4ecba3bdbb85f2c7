import { describe, expect, it } from 'vitest';
import { inlineScriptRuns, rendererSuite, seriousAxeViolations } from './harness.js';
import type { OpenedPage } from './harness.js';
import { activeSession, choosingSession, roles } from './views.js';
import type { SessionView } from '../../preload/contract.js';
import { manyRoles } from '../support/session-snapshots.js';

const suite = rendererSuite();

const open = (view: SessionView): Promise<OpenedPage> =>
  suite.open(
    'roles',
    { 'cloudtoken:roles:get': view, 'cloudtoken:roles:choose': { ok: true }, 'cloudtoken:roles:keep-active': { ok: true }, 'cloudtoken:window:close': { ok: true } },
    { width: 560, height: 620 },
  );

const optionTexts = (opened: OpenedPage) => opened.page.locator('[role="option"] .role-name').allTextContents();
const highlightedName = (opened: OpenedPage) => opened.page.locator('[role="option"].highlighted .role-name').textContent();

describe('role picker', () => {
  it('groups roles by account under their labels, marks the metadata and kept-active roles', async () => {
    const opened = await open(activeSession());
    const { page, screenshot } = opened;
    await expect.poll(() => page.locator('[role="group"]').count()).toBe(4);
    expect(await page.locator('.account').allTextContents()).toEqual([
      'Production (123456789012)', 'Sandbox (555566667777)', 'Staging (210987654321)', '999988887777',
    ]);
    expect(await optionTexts(opened)).toEqual(['Admin', 'BillingViewer', 'ReadOnly', 'Developer', 'Deploy', 'Developer', 'AuditReader']);
    expect(await page.getAttribute(`[data-arn="${roles[0]!.roleArn}"]`, 'aria-selected')).toBe('true');
    expect(await page.textContent(`[data-arn="${roles[0]!.roleArn}"] .badge`)).toBe('Metadata · 47 min left');
    expect(await page.textContent(`[data-arn="${roles[3]!.roleArn}"] .keep`)).toBe('Kept active');
    expect(await highlightedName(opened)).toBe('Admin');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('search');
    await screenshot('roles-active');
  });

  it('picks a role with the keyboard alone: arrows, Enter', async () => {
    const opened = await open(choosingSession());
    const { page, calls, screenshot } = opened;
    await expect.poll(() => highlightedName(opened)).toBe('Admin');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await highlightedName(opened)).toBe('ReadOnly');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    expect(await highlightedName(opened)).toBe('Admin');
    expect(await page.getAttribute('#search', 'aria-activedescendant')).toBe(await page.locator('[role="option"].highlighted').getAttribute('id'));
    expect(await page.locator('.keep').count()).toBe(0);
    await screenshot('roles-choosing');
    await page.keyboard.press('Enter');
    await expect.poll(() => calls('cloudtoken:roles:choose')).toEqual([{ channel: 'cloudtoken:roles:choose', request: { roleArn: roles[0]!.roleArn } }]);
    await expect.poll(() => page.textContent('#message')).toBe('Admin is now served at the metadata address.');
  });

  it('searches by typing (role, account label or id), then Enter uses the first match; Escape clears, then closes', async () => {
    const opened = await open(choosingSession());
    const { page, calls, screenshot } = opened;
    await page.locator('h1').click();
    await page.keyboard.type('staging dev');
    await expect.poll(() => optionTexts(opened)).toEqual(['Developer']);
    expect(await page.inputValue('#search')).toBe('staging dev');
    await screenshot('roles-search');
    await page.keyboard.press('Enter');
    await expect.poll(() => calls('cloudtoken:roles:choose')).toEqual([{ channel: 'cloudtoken:roles:choose', request: { roleArn: roles[4]!.roleArn } }]);

    await page.fill('#search', 'nothing-like-this');
    await expect.poll(() => page.textContent('#empty')).toBe('No role or account matches “nothing-like-this”.');
    await page.fill('#search', '5555');
    await expect.poll(() => optionTexts(opened)).toEqual(['Developer']);
    await page.keyboard.press('Escape');
    expect(await page.inputValue('#search')).toBe('');
    expect(await calls('cloudtoken:window:close')).toEqual([]);
    await page.keyboard.press('Escape');
    await expect.poll(async () => (await calls('cloudtoken:window:close')).length).toBe(1);
  });

  it('toggles keep-active with Shift+Enter and by clicking, and follows pushed updates', async () => {
    const opened = await open(activeSession());
    const { page, calls, push } = opened;
    await page.fill('#search', 'readonly');
    await page.keyboard.press('Shift+Enter');
    await page.fill('#search', 'deploy');
    await page.click(`[data-arn="${roles[3]!.roleArn}"] .keep`);
    await expect.poll(() => calls('cloudtoken:roles:keep-active')).toEqual([
      { channel: 'cloudtoken:roles:keep-active', request: { roleArn: roles[1]!.roleArn, keep: true } },
      { channel: 'cloudtoken:roles:keep-active', request: { roleArn: roles[3]!.roleArn, keep: false } },
    ]);
    expect(await calls('cloudtoken:roles:choose')).toEqual([]);
    const next = activeSession();
    next.snapshot.metadataRoleArn = roles[3]!.roleArn;
    next.snapshot.active = next.snapshot.active.map((s) => ({ ...s, metadata: s.role.roleArn === roles[3]!.roleArn, keptActive: false }));
    await push('cloudtoken:push:session', next);
    await expect.poll(() => page.getAttribute(`[data-arn="${roles[3]!.roleArn}"]`, 'aria-selected')).toBe('true');
  });

  it('shows a refusal from main as an error', async () => {
    const opened = await open(choosingSession());
    await opened.respond('cloudtoken:roles:choose', { ok: false, message: 'STS refused the role: AccessDenied.' });
    await opened.page.keyboard.press('Enter');
    await expect.poll(() => opened.page.textContent('#message')).toBe('STS refused the role: AccessDenied.');
    expect(await opened.page.getAttribute('#message', 'data-kind')).toBe('error');
  });

  it('stays quick and navigable with 500 roles', async () => {
    const many = manyRoles(500, 12);
    const opened = await open({ ...choosingSession(), snapshot: { ...choosingSession().snapshot, roles: many } });
    await expect.poll(() => opened.page.locator('[role="option"]').count()).toBe(500);
    await opened.page.keyboard.press('PageDown');
    await opened.page.keyboard.type('Role4');
    await expect.poll(() => opened.page.locator('[role="option"]').count()).toBe(100);
  });

  it('has no serious accessibility violations, and its CSP blocks inline script', async () => {
    const { page, problems } = await open(activeSession());
    await expect.poll(() => page.locator('[role="option"]').count()).toBe(7);
    expect(await seriousAxeViolations(page)).toEqual([]);
    const attempt = await inlineScriptRuns(page);
    expect(attempt.ran).toBe(false);
    expect(attempt.violations).toContain('script-src-elem');
    expect(problems.filter((p) => !p.includes('Content Security Policy'))).toEqual([]);
  });
});
