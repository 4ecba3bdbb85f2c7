import { describe, expect, it } from 'vitest';
import { ACS_URL_PATTERNS, classifyAcsUrl, parseAcsPost } from '../../../main/saml/acs.js';
import { isCloudtokenError } from '../../../main/support/errors.js';

describe('classifyAcsUrl', () => {
  it.each([
    ['https://signin.aws.amazon.com/saml', 'aws', 'us-east-1', false],
    ['https://signin.aws.amazon.com/saml/', 'aws', 'us-east-1', false],
    ['https://signin.aws.amazon.com/static/saml', 'aws', 'us-east-1', false],
    ['https://us-east-2.signin.aws.amazon.com/saml', 'aws', 'us-east-2', true],
    ['https://eu-central-1.signin.aws.amazon.com/saml?x=1', 'aws', 'eu-central-1', true],
    ['https://ap-southeast-4.signin.aws.amazon.com/saml/acs/SAMLSP4SHN3UIS2D558H46', 'aws', 'ap-southeast-4', true],
    ['https://SIGNIN.AWS.AMAZON.COM/saml', 'aws', 'us-east-1', false],
    ['https://signin.amazonaws-us-gov.com/saml', 'aws-us-gov', 'us-gov-west-1', false],
    ['https://us-gov-east-1.signin.amazonaws-us-gov.com/saml', 'aws-us-gov', 'us-gov-east-1', true],
    ['https://signin.amazonaws.cn/saml', 'aws-cn', 'cn-north-1', false],
    ['https://cn-northwest-1.signin.amazonaws.cn/saml', 'aws-cn', 'cn-northwest-1', true],
  ])('%s → %s %s', (url, partition, region, regional) => {
    expect(classifyAcsUrl(url)).toEqual({ partition, region, regional });
  });

  it.each([
    'https://signin.aws.amazon.com.evil.example/saml',
    'https://evil.example/signin.aws.amazon.com/saml',
    'https://evilsignin.aws.amazon.com/saml',
    'https://evil.example.signin.aws.amazon.com/saml',
    'https://a.b.signin.aws.amazon.com/saml',
    'http://signin.aws.amazon.com/saml',
    'https://signin.aws.amazon.com:8443/saml',
    'https://user:pw@signin.aws.amazon.com/saml',
    'https://signin.aws.amazon.com/federation',
    'https://signin.aws.amazon.com/samlx',
    'https://signin.aws.amazon.com/saml/../federation',
    'https://signin.aws.amazon.com/saml/acs/../../x',
    'https://signin.aws.amazon.com.cn/saml',
    'not a url',
    '',
  ])('rejects %s', (url) => {
    expect(classifyAcsUrl(url)).toBeUndefined();
  });

  it('offers Chromium match patterns for bare and regional hosts of every partition', () => {
    expect(ACS_URL_PATTERNS).toEqual([
      'https://signin.aws.amazon.com/saml*',
      'https://*.signin.aws.amazon.com/saml*',
      'https://signin.amazonaws-us-gov.com/saml*',
      'https://*.signin.amazonaws-us-gov.com/saml*',
      'https://signin.amazonaws.cn/saml*',
      'https://*.signin.amazonaws.cn/saml*',
    ]);
    for (const pattern of ACS_URL_PATTERNS) expect(pattern).toMatch(/^https:\/\/(\*\.)?[a-z.-]+\/saml\*$/);
  });
});

describe('parseAcsPost', () => {
  const saml = 'PHNhbWxwOlJlc3BvbnNlIC8+'; // '<samlp:Response />' — base64 with + and / characters

  it('decodes form encoding: + is a space, percent escapes are undone', () => {
    const body = `SAMLResponse=${encodeURIComponent(saml)}&RelayState=https%3A%2F%2Fconsole.aws.amazon.com%2F+x`;
    expect(parseAcsPost([body])).toEqual({ samlResponse: saml, relayState: 'https://console.aws.amazon.com/ x' });
  });

  it('concatenates every chunk, even when a chunk boundary splits an escape', () => {
    const body = Buffer.from(`RelayState=abc&SAMLResponse=${encodeURIComponent(saml)}`);
    const cut = body.indexOf('%2B') + 1;
    const chunks = [body.subarray(0, 5), body.subarray(5, cut), body.subarray(cut)];
    expect(parseAcsPost(chunks)).toEqual({ samlResponse: saml, relayState: 'abc' });
  });

  it('has no RelayState when the IdP sent none', () => {
    expect(parseAcsPost([`SAMLResponse=${encodeURIComponent(saml)}`]).relayState).toBeUndefined();
  });

  it.each([
    [[], 'ACS_EMPTY'],
    [[''], 'ACS_EMPTY'],
    [['RelayState=x'], 'ACS_NO_SAML_RESPONSE'],
    [['SAMLResponse=&RelayState=x'], 'ACS_NO_SAML_RESPONSE'],
    [[Buffer.alloc(3 * 1024 * 1024, 0x61)], 'ACS_TOO_LARGE'],
  ] as const)('gives a typed error for a bad body (%#)', (chunks, code) => {
    try {
      parseAcsPost(chunks as unknown as Uint8Array[]);
      expect.unreachable();
    } catch (error) {
      expect(isCloudtokenError(error, code)).toBe(true);
    }
  });
});
