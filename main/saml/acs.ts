import { CloudtokenError } from '../support/errors.js';
import type { Partition } from './types.js';

/**
 * The AWS sign-in hosts that receive SAML responses, per partition. Each also exists as `<region>.<host>`.
 * signin.aws.amazon.com is us-east-1's endpoint, not a global one.
 */
export const SIGNIN_HOSTS: ReadonlyArray<{ host: string; partition: Partition; defaultRegion: string }> = [
  { host: 'signin.aws.amazon.com', partition: 'aws', defaultRegion: 'us-east-1' },
  { host: 'signin.amazonaws-us-gov.com', partition: 'aws-us-gov', defaultRegion: 'us-gov-west-1' },
  { host: 'signin.amazonaws.cn', partition: 'aws-cn', defaultRegion: 'cn-north-1' },
];

/** Chromium match patterns (Electron webRequest filters, DevTools interception) for every ACS. */
export const ACS_URL_PATTERNS: readonly string[] = SIGNIN_HOSTS.flatMap(({ host }) => [
  `https://${host}/saml*`,
  `https://*.${host}/saml*`,
]);

export interface AcsEndpoint {
  partition: Partition;
  /** The region the ACS host names, or the partition's home region for the bare host. */
  region: string;
  /** True when the host carried a region prefix. */
  regional: boolean;
}

const REGION_LABEL_SOURCE = '[a-z]{2}(?:-[a-z]+)+-\\d{1,2}';
const REGION_LABEL = new RegExp(`^${REGION_LABEL_SOURCE}$`);
// The ACS paths AWS accepts: /saml, /saml/, /static/saml and (for encrypted assertions) /saml/acs/<IdP-ID>.
// The IdP-ID's length (at most 128) is checked apart: a bounded repetition makes the regular expression too
// large for Chrome's declarativeNetRequest, which takes it from here too.
const ACS_PATH_SOURCE = '/(?:static/)?saml/?|/saml/acs/[A-Za-z0-9_-]+';
const ACS_PATH = new RegExp(`^(?:${ACS_PATH_SOURCE})$`);
const MAX_ACS_PATH = '/saml/acs/'.length + 128;

/**
 * One regular expression (RE2-compatible and small enough for the browser extension's declarativeNetRequest
 * rule) that matches the URL of every ACS classifyAcsUrl accepts, with an optional query (and IdP-IDs longer
 * than AWS's 128 characters, which no IdP posts to); the extension build takes it from here so the browser and
 * the app never disagree on what an AWS sign-in endpoint is.
 */
export const ACS_URL_REGEX_SOURCE = `^https://(?:${REGION_LABEL_SOURCE}\\.)?(?:${SIGNIN_HOSTS.map(({ host }) => host.replaceAll('.', '\\.')).join('|')})(?:${ACS_PATH_SOURCE})(?:\\?[^#]*)?$`;

/**
 * Which AWS partition and region an URL posts to, or undefined when it is not an AWS SAML endpoint.
 * Look-alikes (`signin.aws.amazon.com.evil.example`, `http://`, user-info, other ports or paths) are not.
 */
export function classifyAcsUrl(url: string): AcsEndpoint | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' || parsed.username || parsed.password || parsed.port) return undefined;
  if (!ACS_PATH.test(parsed.pathname) || parsed.pathname.length > MAX_ACS_PATH) return undefined;
  const hostname = parsed.hostname.toLowerCase();
  for (const { host, partition, defaultRegion } of SIGNIN_HOSTS) {
    if (hostname === host) return { partition, region: defaultRegion, regional: false };
    if (hostname.endsWith(`.${host}`)) {
      const label = hostname.slice(0, -host.length - 1);
      if (REGION_LABEL.test(label)) return { partition, region: label, regional: true };
    }
  }
  return undefined;
}

export interface AcsPost {
  samlResponse: string;
  relayState: string | undefined;
}

const MAX_FORM_BYTES = 2 * 1024 * 1024;

/**
 * Parse the form body the IdP posted to the ACS. The body may arrive in several chunks (Electron's
 * uploadData is one element per part), so every chunk counts; the encoding is
 * application/x-www-form-urlencoded (`+` is a space, %XX escapes).
 */
export function parseAcsPost(chunks: ReadonlyArray<Uint8Array | string>): AcsPost {
  const buffers = chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk)));
  const size = buffers.reduce((total, b) => total + b.length, 0);
  if (size === 0) {
    throw new CloudtokenError('ACS_EMPTY', 'The sign-in page sent nothing to AWS: the SAML response was missing from the form.');
  }
  if (size > MAX_FORM_BYTES) {
    throw new CloudtokenError('ACS_TOO_LARGE', 'The sign-in form sent to AWS was larger than 2 MiB, far more than any SAML response; it was not read.');
  }
  const form = new URLSearchParams(Buffer.concat(buffers).toString('utf8'));
  const samlResponse = form.get('SAMLResponse');
  if (!samlResponse || samlResponse.trim() === '') {
    throw new CloudtokenError('ACS_NO_SAML_RESPONSE', 'The form your identity provider sent to AWS has no SAMLResponse field.');
  }
  return { samlResponse: samlResponse.trim(), relayState: form.get('RelayState') ?? undefined };
}
