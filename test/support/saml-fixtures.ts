/**
 * SAML 2.0 Responses shaped like the ones IdPs post to AWS (SimpleSAMLphp, Shibboleth, ADFS, Okta layouts),
 * signed for real with xml-crypto and a per-run test key, so anything parsing or verifying them meets the
 * same bytes a real IdP would send. Times are epoch ms.
 */
import { execFileSync } from 'node:child_process';
import { constants, createCipheriv, publicEncrypt, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignedXml } from 'xml-crypto';

export const PROTOCOL_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
export const ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
export const DEFAULT_ISSUER = 'http://127.0.0.1/simplesaml/saml2/idp/metadata.php';
export const DEFAULT_ROLE =
  'arn:aws:iam::123456789012:role/Admin,arn:aws:iam::123456789012:saml-provider/Test';
const ATTRIBUTE_BASE = 'https://aws.amazon.com/SAML/Attributes/';

export interface SigningIdentity {
  privateKeyPem: string;
  certificatePem: string;
}

export type SamlPrefix = 'saml' | 'saml2' | '';

export interface SamlFixtureOptions {
  /** Signing key and certificate; a per-process test identity when omitted. */
  identity?: SigningIdentity;
  /** Values of one Role attribute (`role-arn,provider-arn` as the IdP sends them); [] omits it. */
  roles?: string[];
  /** Further Role attributes, one Attribute element each (some IdPs emit one per group). */
  roleAttributes?: string[][];
  /** RoleSessionName value; null omits the attribute. */
  sessionName?: string | null;
  /** SessionDuration value exactly as sent; null/undefined omits the attribute. */
  sessionDuration?: number | string | null;
  /** Any other attributes, name → values. */
  extraAttributes?: Record<string, string[]>;
  issuer?: string;
  audience?: string;
  /** SubjectConfirmationData Recipient. */
  recipient?: string;
  /** Response Destination. */
  destination?: string;
  /** Defaults below are relative to this (Date.now() when omitted). */
  now?: number;
  issueInstant?: number;
  notBefore?: number;
  /** Conditions NotOnOrAfter. */
  notOnOrAfter?: number;
  /** SubjectConfirmationData NotOnOrAfter; defaults to notOnOrAfter. */
  subjectNotOnOrAfter?: number;
  nameId?: string;
  prefix?: SamlPrefix;
  signAssertion?: boolean;
  signResponse?: boolean;
  /** Top-level status: a full URN or its last part (`Responder`); anything but Success omits the assertion. */
  statusCode?: string;
  secondLevelStatusCode?: string;
  statusMessage?: string;
  /** Emit an EncryptedAssertion (AES-256-GCM, key wrapped with RSA-OAEP for the identity's certificate). */
  encrypted?: boolean;
}

const identities = new Map<string, SigningIdentity>();

/** A self-signed RSA-2048 key and certificate made by openssl, cached per process and common name. */
export function createSigningIdentity(commonName = 'cloudtoken-test-idp'): SigningIdentity {
  const cached = identities.get(commonName);
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'cloudtoken-saml-key-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-sha256', '-nodes', '-days', '3650',
      '-subj', `/CN=${commonName}`, '-keyout', keyFile, '-out', certFile,
    ], { stdio: 'pipe' });
    const identity = { privateKeyPem: readFileSync(keyFile, 'utf8'), certificatePem: readFileSync(certFile, 'utf8') };
    identities.set(commonName, identity);
    return identity;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function newId(): string {
  // IDs are xs:ID (NCName): they must not start with a digit, hence the underscore IdPs use too.
  return `_${randomBytes(16).toString('hex')}`;
}

/** Element-name builders for one prefix style: `saml:`/`samlp:`, `saml2:`/`saml2p:`, or default namespaces. */
function names(prefix: SamlPrefix) {
  return {
    a: (local: string) => (prefix ? `${prefix}:${local}` : local),
    p: (local: string) => (prefix ? `${prefix}p:${local}` : local),
    // Declared on the Assertion itself so it stays self-contained when signed or encrypted on its own.
    assertionNs: prefix ? `xmlns:${prefix}="${ASSERTION_NS}"` : `xmlns="${ASSERTION_NS}"`,
    responseNs: prefix ? `xmlns:${prefix}p="${PROTOCOL_NS}" xmlns:${prefix}="${ASSERTION_NS}"` : `xmlns="${PROTOCOL_NS}"`,
    // With default namespaces the Issuer must switch from the protocol to the assertion namespace.
    issuerNs: prefix ? '' : ` xmlns="${ASSERTION_NS}"`,
  };
}

function statusUrn(code: string): string {
  return code.includes(':') ? code : `urn:oasis:names:tc:SAML:2.0:status:${code}`;
}

function attributeXml(a: (local: string) => string, name: string, values: readonly string[]): string {
  const valueXml = values
    .map((value) => `<${a('AttributeValue')} xsi:type="xs:string">${escapeXml(value)}</${a('AttributeValue')}>`)
    .join('');
  return (
    `<${a('Attribute')} Name="${escapeXml(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">` +
    `${valueXml}</${a('Attribute')}>`
  );
}

function attributesOf(options: SamlFixtureOptions): [string, readonly string[]][] {
  const roles = options.roles ?? [DEFAULT_ROLE];
  const attributes: [string, readonly string[]][] = [];
  if (roles.length > 0) attributes.push([`${ATTRIBUTE_BASE}Role`, roles]);
  for (const extra of options.roleAttributes ?? []) attributes.push([`${ATTRIBUTE_BASE}Role`, extra]);
  const sessionName = options.sessionName === undefined ? 'alice' : options.sessionName;
  if (sessionName !== null) attributes.push([`${ATTRIBUTE_BASE}RoleSessionName`, [sessionName]]);
  if (options.sessionDuration !== undefined && options.sessionDuration !== null) {
    attributes.push([`${ATTRIBUTE_BASE}SessionDuration`, [String(options.sessionDuration)]]);
  }
  for (const [name, values] of Object.entries(options.extraAttributes ?? {})) attributes.push([name, values]);
  return attributes;
}

function assertionXml(options: SamlFixtureOptions, id: string, times: Times): string {
  const { a, assertionNs } = names(options.prefix ?? 'saml');
  const audience = options.audience ?? 'urn:amazon:webservices';
  const attributes = attributesOf(options);
  const statement = attributes.length
    ? `<${a('AttributeStatement')}>${attributes.map(([name, values]) => attributeXml(a, name, values)).join('')}</${a('AttributeStatement')}>`
    : '';
  return (
    `<${a('Assertion')} ${assertionNs} xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ` +
    `xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="${id}" Version="2.0" IssueInstant="${iso(times.issueInstant)}">` +
    `<${a('Issuer')}>${escapeXml(options.issuer ?? DEFAULT_ISSUER)}</${a('Issuer')}>` +
    `<${a('Subject')}>` +
    `<${a('NameID')} SPNameQualifier="${escapeXml(audience)}" Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient">` +
    `${escapeXml(options.nameId ?? '_b6a3f0c1d2e4')}</${a('NameID')}>` +
    `<${a('SubjectConfirmation')} Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">` +
    `<${a('SubjectConfirmationData')} NotOnOrAfter="${iso(times.subjectNotOnOrAfter)}" ` +
    `Recipient="${escapeXml(options.recipient ?? 'https://signin.aws.amazon.com/saml')}"/>` +
    `</${a('SubjectConfirmation')}></${a('Subject')}>` +
    `<${a('Conditions')} NotBefore="${iso(times.notBefore)}" NotOnOrAfter="${iso(times.notOnOrAfter)}">` +
    `<${a('AudienceRestriction')}><${a('Audience')}>${escapeXml(audience)}</${a('Audience')}></${a('AudienceRestriction')}>` +
    `</${a('Conditions')}>` +
    `<${a('AuthnStatement')} AuthnInstant="${iso(times.issueInstant)}" SessionNotOnOrAfter="${iso(times.issueInstant + 8 * 3600_000)}" SessionIndex="${newId()}">` +
    `<${a('AuthnContext')}><${a('AuthnContextClassRef')}>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport` +
    `</${a('AuthnContextClassRef')}></${a('AuthnContext')}></${a('AuthnStatement')}>` +
    statement +
    `</${a('Assertion')}>`
  );
}

/** Enveloped RSA-SHA256 signature over the element with `id`, placed right after its Issuer (SAML's schema order). */
function sign(xml: string, id: string, identity: SigningIdentity): string {
  const signer = new SignedXml({
    privateKey: identity.privateKeyPem,
    publicCert: identity.certificatePem,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  signer.addReference({
    xpath: `//*[@ID='${id}']`,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  signer.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `//*[@ID='${id}']/*[local-name()='Issuer']`, action: 'after' },
  });
  return signer.getSignedXml();
}

/** XML Encryption of the (signed) assertion for the identity's certificate, as an encrypting IdP sends it. */
function encryptedAssertionXml(assertion: string, options: SamlFixtureOptions, identity: SigningIdentity): string {
  const { a } = names(options.prefix ?? 'saml');
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([iv, cipher.update(assertion, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  const wrappedKey = publicEncrypt({ key: identity.certificatePem, padding: constants.RSA_PKCS1_OAEP_PADDING }, key);
  return (
    `<${a('EncryptedAssertion')}>` +
    `<xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" Type="http://www.w3.org/2001/04/xmlenc#Element">` +
    `<xenc:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#aes256-gcm"/>` +
    `<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><xenc:EncryptedKey>` +
    `<xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p">` +
    `<ds:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/></xenc:EncryptionMethod>` +
    `<xenc:CipherData><xenc:CipherValue>${wrappedKey.toString('base64')}</xenc:CipherValue></xenc:CipherData>` +
    `</xenc:EncryptedKey></ds:KeyInfo>` +
    `<xenc:CipherData><xenc:CipherValue>${body.toString('base64')}</xenc:CipherValue></xenc:CipherData>` +
    `</xenc:EncryptedData></${a('EncryptedAssertion')}>`
  );
}

interface Times {
  issueInstant: number;
  notBefore: number;
  notOnOrAfter: number;
  subjectNotOnOrAfter: number;
}

function timesOf(options: SamlFixtureOptions): Times {
  const now = options.now ?? Date.now();
  const notOnOrAfter = options.notOnOrAfter ?? now + 5 * 60_000;
  return {
    issueInstant: options.issueInstant ?? now - 5_000,
    notBefore: options.notBefore ?? now - 5_000,
    notOnOrAfter,
    subjectNotOnOrAfter: options.subjectNotOnOrAfter ?? notOnOrAfter,
  };
}

/** The signed Response as XML text (for tamper tests and signature checks). */
export function buildSamlResponseXml(options: SamlFixtureOptions = {}): string {
  const identity = options.identity ?? createSigningIdentity();
  const { a, p, responseNs, issuerNs } = names(options.prefix ?? 'saml');
  const times = timesOf(options);
  const statusCode = statusUrn(options.statusCode ?? 'Success');
  const success = statusCode === statusUrn('Success');

  let assertion = '';
  if (success) {
    const assertionId = newId();
    assertion = assertionXml(options, assertionId, times);
    if (options.signAssertion ?? true) assertion = sign(assertion, assertionId, identity);
    if (options.encrypted) assertion = encryptedAssertionXml(assertion, options, identity);
  }
  const second = options.secondLevelStatusCode
    ? `<${p('StatusCode')} Value="${escapeXml(statusUrn(options.secondLevelStatusCode))}"/>`
    : '';
  const message = options.statusMessage ? `<${p('StatusMessage')}>${escapeXml(options.statusMessage)}</${p('StatusMessage')}>` : '';
  const responseId = newId();
  const response =
    `<${p('Response')} ${responseNs} ID="${responseId}" Version="2.0" IssueInstant="${iso(times.issueInstant)}" ` +
    `Destination="${escapeXml(options.destination ?? 'https://signin.aws.amazon.com/saml')}">` +
    `<${a('Issuer')}${issuerNs}>${escapeXml(options.issuer ?? DEFAULT_ISSUER)}</${a('Issuer')}>` +
    `<${p('Status')}><${p('StatusCode')} Value="${escapeXml(statusCode)}">${second}</${p('StatusCode')}>${message}</${p('Status')}>` +
    assertion +
    `</${p('Response')}>`;
  const signed = options.signResponse ?? true ? sign(response, responseId, identity) : response;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${signed}`;
}

/** The Response base64-encoded, exactly as the IdP's auto-submitting form posts it in `SAMLResponse`. */
export function buildSamlResponse(options: SamlFixtureOptions = {}): string {
  return Buffer.from(buildSamlResponseXml(options), 'utf8').toString('base64');
}
