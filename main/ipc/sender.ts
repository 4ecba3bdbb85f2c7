import { win32 } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  /** How file: URLs map to paths; this process's platform unless told. */
  platform?: NodeJS.Platform;
}

/** The URL of a window's page: `<base><kind>/index.html`. */
export function pageUrl(kind: WindowKind, policy: SenderPolicy): string {
  return new URL(`${kind}/index.html`, policy.rendererBaseUrl).href;
}

/**
 * The file a file: URL names, or undefined when it names none. Chromium and Node spell the same file differently
 * (Node's pathToFileURL escapes `%` and keeps the drive letter's case, Chromium's canonical form may not), so
 * file pages are compared as the paths they decode to, the drive letter's case aside on Windows.
 */
function fileOf(url: URL, platform: NodeJS.Platform): string | undefined {
  const windows = platform === 'win32';
  let path: string;
  try {
    path = fileURLToPath(url, { windows });
  } catch {
    return undefined;
  }
  return windows ? win32.normalize(path).replace(/^[a-z]:/, (drive) => drive.toUpperCase()) : path;
}

function samePage(actual: URL, expected: URL, platform: NodeJS.Platform): boolean {
  if (actual.protocol !== expected.protocol) return false;
  if (expected.protocol !== 'file:') return actual.host === expected.host && actual.pathname === expected.pathname;
  const file = fileOf(actual, platform);
  return file !== undefined && file === fileOf(expected, platform);
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
  if (!samePage(actual, expected, policy.platform ?? process.platform)) {
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
