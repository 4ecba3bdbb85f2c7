import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { URLSearchParams, pathToFileURL } from 'node:url';
import { app } from './app.mjs';
import { ipcMain } from './ipc-main.mjs';
import { BINDING, PUSH, preloadInitScript } from './page-bridge.mjs';
import { preventableEvent, record } from './record.mjs';
import { bindPage } from './session.mjs';

/**
 * `webContents`: one Chromium page in its session's profile. Created synchronously like Electron's, backed by a
 * page opened asynchronously; what Electron answers synchronously (id, getURL, navigationHistory) comes from
 * state kept up to date by the page's DevTools events. Navigation events are Chromium's own: loading from
 * Page.frameStartedLoading/StoppedLoading, `did-navigate` and `did-navigate-in-page` from frameNavigated and
 * navigatedWithinDocument, `did-fail-load` from failed navigation requests, `will-navigate` from the
 * session's request interception (session.mjs).
 */

// Chromium's net error codes (net/base/net_error_list.h) for the names Playwright reports.
const NET_ERRORS = {
  ERR_FAILED: -2,
  ERR_ABORTED: -3,
  ERR_FILE_NOT_FOUND: -6,
  ERR_TIMED_OUT: -7,
  ERR_ACCESS_DENIED: -10,
  ERR_BLOCKED_BY_CLIENT: -20,
  ERR_BLOCKED_BY_RESPONSE: -27,
  ERR_CONNECTION_CLOSED: -100,
  ERR_CONNECTION_RESET: -101,
  ERR_CONNECTION_REFUSED: -102,
  ERR_CONNECTION_FAILED: -104,
  ERR_NAME_NOT_RESOLVED: -105,
  ERR_INTERNET_DISCONNECTED: -106,
  ERR_SSL_PROTOCOL_ERROR: -107,
  ERR_ADDRESS_UNREACHABLE: -109,
  ERR_CERT_COMMON_NAME_INVALID: -200,
  ERR_CERT_DATE_INVALID: -201,
  ERR_CERT_AUTHORITY_INVALID: -202,
  ERR_INVALID_URL: -300,
  ERR_UNSAFE_REDIRECT: -311,
  ERR_EMPTY_RESPONSE: -324,
};

function netError(text) {
  const name = /ERR_[A-Z_]+/.exec(text ?? '')?.[0] ?? 'ERR_FAILED';
  return { code: NET_ERRORS[name] ?? -2, name };
}

const withoutFragment = (url) => url.replace(/#.*$/, '');

/** `event.senderFrame`, `webContents.mainFrame`: a frame as main sees it. */
class WebFrameMain {
  #read;

  constructor(read) {
    this.#read = read;
  }

  get url() {
    return this.#read()?.url() ?? '';
  }

  get name() {
    return this.#read()?.name() ?? '';
  }

  isDestroyed() {
    const frame = this.#read();
    return frame === undefined || frame.isDetached();
  }
}

let nextId = 1;
const everyContents = new Map();

export class WebContents extends EventEmitter {
  #page;
  #ready;
  #destroyed = false;
  #committedUrl = '';
  #loading = false;
  #history = { index: -1, entries: [] };
  #expected = [];
  #openHandler = null;
  #pushes = Promise.resolve();
  #frames = new WeakMap();
  #cdp;

  constructor({ session, preload, size }) {
    super();
    this.id = nextId++;
    this.session = session;
    everyContents.set(this.id, this);
    this.mainFrame = new WebFrameMain(() => this.#page?.mainFrame());
    const history = () => this.#history;
    this.navigationHistory = {
      canGoBack: () => history().index > 0,
      canGoForward: () => history().index < history().entries.length - 1,
      getActiveIndex: () => history().index,
      length: () => history().entries.length,
      goBack: () => this.#go(-1),
      goForward: () => this.#go(1),
    };
    this.#ready = this.#open(preload, size);
    // A page that could not open is reported once here; callers awaiting it see the same error.
    this.#ready.catch((error) => process.stderr.write(`[electron-stand-in] webContents ${this.id} did not open: ${error}\n`));
    app.emit('web-contents-created', preventableEvent(), this);
  }

  static getAllWebContents() {
    return [...everyContents.values()];
  }

  static fromId(id) {
    return everyContents.get(id);
  }

  async #open(preload, size) {
    const context = await this.session._context();
    const page = await context.newPage();
    this.#page = page;
    bindPage(page, this);
    const cdp = await context.newCDPSession(page);
    this.#cdp = cdp;
    const applyUserAgent = () => cdp.send('Emulation.setUserAgentOverride', { userAgent: this.session.getUserAgent() });
    await applyUserAgent();
    this.session.on('-user-agent-changed', () => void applyUserAgent().catch(() => {}));
    await cdp.send('Page.enable');
    const { frameTree } = await cdp.send('Page.getFrameTree');
    const mainFrameId = frameTree.frame.id;
    cdp.on('Page.frameStartedLoading', ({ frameId }) => {
      if (frameId !== mainFrameId || this.#loading) return;
      this.#loading = true;
      this.emit('did-start-loading');
    });
    cdp.on('Page.frameStoppedLoading', ({ frameId }) => {
      if (frameId !== mainFrameId || !this.#loading) return;
      this.#loading = false;
      this.emit('did-stop-loading');
    });
    cdp.on('Page.frameNavigated', ({ frame }) => {
      // Chromium's own error page is no navigation Electron reports.
      if (frame.parentId || frame.url.startsWith('chrome-error:')) return;
      this.#committedUrl = frame.url + (frame.urlFragment ?? '');
      void this.#afterNavigation(() => this.emit('did-navigate', preventableEvent(), this.#committedUrl, this.#lastStatus ?? 200, ''));
    });
    cdp.on('Page.navigatedWithinDocument', ({ frameId, url }) => {
      if (frameId !== mainFrameId) return;
      this.#committedUrl = url;
      void this.#afterNavigation(() => this.emit('did-navigate-in-page', preventableEvent(), url, true, 0, 0));
    });
    cdp.on('Page.domContentEventFired', () => this.emit('dom-ready', preventableEvent()));
    cdp.on('Page.loadEventFired', () => this.emit('did-finish-load', preventableEvent()));
    page.on('response', (response) => {
      const request = response.request();
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) this.#lastStatus = response.status();
    });
    page.on('requestfailed', (request) => {
      if (!request.isNavigationRequest() || request.frame() !== page.mainFrame()) return;
      const { code, name } = netError(request.failure()?.errorText);
      this.emit('did-fail-load', preventableEvent(), code, name, request.url(), true, 0, 0);
    });
    page.on('popup', (popup) => this.#popup(popup));
    page.on('crash', () => this.emit('render-process-gone', preventableEvent(), { reason: 'crashed', exitCode: -1 }));
    page.on('close', () => this.#gone());
    if (process.env.ELECTRON_STAND_IN_DEBUG) {
      page.on('console', (message) => process.stderr.write(`[page ${this.id}] ${message.type()}: ${message.text()}\n`));
      page.on('pageerror', (error) => process.stderr.write(`[page ${this.id}] pageerror: ${error.message}\n`));
    }
    if (size) await page.setViewportSize(size);
    if (preload) {
      await page.exposeBinding(BINDING, (source, message) => this.#fromRenderer(source.frame, message));
      await page.addInitScript({ content: preloadInitScript(readFileSync(preload, 'utf8'), preload) });
    }
    return page;
  }

  #lastStatus;

  async #afterNavigation(emit) {
    try {
      const { currentIndex, entries } = await this.#cdp.send('Page.getNavigationHistory');
      this.#history = { index: currentIndex, entries: entries.map((entry) => entry.url) };
    } catch {
      // The page closed meanwhile: the history no longer matters.
    }
    emit();
  }

  #frameMain(frame) {
    if (frame === this.#page.mainFrame()) return this.mainFrame;
    let main = this.#frames.get(frame);
    if (!main) {
      main = new WebFrameMain(() => (frame.isDetached() ? undefined : frame));
      this.#frames.set(frame, main);
    }
    return main;
  }

  async #fromRenderer(frame, message) {
    const event = { sender: this, senderFrame: frame.isDetached() ? null : this.#frameMain(frame), processId: 0, frameId: 0, type: 'frame' };
    if (message.kind === 'send') {
      ipcMain.emit(message.channel, { ...event, reply: (channel, ...args) => this.send(channel, ...args), returnValue: undefined }, ...message.args);
      return {};
    }
    try {
      return { value: await ipcMain._invoke(message.channel, event, message.args) };
    } catch (error) {
      return { error: `Error invoking remote method '${message.channel}': ${error}` };
    }
  }

  #popup(popup) {
    const url = popup.url();
    const details = { url, frameName: '', features: '', disposition: 'new-window', referrer: { url: this.getURL(), policy: 'strict-origin-when-cross-origin' }, postBody: undefined };
    const decision = this.#openHandler ? this.#openHandler(details) : { action: 'allow' };
    record('webContents.windowOpen', this.id, url, decision?.action);
    if (decision?.action !== 'allow') void popup.close();
  }

  #gone() {
    if (this.#destroyed) return;
    this.#destroyed = true;
    everyContents.delete(this.id);
    this.emit('destroyed');
  }

  /** Called by the session for a main-frame navigation request; false: the navigation is cancelled. */
  _willNavigate(url) {
    const expected = this.#expected.indexOf(withoutFragment(url));
    if (expected >= 0) {
      // loadURL, reload and history navigations are the browser's own: Electron asks will-navigate only for the page's.
      this.#expected.splice(expected, 1);
      return true;
    }
    const event = preventableEvent({ url, isSameDocument: false, isMainFrame: true, frame: this.mainFrame });
    this.emit('will-navigate', event, url, false, true, 0, 0);
    return !event.defaultPrevented;
  }

  // Chromium intercepts these schemes' navigations (session.mjs consumes the entry); about:, data: and blob: it does not.
  #expect(url) {
    if (/^(https?|file):/.test(url)) this.#expected.push(withoutFragment(new URL(url).href));
  }

  async loadURL(url, options = {}) {
    const page = await this.#ready;
    this.#expect(url);
    try {
      await page.goto(url, { waitUntil: 'load', timeout: 0, ...(options.httpReferrer ? { referer: String(options.httpReferrer) } : {}) });
    } catch (error) {
      const { code, name } = netError(String(error));
      throw Object.assign(new Error(`${name} (${code}) loading '${url}'`), { code: name, errno: code, url });
    }
  }

  loadFile(path, options = {}) {
    const url = pathToFileURL(path);
    if (options.query) url.search = new URLSearchParams(options.query).toString();
    if (options.search) url.search = options.search;
    if (options.hash) url.hash = options.hash;
    return this.loadURL(url.href);
  }

  getURL() {
    return this.#committedUrl;
  }

  isLoading() {
    return this.#loading;
  }

  reload() {
    void this.#ready.then((page) => {
      this.#expect(this.#committedUrl);
      return page.reload({ waitUntil: 'commit' });
    }).catch(() => {});
  }

  stop() {
    void this.#cdp?.send('Page.stopLoading').catch(() => {});
  }

  #go(step) {
    const target = this.#history.entries[this.#history.index + step];
    if (target === undefined) return;
    this.#expect(target);
    void this.#ready.then((page) => (step < 0 ? page.goBack({ waitUntil: 'commit' }) : page.goForward({ waitUntil: 'commit' }))).catch(() => {});
  }

  canGoBack() {
    return this.navigationHistory.canGoBack();
  }

  /** Messages reach the page in order; one sent before the page has a listener is lost, as in Electron. */
  send(channel, ...args) {
    if (this.#destroyed) return;
    this.#pushes = this.#pushes
      .then(() => this.#ready)
      .then((page) => page.evaluate(([name, c, a]) => window[name]?.(c, a), [PUSH, channel, args]))
      .catch(() => {});
  }

  setWindowOpenHandler(handler) {
    this.#openHandler = handler;
  }

  focus() {
    void this.#ready.then((page) => page.bringToFront()).catch(() => {});
  }

  executeJavaScript(code) {
    return this.#ready.then((page) => page.evaluate(code));
  }

  setBackgroundThrottling(allowed) {
    record('webContents.setBackgroundThrottling', this.id, allowed);
  }

  /** Viewport of the page: a view's bounds or a window's content size. */
  _resize(size) {
    if (size.width <= 0 || size.height <= 0) return;
    void this.#ready.then((page) => page.setViewportSize(size)).catch(() => {});
  }

  /** The Playwright page, for the test's typing and reading (control.mjs). */
  _page() {
    return this.#ready;
  }

  close() {
    if (this.#destroyed) return;
    void this.#ready.then((page) => page.close()).catch(() => this.#gone());
  }

  isDestroyed() {
    return this.#destroyed;
  }
}
