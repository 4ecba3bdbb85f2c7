import { describe, expect, it } from 'vitest';
import { isLocalClient, requestPath } from '../../../main/imds/request-guards.js';

// 169.254.169.254 appears here only as a string (a Host header, an address to classify or refuse); every request
// goes to 127.0.0.1. Traffic to the alias happens only in imds-netns.test.ts, inside an unshare'd network namespace.

describe('isLocalClient (rule 25)', () => {
  it('accepts loopback and the link-local alias, in IPv4 and IPv4-mapped IPv6 form', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', '169.254.169.254', '::ffff:169.254.169.254']) {
      expect(isLocalClient(address), address).toBe(true);
    }
  });

  it('refuses every other address', () => {
    for (const address of [undefined, '', '10.0.0.5', '192.168.1.20', '169.254.169.253', '169.254.169.2540', '::ffff:10.0.0.1', 'fe80::1', '::2', '128.0.0.1', '1127.0.0.1']) {
      expect(isLocalClient(address), String(address)).toBe(false);
    }
  });
});

describe('requestPath', () => {
  it('drops the query and collapses leading slashes only (rule 23)', () => {
    expect(requestPath('/latest/meta-data/?x=1')).toBe('/latest/meta-data/');
    expect(requestPath('//latest/api/token')).toBe('/latest/api/token');
    expect(requestPath('////latest/')).toBe('/latest/');
    expect(requestPath('/latest//meta-data/')).toBe('/latest//meta-data/');
    expect(requestPath('/')).toBe('/');
    expect(requestPath(undefined)).toBe('/');
  });
});
