/**
 * A stand-in for the `electron` module, for tests only (never shipped): the tray app's built main bundle runs
 * under plain Node with it (`node --import ./register.mjs dist/main/index.js`), its windows and views are
 * real Chromium pages (Debian's Chromium through playwright-core, headless, loopback only) running the real
 * preload and renderer pages, and a test drives it through control.mjs.
 *
 * Fidelity limits — what real Electron does that this does not:
 * - Windows and views are separate headless pages, not composited: nothing is drawn on a screen; show, hide,
 *   focus and minimise are bookkeeping, and `document.visibilityState` does not follow them. `ready-to-show`
 *   fires at the page's first load event, not its first paint.
 * - The preload runs in the page's main world, not an isolated world: a page script could reach the bridge's
 *   internals (the binding and the push function). Its `require` knows only `electron`; `contextBridge`
 *   freezes the object instead of proxying it; IPC payloads are cloned by Playwright's serializer, not by
 *   structured clone (so the errors Electron raises for uncloneable values do not happen).
 *   `ipcRenderer.sendSync` is not available.
 * - `event.senderFrame` is never null for a live frame, and `processId`/`frameId` are 0.
 * - Request interception is Playwright's: a redirect hop is not offered to `webRequest.onBeforeRequest` (only
 *   the first request of a chain is), so `will-redirect` is never emitted; `redirectURL` in the callback is
 *   ignored; `onBeforeSendHeaders`, `onHeadersReceived`, `onCompleted` and `onErrorOccurred` are recorded
 *   but never called; service-worker requests carry no `webContentsId`. `will-navigate` is told apart from
 *   the browser's own navigations (loadURL, reload, back) by URL.
 * - Permission handlers are recorded, not consulted: headless Chromium denies permission prompts itself.
 * - `session.getBlobData` always rejects; `clearData`/`clearStorageData` clear cookies, the cache and the
 *   storage of the origins the session has requested, whatever the options say.
 * - The single-instance lock is always granted and `second-instance` never fires; `activate`,
 *   `open-url` and other OS-driven events come only if the test emits them. Login items are recorded only.
 * - utilityProcess is a forked Node process (utility-process.mjs says what differs).
 * - Tray, Menu, Notification, dialog, clipboard and shell only record; `powerMonitor` events come from the
 *   test. Notifications are always supported. Menus follow Electron's radio rule (the first of a group is
 *   checked when none is) and toggle checkboxes on click.
 * - Everything runs on Linux's code paths (process.platform is the real one); macOS dock, Windows jump lists
 *   and app user model ids are absent or recorded.
 * - File pages may load module scripts (the grantFileProtocolExtraPrivileges fuse on, Electron's default):
 *   Chromium runs with --allow-file-access-from-files.
 * - Each session is its own Chromium process with a persistent profile (the default session in userData, a
 *   `persist:` partition in userData/Partitions/<name>), laid out as Chromium lays out a profile, not as
 *   Electron does. Session cookies die with it at quit, as in Electron; persistent cookies are written when
 *   Chromium closes, and `cookies.flushStore` does not force it earlier.
 * - The default user agent has Electron's form with Debian Chromium's version; `app.getAppPath()` is the
 *   folder of the nearest package.json above the main script, as with `electron .`.
 * - An uncaught exception in main gives an error box (recorded) and the app runs on, as Electron's default
 *   handler does; the default `electron` crash reporter, auto-updater, protocol and screen modules are absent.
 */
import { app } from './app.mjs';
import { startControl } from './control.mjs';
import { clipboard, dialog, Menu, MenuItem, nativeImage, Notification, powerMonitor, shell, Tray } from './desktop.mjs';
import { ipcMain } from './ipc-main.mjs';
import { session } from './session.mjs';
import { utilityProcess } from './utility-process.mjs';
import { WebContents } from './web-contents.mjs';
import { BrowserWindow, View, WebContentsView } from './windows.mjs';

const webContents = { getAllWebContents: () => WebContents.getAllWebContents(), fromId: (id) => WebContents.fromId(id) };

startControl();

export { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, MenuItem, nativeImage, Notification, powerMonitor, session, shell, Tray, utilityProcess, View, WebContentsView, webContents };

export default { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, MenuItem, nativeImage, Notification, powerMonitor, session, shell, Tray, utilityProcess, View, WebContentsView, webContents };
