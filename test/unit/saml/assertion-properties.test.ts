import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import type { Element, Node } from '@xmldom/xmldom';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSamlResponse } from '../../../main/saml/assertion.js';
import { parseRolePair } from '../../../main/saml/role-arn.js';
import { SamlError } from '../../../main/saml/saml-error.js';
import type { ParsedAssertion } from '../../../main/saml/types.js';
import { buildSamlResponseXml, createSigningIdentity } from '../../support/saml-fixtures.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const RUNS = 200;
const SLOWEST_ALLOWED_MS = 1_000;
const identity = createSigningIdentity();
const validXml = buildSamlResponseXml({
  identity,
  now: NOW,
  roles: [
    'arn:aws:iam::123456789012:role/Admin,arn:aws:iam::123456789012:saml-provider/Test',
    'arn:aws:iam::210987654321:saml-provider/Corp , arn:aws:iam::210987654321:role/team/ReadOnly',
  ],
  sessionDuration: 3600,
});
const validBytes = Buffer.from(validXml, 'utf8');

/** Everything a successful parse promises, checked against the input it came from. */
function expectValid(parsed: ParsedAssertion, input: string): void {
  expect(parsed.samlResponse).toBe(input.replace(/[\t\n\f\r ]+/g, ''));
  expect(parsed.roles.length).toBeGreaterThan(0);
  for (const role of parsed.roles) expect(parseRolePair(`${role.roleArn},${role.principalArn}`)).toEqual(role);
  if (parsed.sessionDuration !== undefined) {
    expect(Number.isInteger(parsed.sessionDuration) && parsed.sessionDuration >= 900 && parsed.sessionDuration <= 43200).toBe(true);
  }
  if (parsed.notOnOrAfter !== undefined) expect(parsed.notOnOrAfter).toBeGreaterThan(NOW);
  for (const audience of parsed.audiences) expect(typeof audience).toBe('string');
}

/** 'ok' or the SamlError code; any other exception escapes and fails the property, as does slowness. */
function outcome(input: string): string {
  const started = performance.now();
  try {
    expectValid(parseSamlResponse(input, { now: NOW }), input);
    return 'ok';
  } catch (error) {
    if (error instanceof SamlError) return error.code;
    throw error;
  } finally {
    expect(performance.now() - started).toBeLessThan(SLOWEST_ALLOWED_MS);
  }
}

const base64Of = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64');

/** Tallies outcomes so a property can also show that mutated inputs still parse sometimes (it is not vacuous). */
function tally() {
  const counts = new Map<string, number>();
  return {
    record(result: string) {
      counts.set(result, (counts.get(result) ?? 0) + 1);
    },
    get: (result: string) => counts.get(result) ?? 0,
  };
}

function elementsOf(root: Element): Element[] {
  const found: Element[] = [];
  const pending: Node[] = [root];
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (node.nodeType === node.ELEMENT_NODE) found.push(node as Element);
    for (let child = node.firstChild; child; child = child.nextSibling) pending.push(child);
  }
  return found;
}

const XML_TOKENS = [
  '<a>', '</a>', '<a/>', '<a x="1">', '<a x=">">', '<a x="/>">', '<!--', '-->', '<![CDATA[', ']]>', '<?pi x?>', '<?',
  '<!DOCTYPE a>', '<!ENTITY e "x">', '&e;', '&amp;', '&lt;', '&#x41;', '&#0;', '"', "'", '<', '>', '/', 'text',
  ' xmlns="urn:oasis:names:tc:SAML:2.0:assertion"', ' xmlns:p="urn:oasis:names:tc:SAML:2.0:protocol"', '<p:Response>',
  '</p:Response>', '\u0000', '\uFFFF', '\uD800',
];

// fast-check's 'binary' unit is slow to generate; these two cover any code point and every ASCII byte.
const anyText = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ unit: 'binary-ascii', maxLength: 300 }));

describe('parseSamlResponse never crashes or hangs (property-based)', () => {
  it('answers any string with a typed error or a valid result', () => {
    fc.assert(fc.property(anyText, (input) => void outcome(input)), { numRuns: RUNS });
  });

  it('answers any base64 text and any base64-encoded bytes', () => {
    fc.assert(fc.property(fc.base64String({ maxLength: 4_000 }), (input) => void outcome(input)), { numRuns: RUNS });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4_000 }), (bytes) => void outcome(base64Of(bytes))), { numRuns: RUNS });
  });

  it('answers any soup of XML tokens', () => {
    const soup = fc.array(fc.constantFrom(...XML_TOKENS), { maxLength: 60 }).map((tokens) => tokens.join(''));
    fc.assert(fc.property(soup, (xml) => void outcome(base64Of(xml))), { numRuns: RUNS });
  });

  it('answers a signed response with bytes flipped', () => {
    const seen = tally();
    const flips = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(flips, (changes) => {
        const bytes = Buffer.from(validBytes);
        for (const [at, value] of changes) bytes[at % bytes.length] = value;
        seen.record(outcome(base64Of(bytes)));
      }),
      { numRuns: RUNS },
    );
    // Most flips land in signature or certificate text the parser does not read: those must still parse.
    expect(seen.get('ok')).toBeGreaterThan(0);
  });

  it('answers a signed response cut short anywhere', () => {
    fc.assert(fc.property(fc.nat({ max: validBytes.length - 1 }), (length) => void outcome(base64Of(validBytes.subarray(0, length)))), {
      numRuns: RUNS,
    });
  });

  it('answers a signed response with any one element removed (every element tried)', () => {
    const seen = tally();
    const count = elementsOf(new DOMParser().parseFromString(validXml, 'text/xml').documentElement!).length;
    for (let index = 1; index < count; index++) {
      const document = new DOMParser().parseFromString(validXml, 'text/xml');
      const victim = elementsOf(document.documentElement!)[index]!;
      victim.parentNode!.removeChild(victim);
      seen.record(outcome(base64Of(new XMLSerializer().serializeToString(document))));
    }
    expect(seen.get('ok')).toBeGreaterThan(0);
    expect(seen.get('SAML_NO_ROLES')).toBeGreaterThan(0);
    expect(seen.get('SAML_NO_ASSERTION')).toBeGreaterThan(0);
    expect(seen.get('SAML_NOT_RESPONSE')).toBeGreaterThan(0);
  });

  it('answers a signed response with XML tokens spliced in', () => {
    const splices = fc.array(fc.tuple(fc.nat(), fc.constantFrom(...XML_TOKENS)), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(splices, (changes) => {
        let xml = validXml;
        for (const [at, token] of changes) {
          const position = at % xml.length;
          xml = xml.slice(0, position) + token + xml.slice(position);
        }
        outcome(base64Of(xml));
      }),
      { numRuns: RUNS },
    );
  });

  it('answers the base64 text itself mangled: characters replaced, whitespace and junk inserted', () => {
    const base64 = base64Of(validBytes);
    const edits = fc.array(fc.tuple(fc.nat(), fc.constantFrom('A', '+', '/', '=', ' ', '\n', '-', '_', '%2B', '\u00e9')), {
      minLength: 1,
      maxLength: 6,
    });
    fc.assert(
      fc.property(edits, fc.boolean(), (changes, replace) => {
        let text = base64;
        for (const [at, piece] of changes) {
          const position = at % text.length;
          text = text.slice(0, position) + piece + text.slice(position + (replace ? 1 : 0));
        }
        outcome(text);
      }),
      { numRuns: RUNS },
    );
  });
});
