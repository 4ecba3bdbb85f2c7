import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import type { QuestionView, WindowKind } from '../../preload/contract.js';
import { createFormAuthenticator } from '../../main/login/form.js';
import type { AliasSetup } from '../../main/network/setup.js';
import { createCredentialsFile } from '../../main/outputs/credentials-file.js';
import { hostPlan } from '../../main/extension/host-manifests.js';
import { signInPreferences } from '../../main/login/sign-in-preferences.js';
import { extensionProfileSignIn } from '../../main/runtime/extension-profile-sign-in.js';
import { createTrayController, type TrayController } from '../../main/runtime/tray-controller.js';
import { CLOUDTOKEN_BIN } from './cli.js';
import { resolveStatePaths, type StatePaths } from '../../main/settings/paths.js';
import type { Settings } from '../../main/settings/schema.js';
import { createSettingsStore, type SettingsStore } from '../../main/settings/settings-store.js';
import { silentLogger, type Logger } from '../../main/support/logger.js';
import type { NotificationContent } from '../../main/tray/desktop-notifications.js';
import { ALICE, type RunningIdp } from './idp/index.js';
import { forkPluginProcess } from '../../main/plugins/plugin-process.js';

/**
 * The tray app's controller with everything but Electron real: its settings store on a fresh state folder,
 * the runtime, the metadata service. The embedded login window cannot run outside Electron, so each profile
 * signs in with the HTML-form authenticator against the real IdP (the tray-journey test drives the window),
 * except one set to sign in through the browser extension, which runs as in the app.
 * Windows, notifications and the login item record what they are given.
 */
export interface TrayHarness {
  controller: TrayController;
  store: SettingsStore;
  paths: StatePaths;
  home: string;
  notifications: NotificationContent[];
  shown: WindowKind[];
  autostart: { enabled: boolean; calls: boolean[] };
  /** The settings as the Settings window last received them. */
  settings(): Promise<Settings>;
  /** What the Settings window does: edit what it shows, save it through the IPC handler. */
  save(change: (settings: Settings) => void): Promise<void>;
  /** What the question window's page does once the window shows: ask main for the question (IPC port). */
  question(timeoutMs?: number): Promise<QuestionView>;
  /** The question window as a sender of IPC requests. */
  questionWindow: { kind: 'question'; webContentsId: number };
}

export interface TrayHarnessOptions {
  idp: RunningIdp;
  stsUrl: string;
  /** A folder the harness makes its home in. */
  root: string;
  initial: (settings: Settings) => void;
  aliasSetup?: (port: number) => AliasSetup;
  /** The state folder; default a fresh one in `root`. */
  stateHome?: string;
  /** Runs before the app starts, with the state folder (to install plugins into its plugins/). */
  install?: (stateFolder: string) => Promise<void>;
  logger?: Logger;
}

export async function startTrayHarness(options: TrayHarnessOptions): Promise<TrayHarness> {
  const home = await mkdtemp(join(options.root, 'home-'));
  const paths = resolveStatePaths({ env: { CLOUDTOKEN_HOME: options.stateHome ?? join(home, 'state') }, platform: 'linux', homedir: home });
  const store = createSettingsStore({ path: paths.settingsFile });
  await store.update((s) => {
    s.idpProfiles = [{ id: 'idp-corp', name: 'Corp', signInUrl: options.idp.signInUrl }];
    s.activeProfileId = 'idp-corp';
    s.imdsMode = 'loopback';
    s.stsEndpointOverride = options.stsUrl;
    options.initial(s);
  });
  await options.install?.(paths.home);
  const notifications: NotificationContent[] = [];
  const shown: WindowKind[] = [];
  const autostart = { enabled: false, calls: [] as boolean[] };
  let pushedSettings: Settings | undefined;
  const controller = createTrayController({
    store,
    paths,
    platform: 'linux',
    signInChoices: signInPreferences(paths.signInPreferencesFile),
    extensionHostPlan: () => hostPlan({ platform: 'linux', homedir: home, env: {}, stateHome: paths.home, command: [process.execPath, CLOUDTOKEN_BIN], environment: { CLOUDTOKEN_HOME: paths.home } }),
    // "Your browser" as the app runs it; every other kind signs in with the HTML form (the window needs Electron).
    signInFor: (profile, kind) => {
      if (kind === 'extension') return extensionProfileSignIn(profile, { openInBrowser: async () => false, logger: silentLogger });
      const form = createFormAuthenticator({
        signInUrl: profile.signInUrl,
        username: ALICE.username,
        password: async () => ALICE.password,
        askField: async () => '',
        cookieJarPath: join(paths.cookieJarDir, `${profile.id}.json`),
      });
      return {
        authenticator: { ...form, showPending: () => false, cancelPending: () => false, useSystemBrowser: () => false },
        loginState: () => ({ phase: 'waiting', profileName: profile.name, url: undefined, canGoBack: false, notice: undefined, message: undefined }),
        navigate: () => false,
      };
    },
    aliasSetup:
      options.aliasSetup ??
      (() => {
        throw new Error('alias mode needs a network namespace of its own');
      }),
    credentialsFile: () => createCredentialsFile({ env: {}, homedir: home }),
    // The tray's module plugins run in utility processes; a forked Node process is the same host script.
    launchPlugin: forkPluginProcess,
    env: { PATH: process.env.PATH, HOME: home },
    windows: {
      show: (kind) => shown.push(kind),
      isOpen: () => false,
      close: () => undefined,
      push: (channel, payload) => {
        if (channel === 'cloudtoken:push:settings') pushedSettings = (payload as { settings: Settings }).settings;
      },
    },
    notify: (content) => notifications.push(content),
    writeClipboard: () => undefined,
    openExternal: async () => undefined,
    autostart: {
      isEnabled: async () => autostart.enabled,
      setEnabled: async (enabled) => {
        autostart.calls.push(enabled);
        autostart.enabled = enabled;
      },
    },
    environmentFindings: async () => [],
    renderTray: () => undefined,
    quit: () => undefined,
    logger: options.logger ?? silentLogger,
  });
  const sender = { kind: 'settings' as const, webContentsId: 1 };
  const questionWindow = { kind: 'question' as const, webContentsId: 2 };
  const harness: TrayHarness = {
    controller,
    store,
    paths,
    home,
    notifications,
    shown,
    autostart,
    settings: async () => pushedSettings ?? (await controller.ipc['cloudtoken:settings:get'](undefined, sender)).settings,
    async save(change) {
      const edited = structuredClone((await controller.ipc['cloudtoken:settings:get'](undefined, sender)).settings);
      change(edited);
      const result = await controller.ipc['cloudtoken:settings:save'](edited, sender);
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
    },
    async question(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const view = shown.includes('question') ? await controller.ipc['cloudtoken:question:get'](undefined, questionWindow) : null;
        if (view) return view;
        if (Date.now() > deadline) throw new Error(`No question was asked; the session: ${JSON.stringify(controller.snapshot())}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    questionWindow,
  };
  await controller.start({ hidden: true });
  return harness;
}

/** Sign in from the tray menu and pick a role; resolves once the session holds its credentials. */
export async function signInAndChoose(harness: TrayHarness, roleArn: string, timeoutMs = 20_000): Promise<void> {
  harness.controller.actions['sign-in']({ kind: 'sign-in' });
  const deadline = Date.now() + timeoutMs;
  while (harness.controller.snapshot().roles.length < 2) {
    if (Date.now() > deadline) throw new Error(`No roles after signing in: ${JSON.stringify(harness.controller.snapshot())}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await harness.controller.actions['choose-role']({ kind: 'choose-role', roleArn });
}
