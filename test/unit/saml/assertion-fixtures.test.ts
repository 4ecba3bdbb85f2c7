/**
 * The signed fixtures every SAML test relies on are checked here by an independent implementation (xmlsec1),
 * so "signed like a real IdP" is a tested fact, not a claim.
 */
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import type { Element } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { parseSamlResponse } from '../../../main/saml/assertion.js';
import { ASSERTION_NS, buildSamlResponse, buildSamlResponseXml, createSigningIdentity } from '../../support/saml-fixtures.js';
import { xmlsecDecrypt, xmlsecVerifies } from '../../support/xmlsec.js';
import type { SignedSamlElement } from '../../support/xmlsec.js';

const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const identity = createSigningIdentity();
const verifies = (xml: string, signed: SignedSamlElement) => xmlsecVerifies(xml, signed, identity.certificatePem);

function rootOf(xml: string): Element {
  return new DOMParser().parseFromString(xml, 'text/xml').documentElement!;
}

function nextElement(element: Element): Element | undefined {
  let node = element.nextSibling;
  while (node && node.nodeType !== node.ELEMENT_NODE) node = node.nextSibling;
  return (node as Element | null) ?? undefined;
}

describe('signed SAML fixtures', () => {
  it.each(['saml', 'saml2', ''] as const)('carries Response and Assertion signatures xmlsec1 accepts (prefix %j)', (prefix) => {
    const xml = buildSamlResponseXml({ identity, prefix });
    expect(verifies(xml, 'Response')).toBe(true);
    expect(verifies(xml, 'Assertion')).toBe(true);
  });

  it('is rejected by xmlsec1 once a role is changed, so the check above means something', () => {
    const xml = buildSamlResponseXml({ identity }).replace('role/Admin', 'role/Admln');
    expect(verifies(xml, 'Assertion')).toBe(false);
    expect(verifies(xml, 'Response')).toBe(false);
  });

  it('is rejected by xmlsec1 under another IdP key', () => {
    const xml = buildSamlResponseXml({ identity: createSigningIdentity('another-idp') });
    expect(verifies(xml, 'Assertion')).toBe(false);
  });

  it('signs as SAML requires: enveloped, exclusive c14n, RSA-SHA256, SHA-256, by ID, right after the Issuer', () => {
    const response = rootOf(buildSamlResponseXml({ identity }));
    const assertion = response.getElementsByTagNameNS(ASSERTION_NS, 'Assertion')[0]!;
    for (const signed of [response, assertion]) {
      const issuer = signed.getElementsByTagNameNS(ASSERTION_NS, 'Issuer')[0]!;
      const signature = nextElement(issuer)!;
      expect(`${signature.namespaceURI} ${signature.localName}`).toBe(`${DSIG_NS} Signature`);
      const algorithms = Array.from(signature.getElementsByTagNameNS(DSIG_NS, '*'))
        .map((element) => element.getAttribute('Algorithm'))
        .filter((algorithm) => algorithm);
      expect(algorithms).toEqual([
        'http://www.w3.org/2001/10/xml-exc-c14n#',
        'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
        'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
        'http://www.w3.org/2001/10/xml-exc-c14n#',
        'http://www.w3.org/2001/04/xmlenc#sha256',
      ]);
      expect(signature.getElementsByTagNameNS(DSIG_NS, 'Reference')[0]!.getAttribute('URI')).toBe(`#${signed.getAttribute('ID')}`);
    }
  });

  it('signs only what it is asked to', () => {
    const count = (xml: string) => rootOf(xml).getElementsByTagNameNS(DSIG_NS, 'Signature').length;
    expect(count(buildSamlResponseXml({ identity, signResponse: false }))).toBe(1);
    expect(count(buildSamlResponseXml({ identity, signAssertion: false }))).toBe(1);
    expect(count(buildSamlResponseXml({ identity, signAssertion: false, signResponse: false }))).toBe(0);
    expect(verifies(buildSamlResponseXml({ identity, signResponse: false }), 'Assertion')).toBe(true);
  });

  it('encrypts the signed assertion so that xmlsec1 can decrypt it with the key and the parser reads it then', () => {
    const now = Date.now();
    const encrypted = buildSamlResponseXml({ identity, now, encrypted: true, roles: ['arn:aws:iam::123456789012:role/Enc,arn:aws:iam::123456789012:saml-provider/Test'] });
    expect(encrypted).not.toContain('role/Enc');
    const decrypted = xmlsecDecrypt(encrypted, identity.privateKeyPem);
    expect(verifies(decrypted, 'Assertion')).toBe(true);
    // xmlsec1 leaves the decrypted Assertion inside its EncryptedAssertion wrapper; an SP unwraps it, so do that.
    const response = rootOf(decrypted);
    const wrapper = response.getElementsByTagNameNS(ASSERTION_NS, 'EncryptedAssertion')[0]!;
    response.replaceChild(wrapper.getElementsByTagNameNS(ASSERTION_NS, 'Assertion')[0]!, wrapper);
    const unwrapped = new XMLSerializer().serializeToString(response);
    const parsed = parseSamlResponse(Buffer.from(unwrapped).toString('base64'), { now });
    expect(parsed.roles.map((role) => role.roleName)).toEqual(['Enc']);
  });

  it('omits the assertion from a failed response, as IdPs do', () => {
    const response = rootOf(buildSamlResponseXml({ identity, statusCode: 'Responder' }));
    expect(response.getElementsByTagNameNS(ASSERTION_NS, 'Assertion')).toHaveLength(0);
  });

  it('returns base64 of the XML, the way the IdP form posts it', () => {
    const base64 = buildSamlResponse({ identity, now: 0, issueInstant: 0 });
    expect(Buffer.from(base64, 'base64').toString('utf8')).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<samlp:Response /);
  });
});
