import type { BrowserLoginErrorCode } from '../login/browser.js';
import type { EmbeddedLoginErrorCode } from '../login/embedded-capture.js';
import { FormLoginError, type FormLoginErrorCode } from '../login/form-errors.js';
import type { SamlErrorCode } from '../saml/saml-error.js';
import type { StsErrorCode } from '../sts/errors.js';
import { CloudtokenError } from '../support/errors.js';

/**
 * The one rule for every failure a refresh can meet, whatever sign-in kind, STS or network produced it:
 *   retryable    — trying the same thing later can succeed by itself: network, DNS, TLS, timeouts, 5xx,
 *                  throttling. The session retries with backoff and keeps serving what is still valid.
 *   needs-user   — the IdP wants the person: password, MFA, consent, a closed or timed-out sign-in window.
 *   permanent    — configuration, access denied, a malformed assertion: nothing changes until someone acts.
 * Each table below is a complete Record over its error codes, so a new code does not compile until it is
 * classified here.
 */
export type FaultKind = 'retryable' | 'needs-user' | 'permanent';

const FORM: Readonly<Record<Exclude<FormLoginErrorCode, 'FORM_HTTP_ERROR'>, FaultKind>> = {
  FORM_NETWORK: 'retryable',
  FORM_TIMEOUT: 'retryable',
  // A certificate refused can be a captive portal or a proxy on the way; it passes when the network does.
  FORM_TLS: 'retryable',
  FORM_CREDENTIALS_REJECTED: 'needs-user',
  FORM_CODE_REJECTED: 'needs-user',
  FORM_FIELD_UNANSWERED: 'needs-user',
  FORM_NOT_FOUND: 'permanent',
  FORM_STEP_LIMIT: 'permanent',
  FORM_TOO_MANY_REDIRECTS: 'permanent',
  FORM_UNSAFE_REDIRECT: 'permanent',
  FORM_INSECURE_TRANSPORT: 'permanent',
  FORM_AWS_WITHOUT_RESPONSE: 'permanent',
  FORM_BAD_URL: 'permanent',
  FORM_PAGE_TOO_LARGE: 'permanent',
};

const BROWSER: Readonly<Record<BrowserLoginErrorCode | 'BROWSER_NOT_FOUND', FaultKind>> = {
  BROWSER_NAVIGATION_FAILED: 'retryable',
  // Another sign-in window holds the profile; once it closes the next attempt can run.
  BROWSER_PROFILE_IN_USE: 'retryable',
  BROWSER_CLOSED: 'needs-user',
  BROWSER_TIMEOUT: 'needs-user',
  BROWSER_CREDENTIALS_REJECTED: 'needs-user',
  BROWSER_LAUNCH_FAILED: 'permanent',
  BROWSER_NOT_FOUND: 'permanent',
};

const EMBEDDED: Readonly<Record<EmbeddedLoginErrorCode, FaultKind>> = {
  LOGIN_LOAD_FAILED: 'retryable',
  LOGIN_CANCELLED: 'needs-user',
  LOGIN_TIMEOUT: 'needs-user',
  LOGIN_FORM_EMPTY: 'permanent',
  LOGIN_FORM_UNREADABLE: 'permanent',
  LOGIN_BAD_PROFILE: 'permanent',
};

const STS: Readonly<Record<StsErrorCode, FaultKind>> = {
  STS_NETWORK: 'retryable',
  STS_THROTTLED: 'retryable',
  STS_SERVER: 'retryable',
  // Something between us and STS (proxy, captive portal) answered instead of it.
  STS_UNEXPECTED_RESPONSE: 'retryable',
  // After a wake the clock is often off until NTP catches up, and every attempt fetches a new assertion.
  STS_CLOCK_SKEW: 'retryable',
  STS_ASSERTION_EXPIRED: 'retryable',
  STS_ACCESS_DENIED: 'permanent',
  STS_INVALID_IDENTITY_TOKEN: 'permanent',
  STS_REGION_DISABLED: 'permanent',
  STS_VALIDATION: 'permanent',
  STS_ENDPOINT_INVALID: 'permanent',
  STS_FEDERATION: 'permanent',
};

const SAML: Readonly<Record<SamlErrorCode, FaultKind>> = {
  SAML_NOT_BASE64: 'permanent',
  SAML_TOO_LARGE: 'permanent',
  SAML_NOT_XML: 'permanent',
  SAML_DOCTYPE: 'permanent',
  SAML_TOO_DEEP: 'permanent',
  SAML_NOT_RESPONSE: 'permanent',
  SAML_STATUS: 'permanent',
  SAML_ENCRYPTED: 'permanent',
  SAML_NO_ASSERTION: 'permanent',
  SAML_MANY_ASSERTIONS: 'permanent',
  SAML_BAD_TIME: 'permanent',
  SAML_NO_ROLES: 'permanent',
  SAML_BAD_ARN: 'permanent',
  // The session reads assertions with their age allowed; an old one is replaced on the next attempt.
  SAML_EXPIRED: 'retryable',
};

const SESSION: Readonly<Record<string, FaultKind>> = {
  INTERACTION_REQUIRED: 'needs-user',
  ROLE_NOT_OFFERED: 'permanent',
  ROLE_WITHDRAWN: 'permanent',
};

const BY_CODE: ReadonlyMap<string, FaultKind> = new Map(Object.entries({ ...FORM, ...BROWSER, ...EMBEDDED, ...STS, ...SAML, ...SESSION }));

/** Errno and TLS codes of a connection that failed on the way: the network, not the request. */
const NETWORK_ERRNO = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH',
  'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EPROTO', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ENOSPC',
]);
const TLS_CODE = /CERT|SSL|TLS|UNABLE_TO_(?:VERIFY|GET)|SELF_SIGNED|HOSTNAME_MISMATCH/;
/** A folder or file Cloudtoken may not write: retrying does not change permissions. */
const LOCAL_REFUSAL = new Set(['EACCES', 'EPERM', 'EROFS']);

/** The first errno-like code along an error's `cause` chain (fetch wraps the socket's error in a TypeError). */
function errnoCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function httpStatusKind(status: number | undefined): FaultKind {
  if (status === undefined) return 'permanent';
  return status >= 500 || status === 429 || status === 408 ? 'retryable' : 'permanent';
}

export function faultKindOf(error: unknown): FaultKind {
  if (error instanceof FormLoginError && error.code === 'FORM_HTTP_ERROR') return httpStatusKind(error.httpStatus);
  if (error instanceof CloudtokenError) {
    // A code of ours not in the tables states a lasting condition in its message (settings, files, usage).
    return BY_CODE.get(error.code) ?? 'permanent';
  }
  const code = errnoCode(error);
  if (code !== undefined) {
    if (NETWORK_ERRNO.has(code) || TLS_CODE.test(code)) return 'retryable';
    if (LOCAL_REFUSAL.has(code)) return 'permanent';
  }
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  if (status !== undefined) return httpStatusKind(status);
  // Something not ours and not recognised: retrying with capped backoff costs little, ending the session a lot.
  return 'retryable';
}
