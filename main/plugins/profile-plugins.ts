import type { PluginStatus } from '../channel/protocol.js';
import type { IdpProfile, PluginSetting, Settings } from '../settings/schema.js';
import { describeError } from '../support/errors.js';
import type { Logger } from '../support/logger.js';
import type { PluginQuestion } from './api.js';
import { createCredentialEventTracker, type ServedState } from './credential-events.js';
import { createCredentialHandlers, type CredentialHandlers } from './handlers.js';
import { pluginLocation, pluginsFolder } from './locate.js';
import { pluginEnvironment } from './plugin-environment.js';
import { disablesPlugin, PluginError } from './plugin-error.js';
import type { LaunchPluginProcess } from './plugin-process.js';
import { createPluginAuthenticator, type PluginAuthenticator } from './sign-in-source.js';
import { currentUid } from './trust.js';

/** What a front end gives the plugins of a session. */
export interface PluginPorts {
  /** Starts a module plugin's process: a forked Node process (CLI), an Electron utilityProcess (tray app). */
  launch: LaunchPluginProcess;
  /** A handler's text for the person. */
  notify(plugin: string, text: string): void;
  /** Asks the person for a sign-in source; absent where no one can be asked. */
  prompt?: (question: PluginQuestion) => Promise<string>;
  /** The user name a sign-in source is given (--username, or remembered). */
  username?: string;
  /** This process's environment; plugins get only a few variables of it. */
  env: Readonly<Record<string, string | undefined>>;
  /** The state folder: module plugins are in its plugins/. */
  home: string;
  /** The profile's IdP cookie jar, which a module sign-in source's HTTP uses. */
  cookieJarPath: string;
  /** Tests pass a fetch bound to their loopback peers; default the global one. */
  fetch?: typeof fetch;
}

export interface ProfilePlugins {
  /** The profile's sign-in source as an Authenticator, when the profile names one. */
  authenticator: PluginAuthenticator | undefined;
  /** Tells the handlers what the session serves now (after every session change); returns at once. */
  served(state: ServedState): void;
  /** Tells the handlers the session signed out. */
  signedOut(state: Pick<ServedState, 'profile' | 'now'>): void;
  list(): PluginStatus[];
  /** Lets queued events finish (at most `graceMs`), then stops every plugin process. */
  close(graceMs?: number): Promise<void>;
}

function statusOf(setting: PluginSetting, pluginsDir: string): PluginStatus {
  return { name: setting.name, kind: setting.kind, form: setting.module !== undefined ? 'module' : 'command', path: pluginLocation(setting, pluginsDir), state: 'active', problem: undefined };
}

/** The sign-in source, reported like a handler: a crash or a hang disables it for the session. */
function guardedSource(source: PluginAuthenticator, status: PluginStatus, report: (message: string) => void): PluginAuthenticator {
  return {
    async authenticate(options) {
      if (status.state === 'disabled') throw new PluginError('PLUGIN_DISABLED', `The sign-in plugin "${status.name}" is disabled for this session: ${status.problem ?? ''}`);
      try {
        return await source.authenticate(options);
      } catch (error) {
        if (error instanceof PluginError) {
          status.problem = describeError(error);
          if (disablesPlugin(error)) status.state = 'disabled';
          report(status.problem);
        }
        throw error;
      }
    },
    signOut: () => source.signOut(),
    close: () => source.close(),
  };
}

/**
 * The plugins one profile's session runs: those the settings name, and of them only the profile's own sign-in
 * source and the handlers scoped to it (or to every profile).
 */
export function createProfilePlugins(options: {
  settings: Settings;
  profile: IdpProfile;
  ports: PluginPorts;
  onProblem(status: PluginStatus, message: string): void;
  logger: Logger;
}): ProfilePlugins {
  const { settings, profile, ports, logger } = options;
  const pluginsDir = pluginsFolder(ports.home);
  const env = pluginEnvironment(ports.env);
  const uid = currentUid();
  const handlerSettings = settings.plugins.filter((p) => p.kind === 'credential-handler' && (p.profiles === undefined || p.profiles.includes(profile.id)));
  const handlers: CredentialHandlers = createCredentialHandlers(handlerSettings, { pluginsDir, launch: ports.launch, env, uid, notify: ports.notify, onProblem: options.onProblem, logger });

  const sourceSetting = settings.plugins.find((p) => p.kind === 'sign-in-source' && p.name === profile.signInPlugin);
  const sourceStatus = sourceSetting ? statusOf(sourceSetting, pluginsDir) : undefined;
  const authenticator =
    sourceSetting && sourceStatus
      ? guardedSource(
          createPluginAuthenticator({
            setting: sourceSetting,
            profile,
            pluginsDir,
            cookieJarPath: ports.cookieJarPath,
            username: ports.username,
            prompt: ports.prompt,
            launch: ports.launch,
            env,
            uid,
            region: profile.region,
            ...(ports.fetch ? { fetch: ports.fetch } : {}),
            logger,
          }),
          sourceStatus,
          (message) => options.onProblem({ ...sourceStatus }, message),
        )
      : undefined;

  const tracker = createCredentialEventTracker();
  return {
    authenticator,
    served: (state) => {
      if (handlerSettings.length > 0) handlers.dispatch(tracker.next(state));
    },
    signedOut: (state) => {
      if (handlerSettings.length > 0) handlers.dispatch([tracker.signedOut(state)]);
    },
    list: () => [...(sourceStatus ? [{ ...sourceStatus }] : []), ...handlers.list()],
    async close(graceMs = 2000) {
      if (handlerSettings.length > 0) handlers.dispatch([tracker.stopped({ profile: { id: profile.id, name: profile.name }, now: Date.now() })]);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([handlers.idle(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      handlers.close();
      authenticator?.close();
    },
  };
}
