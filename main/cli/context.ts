import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { Authenticator } from '../login/capture.js';
import { browserSessionFile } from '../login/browser-session.js';
import { createFormAuthenticator } from '../login/form.js';
import { createAliasSetup } from '../network/setup.js';
import { createCredentialsFile } from '../outputs/credentials-file.js';
import { forkPluginProcess } from '../plugins/plugin-process.js';
import { createProfileRuntime, type ProfileRuntime, type ProfileRuntimeOptions } from '../runtime/profile-runtime.js';
import type { CredentialSession } from '../session/session.js';
import { resolveStatePaths, type StatePaths } from '../settings/paths.js';
import { assertStateFolderWritable } from '../settings/state-folder.js';
import { readJsonObject, updateJsonObject } from '../settings/state-file.js';
import type { IdpProfile, Settings } from '../settings/schema.js';
import { createSettingsStore, type SettingsStore } from '../settings/settings-store.js';
import type { StsExchange } from '../sts/assume-role.js';
import { isCloudtokenError, describeError } from '../support/errors.js';
import type { Logger } from '../support/logger.js';
import type { CliOptions } from './args.js';
import { cliLogger } from './log.js';
import type { ExtensionSignIn } from '../extension/sign-in.js';
import { followExtension } from '../runtime/follow-extension.js';
import { offerSessionChannel, type SessionChannel } from '../runtime/session-channel.js';
import { openInBrowser } from './open-url.js';
import { hostOf, selectProfile } from './profile-selection.js';
import { ask, readFirstLine, type Terminal } from './prompt.js';

/** Everything a command touches of the outside world, so tests can run commands in-process. */
export interface CliIo {
  stdin: Terminal['input'];
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  homedir: string;
}

/** Remembered per profile between CLI runs: how the user signs in (never a password). */
interface CliProfileState {
  method?: 'browser' | 'form' | 'extension';
  username?: string;
}

function cliStatePath(paths: StatePaths): string {
  return join(paths.home, 'cli-state.json');
}

async function loadCliState(paths: StatePaths, profileId: string): Promise<CliProfileState> {
  const entry = (await readJsonObject(cliStatePath(paths)))[profileId];
  if (typeof entry !== 'object' || entry === null) return {};
  const { method, username } = entry as Record<string, unknown>;
  return {
    ...(method === 'browser' || method === 'form' || method === 'extension' ? { method } : {}),
    ...(typeof username === 'string' ? { username } : {}),
  };
}

export interface CliContext {
  options: CliOptions;
  io: CliIo;
  logger: Logger;
  paths: StatePaths;
  settings: Settings;
  profile: IdpProfile;
  region: string;
  sts: StsExchange;
  authenticator: Authenticator;
  session: CredentialSession;
  runtime: ProfileRuntime;
  /** The shared settings (saved settings only; `settings` above is them plus this command's flags). */
  store: SettingsStore;
  /**
   * The session's channel, offered from the start when the sign-in goes through the browser extension (its
   * host brings the assertion there); the daemon offers one itself otherwise.
   */
  channel: SessionChannel | undefined;
  /** The sign-in through the browser extension, when the profile signs in that way. */
  extension: ExtensionSignIn | undefined;
  /** Finishes what is being saved, then stops the session (and whatever it serves). */
  close(): Promise<void>;
}

/** The profile, added or updated, and selected: what a successful sign-in with `--idp-url` saves. */
export function withSavedProfile(settings: Settings, profile: IdpProfile): void {
  const index = settings.idpProfiles.findIndex((p) => p.id === profile.id);
  if (index >= 0) settings.idpProfiles[index] = { ...settings.idpProfiles[index]!, signInUrl: profile.signInUrl };
  else settings.idpProfiles.push(profile);
  settings.activeProfileId = profile.id;
}

/**
 * What this command runs with: the saved settings, this command's profile, and its flags on top (and
 * AWS_ENDPOINT_URL_STS, the AWS tools' own variable for an STS endpoint, under --sts-endpoint). Flags are
 * one-off: this object is never written back (saves go through the store, one field at a time).
 */
export function effectiveSettings(
  saved: Settings,
  profile: IdpProfile,
  options: Pick<CliOptions, 'region' | 'stsEndpoint' | 'imds' | 'port' | 'duration'>,
  env: Readonly<Record<string, string | undefined>>,
): Settings {
  const settings = structuredClone(saved);
  const effectiveProfile = { ...profile, ...(options.region !== undefined ? { region: options.region } : {}) };
  const index = settings.idpProfiles.findIndex((p) => p.id === profile.id);
  if (index >= 0) settings.idpProfiles[index] = effectiveProfile;
  else settings.idpProfiles.push(effectiveProfile);
  if (options.region !== undefined) settings.region = options.region;
  const stsEndpoint = options.stsEndpoint ?? (env.AWS_ENDPOINT_URL_STS?.trim() || undefined);
  if (stsEndpoint !== undefined) settings.stsEndpointOverride = stsEndpoint;
  if (options.imds !== undefined) settings.imdsMode = options.imds;
  if (options.port !== undefined) settings.imdsPort = options.port;
  if (options.duration !== undefined) settings.sessionDurationSeconds = options.duration;
  return settings;
}

async function createAuthenticator(context: {
  options: CliOptions;
  io: CliIo;
  paths: StatePaths;
  profile: IdpProfile;
  method: 'browser' | 'form' | 'extension';
  username: string | undefined;
  logger: Logger;
}): Promise<Authenticator | ExtensionSignIn> {
  const { options, io, paths, profile, method, username, logger } = context;
  const terminal: Terminal = { input: io.stdin, output: io.stderr };
  // Read when the IdP shows its password form and dropped at once: a later sign-in reads standard input again
  // (finding it empty, it fails) rather than replaying a stored password.
  const password = () => {
    if (options.passwordStdin) return readFirstLine(io.stdin);
    return ask(terminal, `Password for ${username ?? 'your IdP account'} at ${hostOf(profile.signInUrl)}: `, { hidden: true });
  };
  if (method === 'form') {
    const form = createFormAuthenticator({
      signInUrl: profile.signInUrl,
      // A silent sign-in never fills the login form, so it needs no user name.
      username: username ?? '',
      password,
      askField: (field) => ask(terminal, `${field.label || field.name}: `, { hidden: field.type === 'password' }),
      cookieJarPath: join(paths.cookieJarDir, `${profile.id}.json`),
      logger,
    });
    // A password typed on a terminal may be mistyped; one read from standard input would only fail again.
    return options.passwordStdin || !io.stdin.isTTY ? form : askingAgain(form, io);
  }
  if (method === 'extension') {
    const { createExtensionSignIn } = await import('../extension/sign-in.js');
    return createExtensionSignIn({
      signInUrl: profile.signInUrl,
      openInBrowser: (url) => openInBrowser(url, io),
      announce: (text) => io.stderr.write(`${text}\n`),
      ...(options.timeoutSeconds !== undefined ? { interactiveTimeoutMs: options.timeoutSeconds * 1000 } : {}),
      logger,
    });
  }
  // Loaded only when used: playwright-core is large, and credential_process runs on every AWS call.
  const { createBrowserAuthenticator } = await import('../login/browser.js');
  return createBrowserAuthenticator({
    signInUrl: profile.signInUrl,
    profileDir: join(paths.browserProfileDir, profile.id),
    executablePath: options.browserPath,
    headless: options.headless,
    ...(username !== undefined ? { autofill: { username, password } } : {}),
    ...(options.timeoutSeconds !== undefined ? { timeoutMs: options.timeoutSeconds * 1000 } : {}),
    logger,
  });
}

/** Attempts at a password typed on the terminal, as `sudo` allows. */
const PASSWORD_ATTEMPTS = 3;

/** An interactive form sign-in the IdP refused for its password is asked again, up to PASSWORD_ATTEMPTS times. */
function askingAgain(authenticator: Authenticator, io: CliIo): Authenticator {
  return {
    signOut: () => authenticator.signOut(),
    async authenticate(request) {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await authenticator.authenticate(request);
        } catch (error) {
          if (!request.interactive || attempt >= PASSWORD_ATTEMPTS || !isCloudtokenError(error, 'FORM_CREDENTIALS_REJECTED')) throw error;
          io.stderr.write(`${describeError(error)} Try again (${PASSWORD_ATTEMPTS - attempt} more ${PASSWORD_ATTEMPTS - attempt === 1 ? 'attempt' : 'attempts'}).\n`);
        }
      }
    },
  };
}

export interface ContextPurpose {
  /** May the IdP ask the user (login, daemon) or must it be silent (roles, env, credential-process…)? */
  interactive: boolean;
  /** What becomes of role choices (see ProfileRuntimeOptions): login and daemon remember, one-shot commands not. */
  roleChoice: ProfileRuntimeOptions['roleChoice'];
  /** How the session's channel (when the sign-in needs one from the start) names this process. */
  host: 'daemon' | 'cli';
}

export async function openCliContext(options: CliOptions, io: CliIo, purpose: ContextPurpose): Promise<CliContext> {
  const logger = cliLogger({ verbose: options.verbose, showWarnings: purpose.interactive }, io);
  const paths = resolveStatePaths({ env: io.env, platform: io.platform, homedir: io.homedir });
  if (purpose.interactive) await assertStateFolderWritable(paths.home);
  const store = createSettingsStore({ path: paths.settingsFile, logger });
  const saved = await store.load();
  const selection = selectProfile(saved, options);
  const settings = effectiveSettings(saved, selection.profile, options, io.env);
  const profile = settings.idpProfiles.find((p) => p.id === selection.profile.id)!;

  const state = await loadCliState(paths, profile.id);
  let username = options.username ?? state.username;
  // A profile that names a sign-in plugin signs in through it, which asks for what it needs itself.
  const viaPlugin = profile.signInPlugin !== undefined;
  const method = options.method ?? state.method ?? (username !== undefined || options.passwordStdin ? 'form' : 'browser');
  if (!viaPlugin && method === 'form' && purpose.interactive && username === undefined) {
    username = await ask({ input: io.stdin, output: io.stderr }, `User name at ${hostOf(profile.signInUrl)}: `);
  }
  const terminal: Terminal = { input: io.stdin, output: io.stderr };
  const cookieJarPath = join(paths.cookieJarDir, `${profile.id}.json`);
  const authenticator = viaPlugin ? undefined : await createAuthenticator({ options, io, paths, profile, method, username, logger });
  const runtime = await createProfileRuntime({
    profile,
    settings,
    store,
    authenticator,
    plugins: {
      launch: forkPluginProcess,
      // Standard error, never standard output: that may be credential_process's JSON or `env`'s exports.
      notify: (plugin, text) => io.stderr.write(`cloudtoken: ${plugin}: ${text}\n`),
      prompt: (question) =>
        question.secret && options.passwordStdin ? readFirstLine(io.stdin) : ask(terminal, `${question.label}: `, { hidden: question.secret === true }),
      username,
      env: io.env,
      home: paths.home,
      cookieJarPath,
    },
    durationLimitsPath: paths.durationLimitsFile,
    roleChoice: purpose.roleChoice,
    aliasSetup: (port) => createAliasSetup({ port, logger }),
    revertAliasOnClose: !options.keepAlias,
    credentialsFile: () => createCredentialsFile({ env: io.env, homedir: io.homedir, logger }),
    ...(method === 'extension' ? {} : { sessionStorePath: viaPlugin || method === 'form' ? cookieJarPath : browserSessionFile(join(paths.browserProfileDir, profile.id)) }),
    logger,
  });
  const extension = !viaPlugin && method === 'extension' ? (authenticator as ExtensionSignIn) : undefined;
  // The extension's host finds the session by its channel: it must be there before the first sign-in waits.
  const channel = extension ? await offerSessionChannel({ runtime, home: paths.home, host: purpose.host, logger, extension }) : undefined;
  const stopFollowing = extension ? followExtension(extension, runtime.session, logger) : undefined;

  // Only a sign-in that worked is worth keeping: the profile --idp-url named, and how the user signs in.
  const saving: Promise<unknown>[] = [];
  const keep = (what: string, promise: Promise<unknown>) =>
    saving.push(promise.catch((error: unknown) => logger.warn(`Could not save ${what}`, { error })));
  let durationNoticed = false;
  runtime.on((event) => {
    if (event.type !== 'signed-in') return;
    const fromIdp = event.sessionDurationSeconds;
    if (options.duration !== undefined && fromIdp !== undefined && fromIdp !== options.duration && !durationNoticed) {
      durationNoticed = true;
      io.stderr.write(`cloudtoken: --duration ${options.duration} is not used: your IdP's SessionDuration attribute (${fromIdp} s) sets the session length, and it wins.\n`);
    }
    if (selection.save) keep('the IdP profile', store.update((latest) => withSavedProfile(latest, selection.profile)));
    // Through a plugin, only the user name it was given is worth remembering; the method stays what it was.
    const remembered = viaPlugin ? state.method : method;
    if (remembered !== state.method || username !== state.username) {
      keep(
        'the sign-in method',
        updateJsonObject(cliStatePath(paths), (all) => {
          all[profile.id] = { ...(remembered ? { method: remembered } : {}), ...(username ? { username } : {}) } satisfies CliProfileState;
        }),
      );
    }
  });

  return {
    options,
    io,
    logger,
    paths,
    settings,
    profile,
    region: runtime.region(),
    sts: runtime.sts,
    authenticator: runtime.authenticator,
    session: runtime.session,
    runtime,
    store,
    channel,
    extension,
    async close() {
      stopFollowing?.();
      await channel?.close();
      await Promise.all(saving);
      // One-shot commands exit right after their output: what STS taught this run is kept first.
      await runtime.close();
    },
  };
}
