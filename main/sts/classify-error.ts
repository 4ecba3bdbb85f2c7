import type { SamlRole } from '../saml/types.js';
import { StsError } from './errors.js';

/** What the exchange knows when a call fails, to write a message a user or admin can act on. */
export interface FailureContext {
  role: SamlRole;
  endpoint: string;
  region: string;
  /** Our wall clock when the answer arrived, to measure skew against the server's Date header. */
  now: number;
  /** Text naming the endpoint and the proxy in use, for network failures. */
  networkAdvice: string;
}

/** Fields an SDK error carries; all optional because network failures have none of them. */
interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT',
  'EPIPE', 'ECONNABORTED', 'EPROTO', 'CERT_HAS_EXPIRED', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const THROTTLING_CODES = new Set(['Throttling', 'RequestLimitExceeded', 'TooManyRequests']);
const CLOCK_CODES = new Set(['RequestTimeTooSkewed', 'RequestExpired', 'SignatureExpired']);
/** Beyond this, a clock difference explains time-related refusals. */
const SKEW_TOLERANCE_MS = 5 * 60_000;

export const MAX_SESSION_DURATION_MESSAGE = /exceeds the MaxSessionDuration/i;

/** AWS's code without the `Exception` suffix the SDK adds to modelled errors (ExpiredTokenException → ExpiredToken). */
function baseCode(name: string | undefined): string {
  return (name ?? '').replace(/Exception$/, '');
}

function shapeOf(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
}

/** Server time minus ours in ms, from the response's Date header, when STS answered. */
function clockSkewMs(shape: SdkErrorShape, now: number): number | undefined {
  const date = shape.$response?.headers?.date ?? shape.$response?.headers?.Date;
  if (!date) return undefined;
  const server = Date.parse(date);
  return Number.isNaN(server) ? undefined : server - now;
}

function minutes(ms: number): string {
  return `${Math.round(Math.abs(ms) / 60_000)} minutes ${ms > 0 ? 'behind' : 'ahead of'}`;
}

export function isThrottling(error: unknown): boolean {
  const shape = shapeOf(error);
  return THROTTLING_CODES.has(baseCode(shape.name)) || shape.$metadata?.httpStatusCode === 429;
}

export function isServerFault(error: unknown): boolean {
  const shape = shapeOf(error);
  return (shape.$metadata?.httpStatusCode ?? 0) >= 500 && shape.$fault !== undefined;
}

export function isMaxSessionDurationRefusal(error: unknown): boolean {
  const shape = shapeOf(error);
  return shape.name === 'ValidationError' && MAX_SESSION_DURATION_MESSAGE.test(shape.message ?? '');
}

function isNetworkFailure(shape: SdkErrorShape): boolean {
  if (shape.$fault !== undefined) return false;
  return (
    NETWORK_CODES.has(shape.code ?? '') ||
    shape.name === 'TimeoutError' ||
    shape.name === 'AbortError' ||
    /socket hang up|timed? ?out|connect/i.test(shape.message ?? '')
  );
}

/** The AWS message, quoted, so support can search for it; never contains secrets (STS echoes no assertion). */
function quoted(shape: SdkErrorShape): string {
  const message = (shape.message ?? '').split('\n')[0]?.trim();
  return message ? ` (AWS: ${shape.name ?? 'error'}: "${message}")` : ` (AWS: ${shape.name ?? 'error'})`;
}

/** Advice for the IdP/IAM admin per InvalidIdentityToken message. */
function identityTokenAdvice(message: string, role: SamlRole): string {
  if (/signature/i.test(message)) {
    return `The assertion's signature does not match the identity provider metadata stored in IAM for ${role.principalArn}. An admin should upload the IdP's current metadata (its signing certificate may have rotated) to that SAML provider.`;
  }
  if (/provider doesn't exist|provider does not exist/i.test(message)) {
    return `IAM has no SAML provider ${role.principalArn}. An admin should check the provider ARN the IdP sends in the Role attribute, or create the provider in IAM.`;
  }
  if (/issuer/i.test(message)) {
    return `The assertion's Issuer does not match the entity ID in the metadata of ${role.principalArn}. An admin should re-upload the IdP metadata to IAM.`;
  }
  if (/RoleSessionName/.test(message)) {
    return 'The IdP must send the attribute https://aws.amazon.com/SAML/Attributes/RoleSessionName with 2-64 characters of letters, digits and +=,.@_-. An admin should fix that attribute mapping.';
  }
  if (/audience/i.test(message)) {
    return 'The assertion is not addressed to AWS: its Audience must be urn:amazon:webservices. An admin should check the relying party configuration at the IdP.';
  }
  return `An admin should compare the IdP's configuration for AWS with the metadata of ${role.principalArn} in IAM.`;
}

/** Turns whatever the SDK threw into a typed StsError whose message says what to do. */
export function classifyStsFailure(error: unknown, context: FailureContext): StsError {
  if (error instanceof StsError) return error;
  const shape = shapeOf(error);
  const code = baseCode(shape.name);
  const message = shape.message ?? '';
  const awsCode = shape.$fault !== undefined ? code : undefined;
  const skew = clockSkewMs(shape, context.now);
  const skewed = skew !== undefined && Math.abs(skew) > SKEW_TOLERANCE_MS;
  const options = { cause: error, awsCode };

  if (isNetworkFailure(shape)) {
    return new StsError('STS_NETWORK', `${context.networkAdvice} (${shape.code ?? shape.name ?? 'network error'})`, options);
  }
  if (CLOCK_CODES.has(code) || ((code === 'ExpiredToken' || /not yet valid/i.test(message)) && skewed)) {
    const clockNote = skew !== undefined ? `This computer's clock is ${minutes(skew)} AWS's.` : "This computer's clock and AWS's disagree.";
    return new StsError(
      'STS_CLOCK_SKEW',
      `AWS refused the request because of a time difference${quoted(shape)}. ${clockNote} Set the clock automatically (NTP) and sign in again.`,
      options,
    );
  }
  if (/not yet valid/i.test(message)) {
    return new StsError(
      'STS_CLOCK_SKEW',
      `AWS says the SAML assertion is not valid yet${quoted(shape)}: the identity provider's clock is ahead of AWS's. An IdP admin should synchronise its clock (NTP).`,
      options,
    );
  }
  switch (code) {
    case 'ExpiredToken':
      return new StsError(
        'STS_ASSERTION_EXPIRED',
        `The SAML assertion expired before AWS received it${quoted(shape)}. Sign in again; AWS accepts an assertion only for a few minutes after the IdP issues it.`,
        options,
      );
    case 'AccessDenied':
      return new StsError(
        'STS_ACCESS_DENIED',
        `AWS did not let you assume ${context.role.roleArn}${quoted(shape)}. Its trust policy must allow sts:AssumeRoleWithSAML for ${context.role.principalArn}, and its conditions (such as saml:aud) must match the assertion; the assertion also needs a NameID. Ask an AWS admin to check the role's trust policy.`,
        options,
      );
    case 'InvalidIdentityToken':
    case 'IDPRejectedClaim':
      return new StsError(
        'STS_INVALID_IDENTITY_TOKEN',
        `AWS rejected the SAML assertion${quoted(shape)}. ${identityTokenAdvice(message, context.role)}`,
        options,
      );
    case 'RegionDisabled':
      return new StsError(
        'STS_REGION_DISABLED',
        `STS is not activated in ${context.region} for the account of ${context.role.roleArn}${quoted(shape)}. An admin can activate the region in IAM account settings, or set the STS endpoint to another region.`,
        options,
      );
    case 'ValidationError':
    case 'MalformedPolicyDocument':
    case 'PackedPolicyTooLarge':
      return new StsError('STS_VALIDATION', `AWS refused the request for ${context.role.roleArn}${quoted(shape)}.`, options);
  }
  if (isThrottling(error)) {
    return new StsError('STS_THROTTLED', `AWS STS is throttling requests at ${context.endpoint}${quoted(shape)}.`, options);
  }
  if (isServerFault(error)) {
    return new StsError('STS_SERVER', `AWS STS at ${context.endpoint} had an internal error${quoted(shape)}.`, options);
  }
  return new StsError(
    'STS_UNEXPECTED_RESPONSE',
    `${context.endpoint} did not answer like AWS STS${quoted(shape)}. If a proxy or captive portal sits in between, check it; otherwise check the STS endpoint setting.`,
    options,
  );
}
