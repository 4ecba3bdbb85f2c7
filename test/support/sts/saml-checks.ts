/**
 * The stand-in's own strict reading of a SAMLResponse, independent of the app's parser: what AWS checks
 * before it issues credentials. Only XML covered by a verified signature is read for the assertion's content.
 */
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { AWS_FAULTS, fault, StsFaultError } from './sts-xml.js';

const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

const ATTRIBUTE = {
  role: 'https://aws.amazon.com/SAML/Attributes/Role',
  roleSessionName: 'https://aws.amazon.com/SAML/Attributes/RoleSessionName',
} as const;

export const AWS_AUDIENCE = 'urn:amazon:webservices';
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const NAMEID_FORMAT_PREFIX = 'urn:oasis:names:tc:SAML:2.0:nameid-format:';
export const ROLE_SESSION_NAME = /^[a-zA-Z_0-9+=,.@-]{2,64}$/;

/** The SAML endpoints AWS accepts as Recipient / Destination, in all three partitions. */
const AWS_SAML_ENDPOINT =
  /^https:\/\/(?:[a-z]{2}(?:-[a-z]+)+-\d{1,2}\.)?signin\.(?:aws\.amazon\.com|amazonaws-us-gov\.com|amazonaws\.cn)\/(?:static\/)?saml\/?$/;

/** A SAML provider as IAM knows it: the entity ID and signing certificates from the uploaded metadata. */
export interface StandInProvider {
  arn: string;
  issuer: string;
  /** PEM certificates; any of them may have signed (metadata can carry a rollover certificate). */
  certificates: string[];
}

/** What STS learns from a valid assertion. */
export interface VerifiedAssertion {
  issuer: string;
  nameId: string;
  nameIdFormat: string | undefined;
  recipient: string;
  roleSessionName: string;
  /** Raw values of the Role attribute. */
  roles: string[];
  /** Epoch ms from AuthnStatement/@SessionNotOnOrAfter, capping the credentials' lifetime. */
  sessionNotOnOrAfter: number | undefined;
}

const invalidToken = (message: string): StsFaultError => fault(400, 'InvalidIdentityToken', message);
// The exact texts for a malformed document, a missing issuer match, a wrong recipient and an early
// NotBefore are not documented; these are the stand-in's own, under the documented code.
const malformed = () => invalidToken('Invalid SAML response');

function childElements(parent: Element | Document, ns: string, localName: string): Element[] {
  const out: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === node.ELEMENT_NODE) {
      const element = node as Element;
      if (element.namespaceURI === ns && element.localName === localName) out.push(element);
    }
  }
  return out;
}

function onlyChild(parent: Element, ns: string, localName: string): Element | undefined {
  const found = childElements(parent, ns, localName);
  if (found.length > 1) throw malformed();
  return found[0];
}

function descendants(root: Element | Document, ns: string, localName: string): Element[] {
  return Array.from(root.getElementsByTagNameNS(ns, localName));
}

function parseXml(xml: string): Document {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw malformed();
  try {
    return new DOMParser({
      onError: (level) => {
        if (level !== 'warning') throw malformed();
      },
    }).parseFromString(xml, 'text/xml');
  } catch {
    throw malformed();
  }
}

function decodeBase64(text: string): string {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) throw malformed();
  return Buffer.from(compact, 'base64').toString('utf8');
}

function instant(element: Element | undefined, attribute: string): number | undefined {
  const value = element?.getAttribute(attribute);
  if (!value) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw malformed();
  return ms;
}

/**
 * Verifies the enveloped signature(s) of `signed` (the Response or its Assertion) with the provider's
 * certificates, ignoring any certificate the document carries, and returns the XML the signature covers.
 * Returns undefined when `signed` has no signature; throws when one is present but invalid.
 */
function verifiedContent(xml: string, signed: Element, provider: StandInProvider): string | undefined {
  const signatures = childElements(signed, NS.dsig, 'Signature');
  if (signatures.length === 0) return undefined;
  if (signatures.length > 1) throw AWS_FAULTS.signatureInvalid();
  const id = signed.getAttribute('ID');
  if (!id) throw AWS_FAULTS.signatureInvalid();
  for (const certificate of provider.certificates) {
    const verifier = new SignedXml({ publicCert: certificate, getCertFromKeyInfo: () => null });
    try {
      verifier.loadSignature(signatures[0] as unknown as Node);
      const references = verifier.getReferences();
      // One reference, to exactly the element that carries the signature: anything else is how wrapping works.
      if (references.length !== 1 || references[0]!.uri !== `#${id}`) throw AWS_FAULTS.signatureInvalid();
      if (!verifier.checkSignature(xml)) continue;
      const [content] = verifier.getSignedReferences();
      if (content !== undefined) return content;
    } catch (error) {
      if (error instanceof StsFaultError) throw error;
      // A wrong certificate and a tampered document both end here; try the next certificate.
    }
  }
  throw AWS_FAULTS.signatureInvalid();
}

/** The one Assertion the signature covers, read from the signed XML itself. */
function signedAssertion(xml: string, response: Element, provider: StandInProvider): Element {
  const assertions = childElements(response, NS.assertion, 'Assertion');
  if (descendants(response, NS.assertion, 'Assertion').length !== 1 || assertions.length !== 1) {
    if (descendants(response, NS.assertion, 'EncryptedAssertion').length > 0) {
      throw invalidToken('Encrypted assertions are not enabled for this SAML provider');
    }
    throw malformed();
  }
  const responseContent = verifiedContent(xml, response, provider);
  const assertionContent = verifiedContent(xml, assertions[0]!, provider);
  if (responseContent !== undefined) {
    const signedResponse = parseXml(responseContent).documentElement;
    const inside = signedResponse ? childElements(signedResponse, NS.assertion, 'Assertion') : [];
    if (inside.length !== 1) throw AWS_FAULTS.signatureInvalid();
    return inside[0]!;
  }
  if (assertionContent !== undefined) {
    const element = parseXml(assertionContent).documentElement;
    if (!element || element.namespaceURI !== NS.assertion || element.localName !== 'Assertion') throw AWS_FAULTS.signatureInvalid();
    return element;
  }
  throw AWS_FAULTS.signatureInvalid();
}

function attributeValues(assertion: Element, name: string): string[] {
  const values: string[] = [];
  for (const statement of childElements(assertion, NS.assertion, 'AttributeStatement')) {
    for (const attribute of childElements(statement, NS.assertion, 'Attribute')) {
      if (attribute.getAttribute('Name') !== name) continue;
      for (const value of childElements(attribute, NS.assertion, 'AttributeValue')) {
        values.push((value.textContent ?? '').trim());
      }
    }
  }
  return values;
}

function checkTime(assertion: Element, confirmationData: Element, now: number): void {
  const conditions = onlyChild(assertion, NS.assertion, 'Conditions');
  const notOnOrAfter = [instant(conditions, 'NotOnOrAfter'), instant(confirmationData, 'NotOnOrAfter')];
  if (notOnOrAfter[1] === undefined) throw malformed();
  if (notOnOrAfter.some((limit) => limit !== undefined && now >= limit)) throw AWS_FAULTS.expiredAssertion();
  const notBefore = [instant(conditions, 'NotBefore'), instant(confirmationData, 'NotBefore')];
  if (notBefore.some((start) => start !== undefined && now < start)) throw invalidToken('Response is not yet valid');
}

function checkAudience(assertion: Element): void {
  const conditions = onlyChild(assertion, NS.assertion, 'Conditions');
  const restrictions = conditions ? childElements(conditions, NS.assertion, 'AudienceRestriction') : [];
  // Every AudienceRestriction must name AWS (SAML core 2.5.1.4), and there must be one.
  const satisfied =
    restrictions.length > 0 &&
    restrictions.every((restriction) =>
      childElements(restriction, NS.assertion, 'Audience').some((audience) => (audience.textContent ?? '').trim() === AWS_AUDIENCE),
    );
  if (!satisfied) throw invalidToken('Response does not contain the required audience');
}

/** Everything AWS checks in the document; `provider` is the one PrincipalArn names. */
export function verifySamlResponse(samlAssertion: string, provider: StandInProvider, now: number): VerifiedAssertion {
  const xml = decodeBase64(samlAssertion);
  const doc = parseXml(xml);
  const response = doc.documentElement;
  if (!response || response.namespaceURI !== NS.protocol || response.localName !== 'Response') throw malformed();

  const assertion = signedAssertion(xml, response, provider);

  const status = onlyChild(response, NS.protocol, 'Status');
  const statusCode = status ? onlyChild(status, NS.protocol, 'StatusCode') : undefined;
  if (statusCode?.getAttribute('Value') !== SUCCESS) throw invalidToken('Response status is not Success');

  const issuer = (onlyChild(assertion, NS.assertion, 'Issuer')?.textContent ?? '').trim();
  if (issuer !== provider.issuer) throw invalidToken('Issuer of the response does not match the SAML provider metadata');

  const subject = onlyChild(assertion, NS.assertion, 'Subject');
  if (!subject) throw malformed();
  const confirmations = childElements(subject, NS.assertion, 'SubjectConfirmation');
  const confirmationData = confirmations.length === 1 ? onlyChild(confirmations[0]!, NS.assertion, 'SubjectConfirmationData') : undefined;
  if (!confirmationData) throw malformed();

  checkTime(assertion, confirmationData, now);
  checkAudience(assertion);

  const recipient = confirmationData.getAttribute('Recipient') ?? '';
  const destination = response.getAttribute('Destination');
  if (!AWS_SAML_ENDPOINT.test(recipient) || (destination && !AWS_SAML_ENDPOINT.test(destination))) {
    throw invalidToken('Response is not addressed to an AWS sign-in endpoint');
  }

  const sessionNames = attributeValues(assertion, ATTRIBUTE.roleSessionName);
  if (sessionNames.length === 0) throw invalidToken('RoleSessionName is required in AuthnResponse');
  const roleSessionName = sessionNames[0]!;
  if (sessionNames.length > 1 || !ROLE_SESSION_NAME.test(roleSessionName)) {
    throw invalidToken('RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}');
  }

  const nameIdElement = onlyChild(subject, NS.assertion, 'NameID');
  const nameId = (nameIdElement?.textContent ?? '').trim();
  if (!nameIdElement || nameId === '') throw AWS_FAULTS.accessDenied();

  const authn = childElements(assertion, NS.assertion, 'AuthnStatement');
  const sessionNotOnOrAfter = authn
    .map((statement) => instant(statement, 'SessionNotOnOrAfter'))
    .filter((value): value is number => value !== undefined)
    .sort((a, b) => a - b)[0];

  return {
    issuer,
    nameId,
    nameIdFormat: nameIdElement.getAttribute('Format') ?? undefined,
    recipient,
    roleSessionName,
    roles: attributeValues(assertion, ATTRIBUTE.role),
    sessionNotOnOrAfter,
  };
}

/** Whether the Role attribute offers exactly this pair, in either order. */
export function offersRole(assertion: VerifiedAssertion, roleArn: string, principalArn: string): boolean {
  return assertion.roles.some((value) => {
    const parts = value.split(',').map((part) => part.trim());
    if (parts.length !== 2) return false;
    return (parts[0] === roleArn && parts[1] === principalArn) || (parts[0] === principalArn && parts[1] === roleArn);
  });
}

/** SubjectType as STS reports it: the format without the SAML 2.0 prefix. */
export function subjectType(format: string | undefined): string {
  if (!format) return 'unspecified';
  return format.startsWith(NAMEID_FORMAT_PREFIX) ? format.slice(NAMEID_FORMAT_PREFIX.length) : format;
}
