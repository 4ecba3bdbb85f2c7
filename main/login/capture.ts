import { CloudtokenError } from '../support/errors.js';

/**
 * The contract every sign-in path (embedded window, system browser, HTML form) fulfils:
 * drive the IdP until it form-posts a SAMLResponse to an AWS SAML endpoint, and hand that over instead of
 * sending it.
 */
export interface CapturedAssertion {
  /** The base64 SAMLResponse as posted. */
  samlResponse: string;
  /**
   * The RelayState posted with it: where the IdP asked AWS to take the user after the console sign-in. No
   * credential path reads it. Every sign-in kind carries it all the same, so that one which lets the
   * console sign-in go on as well (the planned browser-extension kind can) passes the IdP's own
   * destination along instead of dropping it.
   */
  relayState: string | undefined;
  /** The ACS URL the IdP posted to (tells partition and region). */
  acsUrl: string;
}

export interface AuthenticateOptions {
  /**
   * false: a silent attempt (refresh) with the IdP session cookies only; when the IdP shows a login page it
   * must fail with InteractionRequiredError rather than ask anyone anything.
   */
  interactive: boolean;
  signal?: AbortSignal;
}

export interface Authenticator {
  authenticate(options: AuthenticateOptions): Promise<CapturedAssertion>;
  /** Forget the IdP session (cookies, browser profile state) so the next sign-in asks the user again. */
  signOut(): Promise<void>;
}

/** A silent sign-in met a login page: the IdP wants the user again. */
export class InteractionRequiredError extends CloudtokenError {
  constructor(detail = 'Your identity provider wants you to sign in again.') {
    super('INTERACTION_REQUIRED', detail);
  }
}
