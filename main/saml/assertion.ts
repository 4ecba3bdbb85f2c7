import type { Element } from '@xmldom/xmldom';
import { LIMITS } from '../settings/schema.js';
import { awsTimestamp } from '../support/clock.js';
import { parseRolePair } from './role-arn.js';
import { SamlError, quoteForMessage } from './saml-error.js';
import { parseScreenedXml, screenXml } from './safe-xml.js';
import type { ParsedAssertion, SamlRole } from './types.js';

export { SamlError } from './saml-error.js';

const PROTOCOL_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
const ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
const STATUS_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
export const ROLE_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/Role';
export const ROLE_SESSION_NAME_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/RoleSessionName';
export const SESSION_DURATION_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/SessionDuration';

/** Decoded size limit; real responses are a few KiB, and STS itself takes at most 100,000 base64 characters. */
export const MAX_DECODED_BYTES = 1024 * 1024;
const MAX_BASE64_CHARS = Math.ceil(MAX_DECODED_BYTES / 3) * 4;
// Line-wrapped base64 is a little longer than its content; anything far beyond that is refused unread.
const MAX_INPUT_CHARS = MAX_BASE64_CHARS * 2;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const XS_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
const MAX_NAMED_BAD_VALUES = 5;

export interface ParseSamlOptions {
  /** Epoch ms to judge expiry against; defaults to Date.now(). */
  now?: number;
  /** Parse an expired response anyway (to show what it offered, or in tests). */
  allowExpired?: boolean;
}

function tooLarge(): SamlError {
  return new SamlError(
    'SAML_TOO_LARGE',
    `The sign-in response is larger than ${MAX_DECODED_BYTES / 1024} KiB, far beyond any real SAML response. ` +
      'Cloudtoken refuses it to stay safe.',
  );
}

function notBase64(hint: string): SamlError {
  return new SamlError(
    'SAML_NOT_BASE64',
    `The sign-in response is not the base64 text an identity provider posts to AWS (${hint}). ` +
      'Sign in again; if you pasted it, copy the whole SAMLResponse value.',
  );
}

/** The base64 text with line breaks and spaces removed: what STS receives. */
function compactBase64(samlResponse: string): string {
  if (typeof samlResponse !== 'string') throw notBase64('it is not text');
  if (samlResponse.length > MAX_INPUT_CHARS) throw tooLarge();
  const compact = samlResponse.replace(/[\t\n\f\r ]+/g, '');
  if (compact === '') throw notBase64('it is empty');
  if (compact.length > MAX_BASE64_CHARS) throw tooLarge();
  if (!BASE64.test(compact)) {
    if (compact.startsWith('<')) throw notBase64('it is raw XML; Cloudtoken expects the SAMLResponse form field as posted');
    if (/%[0-9A-Fa-f]{2}/.test(compact)) throw notBase64('it is still URL-encoded');
    throw notBase64('it contains characters base64 does not use, or is cut short');
  }
  return compact;
}

function decodeXml(compact: string): string {
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length > MAX_DECODED_BYTES) throw tooLarge();
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new SamlError(
      'SAML_NOT_XML',
      'The sign-in response decodes to binary data, not a SAML document. Sign in again; if it keeps happening, ' +
        'your IdP administrator should check what the IdP sends to AWS.',
      { cause: error },
    );
  }
}

function children(parent: Element | undefined, namespace: string, localName: string): Element[] {
  const found: Element[] = [];
  for (let node = parent?.firstChild; node; node = node.nextSibling) {
    const element = node as Element;
    if (node.nodeType === node.ELEMENT_NODE && element.namespaceURI === namespace && element.localName === localName) {
      found.push(element);
    }
  }
  return found;
}

function child(parent: Element | undefined, namespace: string, localName: string): Element | undefined {
  return children(parent, namespace, localName)[0];
}

function text(element: Element | undefined): string | undefined {
  const value = element?.textContent?.trim();
  return value ? value : undefined;
}

function attribute(element: Element | undefined, name: string): string | undefined {
  const value = element?.getAttribute(name)?.trim();
  return value ? value : undefined;
}

function instant(element: Element | undefined, name: string): number | undefined {
  const value = attribute(element, name);
  if (value === undefined) return undefined;
  const ms = XS_DATE_TIME.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new SamlError(
      'SAML_BAD_TIME',
      `The sign-in response has an unreadable ${name} time ${quoteForMessage(value)}. ` +
        'Your IdP administrator should check the IdP: SAML times look like 2025-01-31T12:00:00Z.',
    );
  }
  return ms;
}

const STATUS_WORDS: Record<string, string> = {
  Requester: 'the identity provider rejected the sign-in request',
  Responder: 'the identity provider could not complete the sign-in',
  VersionMismatch: 'the identity provider does not speak this SAML version',
  AuthnFailed: 'authentication failed',
  RequestDenied: 'the identity provider denied the request',
  NoPassive: 'you need to sign in interactively',
  NoAuthnContext: 'the required sign-in method is not available',
  UnknownPrincipal: 'the identity provider does not know this user',
  InvalidNameIDPolicy: 'the identity provider cannot identify you the way AWS asks',
};

function shortStatus(value: string): string {
  return value.replace(/^urn:oasis:names:tc:SAML:2\.0:status:/, '');
}

function checkStatus(response: Element): void {
  const status = child(response, PROTOCOL_NS, 'Status');
  const code = child(status, PROTOCOL_NS, 'StatusCode');
  const value = attribute(code, 'Value');
  if (value === STATUS_SUCCESS) return;
  if (value === undefined) {
    throw new SamlError('SAML_NOT_RESPONSE', 'The sign-in response has no SAML status, so it is not a complete SAML response. Sign in again.');
  }
  const second = attribute(child(code, PROTOCOL_NS, 'StatusCode'), 'Value');
  const codes = [value, second].filter((c): c is string => c !== undefined).map(shortStatus);
  const words = STATUS_WORDS[codes[1] ?? ''] ?? STATUS_WORDS[codes[0]!] ?? 'the identity provider reported a failure';
  const idpMessage = text(child(status, PROTOCOL_NS, 'StatusMessage'));
  throw new SamlError(
    'SAML_STATUS',
    `Your identity provider did not sign you in: ${words} (status ${quoteForMessage(codes.join(' / '))}).` +
      (idpMessage ? ` The identity provider said: ${quoteForMessage(idpMessage)}.` : '') +
      ' Try again; if it keeps failing, give this message to your IdP administrator.',
  );
}

/** The Response's one assertion (its own child: one nested elsewhere is not what STS reads). */
function onlyAssertion(response: Element): Element {
  const plain = children(response, ASSERTION_NS, 'Assertion');
  const encrypted = children(response, ASSERTION_NS, 'EncryptedAssertion');
  if (plain.length + encrypted.length > 1) {
    throw new SamlError(
      'SAML_MANY_ASSERTIONS',
      `The sign-in response carries ${plain.length + encrypted.length} assertions; AWS expects exactly one. ` +
        'Ask your IdP administrator to send one assertion to AWS.',
    );
  }
  if (encrypted.length > 0) throw encryptedError('assertion');
  const assertion = plain[0];
  if (!assertion) {
    throw new SamlError(
      'SAML_NO_ASSERTION',
      'The sign-in response carries no assertion, so it does not say who you are or which roles you may use. ' +
        'Sign in again; if it keeps happening, ask your IdP administrator to check the AWS application.',
    );
  }
  return assertion;
}

function encryptedError(what: 'assertion' | 'attributes'): SamlError {
  return new SamlError(
    'SAML_ENCRYPTED',
    `Your identity provider encrypts the SAML ${what} for AWS, so Cloudtoken cannot read which roles it offers. ` +
      'Name the role to use yourself (its ARN, e.g. arn:aws:iam::123456789012:role/Name, and the SAML provider ARN), ' +
      'or ask your IdP administrator to send this assertion unencrypted.',
  );
}

/** Attribute name → every non-empty value, across all AttributeStatements and repeated Attributes. */
function attributeValues(assertion: Element): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const statement of children(assertion, ASSERTION_NS, 'AttributeStatement')) {
    for (const attr of children(statement, ASSERTION_NS, 'Attribute')) {
      const name = attribute(attr, 'Name');
      if (name === undefined) continue;
      const list = values.get(name) ?? [];
      for (const value of children(attr, ASSERTION_NS, 'AttributeValue')) {
        const content = text(value);
        if (content !== undefined) list.push(content);
      }
      values.set(name, list);
    }
  }
  return values;
}

function hasEncryptedAttributes(assertion: Element): boolean {
  return children(assertion, ASSERTION_NS, 'AttributeStatement').some(
    (statement) => children(statement, ASSERTION_NS, 'EncryptedAttribute').length > 0,
  );
}

interface RoleScan {
  roles: SamlRole[];
  invalid: { value: string; reason: string }[];
}

function scanRoles(values: string[]): RoleScan {
  const scan: RoleScan = { roles: [], invalid: [] };
  const seenPairs = new Set<string>();
  const seenInvalid = new Set<string>();
  for (const value of values) {
    try {
      const role = parseRolePair(value);
      const key = `${role.roleArn},${role.principalArn}`;
      if (!seenPairs.has(key)) scan.roles.push(role);
      seenPairs.add(key);
    } catch (error) {
      if (!(error instanceof SamlError)) throw error;
      if (!seenInvalid.has(value)) scan.invalid.push({ value, reason: error.message });
      seenInvalid.add(value);
    }
  }
  return scan;
}

/** The usable roles among the Role values, or the error explaining why there are none. */
function offeredRoles(assertion: Element, values: string[] | undefined): RoleScan {
  if (!values || values.length === 0) {
    if (hasEncryptedAttributes(assertion)) throw encryptedError('attributes');
    throw new SamlError(
      'SAML_NO_ROLES',
      'Your identity provider signed you in but did not say which AWS roles you may use. ' +
        `Ask your IdP administrator to release ${ROLE_ATTRIBUTE} to AWS, with values like ` +
        '"arn:aws:iam::123456789012:role/Name,arn:aws:iam::123456789012:saml-provider/IdP".',
    );
  }
  const scan = scanRoles(values);
  if (scan.roles.length === 0) {
    const named = scan.invalid.slice(0, MAX_NAMED_BAD_VALUES).map((bad) => bad.reason);
    const more = scan.invalid.length - named.length;
    throw new SamlError(
      'SAML_BAD_ARN',
      `None of the AWS roles your identity provider offers is usable. ${named.join(' ')}` +
        (more > 0 ? ` (${more} more like these.)` : '') +
        ' Ask your IdP administrator to send each role as "arn:aws:iam::<account>:role/<name>,' +
        'arn:aws:iam::<account>:saml-provider/<name>".',
    );
  }
  return scan;
}

function sessionDuration(values: string[] | undefined): number | undefined {
  const value = values?.[0];
  if (value === undefined || !/^\d{1,6}$/.test(value)) return undefined;
  const seconds = Number(value);
  const { min, max } = LIMITS.sessionDurationSeconds;
  return seconds >= min && seconds <= max ? seconds : undefined;
}

function earliest(instants: (number | undefined)[]): number | undefined {
  const known = instants.filter((t): t is number => t !== undefined);
  return known.length > 0 ? Math.min(...known) : undefined;
}

function latest(instants: (number | undefined)[]): number | undefined {
  const known = instants.filter((t): t is number => t !== undefined);
  return known.length > 0 ? Math.max(...known) : undefined;
}

/**
 * Reads what Cloudtoken needs from a SAMLResponse as the IdP posted it (base64). Nothing here verifies the
 * signature (only STS can, against the metadata uploaded to IAM); it reads, refuses hostile input, and
 * explains every problem with a typed SamlError.
 */
export function parseSamlResponse(samlResponse: string, options: ParseSamlOptions = {}): ParsedAssertion {
  const compact = compactBase64(samlResponse);
  const xml = decodeXml(compact);
  screenXml(xml);
  const response = parseScreenedXml(xml).documentElement;
  if (!response || response.namespaceURI !== PROTOCOL_NS || response.localName !== 'Response') {
    throw new SamlError(
      'SAML_NOT_RESPONSE',
      `The sign-in data is XML but not a SAML Response (its top element is ${quoteForMessage(response?.localName ?? '')}). ` +
        'Sign in again; if it keeps happening, ask your IdP administrator to check the AWS application.',
    );
  }
  checkStatus(response);
  const assertion = onlyAssertion(response);

  const subject = child(assertion, ASSERTION_NS, 'Subject');
  const confirmations = children(subject, ASSERTION_NS, 'SubjectConfirmation')
    .filter((confirmation) => attribute(confirmation, 'Method') === BEARER)
    .map((confirmation) => child(confirmation, ASSERTION_NS, 'SubjectConfirmationData'));
  const conditions = child(assertion, ASSERTION_NS, 'Conditions');
  const audiences = children(conditions, ASSERTION_NS, 'AudienceRestriction')
    .flatMap((restriction) => children(restriction, ASSERTION_NS, 'Audience'))
    .map(text)
    .filter((audience): audience is string => audience !== undefined);
  const notBefore = latest([instant(conditions, 'NotBefore'), ...confirmations.map((data) => instant(data, 'NotBefore'))]);
  const notOnOrAfter = earliest([
    instant(conditions, 'NotOnOrAfter'),
    ...confirmations.map((data) => instant(data, 'NotOnOrAfter')),
  ]);

  const values = attributeValues(assertion);
  const scan = offeredRoles(assertion, values.get(ROLE_ATTRIBUTE));

  const now = options.now ?? Date.now();
  if (!options.allowExpired && notOnOrAfter !== undefined && now >= notOnOrAfter) {
    throw new SamlError(
      'SAML_EXPIRED',
      `This sign-in response expired at ${awsTimestamp(notOnOrAfter)} (it is now ${awsTimestamp(now)}). Sign in again. ` +
        "If fresh sign-ins keep expiring at once, check that this computer's clock is correct.",
    );
  }

  return {
    samlResponse: compact,
    roles: scan.roles,
    invalidRoleValues: scan.invalid.map((bad) => bad.value),
    roleSessionName: values.get(ROLE_SESSION_NAME_ATTRIBUTE)?.[0],
    sessionDuration: sessionDuration(values.get(SESSION_DURATION_ATTRIBUTE)),
    issuer: text(child(assertion, ASSERTION_NS, 'Issuer')) ?? text(child(response, ASSERTION_NS, 'Issuer')),
    destination: attribute(response, 'Destination'),
    recipient: confirmations.map((data) => attribute(data, 'Recipient')).find((r) => r !== undefined),
    audiences: [...new Set(audiences)],
    notBefore,
    notOnOrAfter,
    nameId: text(child(subject, ASSERTION_NS, 'NameID')),
  };
}
