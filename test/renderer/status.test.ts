// 169.254.169.254 appears here only as text; no traffic goes to it (real traffic to it happens only inside a
// network namespace a test creates with unshare — see test/support/netns.ts).
import { describe, expect, it } from 'vitest';
import type { StatusView } from '../../preload/contract.js';
import { snapshot } from '../support/session-snapshots.js';
import { inlineScriptRuns, rendererSuite, seriousAxeViolations } from './harness.js';
import type { OpenedPage } from './harness.js';
import { NOW, accountLabels, statusView } from './views.js';

const suite = rendererSuite();

const open = (view: StatusView): Promise<OpenedPage> =>
  suite.open(
    'status',
    {
      'cloudtoken:status:get': view,
      'cloudtoken:status:copy': { ok: true },
      'cloudtoken:session:refresh': { ok: true },
      'cloudtoken:session:sign-in': { ok: true },
      'cloudtoken:window:close': { ok: true },
    },
    { width: 640, height: 800 },
  );

const WARNINGS = [
  { code: 'ENV_ACCESS_KEY', message: 'AWS_ACCESS_KEY_ID is set in your environment: AWS tools use it instead of the metadata service.' },
  { code: 'ENV_PROFILE', message: 'AWS_PROFILE=legacy is set: tools read that profile instead of the metadata service.' },
  { code: 'DEFAULT_PROFILE', message: 'Your ~/.aws/credentials has a [default] profile with keys, which AWS tools prefer over the metadata service.' },
  { code: 'ENV_CONTAINER', message: 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is set: SDKs ask that container endpoint first.' },
];

describe('status window', () => {
  it('lists credentials with expiry, the metadata address and the container variables; all clear', async () => {
    const opened = await open(statusView());
    const { page, screenshot, problems } = opened;
    await expect.poll(() => page.textContent('#summary')).toBe('Admin · Production — expires at 13:47');
    expect(await page.locator('#roles tr').evaluateAll((rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent)))).toEqual([
      ['Admin', 'Production (123456789012)', 'Metadata', '13:47 (47 min left)'],
      ['Deploy', 'Staging (210987654321)', 'Kept active', '13:32 (32 min left)'],
    ]);
    expect(await page.textContent('#imds-address')).toBe('http://169.254.169.254');
    expect(await page.textContent('#imds-state')).toBe('Listening');
    expect(await page.textContent('#warnings')).toBe('Nothing in your environment overrides the metadata service.');
    expect(await page.textContent('#variables')).toBe(
      'AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:9911/container/role/Deploy\nAWS_CONTAINER_AUTHORIZATION_TOKEN=••••••••',
    );
    await screenshot('status-active');
    await page.click('#copy-sh');
    await page.click('#copy-powershell');
    await page.click('#copy-address');
    await page.click('#refresh');
    expect((await opened.calls()).slice(1).map((call) => [call.channel, call.request])).toEqual([
      ['cloudtoken:status:copy', { target: 'container-env-sh' }],
      ['cloudtoken:status:copy', { target: 'container-env-powershell' }],
      ['cloudtoken:status:copy', { target: 'imds-address' }],
      ['cloudtoken:session:refresh', undefined],
    ]);
    expect(problems).toEqual([]);
  });

  it('shows every warning main reports, as text', async () => {
    const { page } = await open(statusView({ warnings: [...WARNINGS, { code: 'X', message: '<b>not bold</b>' }] }));
    await expect.poll(() => page.locator('#warnings li.warn').count()).toBe(5);
    expect(await page.locator('#warnings li').evaluateAll((items) => items.map((item) => [item.getAttribute('data-code'), item.textContent]))).toEqual([
      ...WARNINGS.map((w) => [w.code, w.message]),
      ['X', '<b>not bold</b>'],
    ]);
    expect(await page.locator('#warnings b').count()).toBe(0);
  });

  it('signed out: no credentials, sign in offered, refresh and copy unavailable; updates when main pushes', async () => {
    const opened = await open(
      statusView({
        snapshot: snapshot('signed-out'),
        imds: { mode: 'loopback', address: 'http://127.0.0.1:9911', listening: false, tokensRequired: false },
        containerVariables: [],
      }),
    );
    const { page, push, screenshot } = opened;
    await expect.poll(() => page.textContent('#summary')).toBe('Signed out');
    expect(await page.isVisible('#roles-table')).toBe(false);
    expect(await page.textContent('#no-roles')).toBe('No credentials yet: sign in to get some.');
    expect(await page.textContent('#imds-state')).toBe('Stopped');
    expect(await page.textContent('#imds-tokens')).toBe('Optional (IMDSv1 allowed)');
    expect(await page.isDisabled('#refresh')).toBe(true);
    expect(await page.isDisabled('#copy-sh')).toBe(true);
    await screenshot('status-signed-out');
    await page.click('#sign-in');
    await expect.poll(async () => (await opened.calls('cloudtoken:session:sign-in')).length).toBe(1);

    const refreshing = statusView();
    refreshing.snapshot = { ...refreshing.snapshot, phase: 'refreshing' };
    await push('cloudtoken:push:status', refreshing);
    await expect.poll(() => page.textContent('#refresh')).toBe('Refreshing…');
    expect(await page.isHidden('#sign-in')).toBe(true);
  });

  it('marks expired credentials and reports a refused copy', async () => {
    const view = statusView();
    view.snapshot.active = view.snapshot.active.map((entry) => ({ ...entry, expiresAt: NOW - 60_000 }));
    view.snapshot.phase = 'expired';
    const opened = await open({ ...view, accountLabels });
    await expect.poll(() => opened.page.locator('td.expired').count()).toBe(2);
    await opened.respond('cloudtoken:status:copy', { ok: false, message: 'There are no valid credentials to copy.' });
    await opened.page.click('#copy-sh');
    await expect.poll(() => opened.page.textContent('#message')).toBe('There are no valid credentials to copy.');
  });

  it('has no serious accessibility violations, and its CSP blocks inline script', async () => {
    const { page, screenshot } = await open(statusView({ warnings: WARNINGS }));
    await expect.poll(() => page.locator('#warnings li.warn').count()).toBe(4);
    await screenshot('status-warnings');
    expect(await seriousAxeViolations(page)).toEqual([]);
    const attempt = await inlineScriptRuns(page);
    expect(attempt.ran).toBe(false);
    expect(attempt.violations).toContain('script-src-elem');
  });
});
