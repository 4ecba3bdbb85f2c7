import { describe, expect, it } from 'vitest';
import { REQUEST_WINDOWS, type RequestChannel, type WindowKind } from '../../../preload/contract.js';
import { pageUrl } from '../../../main/ipc/sender.js';
import { registerIpcHandlers, type IpcHandlers, type IpcMainLike, type InvokeEvent } from '../../../main/shell/ipc-handlers.js';
import { defaultSettings } from '../../../main/settings/schema.js';
import { createLogger } from '../../../main/support/logger.js';
import { snapshot } from '../../support/session-snapshots.js';

const POLICY = { rendererBaseUrl: 'file:///opt/Cloudtoken/resources/app.asar/dist/renderer/' };
const ROLE = 'arn:aws:iam::123456789012:role/Admin';

/** ipcMain as the shell uses it: one handler per channel, a second registration throws (as Electron's does). */
class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: InvokeEvent, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  invoke(channel: RequestChannel, event: InvokeEvent, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) return Promise.reject(new Error(`No handler registered for '${channel}'`));
    return Promise.resolve().then(() => handler(event, ...args));
  }
}

/** An IPC event from the main frame of webContents `id` showing `url`; `subframe` sends from an iframe instead. */
function eventFrom(id: number, url: string, subframe = false): InvokeEvent {
  const mainFrame = { url };
  return { sender: { id, mainFrame }, senderFrame: subframe ? { url } : mainFrame };
}

function setUp() {
  const ipcMain = new FakeIpcMain();
  const calls: Array<{ channel: string; request: unknown; sender: unknown }> = [];
  const lines: string[] = [];
  const record =
    <T>(channel: string, answer: T) =>
    (request: unknown, sender: unknown) => {
      calls.push({ channel, request, sender });
      return answer;
    };
  const ok = { ok: true as const };
  const handlers: IpcHandlers = {
    'cloudtoken:roles:get': record('roles:get', { snapshot: snapshot('signed-out'), accountLabels: {}, now: 0 }),
    'cloudtoken:roles:choose': record('roles:choose', ok),
    'cloudtoken:roles:keep-active': record('roles:keep-active', ok),
    'cloudtoken:settings:get': record('settings:get', { settings: defaultSettings(), platform: 'linux' as const, plugins: [], signInKinds: {}, extensionHostInstalledFor: [] }),
    'cloudtoken:settings:save': record('settings:save', { ok: true as const, settings: defaultSettings() }),
    'cloudtoken:settings:sign-in-kind': record('settings:sign-in-kind', ok),
    'cloudtoken:extension:install-host': record('extension:install-host', ok),
    'cloudtoken:status:get': () => {
      throw new Error('not used');
    },
    'cloudtoken:status:copy': record('status:copy', ok),
    'cloudtoken:session:sign-in': record('session:sign-in', ok),
    'cloudtoken:session:refresh': record('session:refresh', ok),
    'cloudtoken:login:get': () => {
      throw new Error('not used');
    },
    'cloudtoken:login:navigate': record('login:navigate', ok),
    'cloudtoken:login:cancel': record('login:cancel', ok),
    'cloudtoken:login:use-system-browser': record('login:use-system-browser', ok),
    'cloudtoken:question:get': record('question:get', null),
    'cloudtoken:question:answer': record('question:answer', ok),
    'cloudtoken:question:cancel': record('question:cancel', ok),
    'cloudtoken:window:close': record('window:close', ok),
  };
  const windows = new Map<number, WindowKind>([
    [1, 'roles'],
    [2, 'settings'],
    [3, 'status'],
    [4, 'login'],
    [5, 'question'],
  ]);
  registerIpcHandlers({ ipcMain, handlers, windowKindOf: (id) => windows.get(id), policy: POLICY, logger: createLogger({ sink: (l) => lines.push(l) }) });
  return { ipcMain, calls, lines };
}

describe('registerIpcHandlers', () => {
  it('registers exactly one handler per channel of the contract', () => {
    const { ipcMain } = setUp();
    expect([...ipcMain.handlers.keys()].sort()).toEqual(Object.keys(REQUEST_WINDOWS).sort());
  });

  it('hands a validated request from the right window to its handler', async () => {
    const { ipcMain, calls } = setUp();
    const answer = await ipcMain.invoke('cloudtoken:roles:choose', eventFrom(1, pageUrl('roles', POLICY)), { roleArn: ROLE, extra: 'dropped' });
    expect(answer).toEqual({ ok: true });
    expect(calls).toEqual([{ channel: 'roles:choose', request: { roleArn: ROLE }, sender: { kind: 'roles', webContentsId: 1 } }]);
  });

  it.each([
    ['an unknown webContents (the IdP view, a stray page)', eventFrom(99, pageUrl('roles', POLICY))],
    ['a subframe of our window', eventFrom(1, pageUrl('roles', POLICY), true)],
    ['a frame that is gone', { sender: { id: 1, mainFrame: {} }, senderFrame: null }],
    ['our window showing another page', eventFrom(1, 'https://idp.example.com/login')],
    ['our window showing another of our pages', eventFrom(1, pageUrl('settings', POLICY))],
    ['a window not allowed on the channel', eventFrom(2, pageUrl('settings', POLICY))],
  ] as Array<[string, InvokeEvent]>)('refuses a request from %s without calling the core', async (_name, event) => {
    const { ipcMain, calls, lines } = setUp();
    await expect(ipcMain.invoke('cloudtoken:roles:choose', event, { roleArn: ROLE })).rejects.toMatchObject({ code: 'IPC_SENDER_REFUSED' });
    expect(calls).toEqual([]);
    expect(lines.join('\n')).toContain('Refused an IPC request');
  });

  it('refuses a bad payload from a trusted window, and answers settings errors field by field', async () => {
    const { ipcMain, calls } = setUp();
    await expect(ipcMain.invoke('cloudtoken:roles:choose', eventFrom(1, pageUrl('roles', POLICY)), { roleArn: 'admin; rm -rf' })).rejects.toMatchObject({
      code: 'IPC_PAYLOAD_REFUSED',
    });
    await expect(ipcMain.invoke('cloudtoken:roles:get', eventFrom(1, pageUrl('roles', POLICY)), 'unexpected')).rejects.toMatchObject({ code: 'IPC_PAYLOAD_REFUSED' });
    const answer = await ipcMain.invoke('cloudtoken:settings:save', eventFrom(2, pageUrl('settings', POLICY)), { ...defaultSettings(), imdsPort: 80 });
    expect(answer).toMatchObject({ ok: false, errors: [expect.objectContaining({ field: 'imdsPort' })] });
    expect(calls).toEqual([]);
  });

  it('lets every window close itself, and only the login window drive the login view', async () => {
    const { ipcMain, calls } = setUp();
    for (const [id, kind] of [[1, 'roles'], [2, 'settings'], [3, 'status'], [4, 'login']] as const) {
      await ipcMain.invoke('cloudtoken:window:close', eventFrom(id, pageUrl(kind, POLICY)));
    }
    expect(calls.map((c) => c.sender)).toEqual([1, 2, 3, 4].map((id, i) => ({ kind: ['roles', 'settings', 'status', 'login'][i], webContentsId: id })));
    await expect(ipcMain.invoke('cloudtoken:login:navigate', eventFrom(3, pageUrl('status', POLICY)), { action: 'back' })).rejects.toThrow();
    await ipcMain.invoke('cloudtoken:login:navigate', eventFrom(4, `${pageUrl('login', POLICY)}#x`), { action: 'back' });
    expect(calls.at(-1)).toMatchObject({ channel: 'login:navigate', request: { action: 'back' } });
  });
});
