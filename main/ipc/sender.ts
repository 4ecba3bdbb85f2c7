import { REQUEST_WINDOWS } from '../../preload/contract.js';
import type { RequestChannel, WindowKind } from '../../preload/contract.js';

/**
 * Who may talk to main over IPC: only the main frame of one of our own windows, showing the page that
 * window was opened with, and only on a channel that window uses. The shell gathers the facts from the
 * IPC event (`event.senderFrame` may be null: then frameUrl is undefined) and its window registry.
 */
export interface SenderFacts {
  /** `event.senderFrame?.url`. */
  frameUrl: string | undefined;
  /** `event.senderFrame === event.sender.mainFrame`. */
  isMainFrame: boolean;
  /** The kind of the window whose webContents sent it; undefined for any other webContents (the IdP view). */
  windowKind: WindowKind | undefined;
}

export interface SenderPolicy {
  /** Where the pages are served from, ending in `/`: `file:///…/dist/renderer/` or `app://cloudtoken/`. */
  rendererBaseUrl: string;
}

/** The URL of a window's page: `<base><kind>/index.html`. */
export function pageUrl(kind: WindowKind, policy: SenderPolicy): string {
  return new URL(`${kind}/index.html`, policy.rendererBaseUrl).href;
}

/** Why a message is refused (for the log), or undefined when it may be handled. */
export function senderRefusal(sender: SenderFacts, channel: RequestChannel, policy: SenderPolicy): string | undefined {
  if (sender.windowKind === undefined) return 'not sent by a Cloudtoken window';
  if (!sender.isMainFrame) return 'sent by a subframe';
  if (sender.frameUrl === undefined) return 'the sending frame is gone';
  let actual: URL;
  try {
    actual = new URL(sender.frameUrl);
  } catch {
    return 'the sending frame has no valid URL';
  }
  const expected = new URL(pageUrl(sender.windowKind, policy));
  // Compared parsed, so `..`, case and escapes cannot dress up another page; query and fragment do not matter.
  if (actual.protocol !== expected.protocol || actual.host !== expected.host || actual.pathname !== expected.pathname) {
    return `the ${sender.windowKind} window shows an unexpected page`;
  }
  if (!(REQUEST_WINDOWS[channel] as readonly WindowKind[]).includes(sender.windowKind)) {
    return `the ${sender.windowKind} window may not use ${channel}`;
  }
  return undefined;
}

export function isTrustedSender(sender: SenderFacts, channel: RequestChannel, policy: SenderPolicy): boolean {
  return senderRefusal(sender, channel, policy) === undefined;
}
