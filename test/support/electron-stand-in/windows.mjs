import { EventEmitter } from 'node:events';
import { app } from './app.mjs';
import { preventableEvent } from './record.mjs';
import { session } from './session.mjs';
import { WebContents } from './web-contents.mjs';

/**
 * `BrowserWindow`, `View`, `WebContentsView`. A window's page and each view's page are separate Chromium pages
 * (there is no compositing of views into windows); bounds become page viewports. Showing, focus and
 * minimising are kept as state for the test to read: headless Chromium has no screen.
 */

function sessionOf(webPreferences = {}) {
  if (webPreferences.session) return webPreferences.session;
  return webPreferences.partition ? session.fromPartition(webPreferences.partition) : session.defaultSession;
}

export class View extends EventEmitter {
  children = [];
  #bounds = { x: 0, y: 0, width: 0, height: 0 };
  #visible = true;

  addChildView(view, index) {
    this.removeChildView(view);
    if (index === undefined || index >= this.children.length) this.children.push(view);
    else this.children.splice(index, 0, view);
  }

  removeChildView(view) {
    const at = this.children.indexOf(view);
    if (at >= 0) this.children.splice(at, 1);
  }

  setBounds(bounds) {
    this.#bounds = { ...bounds };
    this.emit('bounds-changed');
  }

  getBounds() {
    return { ...this.#bounds };
  }

  setVisible(visible) {
    this.#visible = Boolean(visible);
  }

  getVisible() {
    return this.#visible;
  }

  setBackgroundColor() {}
}

export class WebContentsView extends View {
  constructor(options = {}) {
    super();
    const prefs = options.webPreferences ?? {};
    this.webPreferences = prefs;
    this.webContents = new WebContents({ session: sessionOf(prefs), preload: prefs.preload });
  }

  setBounds(bounds) {
    super.setBounds(bounds);
    this.webContents._resize({ width: bounds.width, height: bounds.height });
  }
}

let nextWindowId = 1;
const windows = new Map();
const focus = { window: undefined };

export class BrowserWindow extends EventEmitter {
  #destroyed = false;
  #visible = false;
  #minimized = false;
  #shownOnce = false;
  #bounds;
  #title;

  constructor(options = {}) {
    super();
    this.id = nextWindowId++;
    this.options = options;
    this.#bounds = { x: options.x ?? 0, y: options.y ?? 0, width: options.width ?? 800, height: options.height ?? 600 };
    this.#title = options.title ?? '';
    const prefs = options.webPreferences ?? {};
    this.webPreferences = prefs;
    windows.set(this.id, this);
    this.webContents = new WebContents({ session: sessionOf(prefs), preload: prefs.preload, size: { width: this.#bounds.width, height: this.#bounds.height } });
    this.contentView = new View();
    this.contentView.setBounds({ x: 0, y: 0, width: this.#bounds.width, height: this.#bounds.height });
    // Electron's ready-to-show: the first render of a window not shown yet.
    this.webContents.once('did-finish-load', () => {
      if (!this.#shownOnce && !this.#destroyed) this.emit('ready-to-show');
    });
    this.webContents.once('destroyed', () => this.destroy());
    if (options.show !== false) this.show();
  }

  static getAllWindows() {
    return [...windows.values()];
  }

  static fromWebContents(contents) {
    return BrowserWindow.getAllWindows().find((window) => window.webContents === contents || window.contentView.children.some((view) => view.webContents === contents));
  }

  static fromId(id) {
    return windows.get(id) ?? null;
  }

  static getFocusedWindow() {
    return focus.window && !focus.window.isDestroyed() ? focus.window : null;
  }

  loadURL(url, options) {
    return this.webContents.loadURL(url, options);
  }

  loadFile(path, options) {
    return this.webContents.loadFile(path, options);
  }

  show() {
    this.#shownOnce = true;
    this.#visible = true;
    this.#minimized = false;
    this.emit('show');
    this.focus();
  }

  showInactive() {
    this.#shownOnce = true;
    this.#visible = true;
    this.emit('show');
  }

  hide() {
    this.#visible = false;
    this.emit('hide');
  }

  isVisible() {
    return this.#visible && !this.#minimized;
  }

  focus() {
    if (this.#destroyed) return;
    const previous = focus.window;
    if (previous && previous !== this && !previous.isDestroyed()) previous.emit('blur');
    focus.window = this;
    this.webContents.focus();
    this.emit('focus');
  }

  blur() {
    if (focus.window === this) focus.window = undefined;
    this.emit('blur');
  }

  isFocused() {
    return focus.window === this;
  }

  minimize() {
    this.#minimized = true;
    this.emit('minimize');
  }

  restore() {
    this.#minimized = false;
    this.emit('restore');
  }

  isMinimized() {
    return this.#minimized;
  }

  getBounds() {
    return { ...this.#bounds };
  }

  setBounds(bounds) {
    this.#bounds = { ...this.#bounds, ...bounds };
    this.webContents._resize({ width: this.#bounds.width, height: this.#bounds.height });
    this.emit('resize');
  }

  getContentBounds() {
    return { ...this.#bounds };
  }

  getContentSize() {
    return [this.#bounds.width, this.#bounds.height];
  }

  setContentSize(width, height) {
    this.setBounds({ width, height });
  }

  setTitle(title) {
    this.#title = title;
  }

  getTitle() {
    return this.#title;
  }

  setMenuBarVisibility() {}

  setAutoHideMenuBar() {}

  removeMenu() {}

  /** As a user's close: `close` may be prevented; then the page goes and `closed` follows. */
  close() {
    if (this.#destroyed) return true;
    const event = preventableEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return false;
    this.destroy();
    return true;
  }

  /** The window's own page goes with it; its child views' pages do not (Electron leaves them to the app). */
  destroy() {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#visible = false;
    if (focus.window === this) focus.window = undefined;
    this.webContents.close();
    windows.delete(this.id);
    this.emit('closed');
    if (windows.size === 0) app._allWindowsClosed();
  }

  isDestroyed() {
    return this.#destroyed;
  }
}

app._closeWindows = () => BrowserWindow.getAllWindows().every((window) => window.close());
