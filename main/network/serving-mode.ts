/**
 * The one decision the tray and the CLI need from this folder: serve on 169.254.169.254 (set up now if
 * needed, with at most one prompt) or fall back to loopback and tell the user how to reach it. Nothing
 * here throws: every failure becomes the loopback mode with its reason.
 */
import { CloudtokenError } from '../support/errors.js';
import type { Logger } from '../support/logger.js';
import { silentLogger } from '../support/logger.js';
import type { AliasManager } from './alias.js';
import { METADATA_ADDRESS, type AliasPlan } from './alias-plan.js';
import { fallbackAdvice, type FallbackAdvice, type FallbackAdviceOptions } from './fallback.js';

export type ServingMode =
  | { readonly kind: 'alias'; readonly host: typeof METADATA_ADDRESS; readonly port: number; readonly changed: boolean }
  | {
      readonly kind: 'loopback';
      readonly host: '127.0.0.1';
      readonly port: number;
      /** Why the alias is not used; its message is written for the user. */
      readonly reason: CloudtokenError;
      readonly advice: FallbackAdvice;
    };

export interface ServingModeOptions {
  readonly manager: AliasManager;
  readonly plan: AliasPlan;
  readonly container?: FallbackAdviceOptions['container'];
  readonly logger?: Logger;
}

export async function establishServingMode(options: ServingModeOptions): Promise<ServingMode> {
  const { manager, plan } = options;
  const logger = options.logger ?? silentLogger;
  try {
    const { changed } = await manager.ensure();
    return { kind: 'alias', host: METADATA_ADDRESS, port: plan.listenPort, changed };
  } catch (error) {
    const reason =
      error instanceof CloudtokenError
        ? error
        : new CloudtokenError('network.setup-failed', 'Setting up 169.254.169.254 failed unexpectedly. Cloudtoken serves credentials on 127.0.0.1 instead.', {
            cause: error,
          });
    logger.warn('network: serving on loopback', { code: reason.code, reason: reason.message });
    const advice = fallbackAdvice({ port: plan.listenPort, platform: plan.platform, container: options.container });
    return { kind: 'loopback', host: '127.0.0.1', port: plan.listenPort, reason, advice };
  }
}
