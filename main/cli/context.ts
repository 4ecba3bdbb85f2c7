import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { Authenticator } from '../login/capture.js';
import { browserSessionFile } from '../login/browser-session.js';
import { createFormAuthenticator } from '../login/form.js';
import { createSessionFromSettings, withRoleChoice } from '../session/from-settings.js';
import { durationLimitsFile } from '../sts/duration-limits-file.js';
import type { CredentialSession, RoleChoice } from '../session/session.js';
import { writeFileAtomic } from '../settings/atomic-file.js';
import { resolveStatePaths, type StatePaths } from '../settings/paths.js';
import { assertStateFolderWritable } from '../settings/state-folder.js';
import { readJsonObject } from '../settings/state-file.js';
import { checkServiceUrl, newProfileId, type IdpProfile, type Settings } from '../settings/schema.js';
import { loadSettingsFile, saveSettingsFile } from '../settings/settings-file.js';
import type { StsExchange } from '../sts/assume-role.js';
import { createLogger, type Logger } from '../support/logger.js';
import { UsageError, type CliOptions } from './args.js';
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
  method?: 'browser' | 'form';
  username?: string;
}

type CliState = Record<string, CliProfileState>;

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
  /** The file whose change means the IdP session was renewed (cookie jar, or the browser profile's cookies). */
  sessionStorePath: string;
  session: CredentialSession;
  saveSettings(): Promise<void>;
  close(): Promise<void>;
}

function cliStatePath(paths: StatePaths): string {
  return join(paths.home, 'cli-state.json');
}

async function loadCliState(paths: StatePaths): Promise<CliState> {
  return (await readJsonObject(cliStatePath(paths))) as CliState;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * The IdP profile a command works on: `--profile` (name or id), else the active one, else the only one.
 * `--idp-url` creates the profile (or updates its URL) so later commands need no flags.
 */
export function selectProfile(settings: Settings, options: Pick<CliOptions, 'profile' | 'idpUrl' | 'region'>): { profile: IdpProfile; changed: boolean } {
  const wanted = options.profile;
  const byName = (p: IdpProfile) => p.id === wanted || p.name.toLowerCase() === wanted?.toLowerCase();
  let profile = wanted !== undefined ? settings.idpProfiles.find(byName) : undefined;
  if (!profile && wanted === undefined) {
    profile =
      (options.idpUrl && settings.idpProfiles.find((p) => p.signInUrl === options.idpUrl)) ||
      settings.idpProfiles.find((p) => p.id === settings.activeProfileId) ||
      (settings.idpProfiles.length === 1 ? settings.idpProfiles[0] : undefined);
  }
  if (options.idpUrl !== undefined) {
    const problem = checkServiceUrl(options.idpUrl, 'The IdP sign-in URL');
    if (problem) throw new UsageError(problem);
    if (profile && profile.signInUrl === options.idpUrl) return { profile, changed: settings.activeProfileId !== profile.id };
    if (profile) {
      profile.signInUrl = options.idpUrl;
    } else {
      profile = { id: newProfileId(), name: wanted ?? hostOf(options.idpUrl), signInUrl: options.idpUrl };
      settings.idpProfiles.push(profile);
    }
    settings.activeProfileId = profile.id;
    return { profile, changed: true };
  }
  if (!profile) {
    if (wanted !== undefined) throw new UsageError(`There is no IdP profile named "${wanted}". Create it with --profile ${wanted} --idp-url URL.`);
    if (settings.idpProfiles.length === 0) throw new UsageError('No IdP is set up yet. Pass your IdP sign-in URL once with --idp-url URL.');
    throw new UsageError(`Several IdP profiles exist (${settings.idpProfiles.map((p) => p.name).join(', ')}); choose one with --profile.`);
  }
  return { profile, changed: false };
}

async function createAuthenticator(context: {
  options: CliOptions;
  io: CliIo;
  paths: StatePaths;
  profile: IdpProfile;
  method: 'browser' | 'form';
  username: string | undefined;
  logger: Logger;
}): Promise<Authenticator> {
  const { options, io, paths, profile, method, username, logger } = context;
  const terminal: Terminal = { input: io.stdin, output: io.stderr };
  // Read when the IdP shows its password form and dropped at once: a later sign-in reads standard input again
  // (finding it empty, it fails) rather than replaying a stored password.
  const password = () => {
    if (options.passwordStdin) return readFirstLine(io.stdin);
    return ask(terminal, `Password for ${username ?? 'your IdP account'} at ${hostOf(profile.signInUrl)}: `, { hidden: true });
  };
  if (method === 'form') {
    return createFormAuthenticator({
      signInUrl: profile.signInUrl,
      // A silent sign-in never fills the login form, so it needs no user name.
      username: username ?? '',
      password,
      askField: (field) => ask(terminal, `${field.label || field.name}: `, { hidden: field.type === 'password' }),
      cookieJarPath: join(paths.cookieJarDir, `${profile.id}.json`),
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

export interface ContextPurpose {
  /** May the IdP ask the user (login, daemon) or must it be silent (roles, env, credential-process…)? */
  interactive: boolean;
  /** Restore and persist the role choice (login, daemon); one-shot commands leave it alone. */
  rememberChoice: boolean;
}

export async function openCliContext(options: CliOptions, io: CliIo, purpose: ContextPurpose): Promise<CliContext> {
  const logger = createLogger({ level: options.verbose ? 'debug' : 'warn', sink: (line) => io.stderr.write(`${line}\n`) });
  const paths = resolveStatePaths({ env: io.env, platform: io.platform, homedir: io.homedir });
  if (purpose.rememberChoice) await assertStateFolderWritable(paths.home);
  const settings = await loadSettingsFile(paths.settingsFile);
  const { profile, changed } = selectProfile(settings, options);
  if (options.region !== undefined) settings.region = options.region;
  if (options.stsEndpoint !== undefined) settings.stsEndpointOverride = options.stsEndpoint;
  if (options.imds !== undefined) settings.imdsMode = options.imds;
  if (options.port !== undefined) settings.imdsPort = options.port;
  if (options.duration !== undefined) settings.sessionDurationSeconds = options.duration;

  const saveSettings = () => saveSettingsFile(paths.settingsFile, settings);
  if (changed) await saveSettings();

  const cliState = await loadCliState(paths);
  const state: CliProfileState = cliState[profile.id] ?? {};
  const rememberMethod = async () => {
    if (method === state.method && username === state.username) return;
    cliState[profile.id] = { ...(method ? { method } : {}), ...(username ? { username } : {}) };
    await writeFileAtomic(cliStatePath(paths), `${JSON.stringify(cliState, null, 2)}\n`);
  };

  let username = options.username ?? state.username;
  const method = options.method ?? state.method ?? (username !== undefined || options.passwordStdin ? 'form' : 'browser');
  if (method === 'form' && purpose.interactive && username === undefined) {
    username = await ask({ input: io.stdin, output: io.stderr }, `User name at ${hostOf(profile.signInUrl)}: `);
  }
  const authenticator = await createAuthenticator({ options, io, paths, profile, method, username, logger });
  const limitsFile = durationLimitsFile(paths.durationLimitsFile, { logger });
  const savingLimits = new Set<Promise<void>>();
  const { session, sts } = createSessionFromSettings({
    settings,
    profile,
    authenticator,
    logger,
    durationLimits: await limitsFile.load(),
    onDurationLimit: (roleArn, seconds) => {
      const saving = limitsFile
        .remember(roleArn, seconds)
        .catch((error: unknown) => logger.warn('Could not save a role’s session limit', { error }))
        .finally(() => savingLimits.delete(saving));
      savingLimits.add(saving);
    },
    ...(purpose.rememberChoice
      ? {
          onChoiceChanged: (choice: RoleChoice) => {
            Object.assign(settings, withRoleChoice(settings, profile.id, choice));
            saveSettings().catch((error) => logger.warn('Could not save the role choice', { error }));
          },
        }
      : {}),
  });
  session.on((event) => {
    if (event.type === 'signed-in') rememberMethod().catch((error) => logger.warn('Could not save the sign-in method', { error }));
  });

  return {
    options,
    io,
    logger,
    paths,
    settings,
    profile,
    region: profile.region ?? settings.region,
    sts,
    authenticator,
    sessionStorePath:
      method === 'form' ? join(paths.cookieJarDir, `${profile.id}.json`) : browserSessionFile(join(paths.browserProfileDir, profile.id)),
    session,
    saveSettings,
    async close() {
      session.dispose();
      sts.close();
      // One-shot commands exit right after their output: what STS taught this run is kept first.
      await Promise.all(savingLimits);
    },
  };
}
