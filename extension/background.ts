import { classifyAcsUrl } from '../main/saml/acs.js';
import { ACS_HOST_PERMISSIONS, BLOCK_RULESET_ID } from '../main/extension/browser-build.js';
import { NATIVE_HOST_NAME } from '../main/extension/identity.js';
import type { ExtensionMessage, HostMessage } from '../main/extension/messages.js';
import { api, HOST_STATE, LET_CONSOLE_THROUGH } from './api.js';

/**
 * The extension's one script. It watches form POSTs to AWS's SAML endpoints (and nothing else: its host
 * permissions are those endpoints), hands the SAMLResponse to Cloudtoken through the native messaging host,
 * and keeps the POST from reaching AWS unless the user chose to let the console sign-in through. It reads no
 * page and injects nothing. The port to the host stays open (which also keeps Chrome's worker alive), so
 * Cloudtoken can ask for a silent sign-in: a background tab on the IdP's URL that closes itself.
 */

/** A silent task's tab that rests on a page for this long without posting to AWS shows an IdP asking for the user. */
const SETTLE_MS = 5_000;
/** A silent task gives up waiting for the IdP (slow, or a redirect loop) after this long and shows its tab. */
const SILENT_LIMIT_MS = 45_000;
const RECONNECT_MAX_MS = 60_000;

interface Task {
  taskId: string;
  interactive: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
}

let port: NativePort | undefined;
let reconnectMs = 1_000;
let nextId = 1;
const answers = new Map<number, (result: { accepted: boolean; message: string }) => void>();
const taskTabs = new Map<number, Task>();
let letThrough = api.storage.local.get([LET_CONSOLE_THROUGH]).then((items) => items[LET_CONSOLE_THROUGH] === true);

function send(message: ExtensionMessage): boolean {
  if (!port) connect();
  try {
    port?.postMessage(message);
    return port !== undefined;
  } catch {
    return false;
  }
}

function connect(): void {
  const opened = api.runtime.connectNative(NATIVE_HOST_NAME);
  port = opened;
  opened.onMessage.addListener((message) => {
    reconnectMs = 1_000;
    onHostMessage(message as HostMessage);
  });
  opened.onDisconnect.addListener(() => {
    if (port === opened) port = undefined;
    void api.storage.local.set({ [HOST_STATE]: { connected: false, reason: api.runtime.lastError?.message ?? 'The Cloudtoken host ended.' } });
    for (const [id, settle] of answers) {
      answers.delete(id);
      settle({ accepted: false, message: 'Cloudtoken’s host stopped before it answered.' });
    }
    setTimeout(() => port ?? connect(), reconnectMs);
    reconnectMs = Math.min(reconnectMs * 2, RECONNECT_MAX_MS);
  });
  opened.postMessage({ type: 'hello', version: api.runtime.getManifest().version, userAgent: navigator.userAgent } satisfies ExtensionMessage);
}

function onHostMessage(message: HostMessage): void {
  switch (message.type) {
    case 'welcome':
      void api.storage.local.set({ [HOST_STATE]: { connected: true, sessions: message.sessions, idpOrigins: message.idpOrigins } });
      break;
    case 'assertion-result':
      answers.get(message.id)?.(message);
      answers.delete(message.id);
      break;
    case 'open':
      openTask(message).catch(() => send({ type: 'task-update', taskId: message.taskId, state: 'closed' }));
      break;
  }
}

async function openTask(message: Extract<HostMessage, { type: 'open' }>): Promise<void> {
  let tab: WebExtTab | undefined;
  try {
    tab = await api.tabs.create({ url: message.url, active: message.interactive });
  } catch {
    // No window to put a tab in (the browser runs without one): a window of its own, out of the way.
    tab = (await api.windows.create({ url: message.url, focused: message.interactive, ...(message.interactive ? {} : { state: 'minimized' }) })).tabs?.[0];
  }
  if (tab?.id === undefined) throw new Error('no tab');
  if (message.interactive) await api.windows.update(tab.windowId, { focused: true });
  const task: Task = { taskId: message.taskId, interactive: message.interactive, timer: undefined };
  taskTabs.set(tab.id, task);
  if (!message.interactive) wantsUserAfter(tab.id, task, SILENT_LIMIT_MS);
}

/** The IdP shows a page of its own instead of posting to AWS: the tab comes to the front, Cloudtoken is told. */
function wantsUserAfter(tabId: number, task: Task, ms: number): void {
  if (task.timer) clearTimeout(task.timer);
  task.timer = setTimeout(() => {
    if (task.interactive) return;
    task.interactive = true;
    void api.tabs.update(tabId, { active: true }).then((tab) => api.windows.update(tab.windowId, { focused: true })).catch(() => undefined);
    send({ type: 'task-update', taskId: task.taskId, state: 'needs-user' });
  }, ms);
}

api.tabs.onUpdated.addListener((tabId, change) => {
  const task = taskTabs.get(tabId);
  if (task && !task.interactive && change.status === 'complete') wantsUserAfter(tabId, task, SETTLE_MS);
});
api.tabs.onRemoved.addListener((tabId) => {
  const task = taskTabs.get(tabId);
  if (!task) return;
  taskTabs.delete(tabId);
  if (task.timer) clearTimeout(task.timer);
  send({ type: 'task-update', taskId: task.taskId, state: 'closed' });
});

/** The form fields as the IdP posted them; Chrome parses urlencoded forms, otherwise the raw bytes are. */
function formOf(details: WebRequestDetails): { samlResponse: string | undefined; relayState: string | undefined } {
  const form = details.requestBody?.formData;
  if (form) return { samlResponse: form.SAMLResponse?.[0], relayState: form.RelayState?.[0] };
  const bytes = details.requestBody?.raw?.flatMap((part) => (part.bytes ? [new Uint8Array(part.bytes)] : [])) ?? [];
  const total = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  bytes.reduce((offset, b) => (total.set(b, offset), offset + b.length), 0);
  const parsed = new URLSearchParams(new TextDecoder().decode(total));
  return { samlResponse: parsed.get('SAMLResponse') ?? undefined, relayState: parsed.get('RelayState') ?? undefined };
}

function show(tabId: number, state: string): void {
  void api.tabs.update(tabId, { url: api.runtime.getURL(`signed-in.html#${state}`) }).catch(() => undefined);
}

async function handOver(details: WebRequestDetails, blocked: boolean): Promise<void> {
  const { samlResponse, relayState } = formOf(details);
  const task = taskTabs.get(details.tabId);
  const ours = blocked && details.type === 'main_frame';
  if (!samlResponse) {
    if (ours) show(details.tabId, 'no-assertion');
    return;
  }
  if (ours) show(details.tabId, 'sending');
  const id = nextId++;
  const result = new Promise<{ accepted: boolean; message: string }>((resolve) => answers.set(id, resolve));
  const sent = send({ type: 'assertion', id, samlResponse: samlResponse.trim(), relayState, acsUrl: details.url, initiator: details.initiator ?? details.originUrl, taskId: task?.taskId });
  const { accepted } = sent ? await result : { accepted: false };
  if (!sent) answers.delete(id);
  if (task && accepted) {
    // A silent sign-in's tab goes away once Cloudtoken has what it came for.
    taskTabs.delete(details.tabId);
    if (task.timer) clearTimeout(task.timer);
    if (!task.interactive || ours) await api.tabs.remove(details.tabId).catch(() => undefined);
    return;
  }
  if (ours) show(details.tabId, !sent ? 'no-host' : accepted ? 'accepted' : 'refused');
}

api.webRequest.onBeforeRequest.addListener(
  (details: WebRequestDetails) => {
    if (details.method !== 'POST' || classifyAcsUrl(details.url) === undefined) return undefined;
    const decided = letThrough.then((through) => {
      void handOver(details, !through);
      return { cancel: !through };
    });
    // Chrome blocks with its declarativeNetRequest rule (blocking webRequest is gone there); Firefox cancels here.
    return __TARGET__ === 'firefox' ? decided : undefined;
  },
  { urls: [...ACS_HOST_PERMISSIONS], types: ['main_frame', 'sub_frame'] },
  __TARGET__ === 'firefox' ? ['blocking', 'requestBody'] : ['requestBody'],
);

async function applyLetThrough(through: boolean): Promise<void> {
  letThrough = Promise.resolve(through);
  await api.declarativeNetRequest?.updateEnabledRulesets(through ? { disableRulesetIds: [BLOCK_RULESET_ID] } : { enableRulesetIds: [BLOCK_RULESET_ID] });
}
api.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && LET_CONSOLE_THROUGH in changes) void applyLetThrough(changes[LET_CONSOLE_THROUGH]?.newValue === true);
});
void letThrough.then(applyLetThrough);

connect();
