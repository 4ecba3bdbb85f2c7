import type { LoginWindowState } from '../../preload/contract.js';

/**
 * What the login window's toolbar page shows, as a function of what happened in the IdP view. The shell
 * feeds it the view's events (main/shell/login-window.ts) and pushes the result to the page.
 */
export type LoginViewEvent =
  | { type: 'started-loading' }
  | { type: 'stopped-loading' }
  | { type: 'navigated'; url: string; canGoBack: boolean }
  | { type: 'revealed'; notice: string | undefined }
  | { type: 'captured' }
  | { type: 'failed'; message: string }
  | { type: 'retrying' };

export function initialLoginState(profileName: string, notice: string | undefined): LoginWindowState {
  return { phase: 'loading', profileName, url: undefined, canGoBack: false, notice, message: undefined };
}

export function nextLoginState(state: LoginWindowState, event: LoginViewEvent): LoginWindowState {
  switch (event.type) {
    case 'started-loading':
      // A page the IdP loads after the capture (its own redirects) changes nothing the user needs to see.
      return state.phase === 'captured' ? state : { ...state, phase: 'loading', message: undefined };
    case 'stopped-loading':
      return state.phase === 'loading' ? { ...state, phase: 'waiting' } : state;
    case 'navigated':
      return { ...state, url: event.url, canGoBack: event.canGoBack };
    case 'revealed':
      return { ...state, notice: event.notice };
    case 'captured':
      return { ...state, phase: 'captured', message: undefined };
    case 'failed':
      return state.phase === 'captured' ? state : { ...state, phase: 'failed', message: event.message };
    case 'retrying':
      return { ...state, phase: 'loading', message: undefined };
  }
}

// Chromium net errors that are not failures of the page: ERR_ABORTED (a navigation replaced by another)
// and ERR_BLOCKED_BY_CLIENT (Cloudtoken's own cancel of the SAML post).
const NOT_FAILURES = new Set([-3, -20]);

/** The user's words for a `did-fail-load`, or undefined when it is no failure of the IdP page. */
export function loadFailureMessage(failure: { errorCode: number; errorDescription: string; url: string; isMainFrame: boolean }): string | undefined {
  if (!failure.isMainFrame || NOT_FAILURES.has(failure.errorCode)) return undefined;
  let host = failure.url;
  try {
    host = new URL(failure.url).host || failure.url;
  } catch {
    // keep the raw text
  }
  return `${host} could not be loaded (${failure.errorDescription || `error ${failure.errorCode}`}). Check your network, then try again.`;
}
