/**
 * The few WebExtension APIs the extension uses, typed here (no @types package is installed): Chrome's
 * `chrome.*` and Firefox's `browser.*` share these shapes, promise-returning.
 */
interface WebExtEvent<F> {
  addListener(listener: F, ...extra: unknown[]): void;
}
interface NativePort {
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: WebExtEvent<(message: unknown) => void>;
  onDisconnect: WebExtEvent<() => void>;
}
interface WebRequestDetails {
  url: string;
  method: string;
  tabId: number;
  type: string;
  initiator?: string;
  originUrl?: string;
  requestBody?: { formData?: Record<string, string[]>; raw?: Array<{ bytes?: ArrayBuffer }>; error?: string };
}
interface WebExtTab {
  id?: number;
  windowId: number;
}
interface WebExtApi {
  runtime: {
    connectNative(name: string): NativePort;
    getURL(path: string): string;
    getManifest(): { version: string };
    lastError?: { message?: string };
    onStartup: WebExtEvent<() => void>;
  };
  webRequest: { onBeforeRequest: WebExtEvent<(details: WebRequestDetails) => unknown> };
  tabs: {
    create(options: { url: string; active: boolean }): Promise<WebExtTab>;
    update(tabId: number, options: { url?: string; active?: boolean }): Promise<WebExtTab>;
    remove(tabId: number): Promise<void>;
    onRemoved: WebExtEvent<(tabId: number) => void>;
    onUpdated: WebExtEvent<(tabId: number, change: { status?: string }) => void>;
  };
  windows: {
    create(options: { url: string; focused: boolean; state?: string }): Promise<{ id?: number; tabs?: WebExtTab[] }>;
    update(windowId: number, options: { focused: boolean }): Promise<unknown>;
  };
  storage: {
    local: { get(keys: string[]): Promise<Record<string, unknown>>; set(items: Record<string, unknown>): Promise<void> };
    onChanged: WebExtEvent<(changes: Record<string, { newValue?: unknown }>, area: string) => void>;
  };
  permissions: { request(p: { origins: string[] }): Promise<boolean>; contains(p: { origins: string[] }): Promise<boolean> };
  declarativeNetRequest?: { updateEnabledRulesets(options: { enableRulesetIds?: string[]; disableRulesetIds?: string[] }): Promise<void> };
}
declare const chrome: WebExtApi;
declare const browser: WebExtApi | undefined;
/** Set by scripts/build.mjs for each build. */
declare const __TARGET__: 'chrome' | 'firefox';
