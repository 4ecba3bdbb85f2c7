import { containerEnvironment, containerRolePath, createContainerApp, generateContainerToken } from '../imds/container.js';
import { createImdsApp, type ServedCredentials } from '../imds/app.js';
import { LINK_LOCAL_ADDRESS } from '../imds/request-guards.js';
import { DEFAULT_CONTAINER_PORT, startMetadataServer, type RunningServer } from '../imds/server.js';
import type { RoleCredentials } from '../sts/types.js';
import { describeError } from '../support/errors.js';
import { isAliasPlatform } from '../network/alias-plan.js';
import { fallbackAdvice } from '../network/fallback.js';
import { establishServingMode } from '../network/serving-mode.js';
import type { AliasSetup } from '../network/setup.js';
import { systemClock, type Clock } from '../support/clock.js';
import { silentLogger, type Logger } from '../support/logger.js';
import { createBurstReclaimer, type BurstReclaimerOptions } from '../support/reclaim-after-bursts.js';
import type { CredentialSession } from '../session/session.js';

/** What serving needs of the session: the credentials it holds right now, never expired ones. */
export type ServedSession = Pick<CredentialSession, 'metadataCredentials' | 'servedCredentials'>;


export interface CredentialServiceOptions {
  session: ServedSession;
  mode: 'alias' | 'loopback';
  /** Loopback mode: the port on 127.0.0.1. Alias mode: the high port port 80 is redirected to. */
  port: number;
  containerPort?: number;
  region: () => string;
  tokensRequired: boolean;
  alias?: AliasSetup;
  revertAliasOnClose?: boolean;
  clock?: Clock;
  /** Tuning of the memory hand-back after bursts of requests (tests shorten it). */
  reclaim?: Omit<BurstReclaimerOptions, 'logger'>;
  logger?: Logger;
}

export interface RunningCredentialService {
  /** The mode actually in use: alias mode falls back to loopback when the set-up was refused or failed. */
  mode: 'alias' | 'loopback';
  /** Why alias mode fell back, in the user's words; undefined when it did not. */
  fallbackReason: string | undefined;
  /** After a fallback: what to tell the user, variables included, for their platform's shell. */
  fallbackAdvice: string | undefined;
  imdsUrl: string;
  /** The variables that point a tool at the loopback metadata service (undefined in alias mode: none needed). */
  imdsEnvironment: Record<string, string> | undefined;
  containerUrl: string;
  /** The two variables that make SDKs use the container-credentials endpoint (the metadata role). */
  containerEnvironment: Record<string, string>;
  /** The same for another served role. */
  containerEnvironmentFor(roleArn: string): Record<string, string> | undefined;
  close(): Promise<void>;
}

export function toServedCredentials(held: RoleCredentials): ServedCredentials {
  return {
    roleName: held.role.roleName,
    accountId: held.role.accountId,
    partition: held.role.partition,
    credentials: held.credentials,
    lastUpdated: held.obtainedAt,
  };
}

/**
 * Serves the session's credentials where AWS clients look: the metadata service (alias or loopback) and the
 * container-credentials endpoint, which needs no admin rights and serves every kept-active role at its own path.
 */
export async function startCredentialService(options: CredentialServiceOptions): Promise<RunningCredentialService> {
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const { session } = options;

  let mode = options.mode;
  let fallbackReason: string | undefined;
  if (mode === 'alias') {
    const decided = options.alias
      ? await establishServingMode({ manager: options.alias.manager, plan: options.alias.plan, logger })
      : undefined;
    if (decided?.kind !== 'alias') {
      mode = 'loopback';
      fallbackReason = decided?.reason.message ?? `Cloudtoken cannot set up ${LINK_LOCAL_ADDRESS} on this system.`;
    }
  }

  const metadata = () => {
    const held = session.metadataCredentials();
    return held ? toServedCredentials(held) : undefined;
  };
  const imdsApp = createImdsApp({
    credentials: metadata,
    region: options.region,
    tokensRequired: options.tokensRequired,
    clock,
    logger,
  });
  const imdsHost = mode === 'alias' ? LINK_LOCAL_ADDRESS : '127.0.0.1';
  const reclaimer = createBurstReclaimer({ ...options.reclaim, logger });
  const onRequest = () => reclaimer.noteRequest();
  // Nothing arms the reclaimer before a request arrives, so a failed start leaves no timer behind.
  const imds = await startMetadataServer({ app: imdsApp, host: imdsHost, port: options.port, onRequest, logger });

  const containerToken = generateContainerToken();
  const containerApp = createContainerApp({
    token: containerToken,
    credentialsFor: (selector) => {
      if (selector === 'default') return metadata();
      const held = session
        .servedCredentials()
        .find((c) => c.role.accountId === selector.accountId && c.role.roleName === selector.roleName);
      return held ? toServedCredentials(held) : undefined;
    },
    clock,
    logger,
  });
  let container: RunningServer;
  try {
    container = await startMetadataServer({ app: containerApp, host: '127.0.0.1', port: options.containerPort ?? DEFAULT_CONTAINER_PORT, onRequest, logger });
  } catch (error) {
    reclaimer.stop();
    await imds.close();
    throw error;
  }

  const revertAlias = mode === 'alias' && options.revertAliasOnClose === true ? options.alias?.manager : undefined;
  const envFor = (path?: string) => ({ ...containerEnvironment({ port: container.port, token: containerToken, ...(path ? { path } : {}) }) });

  return {
    mode,
    fallbackReason,
    fallbackAdvice:
      fallbackReason !== undefined && isAliasPlatform(process.platform)
        ? fallbackAdvice({ port: imds.port, platform: process.platform, container: { url: envFor().AWS_CONTAINER_CREDENTIALS_FULL_URI, token: containerToken } }).text
        : undefined,
    imdsUrl: mode === 'alias' ? `http://${LINK_LOCAL_ADDRESS}/` : imds.url,
    imdsEnvironment: mode === 'alias' ? undefined : { AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url },
    containerUrl: container.url,
    containerEnvironment: envFor(),
    containerEnvironmentFor(roleArn) {
      const held = session.servedCredentials().find((c) => c.role.roleArn === roleArn);
      if (!held) return undefined;
      return envFor(containerRolePath({ accountId: held.role.accountId, roleName: held.role.roleName }));
    },
    async close() {
      reclaimer.stop();
      await Promise.all([imds.close(), container.close()]);
      if (revertAlias) {
        try {
          await revertAlias.revert();
        } catch (error) {
          logger.warn('Could not remove the 169.254.169.254 set-up', { reason: describeError(error) });
        }
      }
    },
  };
}
