import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { PluginStatus } from '../channel/protocol.js';
import type { Authenticator } from '../login/capture.js';
import type { AliasSetup } from '../network/setup.js';
import type { CredentialsFile } from '../outputs/credentials-file.js';
import { syncCredentialsFile } from '../session/credentials-file-sync.js';
import { policyFor } from '../session/schedule.js';
import type { RunningCredentialService } from './serving.js';
import { createCredentialSession, type CredentialSession, type RoleChoice, type SessionEvent } from '../session/session.js';
import type { IdpProfile, Settings } from '../settings/schema.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { sweepStaleTemporariesOf } from '../support/temporary-files.js';
import { createStsExchange, type StsExchange } from '../sts/assume-role.js';
import { durationLimitsFile } from '../sts/duration-limits-file.js';
import { CloudtokenError, describeError } from '../support/errors.js';
import { silentLogger, type Logger } from '../support/logger.js';
import { createProfilePlugins, type PluginPorts } from '../plugins/profile-plugins.js';
import { containerPortFor, regionFor, runtimeEffects, withRoleChoice } from './settings-effects.js';

/**
 * One IdP profile, running: its sign-in, STS exchange, credential session, what serves the credentials (the
 * metadata service and the container endpoint), the optional ~/.aws/credentials profiles, and the persistence
 * of role choices and learned session limits. `cloudtoken daemon` and the tray app both run exactly this;
 * one-shot CLI commands use it without serving. Front ends hear about it through `on` (session events, plus
 * the service starting or failing) and tell it about settings changes through `applySettings`.
 */
export type RuntimeEvent =
  | SessionEvent
  | { type: 'service-started'; service: RunningCredentialService }
  | { type: 'service-failed'; error: unknown }
  | { type: 'settings-need-restart' }
  /** A plugin failed (`plugin.state` says whether it is now disabled); the session goes on. */
  | { type: 'plugin-problem'; plugin: PluginStatus; message: string };

export interface ProfileRuntimeOptions {
  profile: IdpProfile;
  /** The effective settings: the shared file's, plus whatever this command's flags override (never saved). */
  settings: Settings;
  store: SettingsStore;
  /** How the profile signs in; unused when the profile names a sign-in plugin (then `plugins` provides it). */
  authenticator: Authenticator | undefined;
  /** What the session's plugins need of the front end; without it no plugin runs. */
  plugins?: PluginPorts;
  /** Roles' learned session limits (sts-duration-limits.json). */
  durationLimitsPath: string;
  /**
   * `remember`: restore the profile's remembered roles, save every new choice, and follow the choices others
   * save (the tray app, `login`, a daemon without `--role`). `follow`: only the last, for a daemon started
   * with `--role`, a one-off that is never saved, so a second daemon never switches the first one's role.
   * `none`: one-shot commands.
   */
  roleChoice: 'remember' | 'follow' | 'none';
  /** The alias set-up for alias mode; absent, alias mode falls back to loopback. */
  aliasSetup?: (port: number) => AliasSetup;
  /** Remove the alias when the service stops (the daemon without --keep-alias). */
  revertAliasOnClose?: boolean;
  /** Where kept-active roles go as profiles when `writeCredentialsFileProfiles` is on. */
  credentialsFile: () => CredentialsFile;
  /**
   * A file whose change means the IdP session was renewed by someone else (the CLI's cookie jar, which a
   * `cloudtoken login` in another terminal rewrites): while the IdP wants the user, a change retries at once.
   */
  sessionStorePath?: string;
  logger?: Logger;
}

export interface ProfileRuntime {
  readonly profile: IdpProfile;
  /** How the session signs in: the front end's, or the profile's sign-in plugin. */
  readonly authenticator: Authenticator;
  readonly session: CredentialSession;
  readonly sts: StsExchange;
  settings(): Settings;
  region(): string;
  /** The plugins this session runs, with their state: nothing secret. */
  plugins(): PluginStatus[];
  /** The running service, once `serve` has started it. */
  service(): RunningCredentialService | undefined;
  /** Start serving (once; concurrent calls share one start). */
  serve(): Promise<RunningCredentialService>;
  on(listener: (event: RuntimeEvent) => void): () => void;
  /** New effective settings (the file changed, or the tray saved): follow role choices, restart what needs it. */
  applySettings(next: Settings): Promise<void>;
  /** Stop everything; what is still being saved is finished first. */
  close(): Promise<void>;
}

export async function createProfileRuntime(options: ProfileRuntimeOptions): Promise<ProfileRuntime> {
  const { profile, store, roleChoice } = options;
  const logger = options.logger ?? silentLogger;
  let settings = options.settings;
  const listeners = new Set<(event: RuntimeEvent) => void>();
  const emit = (event: RuntimeEvent) => {
    for (const listener of [...listeners]) listener(event);
  };
  const saving = new Set<Promise<unknown>>();
  const track = (what: string, promise: Promise<unknown>) => {
    const tracked = promise
      .catch((error: unknown) => logger.warn(`Could not save ${what}`, { reason: describeError(error) }))
      .finally(() => saving.delete(tracked));
    saving.add(tracked);
  };

  const limitsFile = durationLimitsFile(options.durationLimitsPath, { logger });
  const plugins = options.plugins
    ? createProfilePlugins({ settings, profile, ports: options.plugins, onProblem: (plugin, message) => emit({ type: 'plugin-problem', plugin, message }), logger })
    : undefined;
  const authenticator = plugins?.authenticator ?? (profile.signInPlugin === undefined ? options.authenticator : undefined);
  if (!authenticator) {
    throw new CloudtokenError(
      'NO_SIGN_IN',
      profile.signInPlugin === undefined
        ? `The profile ${profile.name} has no way to sign in.`
        : `The profile ${profile.name} signs in through the plugin "${profile.signInPlugin}", which this front end does not run.`,
    );
  }

  const sts = createStsExchange({
    logger,
    endpointOverride: settings.stsEndpointOverride,
    defaultSessionDuration: settings.sessionDurationSeconds,
    durationLimits: await limitsFile.load(),
    onDurationLimit: (roleArn, seconds) => track('a role’s session limit', limitsFile.remember(roleArn, seconds)),
  });
  const session = createCredentialSession({
    profileId: profile.id,
    authenticator,
    sts,
    sessionDurationSeconds: settings.sessionDurationSeconds,
    policy: policyFor(settings.refreshIntervalMinutes),
    ...(roleChoice === 'remember'
      ? {
          remembered: {
            metadataRoleArn: settings.lastRoleArnByProfile[profile.id],
            keptActiveRoleArns: settings.keptActiveRoleArnsByProfile[profile.id] ?? [],
          },
          onChoiceChanged: (choice: RoleChoice) => {
            settings = withRoleChoice(settings, profile.id, choice);
            track('the role choice', store.update((latest) => Object.assign(latest, withRoleChoice(latest, profile.id, choice))));
          },
        }
      : {}),
    logger,
  });

  let service: RunningCredentialService | undefined;
  let starting: Promise<RunningCredentialService> | undefined;
  let closed = false;
  const startService = async (): Promise<RunningCredentialService> => {
    const { imdsMode: mode, imdsPort: port } = settings;
    // Serving makes this a long-running writer: what a crash left of its files goes now, not at their next write.
    await Promise.all([sweepStaleTemporariesOf([store.path, options.durationLimitsPath, options.sessionStorePath]), options.credentialsFile().sweepStaleTemporaries()]).catch(
      (error: unknown) => logger.warn('Could not remove stale temporary files', { reason: describeError(error) }),
    );
    // Loaded when serving starts: one-shot commands (credential_process before every AWS call) never need express.
    const { startCredentialService } = await import('./serving.js');
    const started = await startCredentialService({
      session,
      mode,
      port,
      containerPort: containerPortFor(port),
      region: () => regionFor(profile, settings),
      tokensRequired: settings.tokensRequired,
      ...(mode === 'alias' && options.aliasSetup ? { alias: options.aliasSetup(port) } : {}),
      revertAliasOnClose: options.revertAliasOnClose ?? false,
      logger,
    });
    if (closed) {
      await started.close();
      throw new Error('Cloudtoken stopped while the metadata service was starting.');
    }
    service = started;
    emit({ type: 'service-started', service: started });
    return started;
  };
  const serve = (): Promise<RunningCredentialService> => {
    if (service) return Promise.resolve(service);
    starting ??= startService()
      .catch((error: unknown) => {
        emit({ type: 'service-failed', error });
        throw error;
      })
      .finally(() => (starting = undefined));
    return starting;
  };
  const stopService = async () => {
    const running = service ?? (await starting?.catch(() => undefined));
    service = undefined;
    await running?.close();
  };

  let stopFileSync: (() => void) | undefined;
  const syncFileProfiles = () => {
    if (settings.writeCredentialsFileProfiles && !stopFileSync) {
      stopFileSync = syncCredentialsFile({
        session,
        file: options.credentialsFile(),
        accountLabels: () => settings.accountLabels,
        region: () => regionFor(profile, settings),
        logger,
      });
    } else if (!settings.writeCredentialsFileProfiles && stopFileSync) {
      stopFileSync();
      stopFileSync = undefined;
    }
  };
  syncFileProfiles();

  // While the IdP wants the user, a sign-in elsewhere (`cloudtoken login`) rewrites the session store: a
  // file-change notification, so waiting costs nothing.
  let renewalWatch: FSWatcher | undefined;
  const stopWaitingForRenewal = () => {
    renewalWatch?.close();
    renewalWatch = undefined;
  };
  const waitForRenewal = () => {
    const path = options.sessionStorePath;
    if (!path || renewalWatch) return;
    try {
      renewalWatch = watch(dirname(path), { persistent: false }, (_event, file) => {
        if (file !== basename(path)) return;
        stopWaitingForRenewal();
        session.refreshNow().catch(() => undefined);
      });
      renewalWatch.on('error', stopWaitingForRenewal);
    } catch (error) {
      logger.debug('Cannot watch the IdP session store', { reason: describeError(error) });
    }
  };

  const offSession = session.on((event) => {
    // Handlers hear what is served after every change; the tracker tells issued, refreshed and withdrawn apart.
    const who = { id: profile.id, name: profile.name };
    if (event.type === 'changed') {
      plugins?.served({ served: session.servedCredentials(), metadataRoleArn: event.snapshot.metadataRoleArn, profile: who, region: regionFor(profile, settings), now: Date.now() });
    }
    if (event.type === 'signed-out') plugins?.signedOut({ profile: who, now: Date.now() });
    if (event.type === 'needs-sign-in') waitForRenewal();
    if (event.type === 'changed' && event.snapshot.phase === 'active') stopWaitingForRenewal();
    emit(event);
  });

  /** A choice someone saved since `previous`: make it this session's too, where the IdP offers the roles. */
  const followChoice = async (previous: Settings, next: Settings) => {
    const offered = new Set(session.snapshot().roles.map((r) => r.roleArn));
    const wanted = next.lastRoleArnByProfile[profile.id];
    if (wanted && wanted !== previous.lastRoleArnByProfile[profile.id] && wanted !== session.snapshot().metadataRoleArn && offered.has(wanted)) {
      await session.chooseRole(wanted);
    }
    const keepList = next.keptActiveRoleArnsByProfile[profile.id] ?? [];
    if (JSON.stringify(keepList) === JSON.stringify(previous.keptActiveRoleArnsByProfile[profile.id] ?? [])) return;
    const keep = new Set(keepList.filter((arn) => offered.has(arn)));
    const kept = new Set(session.snapshot().active.filter((a) => a.keptActive).map((a) => a.role.roleArn));
    for (const arn of keep) if (!kept.has(arn)) await session.setKeptActive(arn, true);
    for (const arn of kept) if (!keep.has(arn)) await session.setKeptActive(arn, false);
  };

  return {
    profile,
    authenticator,
    session,
    sts,
    settings: () => settings,
    region: () => regionFor(profile, settings),
    plugins: () => plugins?.list() ?? [],
    service: () => service,
    serve,
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async applySettings(next) {
      const previous = settings;
      settings = next;
      const effects = runtimeEffects(previous, next, profile.id);
      syncFileProfiles();
      if (effects.restartSession) emit({ type: 'settings-need-restart' });
      if (effects.restartService && (service || starting)) {
        await stopService();
        if (session.metadataCredentials()) await serve();
      }
      if (roleChoice !== 'none') await followChoice(previous, next);
    },
    async close() {
      closed = true;
      offSession();
      stopWaitingForRenewal();
      stopFileSync?.();
      session.dispose();
      sts.close();
      // Handlers hear that the credentials are withdrawn once nothing serves them any more.
      await stopService();
      await plugins?.close();
      await Promise.all(saving);
      listeners.clear();
    },
  };
}
