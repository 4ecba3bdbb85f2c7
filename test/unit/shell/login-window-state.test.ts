// The login window itself (main/shell/login-window.ts) needs Electron and cannot run here: that the IdP's page, not
// the toolbar, gets the keyboard when the window shows (issue 16, item 7) is not checked here; its states are.
import { describe, expect, it } from 'vitest';
import { initialLoginState, loadFailureMessage, nextLoginState, type LoginViewEvent } from '../../../main/shell/login-window-state.js';

const run = (events: LoginViewEvent[], notice?: string) => events.reduce(nextLoginState, initialLoginState('Corp SSO', notice));

describe('the login window state', () => {
  it('follows the IdP view: loading, then waiting at the page, with its address and history', () => {
    const state = run([
      { type: 'started-loading' },
      { type: 'navigated', url: 'https://idp.example.com/login', canGoBack: false },
      { type: 'navigated', url: 'https://idp.example.com/mfa', canGoBack: true },
      { type: 'stopped-loading' },
    ]);
    expect(state).toEqual({ phase: 'waiting', profileName: 'Corp SSO', url: 'https://idp.example.com/mfa', canGoBack: true, notice: undefined, message: undefined });
  });

  it('a silent attempt revealed carries its notice; a failure shows until the user retries', () => {
    const failed = run([{ type: 'revealed', notice: 'Your identity provider wants you to sign in again.' }, { type: 'failed', message: 'No network.' }]);
    expect(failed).toMatchObject({ phase: 'failed', message: 'No network.', notice: 'Your identity provider wants you to sign in again.' });
    expect(nextLoginState(failed, { type: 'stopped-loading' }).phase).toBe('failed');
    expect(nextLoginState(failed, { type: 'retrying' })).toMatchObject({ phase: 'loading', message: undefined });
  });

  it('stays at “captured” whatever the IdP view does afterwards', () => {
    const captured = run([{ type: 'stopped-loading' }, { type: 'captured' }, { type: 'started-loading' }, { type: 'failed', message: 'blocked' }, { type: 'stopped-loading' }]);
    expect(captured.phase).toBe('captured');
  });
});

describe('loadFailureMessage', () => {
  it('names the host and Chromium’s reason for a main-frame failure', () => {
    expect(loadFailureMessage({ errorCode: -105, errorDescription: 'ERR_NAME_NOT_RESOLVED', url: 'https://idp.example.com/sso?SAMLRequest=x', isMainFrame: true })).toBe(
      'idp.example.com could not be loaded (ERR_NAME_NOT_RESOLVED). Check your network, then try again.',
    );
  });

  it.each([
    ['a subframe', { errorCode: -105, isMainFrame: false }],
    ['an aborted navigation', { errorCode: -3, isMainFrame: true }],
    ['Cloudtoken’s own block of the SAML post', { errorCode: -20, isMainFrame: true }],
  ])('is no failure for %s', (_name, failure) => {
    expect(loadFailureMessage({ errorDescription: 'x', url: 'https://signin.aws.amazon.com/saml', ...failure })).toBeUndefined();
  });
});
