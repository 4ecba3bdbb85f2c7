import { REQUEST_WINDOWS } from '../../preload/contract.js';
import type { IpcHandlers, RequestChannel, WindowKind } from '../../preload/contract.js';

export type { IpcHandlers };
import { senderRefusal, type SenderPolicy } from '../ipc/sender.js';
import { validateRequest } from '../ipc/validate.js';
import { CloudtokenError } from '../support/errors.js';
import type { Logger } from '../support/logger.js';

/**
 * `ipcMain.handle` for every channel of the contract. Each request is checked twice before the core sees it:
 * the sender (one of our windows, its main frame, showing its own page, allowed on this channel) and the
 * payload (rebuilt by main/ipc/validate.ts, so nothing else travels on).
 */

/** What a handler needs of Electron's IpcMainInvokeEvent. */
export interface InvokeEvent {
  sender: { id: number; mainFrame: unknown };
  senderFrame: { url: string } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => unknown): void;
}


export interface IpcOptions {
  ipcMain: IpcMainLike;
  handlers: IpcHandlers;
  /** The kind of our window showing this webContents, undefined for any other (the IdP view, a stray page). */
  windowKindOf(webContentsId: number): WindowKind | undefined;
  policy: SenderPolicy;
  logger: Logger;
}

function handleChannel<C extends RequestChannel>(channel: C, options: IpcOptions): void {
  const { handlers, logger } = options;
  options.ipcMain.handle(channel, async (event, ...args) => {
    const windowKind = options.windowKindOf(event.sender.id);
    const refusal = senderRefusal(
      { frameUrl: event.senderFrame?.url, isMainFrame: event.senderFrame !== null && event.senderFrame === event.sender.mainFrame, windowKind },
      channel,
      options.policy,
    );
    if (refusal !== undefined || windowKind === undefined) {
      logger.warn('Refused an IPC request', { channel, reason: refusal });
      throw new CloudtokenError('IPC_SENDER_REFUSED', 'This request was refused.');
    }
    const checked = validateRequest(channel, args[0]);
    if (!checked.ok) {
      if (channel === 'cloudtoken:settings:save' && checked.errors) return { ok: false, errors: checked.errors };
      logger.warn('Refused an IPC payload', { channel, reason: checked.message });
      throw new CloudtokenError('IPC_PAYLOAD_REFUSED', checked.message);
    }
    return handlers[channel](checked.value, { kind: windowKind, webContentsId: event.sender.id });
  });
}

export function registerIpcHandlers(options: IpcOptions): void {
  for (const channel of Object.keys(REQUEST_WINDOWS) as RequestChannel[]) handleChannel(channel, options);
}
