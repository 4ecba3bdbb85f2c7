/**
 * The generated SAML fixtures stand in for a real IdP in most tests; here they are held against what a real
 * SimpleSAMLphp sends for the same user: the same element structure, the same parse, and signatures that the
 * same independent check (xmlsec1) accepts.
 */
import { DOMParser } from '@xmldom/xmldom';
import type { Element } from '@xmldom/xmldom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFormAuthenticator } from '../../main/login/form.js';
import { parseSamlResponse } from '../../main/saml/assertion.js';
import type { ParsedAssertion } from '../../main/saml/types.js';
import { ALICE, roleAttributeValue, startIdp } from '../support/idp/index.js';
import type { RunningIdp } from '../support/idp/index.js';
import { buildSamlResponse, createSigningIdentity } from '../support/saml-fixtures.js';
import { xmlsecVerifies } from '../support/xmlsec.js';

const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';

/** Element paths in document order, prefixes ignored, signature internals left out (their layout is the signer's). */
function skeleton(base64: string): string[] {
  const paths: string[] = [];
  const walk = (element: Element, parent: string) => {
    const path = `${parent}/${element.localName}`;
    paths.push(path);
    if (element.namespaceURI === DSIG_NS) return;
    for (let node = element.firstChild; node; node = node.nextSibling) {
      if (node.nodeType === node.ELEMENT_NODE) walk(node as Element, path);
    }
  };
  walk(new DOMParser().parseFromString(Buffer.from(base64, 'base64').toString('utf8'), 'text/xml').documentElement!, '');
  return paths;
}

/** What a parse says about the sign-in itself, without the parts that differ per issue (text, times). */
function meaning(parsed: ParsedAssertion) {
  const { samlResponse: _text, notBefore: _from, notOnOrAfter: _until, ...rest } = parsed;
  return rest;
}

describe('generated SAML fixtures match a real SimpleSAMLphp response', () => {
  let idp: RunningIdp;
  let real: string;
  beforeAll(async () => {
    idp = await startIdp();
    const authenticator = createFormAuthenticator({
      signInUrl: idp.signInUrl,
      username: ALICE.username,
      password: async () => ALICE.password,
    });
    real = (await authenticator.authenticate({ interactive: true })).samlResponse;
  });
  afterAll(async () => {
    await idp?.stop();
  });

  const fixtureLikeAlice = () =>
    buildSamlResponse({
      identity: createSigningIdentity(),
      issuer: idp.entityId,
      nameId: ALICE.uid,
      roles: ALICE.roles.map(roleAttributeValue),
      sessionName: ALICE.roleSessionName,
      sessionDuration: ALICE.sessionDuration,
      extraAttributes: { uid: [ALICE.uid] },
    });

  it('parses to the same sign-in', () => {
    const fromIdp = parseSamlResponse(real);
    expect(meaning(parseSamlResponse(fixtureLikeAlice()))).toEqual(meaning(fromIdp));
    expect(fromIdp.roles).toHaveLength(ALICE.roles.length);
  });

  it('has the same element structure', () => {
    // Attribute order is the IdP's choice (SimpleSAMLphp puts uid first): compare the paths as a multiset.
    expect(skeleton(fixtureLikeAlice()).sort()).toEqual(skeleton(real).sort());
  });

  it('is signed the way xmlsec1 verifies the real response too', () => {
    const xml = Buffer.from(real, 'base64');
    expect(xmlsecVerifies(xml, 'Response', idp.certificatePem)).toBe(true);
    expect(xmlsecVerifies(xml, 'Assertion', idp.certificatePem)).toBe(true);
  });
});
