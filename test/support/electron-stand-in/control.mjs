import { calls } from './record.mjs';
import { clipboard, describeMenu, dialogs, notifications, powerMonitor, trays } from './desktop.mjs';
import { ipcMain } from './ipc-main.mjs';
import { interceptions } from './session.mjs';
import { WebContents } from './web-contents.mjs';
import { BrowserWindow } from './windows.mjs';

/**
 * The test's side door, over the Node IPC channel the test spawned the app with (`stdio: [..., 'ipc']`):
 * `{ id, command, args }` in, `{ id, ok, value | error }` out. It reads what the desktop would show and acts
 * as the user: clicks a tray menu item or a notification, types into a page.
 */

function findItem(menu, id) {
  for (const item of menu?.items ?? []) {
    if (item.id === id) return { menu, item };
    const inner = findItem(item.submenu, id);
    if (inner) return inner;
  }
  return undefined;
}

function describeView(view) {
  return { webContentsId: view.webContents.id, url: view.webContents.getURL(), visible: view.getVisible() };
}

function state() {
  const tray = trays.at(-1);
  return {
    tray: tray && {
      toolTip: tray.toolTip,
      image: tray.image?.path,
      imageEmpty: tray.image?.isEmpty() ?? true,
      menusSet: tray.menusSet,
      menu: describeMenu(tray.contextMenu),
    },
    windows: BrowserWindow.getAllWindows().map((window) => ({
      id: window.id,
      title: window.getTitle(),
      visible: window.isVisible(),
      focused: window.isFocused(),
      webContentsId: window.webContents.id,
      url: window.webContents.getURL(),
      views: window.contentView.children.filter((child) => child.webContents).map(describeView),
    })),
    notifications: notifications.map(({ title, body, shown }) => ({ title, body, shown })),
    dialogs,
    interceptions,
    calls,
    clipboard: clipboard.readText(),
    ipcChannels: ipcMain._channels(),
  };
}

async function pageOf(webContentsId) {
  const contents = WebContents.fromId(webContentsId);
  if (!contents) throw new Error(`no webContents ${webContentsId}`);
  return contents._page();
}

const commands = {
  state,
  clickMenuItem({ id }) {
    const found = findItem(trays.at(-1)?.contextMenu, id);
    if (!found) throw new Error(`the tray menu has no item ${id}`);
    if (!found.item.enabled || !found.item.visible) throw new Error(`the tray menu item ${id} cannot be clicked (disabled or hidden)`);
    found.menu._click(found.item);
  },
  clickNotification({ index }) {
    notifications[index].emit('click', {});
  },
  emitPower({ event }) {
    powerMonitor.emit(event);
  },
  // Typing as a user does: key by key into the focused field.
  async type({ webContentsId, selector, text }) {
    const page = await pageOf(webContentsId);
    await page.locator(selector).pressSequentially(text);
  },
  async press({ webContentsId, selector, key }) {
    const page = await pageOf(webContentsId);
    await page.locator(selector).press(key);
  },
  async text({ webContentsId, selector }) {
    const page = await pageOf(webContentsId);
    return page.locator(selector).first().textContent({ timeout: 5_000 });
  },
  async count({ webContentsId, selector }) {
    const page = await pageOf(webContentsId);
    return page.locator(selector).count();
  },
};

export function startControl() {
  if (!process.send) return;
  // The channel must not keep the app alive on its own: quitting ends the process as in Electron.
  process.channel?.unref();
  process.on('message', async ({ id, command, args }) => {
    try {
      if (!Object.hasOwn(commands, command)) throw new Error(`unknown control command ${command}`);
      const value = await commands[command](args ?? {});
      process.send({ id, ok: true, value });
    } catch (error) {
      process.send({ id, ok: false, error: String(error?.stack ?? error) });
    }
  });
}
