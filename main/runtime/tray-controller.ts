import { join } from 'node:path';
import type { IpcHandlers, LoginWindowState, PushChannel, PushPayload, SessionView, SettingsView, StatusView, WindowKind } from '../../preload/contract.js';
import { offerSessionChannel, type SessionChannel } from './session-channel.js';
import { followExtension } from './follow-extension.js';
import { installedFor, installHost } from '../extension/host-install.js';
import { BROWSER_LABELS, type HostPlan } from '../extension/host-manifests.js';
import { STORE_PAGES } from '../extension/identity.js';
import type { ExtensionSignIn } from '../extension/sign-in.js';
import type { SignInKind } from '../login/sign-in-kinds.js';
import type { SignInPreferences } from '../login/sign-in-preferences.js';
import type { EmbeddedAuthenticator } from '../login/embedded-authenticator.js';
import type { AliasSetup } from '../network/setup.js';
import type { LaunchPluginProcess } from '../plugins/plugin-process.js';
import { consoleUrlForRole } from '../outputs/console-url.js';
import type { CredentialsFile } from '../outputs/credentials-file.js';
import type { ShadowingFinding } from '../diagnosis/shadowing.js';
import { credentialVariables, formatEnvAssignments, type ShellKind } from '../outputs/shell-env.js';
import { externalUrlAllowed } from '../security/web-policy.js';
import type { CredentialSession } from '../session/session.js';
import type { SessionSnapshot } from '../session/types.js';
import type { StatePaths } from '../settings/paths.js';
import { mergeSettingsEdit } from '../settings/merge-edit.js';
import type { IdpProfile, Settings } from '../settings/schema.js';
import { SettingsFileError } from '../settings/settings-file.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { describeError } from '../support/errors.js';
import type { Logger } from '../support/logger.js';
import { oneAtATime } from '../support/one-at-a-time.js';
import { notificationFor, type NotificationContent } from '../tray/desktop-notifications.js';
import type { TrayAction, TrayActionHandlers, TrayMenuContext } from '../tray/menu.js';
import { createPluginQuestions } from './plugin-questions.js';
import { createProfileRuntime, type ProfileRuntime } from './profile-runtime.js';
import { loginItemDrift, syncLoginItem, type LoginItem } from '../autostart/login-item-sync.js';
import { activeProfile } from './settings-effects.js';
import { buildStatusView, copyText, plannedImdsUrl } from './status-view.js';

/**
 * What the tray app does, without Electron: one settings store shared with the CLI, the active profile's
 * runtime (the very object `cloudtoken daemon` runs), and what every tray action and IPC request means.
 * Tray actions and IPC requests fail the same way: the error's message, to the window that asked or as a
 * notification. main/shell/app.ts only wires Electron's objects to the ports below.
 */

/** The embedded sign-in of one profile (its partition and login window), built once per runtime. */
export interface ProfileSignIn {
  authenticator: EmbeddedAuthenticator;
  /** Set when the profile signs in through the browser extension: its host reaches the session over the channel. */
  extension?: ExtensionSignIn;
  /** The partition's session cookies kept across restarts (Electron drops them on quit); never throws. */
  savedSession?: { restore(): Promise<void>; save(): Promise<void> };
  loginState(): LoginWindowState;
  navigate(step: 'back' | 'reload'): boolean;
}

export interface TrayControllerPorts {
  store: SettingsStore;
  paths: StatePaths;
  platform: NodeJS.Platform;
  signInFor(profile: IdpProfile, kind: SignInKind): ProfileSignIn;
  /** How each profile signs in (sign-in-preferences.json): read anew whenever a profile starts. */
  signInChoices: SignInPreferences;
  /** The browser extension's connection (native messaging host) as this app would install it. */
  extensionHostPlan(): HostPlan;
  aliasSetup(port: number): AliasSetup;
  credentialsFile(): CredentialsFile;
  /** Starts a module plugin's process (an Electron utilityProcess in the app). */
  launchPlugin: LaunchPluginProcess;
  /** The app's environment, of which plugins get a few variables. */
  env: Readonly<Record<string, string | undefined>>;
  windows: {
    show(kind: Exclude<WindowKind, 'login'>): void;
    isOpen(kind: WindowKind): boolean;
    close(kind: WindowKind): void;
    push<P extends PushChannel>(channel: P, payload: PushPayload<P>): void;
  };
  notify(content: NotificationContent): void;
  writeClipboard(text: string): void;
  openExternal(url: string): Promise<void>;
  autostart: LoginItem;
  environmentFindings(imdsUrl: string): Promise<ShadowingFinding[]>;
  /** The tray's image and menu are stale: rebuild them. */
  renderTray(): void;
  quit(): void;
  logger: Logger;
  now?: () => number;
}

export interface TrayController {
  /** Read the settings, follow their changes, start the active profile and sign in silently. */
  start(options: { hidden: boolean }): Promise<void>;
  readonly ipc: IpcHandlers;
  readonly actions: TrayActionHandlers;
  /** A tray action failed: said the way a failed IPC request is said. */
  actionFailed(error: unknown, action: TrayAction): void;
  snapshot(): SessionSnapshot;
  menuContext(): Omit<TrayMenuContext, 'now'>;
  /** A click on the icon (Windows, Linux): the pending sign-in, else the status window. */
  trayClicked(): void;
  /** Launched again (second instance, macOS re-open from Finder or the Dock). */
  reopened(): void;
  /** One of the app's windows closed (the user's close too). */
  windowClosed(kind: WindowKind, webContentsId: number): void;
  /** The machine woke up. */
  resumed(): void;
  /** Quit: stop serving, and remove the alias when the setting says so. */
  stop(): Promise<void>;
}

interface Running {
  runtime: ProfileRuntime;
  signIn: ProfileSignIn;
  channel: SessionChannel | undefined;
  off: () => void;
}

function signedOutSnapshot(profileId: string): SessionSnapshot {
  return { profileId, phase: 'signed-out', roles: [], active: [], metadataRoleArn: undefined, nextRefreshAt: undefined, lastRefreshAt: undefined, error: undefined };
}

function platformName(platform: NodeJS.Platform): SettingsView['platform'] {
  return platform === 'linux' || platform === 'darwin' || platform === 'win32' ? platform : 'other';
}

export function createTrayController(ports: TrayControllerPorts): TrayController {
  const { store, logger, windows } = ports;
  const now = ports.now ?? Date.now;
  let settings: Settings;
  let current: Running | undefined;
  let stopWatching: (() => void) | undefined;
  // Profile switches and settings changes, one at a time: two quick saves must not start two runtimes.
  const serially = oneAtATime();
  // What a sign-in plugin asks, in the question window.
  const questions = createPluginQuestions({ show: () => windows.show('question'), close: () => windows.close('question') });
  /** The sign-in under way, brought up: its question, else its login window. */
  const showPending = () => questions.reveal() || (current?.signIn.authenticator.showPending() ?? false);

  const snapshot = () => current?.runtime.session.snapshot() ?? signedOutSnapshot(settings?.activeProfileId ?? '');
  const sessionView = (): SessionView => ({ snapshot: snapshot(), accountLabels: settings.accountLabels, now: now() });
  let signInKinds: Record<string, SignInKind> = {};
  let hostInstalledFor: string[] = [];
  const settingsView = (): SettingsView => ({ settings, platform: platformName(ports.platform), signInKinds, extensionHostInstalledFor: hostInstalledFor, plugins: current?.runtime.plugins() ?? [] });
  /** What the Settings window and the menu show of the sign-in choices and the extension's connection. */
  async function readSignInState(): Promise<void> {
    signInKinds = Object.fromEntries(await ports.signInChoices.load());
    hostInstalledFor = (await installedFor(ports.extensionHostPlan()).catch(() => [])).map((browser) => BROWSER_LABELS[browser]);
  }
  const offerExtensionHost = () => current?.signIn.extension !== undefined && hostInstalledFor.length === 0;

  async function statusView(): Promise<StatusView> {
    const service = current?.runtime.service();
    // Judged against where tools will look, so a shadowing variable is reported before the first sign-in too.
    const findings = await ports.environmentFindings(service?.imdsUrl ?? plannedImdsUrl(settings));
    return buildStatusView({ snapshot: snapshot(), settings, now: now(), service, findings, extension: current?.signIn.extension?.status() });
  }

  function publish(): void {
    ports.renderTray();
    windows.push('cloudtoken:push:session', sessionView());
    if (windows.isOpen('status')) {
      statusView()
        .then((view) => windows.push('cloudtoken:push:status', view))
        .catch((error: unknown) => logger.warn('Could not update the status window', { error }));
    }
  }

  async function startProfile(profile: IdpProfile): Promise<void> {
    await readSignInState().catch((error: unknown) => logger.warn('Could not read the sign-in choices', { error: describeError(error) }));
    const signIn = ports.signInFor(profile, signInKinds[profile.id] ?? 'window');
    // Before the first sign-in: the silent one at start needs the IdP session of the last run.
    await signIn.savedSession?.restore();
    const runtime = await createProfileRuntime({
      profile,
      settings,
      store,
      authenticator: signIn.authenticator,
      durationLimitsPath: ports.paths.durationLimitsFile,
      roleChoice: 'remember',
      aliasSetup: ports.aliasSetup,
      // Reverted (or not) at quit by the setting as it is then, not as it was at start.
      revertAliasOnClose: false,
      credentialsFile: ports.credentialsFile,
      plugins: {
        launch: ports.launchPlugin,
        notify: (plugin, text) => ports.notify({ title: `Cloudtoken · ${plugin}`, body: text, opensSignIn: false }),
        prompt: (question) => questions.ask(profile.name, question),
        env: ports.env,
        home: ports.paths.home,
        // The CLI's jar for the profile: a sign-in source run by `cloudtoken login` leaves the IdP session the tray refreshes with.
        cookieJarPath: join(ports.paths.cookieJarDir, `${profile.id}.json`),
      },
      logger,
    });
    const off = runtime.on((event) => {
      if (event.type === 'changed' || event.type === 'service-started') publish();
      if (event.type === 'signed-in') {
        runtime.serve().catch(() => undefined);
        void signIn.savedSession?.save();
      }
      if (event.type === 'service-failed') {
        logger.error('The metadata service did not start', { error: event.error });
        ports.notify({ title: 'AWS tools cannot get credentials', body: `The metadata service did not start: ${describeError(event.error)}`, opensSignIn: false });
      }
      if (event.type === 'settings-need-restart') restartProfile().catch((error: unknown) => logger.error('Restarting the session failed', { error }));
      if (event.type === 'plugin-problem') {
        ports.notify({ title: 'A Cloudtoken plugin failed', body: event.message, opensSignIn: false });
        windows.push('cloudtoken:push:settings', settingsView());
        return;
      }
      if (event.type !== 'service-started' && event.type !== 'service-failed' && event.type !== 'settings-need-restart') {
        const content = settings.notifications ? notificationFor(event, { roles: runtime.session.snapshot().roles, labels: settings.accountLabels }) : undefined;
        if (content) ports.notify(content);
      }
    });
    const offExtension = signIn.extension ? followExtension(signIn.extension, runtime.session, logger) : undefined;
    // The CLI's credential_process, env, console, status and refresh reach this session here, and the browser
    // extension's host brings assertions here.
    const channel = await offerSessionChannel({ runtime, home: ports.paths.home, host: 'tray', logger, extension: signIn.extension });
    current = {
      runtime,
      signIn,
      channel,
      off: () => {
        off();
        offExtension?.();
      },
    };
  }

  async function stopProfile(): Promise<void> {
    const running = current;
    current = undefined;
    if (!running) return;
    running.off();
    await running.channel?.close();
    running.signIn.authenticator.cancelPending();
    questions.cancel();
    await running.signIn.savedSession?.save();
    await running.runtime.close();
  }

  /** The active profile anew (another profile chosen, its URL or STS settings changed); called serially. */
  async function replaceProfile(): Promise<void> {
    await stopProfile();
    const profile = activeProfile(settings);
    if (profile) await startProfile(profile);
    publish();
    // The IdP session usually outlives the app: sign in silently where it does.
    current?.runtime.session.signIn({ interactive: false }).catch((error: unknown) => logger.info('Silent sign-in did not complete', { error: describeError(error) }));
  }
  const restartProfile = () => serially(replaceProfile);

  /** New settings, from this app or any other process: the menu, the windows and the runtime follow. */
  async function settingsChanged(next: Settings): Promise<void> {
    const previous = settings;
    settings = next;
    windows.push('cloudtoken:push:settings', settingsView());
    const profile = activeProfile(next);
    if (profile?.id !== current?.runtime.profile.id) await replaceProfile();
    else await current?.runtime.applySettings(next);
    if (previous.startAtLogin !== next.startAtLogin) await applyStartAtLogin(previous.startAtLogin, next.startAtLogin);
    publish();
  }

  /** The OS's login item is the truth: what it says after the change is what the setting shows. */
  async function applyStartAtLogin(was: boolean, wanted: boolean): Promise<void> {
    let actual: boolean;
    try {
      actual = await syncLoginItem(ports.autostart, was, wanted);
    } catch (error) {
      actual = await ports.autostart.isEnabled().catch(() => was);
      ports.notify({ title: 'Cloudtoken', body: `Start at login could not be ${wanted ? 'turned on' : 'turned off'}: ${describeError(error)}`, opensSignIn: false });
    }
    await saveStartAtLogin(actual);
  }

  async function saveStartAtLogin(actual: boolean): Promise<void> {
    if (actual !== settings.startAtLogin) settings = await store.update((latest) => (latest.startAtLogin = actual));
  }

  function signInInteractively(): void {
    if (!current) {
      windows.show('settings');
      return;
    }
    if (showPending()) return;
    current.runtime.session.signIn({ interactive: true }).catch((error: unknown) => logger.info('Sign-in did not complete', { error: describeError(error) }));
  }

  const requireSession = (): CredentialSession => {
    if (!current) throw new Error('Add an identity provider in Settings first.');
    return current.runtime.session;
  };

  const heldCredentials = (what: string) => {
    const held = current?.runtime.session.metadataCredentials();
    if (!held || !current) throw new Error(`There are no valid credentials ${what}.`);
    return { held, region: current.runtime.region() };
  };

  async function action(run: () => unknown): Promise<{ ok: true } | { ok: false; message: string }> {
    try {
      await run();
      return { ok: true };
    } catch (error) {
      return { ok: false, message: describeError(error) };
    }
  }

  /** A profile's way of signing in, chosen in Settings: kept for the next run, and the profile restarts with it. */
  async function chooseSignInKind(profileId: string, kind: SignInKind): Promise<void> {
    if (!settings.idpProfiles.some((p) => p.id === profileId)) throw new Error('There is no such identity provider.');
    await ports.signInChoices.remember(profileId, kind);
    if (current?.runtime.profile.id === profileId) await restartProfile();
    else await readSignInState();
    windows.push('cloudtoken:push:settings', settingsView());
    publish();
  }

  /** Installs the host manifests for every browser, then opens the extension's store page. */
  async function installExtensionHost(): Promise<void> {
    await installHost(ports.extensionHostPlan());
    await readSignInState();
    windows.push('cloudtoken:push:settings', settingsView());
    publish();
    await ports.openExternal(STORE_PAGES.chrome);
  }

  async function saveSettings(edited: Settings) {
    const base = settings;
    try {
      const saved = await store.update((latest) => Object.assign(latest, mergeSettingsEdit(base, edited, latest)));
      await serially(() => settingsChanged(saved));
      return { ok: true as const, settings };
    } catch (error) {
      const errors = error instanceof SettingsFileError && error.errors.length > 0 ? error.errors : [{ field: '', message: describeError(error) }];
      return { ok: false as const, errors };
    }
  }

  const ipc: IpcHandlers = {
    'cloudtoken:roles:get': () => sessionView(),
    'cloudtoken:roles:choose': ({ roleArn }) => action(() => requireSession().chooseRole(roleArn)),
    'cloudtoken:roles:keep-active': ({ roleArn, keep }) => action(() => requireSession().setKeptActive(roleArn, keep)),
    'cloudtoken:settings:get': () => settingsView(),
    'cloudtoken:settings:save': (next) => saveSettings(next),
    'cloudtoken:settings:sign-in-kind': ({ profileId, kind }) => action(() => chooseSignInKind(profileId, kind)),
    'cloudtoken:extension:install-host': () => action(() => installExtensionHost()),
    'cloudtoken:status:get': () => statusView(),
    'cloudtoken:status:copy': ({ target }) =>
      action(() => {
        const service = current?.runtime.service();
        if (!service) throw new Error('The metadata service is not running yet: sign in first.');
        ports.writeClipboard(copyText(target, service));
      }),
    'cloudtoken:session:sign-in': () => action(() => signInInteractively()),
    'cloudtoken:session:refresh': () => action(() => requireSession().refreshNow()),
    'cloudtoken:login:get': () =>
      current?.signIn.loginState() ?? { phase: 'failed', profileName: '', url: undefined, canGoBack: false, notice: undefined, message: 'No identity provider is set up.' },
    'cloudtoken:login:navigate': ({ action: step }) =>
      action(() => {
        if (!current?.signIn.navigate(step)) throw new Error('No sign-in is in progress.');
      }),
    'cloudtoken:login:cancel': () => action(() => current?.signIn.authenticator.cancelPending()),
    'cloudtoken:login:use-system-browser': () =>
      action(() => {
        if (!current?.signIn.authenticator.useSystemBrowser()) throw new Error('No sign-in is in progress.');
      }),
    'cloudtoken:question:get': (_request, sender) => questions.current(sender.webContentsId),
    'cloudtoken:question:answer': ({ id, answer }) => questions.answer(id, answer),
    'cloudtoken:question:cancel': ({ id }) => action(() => questions.cancel(id)),
    'cloudtoken:window:close': (_request, sender) => action(() => windows.close(sender.kind)),
  };

  const copyEnvironment = (kind: ShellKind) => {
    const { held, region } = heldCredentials('to copy');
    ports.writeClipboard(formatEnvAssignments(kind, credentialVariables(held.credentials, { region })));
  };

  const openConsole = async () => {
    const { held, region } = heldCredentials('for the console');
    const url = await consoleUrlForRole(held, { region, issuer: 'Cloudtoken' });
    if (!externalUrlAllowed(url)) throw new Error('The console sign-in link was not an https URL; it was not opened.');
    await ports.openExternal(url);
  };

  const actions: TrayActionHandlers = {
    'sign-in': () => signInInteractively(),
    'show-sign-in': () => showPending(),
    'sign-out': async () => {
      // "Cancel sign-in" too: the session finishes a pending sign-in before it signs out, so end that first.
      current?.signIn.authenticator.cancelPending();
      questions.cancel();
      await current?.runtime.session.signOut();
    },
    'choose-role': ({ roleArn }) => requireSession().chooseRole(roleArn),
    'keep-active': ({ roleArn, keep }) => requireSession().setKeptActive(roleArn, keep),
    'open-role-picker': () => windows.show('roles'),
    refresh: () => requireSession().refreshNow(),
    'copy-env': ({ shell }) => copyEnvironment(shell),
    'open-console': () => openConsole(),
    'open-status': () => windows.show('status'),
    'open-settings': () => windows.show('settings'),
    'set-start-at-login': async ({ enabled }) => {
      await applyStartAtLogin(settings.startAtLogin, enabled);
      publish();
    },
    'install-extension-host': () => installExtensionHost(),
    quit: () => ports.quit(),
  };

  return {
    async start({ hidden }) {
      settings = await store.load();
      // The user may have removed the login item in the system's settings: the OS is what the menu shows.
      loginItemDrift(ports.autostart, settings.startAtLogin)
        .then((actual) => (actual === undefined ? undefined : saveStartAtLogin(actual)))
        .catch((error: unknown) => logger.warn('Could not read start at login from the system', { error: describeError(error) }));
      stopWatching = store.watch((next) => {
        serially(() => settingsChanged(next)).catch((error: unknown) => logger.warn('Could not apply changed settings', { error: describeError(error) }));
      });
      const profile = activeProfile(settings);
      if (!profile) {
        if (!hidden) windows.show('settings');
        publish();
        return;
      }
      await restartProfile();
    },
    ipc,
    actions,
    actionFailed(error, failed) {
      logger.warn('A tray action failed', { action: failed.kind, error: describeError(error) });
      ports.notify({ title: 'Cloudtoken', body: describeError(error), opensSignIn: false });
      ports.renderTray();
    },
    snapshot,
    menuContext: () => ({ accountLabels: settings.accountLabels, startAtLogin: settings.startAtLogin, hasProfiles: settings.idpProfiles.length > 0, offerExtensionHost: offerExtensionHost() }),
    trayClicked() {
      if (!showPending()) windows.show('status');
    },
    reopened() {
      if (!showPending()) windows.show(settings.idpProfiles.length === 0 ? 'settings' : 'status');
    },
    windowClosed(kind, webContentsId) {
      if (kind === 'question') questions.windowClosed(webContentsId);
    },
    resumed() {
      current?.runtime.session.onResume().catch((error: unknown) => logger.warn('Re-evaluating the session after sleep failed', { error }));
    },
    async stop() {
      stopWatching?.();
      const revert = settings.revertAliasOnQuit && current?.runtime.service()?.mode === 'alias';
      await serially(() => stopProfile());
      if (revert) await ports.aliasSetup(settings.imdsPort).manager.revert();
    },
  };
}
