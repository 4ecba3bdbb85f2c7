import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import type { Element } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { ROLE_ATTRIBUTE, SamlError, parseSamlResponse } from '../../../main/saml/assertion.js';
import { CloudtokenError } from '../../../main/support/errors.js';
import { samlErrorFrom } from '../../support/saml-expect.js';
import {
  ASSERTION_NS,
  DEFAULT_ISSUER,
  buildSamlResponse,
  buildSamlResponseXml,
  createSigningIdentity,
} from '../../support/saml-fixtures.js';
import type { SamlFixtureOptions } from '../../support/saml-fixtures.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const identity = createSigningIdentity();
const ROLE = 'arn:aws:iam::123456789012:role/Admin';
const PROVIDER = 'arn:aws:iam::123456789012:saml-provider/Test';

function build(options: SamlFixtureOptions = {}): string {
  return buildSamlResponse({ identity, now: NOW, ...options });
}

function parse(base64: string) {
  return parseSamlResponse(base64, { now: NOW });
}

function encode(xml: string): string {
  return Buffer.from(xml, 'utf8').toString('base64');
}

/** The fixture's XML after `edit` changed its DOM (signatures then no longer match: the parser does not check them). */
function edited(edit: (response: Element) => void, options: SamlFixtureOptions = {}): string {
  const document = new DOMParser().parseFromString(buildSamlResponseXml({ identity, now: NOW, ...options }), 'text/xml');
  edit(document.documentElement!);
  return encode(new XMLSerializer().serializeToString(document));
}

function assertionOf(response: Element): Element {
  return response.getElementsByTagNameNS(ASSERTION_NS, 'Assertion')[0]!;
}

describe('parseSamlResponse: what a well-formed response yields', () => {
  it('reads every field of a signed SimpleSAMLphp-style response', () => {
    const base64 = build({ sessionDuration: 7200, nameId: 'alice@example.com' });
    expect(parse(base64)).toEqual({
      samlResponse: base64,
      roles: [{ roleArn: ROLE, principalArn: PROVIDER, accountId: '123456789012', roleName: 'Admin', partition: 'aws' }],
      invalidRoleValues: [],
      roleSessionName: 'alice',
      sessionDuration: 7200,
      issuer: DEFAULT_ISSUER,
      destination: 'https://signin.aws.amazon.com/saml',
      recipient: 'https://signin.aws.amazon.com/saml',
      audiences: ['urn:amazon:webservices'],
      notBefore: NOW - 5_000,
      notOnOrAfter: NOW + 5 * 60_000,
      nameId: 'alice@example.com',
    });
  });

  it.each(['saml', 'saml2', ''] as const)('reads the assertion whatever the namespace prefix (%j)', (prefix) => {
    const parsed = parse(build({ prefix, issuer: 'https://idp.example/metadata' }));
    expect(parsed.roles.map((r) => r.roleArn)).toEqual([ROLE]);
    expect(parsed.issuer).toBe('https://idp.example/metadata');
    expect(parsed.roleSessionName).toBe('alice');
    expect(parsed.audiences).toEqual(['urn:amazon:webservices']);
  });

  it('accepts base64 wrapped in lines and spaced out, and hands STS the compact text', () => {
    const base64 = build();
    const wrapped = base64.replace(/.{1,76}/g, (line) => `${line}\r\n`);
    const spaced = ` \t${base64.replace(/.{1,64}/g, (chunk) => `${chunk} `)}\n`;
    expect(parse(wrapped).samlResponse).toBe(base64);
    expect(parse(spaced).samlResponse).toBe(base64);
  });

  it('accepts role pairs in either order and with spaces around the comma', () => {
    const parsed = parse(build({ roles: [`${PROVIDER},${ROLE}`, ` ${ROLE.replace('Admin', 'Dev')} ,  ${PROVIDER} `] }));
    expect(parsed.roles).toEqual([
      expect.objectContaining({ roleArn: ROLE, principalArn: PROVIDER, roleName: 'Admin' }),
      expect.objectContaining({ roleArn: ROLE.replace('Admin', 'Dev'), principalArn: PROVIDER, roleName: 'Dev' }),
    ]);
  });

  it('collects several values and several Role attributes, first occurrence first, duplicates removed', () => {
    const other = 'arn:aws:iam::210987654321:role/ReadOnly,arn:aws:iam::210987654321:saml-provider/Corp';
    const parsed = parse(
      build({
        roles: [`${ROLE},${PROVIDER}`, other, `${PROVIDER},${ROLE}`],
        roleAttributes: [[`${ROLE} , ${PROVIDER}`], [other, `arn:aws:iam::123456789012:role/Ops,${PROVIDER}`]],
      }),
    );
    expect(parsed.roles.map((r) => `${r.accountId}/${r.roleName}`)).toEqual([
      '123456789012/Admin',
      '210987654321/ReadOnly',
      '123456789012/Ops',
    ]);
  });

  it('keeps the same role offered through two providers as two choices', () => {
    const parsed = parse(build({ roles: [`${ROLE},${PROVIDER}`, `${ROLE},${PROVIDER}2`] }));
    expect(parsed.roles.map((r) => r.principalArn)).toEqual([PROVIDER, `${PROVIDER}2`]);
  });

  it.each([
    ['aws-us-gov', 'arn:aws-us-gov:iam::123456789012:role/GovAdmin,arn:aws-us-gov:iam::123456789012:saml-provider/Gov'],
    ['aws-cn', 'arn:aws-cn:iam::123456789012:role/CnAdmin,arn:aws-cn:iam::123456789012:saml-provider/Cn'],
  ])('reads roles in the %s partition', (partition, value) => {
    const [role] = parse(build({ roles: [value] })).roles;
    expect(role?.partition).toBe(partition);
    expect(role?.roleArn).toBe(value.split(',')[0]);
  });

  it('names a role under a path by its last segment', () => {
    const [role] = parse(build({ roles: [`arn:aws:iam::123456789012:role/division/team-a/Deployer,${PROVIDER}`] })).roles;
    expect(role).toMatchObject({ roleName: 'Deployer', roleArn: 'arn:aws:iam::123456789012:role/division/team-a/Deployer' });
  });

  it.each([
    [900, 900],
    [43200, 43200],
    ['3600', 3600],
    [' 1800 ', 1800],
    [899, undefined],
    [43201, undefined],
    ['3600.5', undefined],
    ['-3600', undefined],
    ['one hour', undefined],
    ['', undefined],
    [null, undefined],
  ])('takes SessionDuration %j as %j without failing', (sent, expected) => {
    expect(parse(build({ sessionDuration: sent })).sessionDuration).toBe(expected);
  });

  it('leaves RoleSessionName undefined when the IdP does not send it', () => {
    expect(parse(build({ sessionName: null })).roleSessionName).toBeUndefined();
  });

  it('uses the earliest NotOnOrAfter of conditions and subject confirmation', () => {
    expect(parse(build({ subjectNotOnOrAfter: NOW + 60_000 })).notOnOrAfter).toBe(NOW + 60_000);
    expect(parse(build({ notOnOrAfter: NOW + 120_000, subjectNotOnOrAfter: NOW + 600_000 })).notOnOrAfter).toBe(NOW + 120_000);
  });

  it('reads times with fractions of a second and time-zone offsets', () => {
    const base64 = edited((response) => {
      const conditions = assertionOf(response).getElementsByTagNameNS(ASSERTION_NS, 'Conditions')[0]!;
      conditions.setAttribute('NotBefore', '2026-01-15T13:59:00.123456+02:00');
    });
    expect(parse(base64).notBefore).toBe(NOW - 60_000 + 123);
  });

  it('reads unsigned responses too: only STS can judge signatures', () => {
    expect(parse(build({ signAssertion: false, signResponse: false })).roles).toHaveLength(1);
  });

  it('skips unusable role values when usable ones remain, and lists them for the IdP admin', () => {
    const parsed = parse(build({ roles: ['not-an-arn', `${ROLE},${PROVIDER}`, 'not-an-arn'] }));
    expect(parsed.roles.map((r) => r.roleArn)).toEqual([ROLE]);
    expect(parsed.invalidRoleValues).toEqual(['not-an-arn']);
  });

  it('reads escaped characters in values as text', () => {
    expect(parse(build({ sessionName: 'a&b<c>' })).roleSessionName).toBe('a&b<c>');
  });
});

describe('parseSamlResponse: expiry', () => {
  const expiresAt = NOW + 60_000;

  it('refuses a response at and after its NotOnOrAfter, saying when it expired', () => {
    const base64 = build({ notOnOrAfter: expiresAt });
    expect(parseSamlResponse(base64, { now: expiresAt - 1 }).notOnOrAfter).toBe(expiresAt);
    for (const now of [expiresAt, expiresAt + 3_600_000]) {
      const error = samlErrorFrom(() => parseSamlResponse(base64, { now }));
      expect(error.code).toBe('SAML_EXPIRED');
      expect(error.message).toContain('2026-01-15T12:01:00Z');
      expect(error.message).toMatch(/sign in again/i);
    }
  });

  it('judges expiry by the subject confirmation too', () => {
    const base64 = build({ subjectNotOnOrAfter: expiresAt });
    expect(samlErrorFrom(() => parseSamlResponse(base64, { now: expiresAt })).code).toBe('SAML_EXPIRED');
  });

  it('reads an expired response when asked to', () => {
    const parsed = parseSamlResponse(build({ notOnOrAfter: expiresAt }), { now: expiresAt + 1, allowExpired: true });
    expect(parsed.roles).toHaveLength(1);
  });

  it('judges against the real clock by default', () => {
    const lastYear = Date.now() - 365 * 24 * 3_600_000;
    expect(samlErrorFrom(() => parseSamlResponse(buildSamlResponse({ identity, now: lastYear }))).code).toBe('SAML_EXPIRED');
    expect(parseSamlResponse(buildSamlResponse({ identity })).roles).toHaveLength(1);
  });
});

describe('parseSamlResponse: typed errors a user and an IdP admin can act on', () => {
  it('is a CloudtokenError with a stable code', () => {
    const error = samlErrorFrom(() => parse('not base64!'));
    expect(error).toBeInstanceOf(CloudtokenError);
    expect(error).toBeInstanceOf(SamlError);
    expect(error.name).toBe('SamlError');
  });

  it.each([
    ['', /empty/],
    ['   \n', /empty/],
    ['PHNhbWxwOlJlc3BvbnNl!', /characters/],
    ['PHNhbWxw', undefined],
    ['PHNhbWx', /cut short/],
    ['<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>', /raw XML/],
  ])('refuses %j as not base64', (input, hint) => {
    const error = samlErrorFrom(() => parse(input));
    if (hint === undefined) {
      expect(error.code).not.toBe('SAML_NOT_BASE64');
    } else {
      expect(error.code).toBe('SAML_NOT_BASE64');
      expect(error.message).toMatch(hint);
    }
  });

  it('says when the response is still URL-encoded', () => {
    const urlEncoded = encodeURIComponent(build());
    expect(urlEncoded).toMatch(/%2B|%2F|%3D/);
    const error = samlErrorFrom(() => parse(urlEncoded));
    expect(error).toMatchObject({ code: 'SAML_NOT_BASE64', message: expect.stringMatching(/URL-encoded/) });
  });

  it('refuses text that is not XML, binary data and broken XML as SAML_NOT_XML', () => {
    for (const decoded of [Buffer.from('hello world'), Buffer.from([0xff, 0xfe, 0x00, 0x3c, 0x80]), Buffer.from('<a><b></a>')]) {
      expect(samlErrorFrom(() => parse(decoded.toString('base64'))).code).toBe('SAML_NOT_XML');
    }
  });

  it.each([
    ['<foo/>', 'foo'],
    ['<Response/>', 'Response'],
    ['<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>', 'AuthnRequest'],
  ])('refuses %s as not a SAML Response', (xml, named) => {
    const error = samlErrorFrom(() => parse(encode(xml)));
    expect(error.code).toBe('SAML_NOT_RESPONSE');
    expect(error.message).toContain(`"${named}"`);
  });

  it('refuses a Response without a status', () => {
    const base64 = edited((response) => {
      response.removeChild(response.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:protocol', 'Status')[0]!);
    });
    expect(samlErrorFrom(() => parse(base64)).code).toBe('SAML_NOT_RESPONSE');
  });

  it('passes on the IdP status with both levels and its message', () => {
    const base64 = build({ statusCode: 'Responder', secondLevelStatusCode: 'AuthnFailed', statusMessage: 'Account locked\nby policy' });
    const error = samlErrorFrom(() => parse(base64));
    expect(error.code).toBe('SAML_STATUS');
    expect(error.message).toContain('authentication failed');
    expect(error.message).toContain('"Responder / AuthnFailed"');
    expect(error.message).toContain('"Account locked by policy"');
  });

  it('explains an unknown failure status without a message', () => {
    const error = samlErrorFrom(() => parse(build({ statusCode: 'urn:example:status:Weird' })));
    expect(error.code).toBe('SAML_STATUS');
    expect(error.message).toContain('urn:example:status:Weird');
    expect(error.message).toMatch(/IdP administrator/);
  });

  it('keeps an IdP status message short and on one line', () => {
    const error = samlErrorFrom(() => parse(build({ statusCode: 'Requester', statusMessage: 'x'.repeat(5000) })));
    expect(error.message.length).toBeLessThan(800);
    expect(error.message).not.toContain('\n');
  });

  it('asks the IdP admin to release the Role attribute when none is sent', () => {
    const error = samlErrorFrom(() => parse(build({ roles: [] })));
    expect(error.code).toBe('SAML_NO_ROLES');
    expect(error.message).toContain('ask your IdP administrator to release https://aws.amazon.com/SAML/Attributes/Role'.slice(4));
    expect(error.message).toContain(ROLE_ATTRIBUTE);
  });

  it('treats a Role attribute with only empty values as no roles', () => {
    expect(samlErrorFrom(() => parse(build({ roles: ['', '  '] }))).code).toBe('SAML_NO_ROLES');
  });

  it.each([
    ['not-an-arn', /exactly two ARNs/],
    [`${ROLE}`, /exactly two ARNs/],
    [`${ROLE},${PROVIDER},${PROVIDER}`, /exactly two ARNs/],
    [`${ROLE},${ROLE}`, /one IAM role ARN with one SAML provider/],
    [`arn:aws:iam::123456789012:user/bob,${PROVIDER}`, /one IAM role ARN with one SAML provider/],
    [`arn:aws:iam::12345:role/Admin,${PROVIDER}`, /one IAM role ARN with one SAML provider/],
    [`arn:aws-iso:iam::123456789012:role/Admin,${PROVIDER}`, /one IAM role ARN with one SAML provider/],
    [`${ROLE},arn:aws:iam::210987654321:saml-provider/Test`, /different AWS accounts/],
    [`arn:aws-cn:iam::123456789012:role/Admin,${PROVIDER}`, /different AWS partitions/],
  ])('names the malformed role value %j', (value, reason) => {
    const error = samlErrorFrom(() => parse(build({ roles: [value] })));
    expect(error.code).toBe('SAML_BAD_ARN');
    expect(error.message).toContain(`"${value}"`);
    expect(error.message).toMatch(reason);
    expect(error.message).toMatch(/IdP administrator/);
  });

  it('names a handful of bad values and counts the rest', () => {
    const values = Array.from({ length: 8 }, (_, i) => `bad-${i}`);
    const error = samlErrorFrom(() => parse(build({ roles: values })));
    expect(error.code).toBe('SAML_BAD_ARN');
    expect(error.message).toContain('"bad-0"');
    expect(error.message).toContain('"bad-4"');
    expect(error.message).not.toContain('"bad-5"');
    expect(error.message).toContain('3 more');
  });

  it('explains an encrypted assertion and offers naming the role instead', () => {
    const error = samlErrorFrom(() => parse(build({ encrypted: true })));
    expect(error.code).toBe('SAML_ENCRYPTED');
    expect(error.message).toMatch(/encrypt/);
    expect(error.message).toMatch(/role ARN|its ARN/);
  });

  it('explains encrypted attributes the same way', () => {
    const base64 = edited((response) => {
      const statement = assertionOf(response).getElementsByTagNameNS(ASSERTION_NS, 'AttributeStatement')[0]!;
      for (const attr of Array.from(statement.getElementsByTagNameNS(ASSERTION_NS, 'Attribute'))) statement.removeChild(attr);
      statement.appendChild(response.ownerDocument!.createElementNS(ASSERTION_NS, 'saml:EncryptedAttribute'));
    });
    expect(samlErrorFrom(() => parse(base64)).code).toBe('SAML_ENCRYPTED');
  });

  it('refuses a successful Response without an assertion', () => {
    const base64 = edited((response) => {
      response.removeChild(assertionOf(response));
    });
    expect(samlErrorFrom(() => parse(base64)).code).toBe('SAML_NO_ASSERTION');
  });

  it('refuses a Response with two assertions, since AWS takes exactly one', () => {
    const base64 = edited((response) => {
      response.appendChild(assertionOf(response).cloneNode(true));
    });
    expect(samlErrorFrom(() => parse(base64)).code).toBe('SAML_MANY_ASSERTIONS');
  });

  it('ignores an assertion hidden below another element (only the Response\'s own child counts)', () => {
    const base64 = edited((response) => {
      const assertion = assertionOf(response);
      const extensions = response.ownerDocument!.createElementNS('urn:oasis:names:tc:SAML:2.0:protocol', 'samlp:Extensions');
      response.removeChild(assertion);
      extensions.appendChild(assertion);
      response.appendChild(extensions);
    });
    expect(samlErrorFrom(() => parse(base64)).code).toBe('SAML_NO_ASSERTION');
  });

  it('refuses an unreadable validity time, quoting it', () => {
    const base64 = edited((response) => {
      assertionOf(response).getElementsByTagNameNS(ASSERTION_NS, 'Conditions')[0]!.setAttribute('NotOnOrAfter', 'tomorrow');
    });
    const error = samlErrorFrom(() => parse(base64));
    expect(error.code).toBe('SAML_BAD_TIME');
    expect(error.message).toContain('"tomorrow"');
  });

  it('refuses a time without a time zone, which would be read in local time', () => {
    const base64 = edited((response) => {
      assertionOf(response).getElementsByTagNameNS(ASSERTION_NS, 'Conditions')[0]!.setAttribute('NotOnOrAfter', '2026-01-15T12:05:00');
    });
    expect(samlErrorFrom(() => parse(base64)).code).toBe('SAML_BAD_TIME');
  });
});
