import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { Menu, Notification, Tray, app, type NativeImage, clipboard, dialog, ipcMain, nativeImage, powerMonitor, session as electronSession, shell } from 'electron';
import ElectronStore from 'electron-store';
import { embeddedSessionFile } from '../login/browser-session.js';
import type { Authenticator } from '../login/capture.js';
import { createEmbeddedAuthenticator } from '../login/embedded-authenticator.js';
import { loginPartition } from '../login/embedded-capture.js';
import { createEmbeddedSessionStore } from '../login/embedded-session-cookies.js';
import { chromeUserAgent } from '../login/idp-user-agent.js';
import type { SignInKind } from '../login/sign-in-kinds.js';
import { signInPreferences } from '../login/sign-in-preferences.js';
import { hostPlan } from '../extension/host-manifests.js';
import { extensionProfileSignIn } from '../runtime/extension-profile-sign-in.js';
import { createAliasSetup } from '../network/setup.js';
import { createCredentialsFile } from '../outputs/credentials-file.js';
import { detectShadowing, loadShadowingInputs } from '../diagnosis/shadowing.js';
import { createTrayController, type ProfileSignIn } from '../runtime/tray-controller.js';
import { idpNavigationAllowed } from '../security/web-policy.js';
import { resolveStatePaths } from '../settings/paths.js';
import type { IdpProfile } from '../settings/schema.js';
import { createSettingsStore } from '../settings/settings-store.js';
import { trustSystemCertificates } from '../sts/system-trust.js';
import { describeError } from '../support/errors.js';
import { createLogFileSink, teeSink } from '../support/log-file.js';
import { createLogger, stderrSink } from '../support/logger.js';
import { createNotifier } from '../tray/desktop-notifications.js';
import { createAutostart, openedAtLogin } from './login-items.js';
import { captureOnSession } from './partition-capture.js';
import { registerIpcHandlers } from './ipc-handlers.js';
import { onReopen } from './reopen.js';
import { utilityPluginProcess } from './plugin-processes.js';
import { createLoginWindows } from './login-window.js';
import { rendererBaseUrl } from './renderer-url.js';
import { denyPermissions, hardenWebContents } from './security.js';
import { electronStoreBackend } from './electron-store-backend.js';
import { createTray, createTrayActionDispatcher, type TrayController as TrayIcon } from './tray-icon.js';
import { createWindowRegistry, showPageWindow } from './windows.js';

/**
 * The tray app: Electron's objects wired to the controller (main/runtime/tray-controller.ts), which decides
 * what every action means and runs the active profile on the same runtime as `cloudtoken daemon`.
 */

const APP_USER_MODEL_ID = 'io.github.cloudtoken.app';

const paths = resolveStatePaths({ env: process.env, platform: process.platform, homedir: homedir() });
// A launch from Finder, launchd or a login item has no stderr anyone reads: the log goes to a file too.
const logFile = createLogFileSink({ path: paths.trayLogFile, onError: (error) => stderrSink(`Cannot write the log file ${paths.trayLogFile}: ${describeError(error)}`) });
const logger = createLogger({ name: 'tray', sink: teeSink(stderrSink, logFile) });

/**
 * The icon of the macOS admin prompt: sudo-prompt copies it with a shell command, which cannot read inside
 * app.asar, so the copy electron-builder puts in Contents/Resources is used, and none when it is not there.
 */
function macIcon(): { icns?: string } {
  const icns = join(process.resourcesPath, 'icon.icns');
  return process.platform === 'darwin' && existsSync(icns) ? { icns } : {};
}

async function whenReady(hidden: boolean): Promise<void> {
  let store;
  try {
    store = createSettingsStore({ path: paths.settingsFile, backend: electronStoreBackend(ElectronStore, paths), logger });
    await store.load();
  } catch (error) {
    // Nothing is written over a file Cloudtoken cannot read: the user's profiles may be in it.
    dialog.showErrorBox('Cloudtoken cannot start', describeError(error));
    app.exit(1);
    return;
  }
  const location = { appPath: app.getAppPath() };
  let controller: ReturnType<typeof createTrayController> | undefined = undefined;
  const registry = createWindowRegistry({ onClosed: (kind, id) => controller?.windowClosed(kind, id) });
  const signInChoices = signInPreferences(paths.signInPreferencesFile);
  const autostart = createAutostart({ platform: process.platform, app, execPath: process.execPath, packaged: app.isPackaged, appPath: app.getAppPath(), env: process.env, homedir: homedir() });
  let icon: TrayIcon | undefined = undefined;

  const signInFor = (profile: IdpProfile, kind: SignInKind): ProfileSignIn => {
    if (kind === 'extension') return extensionProfileSignIn(profile, { openInBrowser: (url) => shell.openExternal(url).then(() => true, () => false), logger });
    const idpSession = electronSession.fromPartition(loginPartition(profile.id));
    denyPermissions(idpSession);
    idpSession.setUserAgent(chromeUserAgent(idpSession.getUserAgent()));
    // Electron drops session cookies on quit even in a persistent partition: they are kept in a 0600 file.
    const savedSession = createEmbeddedSessionStore({ file: embeddedSessionFile(join(paths.browserProfileDir, profile.id)), cookies: idpSession.cookies, logger });
    const dispatcher = captureOnSession(idpSession, logger);
    const loginWindows = createLoginWindows({ profileName: profile.name, idpSession, location, registry, logger });
    // Built once per profile and only when asked for (playwright-core is large): its queue keeps one browser.
    let browser: Promise<Authenticator> | undefined;
    const systemBrowser = () =>
      (browser ??= import('../login/browser.js').then(({ createBrowserAuthenticator }) =>
        createBrowserAuthenticator({ signInUrl: profile.signInUrl, profileDir: join(paths.browserProfileDir, profile.id), logger }),
      ));
    const authenticator = createEmbeddedAuthenticator({
      signInUrl: profile.signInUrl,
      dispatcher,
      openSurface: (request) => loginWindows.open(request),
      clearPartition: () => idpSession.clearData().then(() => savedSession.forget()),
      systemBrowser: {
        authenticate: async (options) => (await systemBrowser()).authenticate(options),
        signOut: async () => (await systemBrowser()).signOut(),
      },
      preferSystemBrowser: kind === 'system-browser',
      onPreferenceChange: (useBrowser) => {
        signInChoices.remember(profile.id, useBrowser ? 'system-browser' : 'window').catch((error: unknown) => logger.warn('Could not save the sign-in choice', { error }));
      },
      logger,
    });
    return { authenticator, savedSession, loginState: () => loginWindows.state(), navigate: (step) => loginWindows.navigate(step) };
  };

  const notifier = createNotifier({
    create: (options) => new Notification(options),
    isSupported: () => Notification.isSupported(),
    // The controller asks only when the setting is on.
    enabled: () => true,
    openSignIn: () => controller?.actions['sign-in']({ kind: 'sign-in' }),
  });

  controller = createTrayController({
    store,
    paths,
    platform: process.platform,
    signInFor,
    signInChoices,
    // The browser starts this very app as node to run the host: the CLI's entry in the app's own files.
    extensionHostPlan: () =>
      hostPlan({
        platform: process.platform,
        homedir: homedir(),
        env: process.env,
        stateHome: paths.home,
        command: [process.execPath, join(app.getAppPath(), 'dist', 'main', 'cli', 'index.js')],
        environment: { ELECTRON_RUN_AS_NODE: '1', CLOUDTOKEN_HOME: paths.home },
      }),
    aliasSetup: (port) => createAliasSetup({ port, ...macIcon(), logger }),
    credentialsFile: () => createCredentialsFile({ env: process.env, homedir: homedir(), logger }),
    launchPlugin: utilityPluginProcess,
    env: process.env,
    windows: {
      show: (kind) => showPageWindow(kind, location, registry),
      isOpen: (kind) => registry.find(kind) !== undefined,
      close: (kind) => registry.find(kind)?.close(),
      push: (channel, payload) => registry.push(channel, payload),
    },
    notify: (content) => notifier.notify(content),
    writeClipboard: (text) => clipboard.writeText(text),
    openExternal: (url) => shell.openExternal(url),
    autostart,
    environmentFindings: async (endpoint) => detectShadowing(await loadShadowingInputs(process.env, homedir()), { serving: { kind: 'metadata', endpoint } }),
    renderTray: () => icon?.render(),
    quit: () => app.quit(),
    logger,
  });
  const tray = controller;
  registerIpcHandlers({ ipcMain, handlers: tray.ipc, windowKindOf: (id) => registry.kindOf(id), policy: { rendererBaseUrl: rendererBaseUrl(location.appPath) }, logger });


  powerMonitor.on('resume', () => tray.resumed());

  // Quit: stop serving, and remove the alias when the setting says so (asked once, before the app goes).
  let stopped = false;
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    stopped = true;
    tray
      .stop()
      .catch((error: unknown) => logger.error('Stopping the metadata service failed', { error }))
      .finally(() => app.quit());
  });

  // Another launch (from the dock, the start menu, a second click, macOS's Finder) brings up what the user can act on.
  onReopen(app, () => tray.reopened());

  await tray.start({ hidden });
  // After start: the menu describes the settings start has read.
  icon = createTray<NativeImage, Menu>({
    electron: {
      createTray: (image) => new Tray(image),
      buildMenu: (template) => Menu.buildFromTemplate(template),
      imageFromPath: (path) => nativeImage.createFromPath(path),
    },
    appPath: location.appPath,
    platform: process.platform,
    source: { snapshot: () => tray.snapshot(), context: () => tray.menuContext(), now: () => Date.now() },
    run: createTrayActionDispatcher(tray.actions, (error, failed) => tray.actionFailed(error, failed)),
    onClick: () => tray.trayClicked(),
    onMissingIcon: (path) => logger.error('A tray image is missing from the app', { path }),
  });
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
