import { describe, expect, it } from 'vitest';
import { checkServiceUrl, isLoopbackHost, MAX_URL_LENGTH } from '../../../main/security/service-url.js';
import { validateEndpointOverride } from '../../../main/sts/endpoints.js';
import { idpNavigationAllowed } from '../../../main/security/web-policy.js';
import { METADATA_ADDRESS } from '../../../main/network/alias-plan.js';

// Strings only: nothing here opens a connection, to the metadata address or anywhere else.
describe('the service URL rule', () => {
  it.each(['http://localhost:8080/sso', 'http://127.0.0.2/x', 'http://[::1]:9000/', 'http://LOCALHOST/', 'https://idp.example.com'])('accepts %s', (url) => {
    expect(checkServiceUrl(url, 'sign-in URL')).toBeUndefined();
  });

  it.each([
    ['http://idp.example.com/', 'must start with https:// (plain http is only allowed to this computer'],
    ['http://10.0.0.1/', 'must start with https:// (plain http is only allowed to this computer'],
    ['ftp://idp.example.com/', 'must start with https://.'],
    ['https://alice:pw@idp.example.com/', 'must not contain a user name or password'],
    ['idp.example.com', 'is not a complete URL'],
    ['  ', 'Enter the sign-in URL.'],
    [`https://idp.example.com/${'a'.repeat(MAX_URL_LENGTH)}`, `longer than ${MAX_URL_LENGTH} characters`],
  ])('refuses %s', (url, message) => {
    expect(checkServiceUrl(url, 'sign-in URL')).toContain(message);
  });

  it('knows this machine by name, IPv4 loopback block and IPv6, with or without brackets', () => {
    expect(['localhost', '127.0.0.1', '127.8.9.10', '::1', '[::1]'].map(isLoopbackHost)).toEqual([true, true, true, true, true]);
    expect(['localhost.example.com', '128.0.0.1', '::2', '0.0.0.0', METADATA_ADDRESS].map(isLoopbackHost)).toEqual([false, false, false, false, false]);
  });

  it('is the rule the STS endpoint check and the IdP view apply to plain http', () => {
    expect(validateEndpointOverride('http://[::1]:4566/')).toBe('http://[::1]:4566');
    expect(() => validateEndpointOverride('http://sts.example.com/')).toThrow(/must use https/);
    expect([idpNavigationAllowed('http://127.0.0.5/login'), idpNavigationAllowed('http://idp.example.com/login')]).toEqual([true, false]);
  });
});
