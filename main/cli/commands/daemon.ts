import { stat, unwatchFile, watchFile } from 'node:fs';
import { loadSettingsFile } from '../../settings/settings-file.js';
import { createCredentialsFile } from '../../outputs/credentials-file.js';
import { syncCredentialsFile } from '../../session/credentials-file-sync.js';
import { startCredentialService, type RunningCredentialService } from '../../session/serving.js';
import type { SessionEvent } from '../../session/session.js';
import { describeError } from '../../support/errors.js';
import { createAliasSetup } from '../../network/setup.js';
import { pickRole } from '../choose-role.js';
import type { CliContext } from '../context.js';
import { removeDaemonStatus, writeDaemonStatus, type DaemonStatus } from '../daemon-status.js';
import { describeExpiry } from '../output.js';

/** How often a daemon waiting for the user looks whether `cloudtoken login` renewed the IdP session. */
const SIGN_IN_POLL_MS = 5_000;

function clockTime(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/**
 * `cloudtoken daemon` (`-d`): sign in, pick a role, serve it like an EC2 instance profile and keep it fresh
 * until Ctrl-C. Resolves with the exit code once stopped.
 */
export async function daemon(context: CliContext, stopSignal: Promise<string>): Promise<number> {
  const { session, io, settings, options, paths, logger } = context;
  const say = (line: string) => io.stdout.write(`${line}\n`);
  say('Launching in daemon mode...');

  const signedIn = await session.signIn({ interactive: true });
  const role = await pickRole(context, signedIn);
  await session.chooseRole(role.roleArn);
  await context.saveSettings();
  say(`Using role ${role.roleArn}`);

  const mode = settings.imdsMode;
  if (mode === 'alias') io.stdout.write('Configuring link-local address 169.254.169.254...');
  const service: RunningCredentialService = await startCredentialService({
    session,
    mode,
    port: settings.imdsPort,
    // Beside the metadata port, so several daemons (CLOUDTOKEN_HOME, --port) never collide.
    containerPort: settings.imdsPort < 65_535 ? settings.imdsPort + 1 : settings.imdsPort - 1,
    region: () => context.region,
    tokensRequired: settings.tokensRequired,
    ...(mode === 'alias' ? { alias: createAliasSetup({ port: settings.imdsPort, logger }) } : {}),
    revertAliasOnClose: !options.keepAlias,
    logger,
  });
  if (mode === 'alias') say(service.mode === 'alias' ? 'done.' : `not possible: ${service.fallbackReason}`);
  say(`Metadata proxy now available on ${service.imdsUrl}`);
  if (service.fallbackAdvice) {
    say(service.fallbackAdvice);
  } else if (service.imdsEnvironment) {
    say('Point your AWS tools at it with:');
    for (const [name, value] of Object.entries(service.imdsEnvironment)) say(`    export ${name}=${value}`);
  }
  say('Container credentials (needs no admin rights; for tools and containers that prefer it):');
  for (const [name, value] of Object.entries(service.containerEnvironment)) say(`    export ${name}=${value}`);
  const first = session.metadataCredentials();
  if (first) say(`Credentials for ${first.assumedRoleArn} ${describeExpiry(first.credentials.expiration)}.`);

  // Tools that read only ~/.aws/credentials get a named profile per served role, when the user asked for it.
  const stopFileSync = settings.writeCredentialsFileProfiles
    ? syncCredentialsFile({
        session,
        file: createCredentialsFile({ env: io.env, homedir: io.homedir, logger }),
        accountLabels: () => settings.accountLabels,
        region: () => context.region,
        logger,
      })
    : undefined;

  const startedAt = Date.now();
  const publish = () => {
    const snapshot = session.snapshot();
    const status: DaemonStatus = {
      pid: process.pid,
      profileId: context.profile.id,
      profileName: context.profile.name,
      startedAt,
      updatedAt: Date.now(),
      phase: snapshot.phase,
      mode: service.mode,
      fallbackReason: service.fallbackReason,
      imdsUrl: service.imdsUrl,
      containerUrl: service.containerUrl,
      roles: snapshot.active.map((a) => ({ roleArn: a.role.roleArn, assumedRoleArn: a.assumedRoleArn, expiresAt: a.expiresAt, metadata: a.metadata })),
      nextRefreshAt: snapshot.nextRefreshAt,
      error: snapshot.error?.message,
    };
    writeDaemonStatus(paths, status).catch((error) => logger.warn('Could not write the daemon status file', { error }));
  };
  publish();

  // When the IdP wants the user, `cloudtoken login` in another terminal renews the IdP session; the daemon
  // notices the new cookies (or browser profile) and refreshes silently.
  let waitingSince: number | undefined;
  const poll = setInterval(() => {
    if (waitingSince === undefined) return;
    stat(context.sessionStorePath, (error, info) => {
      if (error || waitingSince === undefined || info.mtimeMs <= waitingSince) return;
      waitingSince = undefined;
      session.refreshNow().catch(() => undefined);
    });
  }, SIGN_IN_POLL_MS);

  // A role chosen elsewhere (`cloudtoken login --role …`, the tray app) is saved in the shared settings file;
  // the daemon follows it.
  const followRoleChoice = () => {
    loadSettingsFile(paths.settingsFile)
      .then(async (latest) => {
        const wanted = latest.lastRoleArnByProfile[context.profile.id];
        if (!wanted || wanted === session.snapshot().metadataRoleArn) return;
        if (!session.snapshot().roles.some((r) => r.roleArn === wanted)) return;
        say(`[${clockTime(Date.now())}] Switching to role ${wanted}`);
        await session.chooseRole(wanted);
      })
      .catch((error) => say(`[${clockTime(Date.now())}] Could not switch roles: ${describeError(error)}`));
  };
  watchFile(paths.settingsFile, { interval: 1_000 }, followRoleChoice);

  // `cloudtoken refresh` (or kill -USR1) asks for a refresh now.
  const refreshRequested = () => {
    say(`[${clockTime(Date.now())}] Refresh requested.`);
    session.refreshNow().catch(() => undefined);
  };
  if (process.platform !== 'win32') process.on('SIGUSR1', refreshRequested);

  const off = session.on((event: SessionEvent) => {
    const now = clockTime(Date.now());
    switch (event.type) {
      case 'changed':
        publish();
        if (event.snapshot.phase === 'active') waitingSince = undefined;
        break;
      case 'refreshed': {
        const held = session.metadataCredentials();
        if (held) say(`[${now}] Credentials refreshed; ${describeExpiry(held.credentials.expiration)}.`);
        break;
      }
      case 'refresh-failed':
        say(`[${now}] Refresh failed: ${event.error.message}${event.retryAt ? ` Retrying at ${clockTime(event.retryAt)}.` : ''}`);
        break;
      case 'needs-sign-in':
        waitingSince = Date.now();
        say(`[${now}] Your identity provider wants you to sign in again: run \`cloudtoken login\` in another terminal. The current credentials stay available until they expire.`);
        break;
      case 'expiring':
        say(`[${now}] Credentials for ${event.roleArn} expire at ${clockTime(event.expiresAt)} and cannot be renewed without you.`);
        break;
      case 'expired':
        say(`[${now}] Credentials for ${event.roleArn} expired and are no longer served.`);
        break;
      default:
        break;
    }
  });

  const signal = await stopSignal;
  say(`\nStopping (${signal})...`);
  off();
  stopFileSync?.();
  clearInterval(poll);
  unwatchFile(paths.settingsFile, followRoleChoice);
  process.off('SIGUSR1', refreshRequested);
  try {
    await service.close();
  } catch (error) {
    say(`Stopping the metadata service failed: ${describeError(error)}`);
  }
  await removeDaemonStatus(paths);
  say('Stopped.');
  return 0;
}
