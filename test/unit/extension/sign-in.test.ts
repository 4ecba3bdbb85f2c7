import { describe, expect, it } from 'vitest';
import { createExtensionSignIn, type ExtensionSignIn } from '../../../main/extension/sign-in.js';
import { InteractionRequiredError } from '../../../main/login/capture.js';
import { buildSamlResponse } from '../../support/saml-fixtures.js';

const ACS = 'https://signin.aws.amazon.com/saml';
const assertion = () => ({ samlResponse: buildSamlResponse(), relayState: undefined, acsUrl: ACS, taskId: undefined });

function signIn(opened: string[] = []): ExtensionSignIn {
  return createExtensionSignIn({
    signInUrl: 'https://idp.example/sso/aws',
    openInBrowser: async (url) => (opened.push(url), false),
    connectGraceMs: 20,
    silentTimeoutMs: 2_000,
  });
}

const codeOf = (run: () => void) => {
  try {
    run();
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'accepted';
};

describe('the browser-extension sign-in', () => {
  it('refuses an assertion nobody waits for, and an unusable one, changing nothing', async () => {
    const extension = signIn();
    expect(codeOf(() => extension.offer(assertion(), 'pending'))).toBe('NO_SIGN_IN_PENDING');
    expect(codeOf(() => extension.offer(assertion(), 'due'))).toBe('NO_SIGN_IN_PENDING');
    extension.hostConnected('h1', 'Chromium');
    const waiting = extension.authenticate({ interactive: true });
    const task = await extension.nextTask('h1', 1_000);
    expect(task).toMatchObject({ url: 'https://idp.example/sso/aws', interactive: true });
    expect(codeOf(() => extension.offer({ ...assertion(), acsUrl: 'https://signin.aws.amazon.com.evil.example/saml' }, 'pending'))).toBe('ASSERTION_INVALID');
    expect(codeOf(() => extension.offer({ ...assertion(), samlResponse: 'bm90IHhtbA==' }, 'pending'))).toBe('ASSERTION_INVALID');
    // The sign-in still waits, and takes the good one.
    const good = assertion();
    expect(codeOf(() => extension.offer(good, 'pending'))).toBe('accepted');
    await expect(waiting).resolves.toEqual({ samlResponse: good.samlResponse, relayState: undefined, acsUrl: ACS });
    expect(codeOf(() => extension.offer(assertion(), 'pending'))).toBe('NO_SIGN_IN_PENDING');
  });

  it('a silent sign-in with no extension connected says the IdP (the browser) wants the user', async () => {
    await expect(signIn().authenticate({ interactive: false })).rejects.toThrow(InteractionRequiredError);
  });

  it('opens the default browser when no extension is connected, and hands the sign-in to one that connects later', async () => {
    const opened: string[] = [];
    const extension = signIn(opened);
    const waiting = extension.authenticate({ interactive: true });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(opened).toEqual(['https://idp.example/sso/aws']);
    // Nothing opened it (no desktop): the extension that connects gets the tab to open.
    extension.hostConnected('h1', 'Firefox');
    expect(await extension.nextTask('h1', 1_000)).toMatchObject({ interactive: true });
    expect(extension.status()).toEqual({ connected: 1, browsers: ['Firefox'] });
    extension.offer(assertion(), 'pending');
    await expect(waiting).resolves.toMatchObject({ acsUrl: ACS });
  });

  it('when the IdP wants the user, the refresh fails; their later sign-in in that tab is taken and starts the session', async () => {
    const extension = signIn();
    extension.hostConnected('h1', 'Chromium');
    const refresh = extension.authenticate({ interactive: false });
    const task = (await extension.nextTask('h1', 1_000))!;
    expect(task.interactive).toBe(false);
    extension.taskUpdate(task.taskId, 'needs-user');
    await expect(refresh).rejects.toThrow(/its page is in front in your browser/);
    let started = 0;
    extension.onUnsolicited(() => (started += 1));
    // Only a claim that allows a session waiting for its user takes it.
    expect(codeOf(() => extension.offer({ ...assertion(), taskId: task.taskId }, 'pending'))).toBe('NO_SIGN_IN_PENDING');
    const late = { ...assertion(), taskId: task.taskId };
    expect(codeOf(() => extension.offer(late, 'due'))).toBe('accepted');
    expect(started).toBe(1);
    await expect(extension.authenticate({ interactive: true })).resolves.toMatchObject({ samlResponse: late.samlResponse });
    // Used once: the next sign-in waits for a new one.
    expect(codeOf(() => extension.offer(assertion(), 'due'))).toBe('NO_SIGN_IN_PENDING');
  });

  it('tells when an extension connects after a refresh found none, so the session retries silently', async () => {
    const extension = signIn();
    let returned = 0;
    extension.onReturned(() => (returned += 1));
    extension.hostConnected('h0', 'Chromium');
    expect(returned).toBe(0);
    extension.hostGone('h0');
    await expect(extension.authenticate({ interactive: false })).rejects.toThrow(/not running/);
    extension.hostConnected('h1', 'Chromium');
    extension.hostConnected('h2', 'Chromium');
    expect(returned).toBe(1);
  });

  it('a host that goes away stops counting as connected; its wait ends', async () => {
    const extension = signIn();
    extension.hostConnected('h1', 'Chromium');
    const wait = extension.nextTask('h1', 10_000);
    extension.hostGone('h1');
    await expect(wait).resolves.toBeNull();
    expect(extension.status()).toEqual({ connected: 0, browsers: [] });
  });
});
