import { AssumeRoleWithSAMLCommand, STSClient, type AssumeRoleWithSAMLCommandOutput } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { SamlRole } from '../saml/types.js';
import { systemClock, type Clock } from '../support/clock.js';
import { silentLogger, type Logger } from '../support/logger.js';
import {
  classifyStsFailure,
  isMaxSessionDurationRefusal,
  isServerFault,
  isThrottling,
} from './classify-error.js';
import { resolveStsEndpoint } from './endpoints.js';
import { StsError } from './errors.js';
import {
  createProxyAgent,
  createRequestHandler,
  DEFAULT_TIMEOUTS,
  networkAdvice,
  type TransportTimeouts,
} from './http-transport.js';
import { clampSessionDuration, DEFAULT_SESSION_DURATION } from './session-duration.js';
import type { RoleCredentials } from './types.js';

/** Every role accepts one hour: IAM's MaxSessionDuration is 1 to 12 hours. */
const SAFE_SESSION_DURATION = 3_600;

export interface AssumeRoleRequest {
  role: SamlRole;
  /** The base64 SAMLResponse exactly as the IdP posted it. */
  samlResponse: string;
  /** The assertion's SessionDuration attribute, in seconds, when it had one. */
  sessionDuration?: number | undefined;
  /** The region of the ACS the IdP posted to; the partition's home region when undefined. */
  region?: string | undefined;
  /** Overrides the exchange's endpoint setting for this call. */
  endpointOverride?: string | undefined;
}

export interface StsExchangeOptions {
  clock?: Clock;
  logger?: Logger;
  /** Waits between retries; tests pass one that does not wait. */
  sleep?: (ms: number) => Promise<void>;
  /** The setting used when the assertion has no SessionDuration (seconds). */
  defaultSessionDuration?: number;
  /** The STS endpoint setting (VPC endpoint, stand-in). */
  endpointOverride?: string | undefined;
  /** Role ARN → seconds that role is known to accept, as returned by `durationLimits()` earlier. */
  durationLimits?: Readonly<Record<string, number>>;
  /** Told each limit as it is learned, so the caller can keep it for the next run. */
  onDurationLimit?: (roleArn: string, seconds: number) => void;
  /** Attempts for throttling and 5xx answers, the first included. */
  maxAttempts?: number;
  backoffBaseMs?: number;
  timeouts?: Partial<TransportTimeouts>;
}

export interface StsExchange {
  assumeRole(request: AssumeRoleRequest): Promise<RoleCredentials>;
  /** Roles that refused a longer session, with the duration they took instead; the caller may persist it. */
  durationLimits(): Record<string, number>;
  /** Closes pooled connections. */
  close(): void;
}

/**
 * AssumeRoleWithSAML is unsigned. Handing the client a provider that refuses makes sure the SDK never walks
 * its default credential chain (environment, files, SSO, container and instance metadata), which on a
 * Cloudtoken machine would be Cloudtoken's own metadata service.
 */
const refuseCredentialLookup: AwsCredentialIdentityProvider = () =>
  Promise.reject(new Error('The STS exchange has no credentials of its own and must not look any up.'));

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createStsExchange(options: StsExchangeOptions = {}): StsExchange {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const sleep = options.sleep ?? defaultSleep;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const backoffBaseMs = options.backoffBaseMs ?? 250;
  const timeouts: TransportTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const limits = new Map<string, number>(Object.entries(options.durationLimits ?? {}));
  const agent = createProxyAgent();
  const requestHandler = createRequestHandler(agent, timeouts);
  const clients = new Map<string, STSClient>();

  function clientFor(url: string, region: string): STSClient {
    const key = `${region} ${url}`;
    let client = clients.get(key);
    if (!client) {
      client = new STSClient({
        region,
        // Always explicit, so AWS_ENDPOINT_URL_STS or a profile's endpoint_url cannot redirect the assertion.
        endpoint: url,
        credentials: refuseCredentialLookup,
        requestHandler,
        // Retries are ours (below), so every attempt is counted and logged once.
        maxAttempts: 1,
        // 'auto' would ask the instance metadata service which region it runs in.
        defaultsMode: 'standard',
        useFipsEndpoint: false,
        useDualstackEndpoint: false,
      });
      clients.set(key, client);
    }
    return client;
  }

  function requestedDuration(request: AssumeRoleRequest): number {
    const wanted = clampSessionDuration(request.sessionDuration ?? options.defaultSessionDuration ?? DEFAULT_SESSION_DURATION);
    const limit = limits.get(request.role.roleArn);
    return limit === undefined ? wanted : Math.min(wanted, limit);
  }

  async function callOnce(client: STSClient, request: AssumeRoleRequest, durationSeconds: number) {
    return client.send(
      new AssumeRoleWithSAMLCommand({
        RoleArn: request.role.roleArn,
        PrincipalArn: request.role.principalArn,
        SAMLAssertion: request.samlResponse,
        DurationSeconds: durationSeconds,
      }),
      { abortSignal: AbortSignal.timeout(timeouts.connectMs + timeouts.requestMs) },
    );
  }

  /** Retries throttling and server faults with capped exponential backoff and full jitter. */
  async function callWithRetries(client: STSClient, request: AssumeRoleRequest, durationSeconds: number) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await callOnce(client, request, durationSeconds);
      } catch (error) {
        const retriable = isThrottling(error) || isServerFault(error);
        if (!retriable || attempt >= maxAttempts) throw error;
        const delay = Math.round(Math.random() * Math.min(8_000, backoffBaseMs * 2 ** attempt));
        logger.warn('STS asked us to slow down or failed; retrying', {
          attempt,
          delayMs: delay,
          awsCode: (error as { name?: string }).name,
        });
        await sleep(delay);
      }
    }
  }

  async function assumeRole(request: AssumeRoleRequest): Promise<RoleCredentials> {
    const { url, region } = resolveStsEndpoint({
      partition: request.role.partition,
      region: request.region,
      override: request.endpointOverride ?? options.endpointOverride,
    });
    const client = clientFor(url, region);
    let duration = requestedDuration(request);
    logger.info('Exchanging the SAML assertion at STS', { endpoint: url, role: request.role.roleArn, durationSeconds: duration });
    try {
      let output;
      try {
        output = await callWithRetries(client, request, duration);
      } catch (error) {
        if (!isMaxSessionDurationRefusal(error) || duration <= SAFE_SESSION_DURATION) throw error;
        logger.info('The role refuses sessions this long; asking for one hour and remembering it', {
          role: request.role.roleArn,
          refusedSeconds: duration,
        });
        duration = SAFE_SESSION_DURATION;
        output = await callWithRetries(client, request, duration);
        limits.set(request.role.roleArn, duration);
        options.onDurationLimit?.(request.role.roleArn, duration);
      }
      return toRoleCredentials(output, request.role, clock.now(), url);
    } catch (error) {
      throw classifyStsFailure(error, {
        role: request.role,
        endpoint: url,
        region,
        now: clock.now(),
        networkAdvice: await networkAdvice(agent, url),
      });
    }
  }

  return {
    assumeRole,
    durationLimits: () => Object.fromEntries(limits),
    close() {
      for (const client of clients.values()) client.destroy();
      clients.clear();
      requestHandler.destroy();
      agent.destroy();
    },
  };
}

function toRoleCredentials(output: AssumeRoleWithSAMLCommandOutput, role: SamlRole, obtainedAt: number, url: string): RoleCredentials {
  const credentials = output.Credentials;
  const expiration = credentials?.Expiration?.getTime();
  const assumedRoleArn = output.AssumedRoleUser?.Arn;
  if (
    !credentials?.AccessKeyId ||
    !credentials.SecretAccessKey ||
    !credentials.SessionToken ||
    expiration === undefined ||
    Number.isNaN(expiration) ||
    !assumedRoleArn
  ) {
    throw new StsError(
      'STS_UNEXPECTED_RESPONSE',
      `${url} answered AssumeRoleWithSAML without complete credentials; check the STS endpoint setting.`,
    );
  }
  return {
    role,
    credentials: {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      expiration,
    },
    assumedRoleArn,
    obtainedAt,
  };
}
