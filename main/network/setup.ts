import { CloudtokenError } from '../support/errors.js';
import type { Logger } from '../support/logger.js';
import { METADATA_ADDRESS, createAliasPlan, isAliasPlatform, type AliasPlan } from './alias-plan.js';
import { createAliasManager, type AliasManager } from './alias.js';
import { createRedirectProbe } from './probe.js';
import { createDirectRunner, createSudoPromptRunner, isPrivileged, type Runner } from './runner.js';

export interface AliasSetupOptions {
  /** The unprivileged high port the credential server listens on; port 80 is redirected to it. */
  port: number;
  platform?: NodeJS.Platform;
  /** macOS: the app's .icns shown in the admin prompt. */
  icns?: string;
  /** Defaults to running directly when already privileged, else through the OS admin prompt. */
  runner?: Runner;
  logger?: Logger;
}

/** What serving needs to set up (and later revert) 169.254.169.254 on this machine. */
export interface AliasSetup {
  manager: AliasManager;
  plan: AliasPlan;
}

/**
 * The alias manager for this machine: the plan for its OS, the effect probe, and the least-privileged runner
 * that can apply it (direct when already root, the OS admin prompt otherwise).
 */
export function createAliasSetup(options: AliasSetupOptions): AliasSetup {
  const platform = options.platform ?? process.platform;
  if (!isAliasPlatform(platform)) {
    throw new CloudtokenError('network.unsupported-platform', `Cloudtoken cannot set up ${METADATA_ADDRESS} on ${platform}.`);
  }
  const runner =
    options.runner ??
    (isPrivileged() ? createDirectRunner() : createSudoPromptRunner({ name: 'Cloudtoken', ...(options.icns ? { icns: options.icns } : {}) }));
  const plan = createAliasPlan({ platform, port: options.port });
  const manager = createAliasManager({
    runner,
    plan,
    probe: createRedirectProbe({ address: METADATA_ADDRESS, listenPort: options.port }),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return { manager, plan };
}
