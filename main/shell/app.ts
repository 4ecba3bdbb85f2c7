import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { Menu, Notification, Tray, app, type NativeImage, clipboard, dialog, ipcMain, nativeImage, powerMonitor, session as electronSession, shell } from 'electron';
import ElectronStore from 'electron-store';
import type { ActionResult, SessionView, StatusView } from '../../preload/contract.js';
import type { Authenticator } from '../login/capture.js';
import { createEmbeddedAuthenticator, type EmbeddedAuthenticator } from '../login/embedded-authenticator.js';
import { loginPartition } from '../login/embedded-capture.js';
import { chromeUserAgent } from '../login/idp-user-agent.js';
import { signInPreferences } from '../login/sign-in-preferences.js';
import { createAliasSetup } from '../network/setup.js';
import { consoleUrlForRole } from '../outputs/console-url.js';
import { detectShadowing, loadShadowingInputs } from '../outputs/shadowing.js';
import { credentialVariables, formatEnvAssignments, type ShellKind } from '../outputs/shell-env.js';
import { externalUrlAllowed, idpNavigationAllowed } from '../security/web-policy.js';
import { startCredentialService, type RunningCredentialService } from '../session/serving.js';
import { createSessionFromSettings, withRoleChoice } from '../session/from-settings.js';
import type { CredentialSession, SessionEvent } from '../session/session.js';
import type { SessionSnapshot } from '../session/types.js';
import { resolveStatePaths } from '../settings/paths.js';
import { durationLimitsFile } from '../sts/duration-limits-file.js';
import { trustSystemCertificates } from '../sts/system-trust.js';
import type { IdpProfile, Settings } from '../settings/schema.js';
import type { StsExchange } from '../sts/assume-role.js';
import { describeError } from '../support/errors.js';
import { createLogFileSink, teeSink } from '../support/log-file.js';
import { createLogger, stderrSink } from '../support/logger.js';
import { activeProfile, buildStatusView, containerPortFor, copyText, plannedImdsUrl, regionFor, rendererBaseUrl, settingsEffects } from './app-model.js';
import { applyStartAtLogin, createAutostart, openedAtLogin, startAtLoginDrift } from './autostart.js';
import { captureOnSession } from './capture.js';
import { createEmbeddedSessions } from './embedded-session.js';
import { registerIpcHandlers, type IpcHandlers } from './ipc.js';
import { createLoginWindows, type LoginWindows } from './login-window.js';
import { createNotifier, notificationFor } from './notifications.js';
import { onReopen } from './reopen.js';
import { denyPermissions, hardenWebContents } from './security.js';
import { createSettingsStore, type SettingsStore } from './store.js';
import { createTray, createTrayActionDispatcher, type TrayController } from './tray.js';
import { createWindowRegistry, showPageWindow, type WindowRegistry } from './windows.js';

/**
 * The tray app's lifecycle: one instance, no window until asked, the credential session of the active IdP
 * profile behind the tray menu, the metadata service started on the first sign-in and stopped on quit.
 * Composes the same core pieces as `cloudtoken daemon` (main/cli/commands/daemon.ts).
 */

const APP_USER_MODEL_ID = 'io.github.cloudtoken.app';

const paths = resolveStatePaths({ env: process.env, platform: process.platform, homedir: homedir() });
// A launch from Finder, launchd or a login item has no stderr anyone reads: the log goes to a file too.
const logFile = createLogFileSink({ path: paths.trayLogFile, onError: (error) => stderrSink(`Cannot write the log file ${paths.trayLogFile}: ${describeError(error)}`) });
const logger = createLogger({ name: 'tray', sink: teeSink(stderrSink, logFile) });
const embeddedSessions = createEmbeddedSessions(paths.browserProfileDir, logger);

/** One IdP profile's session and what serves it. */
interface Runtime {
  profile: IdpProfile;
  session: CredentialSession;
  authenticator: EmbeddedAuthenticator;
  loginWindows: LoginWindows;
  sts: StsExchange;
  service: RunningCredentialService | undefined;
  stop(): Promise<void>;
}

/**
 * The icon of the macOS admin prompt: sudo-prompt copies it with a shell command, which cannot read inside
 * app.asar, so the copy electron-builder puts in Contents/Resources is used, and none when it is not there.
 */
function macIcon(): { icns?: string } {
  const icns = join(process.resourcesPath, 'icon.icns');
  return process.platform === 'darwin' && existsSync(icns) ? { icns } : {};
}

function signedOutSnapshot(profileId: string): SessionSnapshot {
  return { profileId, phase: 'signed-out', roles: [], active: [], metadataRoleArn: undefined, nextRefreshAt: undefined, lastRefreshAt: undefined, error: undefined };
}

async function action(run: () => Promise<unknown>): Promise<ActionResult> {
  try {
    await run();
    return { ok: true };
  } catch (error) {
    return { ok: false, message: describeError(error) };
  }
}

async function whenReady(hidden: boolean): Promise<void> {
  let store: SettingsStore;
  let settings: Settings;
  try {
    store = createSettingsStore(ElectronStore, paths);
    settings = store.read();
  } catch (error) {
    // Nothing is written over a file Cloudtoken cannot read: the user's profiles may be in it.
    dialog.showErrorBox('Cloudtoken cannot start', describeError(error));
    app.exit(1);
    return;
  }
  const limitsFile = durationLimitsFile(paths.durationLimitsFile, { logger });
  // Kept up to date in memory too: a profile switch starts a new STS exchange that should know them.
  const durationLimits = await limitsFile.load();
  const signInChoices = signInPreferences(paths.signInPreferencesFile);
  const systemBrowserProfiles = await signInChoices.load();
  const location = { appPath: app.getAppPath() };
  const registry: WindowRegistry = createWindowRegistry();
  const autostart = createAutostart({ platform: process.platform, app, execPath: process.execPath, packaged: app.isPackaged, appPath: app.getAppPath(), env: process.env, homedir: homedir() });
  let runtime: Runtime | undefined;
  let tray: TrayController | undefined = undefined;

  const saveSettings = (next: Settings) => {
    settings = store.write(next);
    registry.push('cloudtoken:push:settings', { settings, platform: platformName() });
  };
  const snapshot = () => runtime?.session.snapshot() ?? signedOutSnapshot(settings.activeProfileId ?? '');
  const sessionView = (): SessionView => ({ snapshot: snapshot(), accountLabels: settings.accountLabels, now: Date.now() });

  const notifier = createNotifier({
    create: (options) => {
      const notification = new Notification(options);
      return notification;
    },
    isSupported: () => Notification.isSupported(),
    enabled: () => settings.notifications,
    openSignIn: () => signInInteractively(),
  });

  function platformName() {
    const platform = process.platform;
    return platform === 'linux' || platform === 'darwin' || platform === 'win32' ? platform : 'other';
  }

  async function statusView(): Promise<StatusView> {
    const service = runtime?.service;
    // Judged against where tools will look, so a shadowing variable is reported before the first sign-in too.
    const endpoint = service?.imdsUrl ?? plannedImdsUrl(settings);
    const findings = detectShadowing(await loadShadowingInputs(process.env, homedir()), { serving: { kind: 'metadata', endpoint } });
    return buildStatusView({ snapshot: snapshot(), settings, now: Date.now(), service, findings });
  }

  const publish = () => {
    tray?.render();
    registry.push('cloudtoken:push:session', sessionView());
    if (registry.find('status')) {
      statusView()
        .then((view) => registry.push('cloudtoken:push:status', view))
        .catch((error: unknown) => logger.warn('Could not update the status window', { error }));
    }
  };

  // One start at a time: two quick sign-ins must not race for the same ports.
  const starting = new WeakMap<Runtime, Promise<void>>();
  function ensureService(current: Runtime): Promise<void> {
    if (current.service) return Promise.resolve();
    const pending = starting.get(current) ?? startService(current).finally(() => starting.delete(current));
    starting.set(current, pending);
    return pending;
  }

  async function startService(current: Runtime): Promise<void> {
    const mode = settings.imdsMode;
    const service = await startCredentialService({
      session: current.session,
      mode,
      port: settings.imdsPort,
      containerPort: containerPortFor(settings.imdsPort),
      region: () => regionFor(current.profile, settings),
      tokensRequired: settings.tokensRequired,
      ...(mode === 'alias' ? { alias: createAliasSetup({ port: settings.imdsPort, ...macIcon(), logger }) } : {}),
      // Reverted (or not) at quit by the setting as it is then, not as it was at start.
      revertAliasOnClose: false,
      logger,
    });
    // The profile changed (or the app is quitting) while the service started: it serves nobody now.
    if (runtime !== current) {
      await service.close();
      return;
    }
    current.service = service;
    publish();
  }

  function startRuntime(profile: IdpProfile): Runtime {
    const idpSession = electronSession.fromPartition(loginPartition(profile.id));
    denyPermissions(idpSession);
    idpSession.setUserAgent(chromeUserAgent(idpSession.getUserAgent()));
    const dispatcher = captureOnSession(idpSession, logger);
    const loginWindows = createLoginWindows({ profileName: profile.name, idpSession, location, registry, logger });
    const systemBrowser: Authenticator = {
      // Loaded only when asked for: playwright-core is large.
      authenticate: async (options) => {
        const { createBrowserAuthenticator } = await import('../login/browser.js');
        return createBrowserAuthenticator({ signInUrl: profile.signInUrl, profileDir: join(paths.browserProfileDir, profile.id), logger }).authenticate(options);
      },
      signOut: async () => {
        const { createBrowserAuthenticator } = await import('../login/browser.js');
        await createBrowserAuthenticator({ signInUrl: profile.signInUrl, profileDir: join(paths.browserProfileDir, profile.id), logger }).signOut();
      },
    };
    const authenticator = createEmbeddedAuthenticator({
      signInUrl: profile.signInUrl,
      dispatcher,
      openSurface: (request) => loginWindows.open(request),
      clearPartition: () => idpSession.clearData().then(() => embeddedSessions.forget(profile.id)),
      systemBrowser,
      preferSystemBrowser: systemBrowserProfiles.has(profile.id),
      onPreferenceChange: (useBrowser) => {
        if (useBrowser) systemBrowserProfiles.add(profile.id);
        else systemBrowserProfiles.delete(profile.id);
        signInChoices.remember(profile.id, useBrowser).catch((error: unknown) => logger.warn('Could not save the sign-in choice', { error }));
      },
      logger,
    });
    const { session, sts } = createSessionFromSettings({
      settings,
      profile,
      authenticator,
      logger,
      durationLimits,
      onDurationLimit: (roleArn, seconds) => {
        durationLimits[roleArn] = seconds;
        limitsFile.remember(roleArn, seconds).catch((error: unknown) => logger.warn('Could not save a role’s session limit', { error }));
      },
      onChoiceChanged: (choice) => {
        try {
          saveSettings(withRoleChoice(settings, profile.id, choice));
        } catch (error) {
          logger.warn('Could not save the role choice', { error });
        }
      },
    });
    const current: Runtime = {
      profile,
      session,
      authenticator,
      loginWindows,
      sts,
      service: undefined,
      async stop() {
        off();
        session.dispose();
        sts.close();
        await current.service?.close();
        current.service = undefined;
      },
    };
    const off = session.on((event: SessionEvent) => {
      if (event.type === 'changed') publish();
      if (event.type === 'signed-in') {
        void embeddedSessions.save(profile.id);
        ensureService(current).catch((error: unknown) => {
          logger.error('The metadata service did not start', { error });
          notifier.notify({ title: 'AWS tools cannot get credentials', body: `The metadata service did not start: ${describeError(error)}`, opensSignIn: false });
        });
      }
      const content = notificationFor(event, { roles: session.snapshot().roles, labels: settings.accountLabels });
      if (content) notifier.notify(content);
    });
    return current;
  }

  function signInInteractively(): void {
    if (!runtime) {
      showPageWindow('settings', location, registry);
      return;
    }
    if (runtime.authenticator.showPending()) return;
    runtime.session.signIn({ interactive: true }).catch((error: unknown) => logger.info('Sign-in did not complete', { error: describeError(error) }));
  }

  async function applySettings(previous: Settings): Promise<void> {
    const effects = settingsEffects(previous, settings);
    if (effects.restartSession) {
      await runtime?.stop();
      const profile = activeProfile(settings);
      if (profile) await embeddedSessions.restore(profile.id);
      runtime = profile ? startRuntime(profile) : undefined;
    } else if (effects.restartService && runtime?.service) {
      await runtime.service.close();
      runtime.service = undefined;
      if (runtime.session.metadataCredentials()) await ensureService(runtime);
    }
    publish();
  }

  const withSession = (run: (session: CredentialSession) => Promise<unknown>) =>
    action(async () => {
      if (!runtime) throw new Error('Add an identity provider in Settings first.');
      await run(runtime.session);
    });

  async function copyCredentials(kind: ShellKind): Promise<void> {
    const held = runtime?.session.metadataCredentials();
    if (!held || !runtime) throw new Error('There are no valid credentials to copy.');
    clipboard.writeText(formatEnvAssignments(kind, credentialVariables(held.credentials, { region: regionFor(runtime.profile, settings) })));
  }

  async function openConsole(): Promise<void> {
    const held = runtime?.session.metadataCredentials();
    if (!held || !runtime) throw new Error('There are no valid credentials for the console.');
    const url = await consoleUrlForRole(held, { region: regionFor(runtime.profile, settings), issuer: 'Cloudtoken' });
    if (!externalUrlAllowed(url)) throw new Error('The console sign-in link was not an https URL; it was not opened.');
    await shell.openExternal(url);
  }

  const handlers: IpcHandlers = {
    'cloudtoken:roles:get': () => sessionView(),
    'cloudtoken:roles:choose': ({ roleArn }) => withSession((s) => s.chooseRole(roleArn)),
    'cloudtoken:roles:keep-active': ({ roleArn, keep }) => withSession((s) => s.setKeptActive(roleArn, keep)),
    'cloudtoken:settings:get': () => ({ settings, platform: platformName() }),
    'cloudtoken:settings:save': async (requested) => {
      const previous = settings;
      try {
        saveSettings({ ...requested, startAtLogin: await applyStartAtLogin(autostart, previous.startAtLogin, requested.startAtLogin) });
      } catch (error) {
        const errors = (error as { errors?: [] }).errors;
        return { ok: false, errors: errors && errors.length > 0 ? errors : [{ field: '', message: describeError(error) }] };
      }
      await applySettings(previous);
      return { ok: true, settings };
    },
    'cloudtoken:status:get': () => statusView(),
    'cloudtoken:status:copy': ({ target }) =>
      action(async () => {
        const service = runtime?.service;
        if (!service) throw new Error('The metadata service is not running yet: sign in first.');
        clipboard.writeText(copyText(target, service));
      }),
    'cloudtoken:session:sign-in': () => action(async () => signInInteractively()),
    'cloudtoken:session:refresh': () => withSession((s) => s.refreshNow()),
    'cloudtoken:login:get': () => runtime?.loginWindows.state() ?? { phase: 'failed', profileName: '', url: undefined, canGoBack: false, notice: undefined, message: 'No identity provider is set up.' },
    'cloudtoken:login:navigate': ({ action: step }) =>
      action(async () => {
        if (!runtime?.loginWindows.navigate(step)) throw new Error('No sign-in is in progress.');
      }),
    'cloudtoken:login:cancel': () =>
      action(async () => {
        runtime?.authenticator.cancelPending();
      }),
    'cloudtoken:login:use-system-browser': () =>
      action(async () => {
        if (!runtime?.authenticator.useSystemBrowser()) throw new Error('No sign-in is in progress.');
      }),
    'cloudtoken:window:close': (_request, sender) =>
      action(async () => {
        registry.find(sender.kind)?.close();
      }),
  };
  registerIpcHandlers({ ipcMain, handlers, windowKindOf: (id) => registry.kindOf(id), policy: { rendererBaseUrl: rendererBaseUrl(location.appPath) }, logger });

  const run = createTrayActionDispatcher(
    {
      'sign-in': () => signInInteractively(),
      'show-sign-in': () => runtime?.authenticator.showPending(),
      'sign-out': async () => {
        // "Cancel sign-in" too: the session finishes a pending sign-in before it signs out, so end that first.
        runtime?.authenticator.cancelPending();
        await runtime?.session.signOut();
      },
      'choose-role': ({ roleArn }) => runtime?.session.chooseRole(roleArn),
      'keep-active': ({ roleArn, keep }) => runtime?.session.setKeptActive(roleArn, keep),
      'open-role-picker': () => showPageWindow('roles', location, registry),
      refresh: () => runtime?.session.refreshNow(),
      'copy-env': ({ shell: kind }) => copyCredentials(kind),
      'open-console': () => openConsole(),
      'open-status': () => showPageWindow('status', location, registry),
      'open-settings': () => showPageWindow('settings', location, registry),
      'set-start-at-login': async ({ enabled }) => {
        saveSettings({ ...settings, startAtLogin: await applyStartAtLogin(autostart, settings.startAtLogin, enabled) });
        publish();
      },
      quit: () => app.quit(),
    },
    (error, failed) => {
      logger.warn('A tray action failed', { action: failed.kind, error: describeError(error) });
      notifier.notify({ title: 'Cloudtoken', body: describeError(error), opensSignIn: false });
      tray?.render();
    },
  );

  tray = createTray<NativeImage, Menu>({
    electron: {
      createTray: (image) => new Tray(image),
      buildMenu: (template) => Menu.buildFromTemplate(template),
      imageFromPath: (path) => nativeImage.createFromPath(path),
    },
    appPath: location.appPath,
    platform: process.platform,
    source: {
      snapshot,
      context: () => ({ accountLabels: settings.accountLabels, startAtLogin: settings.startAtLogin, hasProfiles: settings.idpProfiles.length > 0 }),
      now: () => Date.now(),
    },
    run,
    onClick: () => (runtime?.authenticator.showPending() ? undefined : showPageWindow('status', location, registry)),
    onMissingIcon: (path) => logger.error('A tray image is missing from the app', { path }),
  });

  // The user may have removed the login item in the system's settings: the OS is what the menu shows.
  startAtLoginDrift(autostart, settings.startAtLogin)
    .then((actual) => {
      if (actual === undefined) return;
      saveSettings({ ...settings, startAtLogin: actual });
      publish();
    })
    .catch((error: unknown) => logger.warn('Could not read start at login from the system', { error }));

  powerMonitor.on('resume', () => {
    runtime?.session.onResume().catch((error: unknown) => logger.warn('Re-evaluating the session after sleep failed', { error }));
  });

  // Quit: stop serving, and remove the alias when the setting says so (asked once, before the app goes).
  let stopped = false;
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    stopped = true;
    const current = runtime;
    const revert = settings.revertAliasOnQuit && current?.service?.mode === 'alias';
    (async () => {
      await embeddedSessions.saveAll();
      await current?.stop();
      if (revert) await createAliasSetup({ port: settings.imdsPort, logger }).manager.revert();
    })()
      .catch((error: unknown) => logger.error('Stopping the metadata service failed', { error }))
      .finally(() => app.quit());
  });

  // Another launch (from the dock, the start menu, a second click, macOS's Finder) brings up what the user can act on.
  onReopen(app, () => {
    if (!runtime?.authenticator.showPending()) showPageWindow(settings.idpProfiles.length === 0 ? 'settings' : 'status', location, registry);
  });

  const profile = activeProfile(settings);
  if (!profile) {
    if (!hidden) showPageWindow('settings', location, registry);
    return;
  }
  // Electron drops session cookies on quit even in a persistent partition: the saved ones go back first.
  await embeddedSessions.restore(profile.id);
  runtime = startRuntime(profile);
  publish();
  // The IdP session usually outlives the app (persistent partition, saved session cookies): sign in silently where it does.
  runtime.session.signIn({ interactive: false }).catch((error: unknown) => logger.info('Silent sign-in at start did not complete', { error: describeError(error) }));
}

export function startTrayApp(): void {
  app.setPath('userData', paths.electronUserData);
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  if (process.platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);
  trustSystemCertificates(tls, logger);
  // A tray app lives on with no window open (this listener alone stops Electron's default quit).
  app.on('window-all-closed', () => {});
  app.on('web-contents-created', (_event, contents) => {
    hardenWebContents(contents, {
      // Our pages never navigate; only a view of a login partition follows its IdP.
      navigationAllowed: (target, url) => target.session !== electronSession.defaultSession && idpNavigationAllowed(url),
      openExternal: (url) => shell.openExternal(url),
      logger,
    });
  });
  app
    .whenReady()
    .then(async () => {
      denyPermissions(electronSession.defaultSession);
      return whenReady(await openedAtLogin(app, process.platform, process.argv));
    })
    .catch((error: unknown) => {
      logger.error('Cloudtoken failed to start', { error });
      dialog.showErrorBox('Cloudtoken failed to start', describeError(error));
      app.exit(1);
    });
}
