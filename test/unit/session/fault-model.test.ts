import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BrowserNotFoundError } from '../../../main/login/browser-discovery.js';
import { BrowserLoginError } from '../../../main/login/browser.js';
import { InteractionRequiredError } from '../../../main/login/capture.js';
import { EmbeddedLoginError } from '../../../main/login/embedded-capture.js';
import { FormLoginError } from '../../../main/login/form-errors.js';
import { createFormAuthenticator } from '../../../main/login/form.js';
import { parseSamlResponse } from '../../../main/saml/assertion.js';
import { SamlError } from '../../../main/saml/saml-error.js';
import { faultKindOf, type FaultKind } from '../../../main/session/fault-model.js';
import { createStsExchange } from '../../../main/sts/assume-role.js';
import { StsError } from '../../../main/sts/errors.js';
import { SettingsFileError } from '../../../main/settings/settings-file.js';
import { startFaultProxy, type FaultProxy, type ProxyFault } from '../../support/fault-proxy.js';
import { buildSamlResponse, createSigningIdentity } from '../../support/saml-fixtures.js';
import { CloudtokenError } from '../../../main/support/errors.js';

const errno = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('the fault model: every error of every sign-in kind, STS and the network, by one rule', () => {
  it.each<[string, FaultKind, unknown]>([
    ['form: IdP unreachable', 'retryable', new FormLoginError('FORM_NETWORK', 'x')],
    ['form: IdP timed out', 'retryable', new FormLoginError('FORM_TIMEOUT', 'x')],
    ['form: certificate refused (captive portal, proxy)', 'retryable', new FormLoginError('FORM_TLS', 'x')],
    ['form: IdP answered 503', 'retryable', new FormLoginError('FORM_HTTP_ERROR', 'x', { httpStatus: 503 })],
    ['form: IdP throttles (429)', 'retryable', new FormLoginError('FORM_HTTP_ERROR', 'x', { httpStatus: 429 })],
    ['form: IdP answered 404', 'permanent', new FormLoginError('FORM_HTTP_ERROR', 'x', { httpStatus: 404 })],
    ['form: password rejected', 'needs-user', new FormLoginError('FORM_CREDENTIALS_REJECTED', 'x')],
    ['form: MFA code rejected', 'needs-user', new FormLoginError('FORM_CODE_REJECTED', 'x')],
    ['form: MFA asked, nobody to ask', 'needs-user', new FormLoginError('FORM_FIELD_UNANSWERED', 'x')],
    ['form: no form on the page', 'permanent', new FormLoginError('FORM_NOT_FOUND', 'x')],
    ['form: password over plain http', 'permanent', new FormLoginError('FORM_INSECURE_TRANSPORT', 'x')],
    ['form: redirect loop', 'permanent', new FormLoginError('FORM_TOO_MANY_REDIRECTS', 'x')],
    ['browser: sign-in page did not load', 'retryable', new BrowserLoginError('BROWSER_NAVIGATION_FAILED', 'x')],
    ['browser: profile held by another window', 'retryable', new BrowserLoginError('BROWSER_PROFILE_IN_USE', 'x')],
    ['browser: window closed', 'needs-user', new BrowserLoginError('BROWSER_CLOSED', 'x')],
    ['browser: sign-in not finished in time', 'needs-user', new BrowserLoginError('BROWSER_TIMEOUT', 'x')],
    ['browser: password rejected', 'needs-user', new BrowserLoginError('BROWSER_CREDENTIALS_REJECTED', 'x')],
    ['browser: cannot start', 'permanent', new BrowserLoginError('BROWSER_LAUNCH_FAILED', 'x')],
    ['browser: none installed', 'permanent', new BrowserNotFoundError('x', [])],
    ['embedded: page did not load', 'retryable', new EmbeddedLoginError('LOGIN_LOAD_FAILED', 'x')],
    ['embedded: window closed', 'needs-user', new EmbeddedLoginError('LOGIN_CANCELLED', 'x')],
    ['embedded: no sign-in in time', 'needs-user', new EmbeddedLoginError('LOGIN_TIMEOUT', 'x')],
    ['embedded: empty form to AWS', 'permanent', new EmbeddedLoginError('LOGIN_FORM_EMPTY', 'x')],
    ['any: IdP wants the user', 'needs-user', new InteractionRequiredError()],
    ['STS: network', 'retryable', new StsError('STS_NETWORK', 'x')],
    ['STS: throttled', 'retryable', new StsError('STS_THROTTLED', 'x')],
    ['STS: 5xx', 'retryable', new StsError('STS_SERVER', 'x')],
    ['STS: something else answered', 'retryable', new StsError('STS_UNEXPECTED_RESPONSE', 'x')],
    ['STS: clock skew (NTP catches up after a wake)', 'retryable', new StsError('STS_CLOCK_SKEW', 'x')],
    ['STS: access denied', 'permanent', new StsError('STS_ACCESS_DENIED', 'x')],
    ['STS: assertion rejected', 'permanent', new StsError('STS_INVALID_IDENTITY_TOKEN', 'x')],
    ['STS: region disabled', 'permanent', new StsError('STS_REGION_DISABLED', 'x')],
    ['SAML: malformed assertion', 'permanent', new SamlError('SAML_NOT_XML', 'x')],
    ['SAML: no roles', 'permanent', new SamlError('SAML_NO_ROLES', 'x')],
    ['session: role withdrawn', 'permanent', new CloudtokenError('ROLE_WITHDRAWN', 'x')],
    ['ours, not a sign-in error (settings)', 'permanent', new SettingsFileError('SETTINGS_INVALID', 'x')],
    ['raw: connection refused', 'retryable', errno('ECONNREFUSED')],
    ['raw: connection reset', 'retryable', errno('ECONNRESET')],
    ['raw: timed out', 'retryable', errno('ETIMEDOUT')],
    ['raw: DNS not found', 'retryable', errno('ENOTFOUND')],
    ['raw: DNS try again', 'retryable', errno('EAI_AGAIN')],
    ['raw: TLS certificate', 'retryable', errno('UNABLE_TO_VERIFY_LEAF_SIGNATURE')],
    ['raw: TLS handshake', 'retryable', errno('ERR_SSL_WRONG_VERSION_NUMBER')],
    ['raw: fetch failed, socket error as cause', 'retryable', new TypeError('fetch failed', { cause: errno('ECONNRESET') })],
    ['raw: SDK 503', 'retryable', Object.assign(new Error('x'), { $metadata: { httpStatusCode: 503 } })],
    ['raw: SDK 429', 'retryable', Object.assign(new Error('x'), { $metadata: { httpStatusCode: 429 } })],
    ['raw: SDK 403', 'permanent', Object.assign(new Error('x'), { $metadata: { httpStatusCode: 403 } })],
    ['raw: read-only state folder', 'permanent', errno('EROFS')],
    ['raw: permission denied', 'permanent', errno('EACCES')],
    ['raw: unrecognised', 'retryable', new Error('something odd')],
  ])('%s → %s', (_name, kind, error) => {
    expect(faultKindOf(error)).toBe(kind);
  });
});

/** The same rule applied to what the real sign-in and STS clients throw when the wire itself fails. */
describe('the fault model on real wire faults (loopback fault proxy)', () => {
  // A proxy per case: a client's pooled connection from one case must not meet the next case's fault.
  let proxy: FaultProxy;
  beforeEach(async () => {
    proxy = await startFaultProxy();
  });
  afterEach(() => proxy.close());

  const formSignIn = () =>
    createFormAuthenticator({ signInUrl: `${proxy.url}/sso`, username: 'alice', password: async () => 'x', timeoutMs: 300 })
      .authenticate({ interactive: false })
      .then(() => undefined, (error: unknown) => error);

  const identity = createSigningIdentity('fault-model-idp');
  const samlResponse = buildSamlResponse({ identity, roles: ['arn:aws:iam::111111111111:role/R,arn:aws:iam::111111111111:saml-provider/P'] });
  const stsCall = () =>
    createStsExchange({ endpointOverride: proxy.url, maxAttempts: 1, timeouts: { connectMs: 300, requestMs: 300 } })
      .assumeRole({ role: parseSamlResponse(samlResponse).roles[0]!, samlResponse, region: 'us-east-1' })
      .then(() => undefined, (error: unknown) => error);

  it.each<[ProxyFault, string, string]>([
    [{ kind: 'refuse' }, 'FORM_NETWORK', 'STS_NETWORK'],
    [{ kind: 'reset' }, 'FORM_NETWORK', 'STS_NETWORK'],
    [{ kind: 'hang' }, 'FORM_TIMEOUT', 'STS_NETWORK'],
    [{ kind: 'status', status: 503 }, 'FORM_HTTP_ERROR', 'STS_SERVER'],
    [{ kind: 'status', status: 429 }, 'FORM_HTTP_ERROR', 'STS_THROTTLED'],
  ])('%o: form sign-in fails with %s, STS with %s, both retryable', async (fault, formCode, stsCode) => {
    await proxy.setFault(fault);
    const [form, sts] = [await formSignIn(), await stsCall()];
    expect({ code: (form as FormLoginError).code, kind: faultKindOf(form) }).toEqual({ code: formCode, kind: 'retryable' });
    expect({ code: (sts as StsError).code, kind: faultKindOf(sts) }).toEqual({ code: stsCode, kind: 'retryable' });
  });
});
