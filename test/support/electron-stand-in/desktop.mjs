import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { record } from './record.mjs';

/**
 * What the desktop would show or do — Tray, Menu, Notification, nativeImage, dialog, clipboard, shell,
 * powerMonitor — kept as state and records for the test (control.mjs reads them and clicks menu items).
 */

// PNG, ICO, JPEG and GIF signatures: what nativeImage can decode; anything else is an empty image.
const SIGNATURES = [Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.from([0, 0, 1, 0]), Buffer.from([0xff, 0xd8, 0xff]), Buffer.from('GIF8')];

class NativeImage {
  #template = false;

  constructor(path, bytes) {
    this.path = path;
    this.bytes = bytes;
  }

  isEmpty() {
    return this.bytes === undefined;
  }

  getSize() {
    // A PNG's IHDR holds the size at bytes 16..23.
    if (this.bytes && this.bytes[0] === 0x89 && this.bytes.length >= 24) return { width: this.bytes.readUInt32BE(16), height: this.bytes.readUInt32BE(20) };
    return { width: 0, height: 0 };
  }

  setTemplateImage(option) {
    this.#template = Boolean(option);
  }

  isTemplateImage() {
    return this.#template;
  }
}

export const nativeImage = {
  createFromPath(path) {
    let bytes;
    try {
      bytes = readFileSync(path);
    } catch {
      return new NativeImage(path, undefined);
    }
    return new NativeImage(path, SIGNATURES.some((signature) => bytes.subarray(0, signature.length).equals(signature)) ? bytes : undefined);
  },
  createEmpty() {
    return new NativeImage(undefined, undefined);
  },
};

export class MenuItem {
  constructor(options) {
    Object.assign(this, options);
    this.type = options.type ?? (options.submenu ? 'submenu' : 'normal');
    this.enabled = options.enabled ?? true;
    this.visible = options.visible ?? true;
    this.checked = options.checked ?? false;
    this.label = options.label ?? '';
    if (Array.isArray(options.submenu)) this.submenu = Menu.buildFromTemplate(options.submenu);
  }
}

export class Menu extends EventEmitter {
  static #application = null;
  items = [];

  static buildFromTemplate(template) {
    const menu = new Menu();
    for (const options of template) menu.append(options instanceof MenuItem ? options : new MenuItem(options));
    menu.#checkRadioGroups();
    return menu;
  }

  static setApplicationMenu(menu) {
    record('Menu.setApplicationMenu', menu === null ? null : 'menu');
    Menu.#application = menu;
  }

  static getApplicationMenu() {
    return Menu.#application;
  }

  append(item) {
    item.menu = this;
    this.items.push(item);
  }

  getMenuItemById(id) {
    for (const item of this.items) {
      if (item.id === id) return item;
      const inner = item.submenu?.getMenuItemById(id);
      if (inner) return inner;
    }
    return null;
  }

  // Electron checks the first item of a run of radio items when none of them is checked.
  #checkRadioGroups() {
    let group = [];
    const settle = () => {
      if (group.length > 0 && !group.some((item) => item.checked)) group[0].checked = true;
      group = [];
    };
    for (const item of this.items) {
      if (item.type === 'radio') group.push(item);
      else settle();
    }
    settle();
  }

  /** A click as the desktop delivers it: radio and checkbox state change first, then `click` runs. */
  _click(item) {
    if (item.type === 'checkbox') item.checked = !item.checked;
    if (item.type === 'radio') {
      const at = this.items.indexOf(item);
      let start = at;
      while (start > 0 && this.items[start - 1].type === 'radio') start -= 1;
      for (let i = start; i < this.items.length && this.items[i].type === 'radio'; i += 1) this.items[i].checked = this.items[i] === item;
    }
    item.click?.(item, undefined, { shiftKey: false, ctrlKey: false, altKey: false, metaKey: false, triggeredByAccelerator: false });
  }

  popup() {
    record('Menu.popup');
  }

  closePopup() {}
}

/** The menu as plain data for the test. */
export function describeMenu(menu) {
  return (menu?.items ?? []).map((item) => ({
    id: item.id,
    type: item.type,
    label: item.label,
    enabled: item.enabled,
    visible: item.visible,
    checked: item.checked,
    ...(item.toolTip ? { toolTip: item.toolTip } : {}),
    ...(item.submenu ? { submenu: describeMenu(item.submenu) } : {}),
  }));
}

export const trays = [];

export class Tray extends EventEmitter {
  #destroyed = false;

  constructor(image, guid) {
    super();
    this.image = typeof image === 'string' ? nativeImage.createFromPath(image) : image;
    this.guid = guid;
    this.toolTip = '';
    this.title = '';
    this.contextMenu = null;
    this.menusSet = 0;
    trays.push(this);
  }

  setImage(image) {
    this.image = typeof image === 'string' ? nativeImage.createFromPath(image) : image;
  }

  setPressedImage() {}

  setToolTip(toolTip) {
    this.toolTip = toolTip;
  }

  setTitle(title) {
    this.title = title;
  }

  setContextMenu(menu) {
    this.contextMenu = menu;
    this.menusSet += 1;
  }

  popUpContextMenu() {}

  closeContextMenu() {}

  destroy() {
    this.#destroyed = true;
  }

  isDestroyed() {
    return this.#destroyed;
  }
}

export const notifications = [];

export class Notification extends EventEmitter {
  static isSupported() {
    return true;
  }

  constructor(options = {}) {
    super();
    this.title = options.title ?? '';
    this.body = options.body ?? '';
    this.silent = options.silent ?? false;
    this.shown = false;
    notifications.push(this);
  }

  show() {
    this.shown = true;
    this.emit('show', {});
  }

  close() {
    this.emit('close', {});
  }
}

export const dialogs = [];

export const dialog = {
  showErrorBox(title, content) {
    dialogs.push({ kind: 'error', title, content });
    process.stderr.write(`[electron-stand-in] error box: ${title}: ${content}\n`);
  },
  async showMessageBox(...args) {
    const options = args.at(-1) ?? {};
    dialogs.push({ kind: 'message', title: options.title, message: options.message, detail: options.detail });
    return { response: options.defaultId ?? 0, checkboxChecked: false };
  },
  async showOpenDialog() {
    dialogs.push({ kind: 'open' });
    return { canceled: true, filePaths: [] };
  },
  async showSaveDialog() {
    dialogs.push({ kind: 'save' });
    return { canceled: true, filePath: '' };
  },
};

let clipboardText = '';

export const clipboard = {
  writeText(text) {
    clipboardText = String(text);
  },
  readText() {
    return clipboardText;
  },
  clear() {
    clipboardText = '';
  },
};

export const shell = {
  async openExternal(url, options) {
    record('shell.openExternal', url, options);
  },
  async openPath(path) {
    record('shell.openPath', path);
    return '';
  },
  showItemInFolder(path) {
    record('shell.showItemInFolder', path);
  },
};

class PowerMonitor extends EventEmitter {
  getSystemIdleTime() {
    return 0;
  }

  isOnBatteryPower() {
    return false;
  }
}

export const powerMonitor = new PowerMonitor();

// Electron's own handling of an uncaught exception in main: an error box, and the app keeps running.
process.on('uncaughtException', (error) => {
  if (process.listenerCount('uncaughtException') > 1) return;
  dialog.showErrorBox('A JavaScript error occurred in the main process', `Uncaught Exception:\n${error?.stack ?? error}`);
});
