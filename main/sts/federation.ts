import type { Partition } from '../saml/types.js';
import { validateEndpointOverride } from './endpoints.js';
import { StsError } from './errors.js';
import { createProxyAgent, DEFAULT_TIMEOUTS, getText, networkAdvice } from './http-transport.js';
import { clampSessionDuration } from './session-duration.js';
import type { AwsCredentials } from './types.js';

/** The sign-in (federation) host and console per partition; GovCloud and China follow their sign-in hosts. */
const CONSOLE: Readonly<Record<Partition, { signin: string; console: string }>> = {
  aws: { signin: 'signin.aws.amazon.com', console: 'console.aws.amazon.com' },
  'aws-us-gov': { signin: 'signin.amazonaws-us-gov.com', console: 'console.amazonaws-us-gov.com' },
  'aws-cn': { signin: 'signin.amazonaws.cn', console: 'console.amazonaws.cn' },
};

export interface ConsoleSigninOptions {
  credentials: AwsCredentials;
  partition: Partition;
  /** Opens the console in this region. */
  region?: string | undefined;
  /** Where the console should land (https); the partition's console home when omitted. */
  destination?: string | undefined;
  /** Shown by AWS as where the user came from. */
  issuer?: string | undefined;
  /** Console session length in seconds (900–43200). */
  sessionDuration?: number | undefined;
  /** Overrides `https://<signin host>/federation` (tests, proxies that rewrite). */
  federationEndpoint?: string | undefined;
  /** A fetch to use instead of the proxy-aware default. */
  fetch?: typeof globalThis.fetch;
  timeoutMs?: number;
}

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

export function federationEndpointFor(partition: Partition): string {
  return `https://${CONSOLE[partition].signin}/federation`;
}

export function consoleHomeFor(partition: Partition, region: string | undefined): string {
  const home = `https://${CONSOLE[partition].console}/console/home`;
  return region && REGION.test(region) ? `${home}?region=${region}` : home;
}

function federationError(message: string, cause?: unknown): StsError {
  return new StsError('STS_FEDERATION', message, { cause });
}

async function fetchSigninToken(url: string, options: ConsoleSigninOptions, timeoutMs: number): Promise<string> {
  let status: number;
  let body: string;
  const agent = options.fetch ? undefined : createProxyAgent();
  try {
    if (options.fetch) {
      const response = await options.fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      status = response.status;
      body = await response.text();
    } else {
      ({ status, body } = await getText(url, agent!, timeoutMs));
    }
  } catch (error) {
    const endpoint = url.slice(0, url.indexOf('?'));
    const advice = agent ? await networkAdvice(agent, endpoint) : `Could not reach ${endpoint}.`;
    throw new StsError('STS_NETWORK', advice, { cause: error });
  } finally {
    agent?.destroy();
  }
  if (status !== 200) {
    throw federationError(
      `The AWS console sign-in endpoint refused the credentials (HTTP ${status}). They may have expired, or they were not obtained through AssumeRole*, which console sign-in requires.`,
    );
  }
  try {
    const token = (JSON.parse(body) as { SigninToken?: unknown }).SigninToken;
    if (typeof token === 'string' && token !== '') return token;
  } catch {
    // fall through to the error below
  }
  throw federationError('The AWS console sign-in endpoint answered without a sign-in token.');
}

/**
 * A console URL that signs the user in with temporary credentials: trades them for a sign-in token at the
 * federation endpoint, then builds the login link (valid 15 minutes, so build it right before opening it).
 */
export async function createConsoleSigninUrl(options: ConsoleSigninOptions): Promise<string> {
  // The session key goes to this endpoint: an override obeys the same rule as the STS one.
  const endpoint =
    options.federationEndpoint !== undefined
      ? validateEndpointOverride(options.federationEndpoint, 'federation endpoint')
      : federationEndpointFor(options.partition);
  const destination = options.destination ?? consoleHomeFor(options.partition, options.region);
  if (!/^https:\/\//.test(destination)) throw federationError(`The console destination "${destination}" must be an https URL.`);

  const tokenQuery = new URLSearchParams({ Action: 'getSigninToken' });
  if (options.sessionDuration !== undefined) tokenQuery.set('SessionDuration', String(clampSessionDuration(options.sessionDuration)));
  tokenQuery.set(
    'Session',
    JSON.stringify({
      sessionId: options.credentials.accessKeyId,
      sessionKey: options.credentials.secretAccessKey,
      sessionToken: options.credentials.sessionToken,
    }),
  );
  const signinToken = await fetchSigninToken(`${endpoint}?${tokenQuery}`, options, options.timeoutMs ?? DEFAULT_TIMEOUTS.requestMs);

  const login = new URLSearchParams({
    Action: 'login',
    Issuer: options.issuer ?? 'Cloudtoken',
    Destination: destination,
    SigninToken: signinToken,
  });
  return `${endpoint}?${login}`;
}
