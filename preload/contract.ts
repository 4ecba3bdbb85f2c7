/**
 * The IPC contract between the main process and the renderer pages: channel names, what each request
 * carries and answers, and what main pushes. Shared by main/shell (handlers), preload/index.ts (the bridge),
 * renderer/lib/bridge.ts and the renderer tests' fake bridge, so all four are checked against one map.
 *
 * Type-only imports: at run time this module is a few constant tables and nothing else, which is what lets
 * the sandboxed preload bundle it.
 */
import type { PluginStatus } from '../main/channel/protocol.js';
import type { SignInKind } from '../main/login/sign-in-kinds.js';
import type { SessionSnapshot } from '../main/session/types.js';
import type { FieldError, ImdsMode, Settings } from '../main/settings/schema.js';

/** The renderer windows; each may use only the channels listed for it below. */
export type WindowKind = 'login' | 'roles' | 'settings' | 'status' | 'question';

/** The answer of a request that does something and may be refused with a message for the user. */
export type ActionResult = { ok: true } | { ok: false; message: string };

/** What the role picker and the tray-adjacent windows need of the session. */
export interface SessionView {
  snapshot: SessionSnapshot;
  accountLabels: Record<string, string>;
  /** Main's clock (epoch ms) when the view was made, so pages compute "time left" against main's time. */
  now: number;
}

export type LoginPhase =
  /** The IdP page is loading. */
  | 'loading'
  /** The IdP page is shown; waiting for the user to sign in. */
  | 'waiting'
  /** The SAML response was captured; Cloudtoken is exchanging it with AWS. */
  | 'captured'
  /** Something went wrong; `message` says what. */
  | 'failed';

export interface LoginWindowState {
  phase: LoginPhase;
  /** The IdP profile's name, for the window's heading. */
  profileName: string;
  /** The URL currently shown in the IdP view (undefined before the first navigation). */
  url: string | undefined;
  canGoBack: boolean;
  /** Why the window is showing, e.g. "Your identity provider wants you to sign in again." */
  notice: string | undefined;
  message: string | undefined;
}

export interface SettingsView {
  settings: Settings;
  /** Lets the page word platform-specific options (the alias needs an administrator prompt). */
  platform: 'linux' | 'darwin' | 'win32' | 'other';
  /** The plugins the running session runs (the settings name them), with their state. */
  plugins: PluginStatus[];
  /** How each profile signs in; a profile not named here uses Cloudtoken's window. */
  signInKinds: Record<string, SignInKind>;
  /** The browsers (their names, for people) the extension's connection to Cloudtoken (native messaging host) is installed for. */
  extensionHostInstalledFor: string[];
}

/** A sign-in plugin's question, as the question window shows it (its answer never travels back this way). */
export interface QuestionView {
  /** Which question this is: an answer or a cancel names it, so one meant for a question already gone is refused. */
  id: number;
  profileName: string;
  label: string;
  /** Not echoed: a password field. */
  secret: boolean;
}

export type SaveSettingsResult = { ok: true; settings: Settings } | { ok: false; errors: FieldError[] };

/** A problem that would stop AWS tools from using the metadata service, detected by main. */
export interface EnvironmentWarning {
  code: string;
  message: string;
}

export interface ContainerVariable {
  name: string;
  /** Shown as is, except secret values, which main masks; copying goes through `status:copy`. */
  value: string;
  secret: boolean;
}

export interface StatusView extends SessionView {
  imds: {
    mode: ImdsMode;
    /** What AWS tools reach, e.g. http://169.254.169.254 or http://127.0.0.1:9911. */
    address: string;
    listening: boolean;
    tokensRequired: boolean;
  };
  containerVariables: ContainerVariable[];
  warnings: EnvironmentWarning[];
  /** Set when the profile signs in through the browser extension: whether (and from which browsers) it is connected. */
  extension: { connected: number; browsers: string[] } | undefined;
}

export type CopyTarget = 'container-env-sh' | 'container-env-powershell' | 'imds-address';
export const COPY_TARGETS: readonly CopyTarget[] = ['container-env-sh', 'container-env-powershell', 'imds-address'];

/** Requests: renderer → main (`invoke`/`handle`). `request: undefined` means the call takes no argument. */
export interface RequestContract {
  'cloudtoken:roles:get': { request: undefined; response: SessionView };
  'cloudtoken:roles:choose': { request: { roleArn: string }; response: ActionResult };
  'cloudtoken:roles:keep-active': { request: { roleArn: string; keep: boolean }; response: ActionResult };
  'cloudtoken:settings:get': { request: undefined; response: SettingsView };
  'cloudtoken:settings:save': { request: Settings; response: SaveSettingsResult };
  'cloudtoken:settings:sign-in-kind': { request: { profileId: string; kind: SignInKind }; response: ActionResult };
  'cloudtoken:extension:install-host': { request: undefined; response: ActionResult };
  'cloudtoken:status:get': { request: undefined; response: StatusView };
  'cloudtoken:status:copy': { request: { target: CopyTarget }; response: ActionResult };
  'cloudtoken:session:sign-in': { request: undefined; response: ActionResult };
  'cloudtoken:session:refresh': { request: undefined; response: ActionResult };
  'cloudtoken:login:get': { request: undefined; response: LoginWindowState };
  'cloudtoken:login:navigate': { request: { action: 'back' | 'reload' }; response: ActionResult };
  'cloudtoken:login:cancel': { request: undefined; response: ActionResult };
  'cloudtoken:login:use-system-browser': { request: undefined; response: ActionResult };
  /** The question waiting for an answer; null once it is answered, cancelled or given up. */
  'cloudtoken:question:get': { request: undefined; response: QuestionView | null };
  'cloudtoken:question:answer': { request: { id: number; answer: string }; response: ActionResult };
  'cloudtoken:question:cancel': { request: { id: number }; response: ActionResult };
  'cloudtoken:window:close': { request: undefined; response: ActionResult };
}

/** Pushes: main → renderer (`webContents.send`), each to the windows that show it. */
export interface PushContract {
  'cloudtoken:push:session': SessionView;
  'cloudtoken:push:status': StatusView;
  'cloudtoken:push:login': LoginWindowState;
  'cloudtoken:push:settings': SettingsView;
}

export type RequestChannel = keyof RequestContract;
export type PushChannel = keyof PushContract;
export type RequestOf<C extends RequestChannel> = RequestContract[C]['request'];
export type ResponseOf<C extends RequestChannel> = RequestContract[C]['response'];
export type PushPayload<P extends PushChannel> = PushContract[P];
/** The arguments of `invoke` after the channel: none for `request: undefined`. */
/** What main answers on each request channel; a Record over every channel, so a new one does not compile until handled. */
export type IpcHandlers = { [C in RequestChannel]: (request: RequestOf<C>, sender: { kind: WindowKind; webContentsId: number }) => Promise<ResponseOf<C>> | ResponseOf<C> };
export type RequestArgs<C extends RequestChannel> = RequestOf<C> extends undefined ? [] : [request: RequestOf<C>];

// Every channel carries the prefix: a channel without it fails to compile here.
type Prefixed<T extends `cloudtoken:${string}`> = T;
type _EveryChannelIsPrefixed = Prefixed<RequestChannel | PushChannel>;

/**
 * Which windows may send each request. A `Record` over the contract's keys, so adding a channel without
 * deciding who may call it does not compile; it is also the preload's run-time allow-list.
 */
export const REQUEST_WINDOWS = {
  'cloudtoken:roles:get': ['roles'],
  'cloudtoken:roles:choose': ['roles'],
  'cloudtoken:roles:keep-active': ['roles'],
  'cloudtoken:settings:get': ['settings'],
  'cloudtoken:settings:save': ['settings'],
  'cloudtoken:settings:sign-in-kind': ['settings'],
  'cloudtoken:extension:install-host': ['settings', 'status'],
  'cloudtoken:status:get': ['status'],
  'cloudtoken:status:copy': ['status'],
  'cloudtoken:session:sign-in': ['status'],
  'cloudtoken:session:refresh': ['status'],
  'cloudtoken:login:get': ['login'],
  'cloudtoken:login:navigate': ['login'],
  'cloudtoken:login:cancel': ['login'],
  'cloudtoken:login:use-system-browser': ['login'],
  'cloudtoken:question:get': ['question'],
  'cloudtoken:question:answer': ['question'],
  'cloudtoken:question:cancel': ['question'],
  'cloudtoken:window:close': ['login', 'roles', 'settings', 'status'],
} as const satisfies Record<RequestChannel, readonly WindowKind[]>;

/** Which windows receive each push. */
export const PUSH_WINDOWS = {
  'cloudtoken:push:session': ['roles'],
  'cloudtoken:push:status': ['status'],
  'cloudtoken:push:login': ['login'],
  'cloudtoken:push:settings': ['settings'],
} as const satisfies Record<PushChannel, readonly WindowKind[]>;

export function isRequestChannel(value: unknown): value is RequestChannel {
  return typeof value === 'string' && Object.hasOwn(REQUEST_WINDOWS, value);
}

export function isPushChannel(value: unknown): value is PushChannel {
  return typeof value === 'string' && Object.hasOwn(PUSH_WINDOWS, value);
}

/** What the preload exposes as `window.cloudtoken`: two functions, no Electron object. */
export interface CloudtokenBridge {
  invoke<C extends RequestChannel>(channel: C, ...request: RequestArgs<C>): Promise<ResponseOf<C>>;
  /** Returns the function that stops listening. */
  subscribe<P extends PushChannel>(channel: P, listener: (payload: PushPayload<P>) => void): () => void;
}

/**
 * Height in CSS pixels of the login window's own toolbar and status strip (renderer/login): the shell
 * places the IdP's WebContentsView right below it.
 */
export const LOGIN_CHROME_HEIGHT = 88;
