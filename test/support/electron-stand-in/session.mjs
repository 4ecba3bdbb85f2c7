import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { app } from './app.mjs';
import { chromiumVersion, launchProfile } from './chromium.mjs';
import { record } from './record.mjs';

/**
 * `session`: one Chromium profile each (chromium.mjs). `webRequest.onBeforeRequest` is Chromium's request
 * interception (Playwright's context.route): the listener gets Electron's details and its callback decides
 * (`cancel: true` aborts with ERR_BLOCKED_BY_CLIENT, like Electron). Cookies are the profile's own cookie
 * store. Renderer-initiated main-frame navigations are offered to `will-navigate` here too (web-contents.mjs).
 */

function electronVersion() {
  try {
    return JSON.parse(readFileSync(join(app.getAppPath(), 'node_modules', 'electron', 'package.json'), 'utf8')).version;
  } catch {
    return '41.0.0';
  }
}

function electronUserAgent() {
  return `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) ${app.getName()}/${app.getVersion()} Chrome/${chromiumVersion()} Electron/${electronVersion()} Safari/537.36`;
}

const NET_RESOURCE_TYPES = {
  document: 'mainFrame',
  stylesheet: 'stylesheet',
  script: 'script',
  image: 'image',
  font: 'font',
  xhr: 'xhr',
  fetch: 'xhr',
  ping: 'ping',
  media: 'media',
  websocket: 'webSocket',
  cspreport: 'cspReport',
};

/** Chrome's match patterns (`<scheme>://<host>/<path>`, `*` wildcards), as Electron's filters use them. */
export function matchesPattern(pattern, url) {
  const parts = /^(\*|[a-z][a-z0-9+.-]*):\/\/(\*|(?:\*\.)?[^/*]+)?(\/.*)$/i.exec(pattern);
  if (!parts) return false;
  let target;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  const [, scheme, host = '', path] = parts;
  const protocol = target.protocol.slice(0, -1);
  if (scheme === '*' ? protocol !== 'http' && protocol !== 'https' : scheme !== protocol) return false;
  if (host !== '*') {
    if (host.startsWith('*.')) {
      const base = host.slice(2);
      if (target.hostname !== base && !target.hostname.endsWith(`.${base}`)) return false;
    } else if (target.hostname !== host.replace(/:\d+$/, '')) return false;
  }
  const glob = new RegExp(`^${path.split('*').map((piece) => piece.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return glob.test(target.pathname + target.search);
}

let nextRequestId = 1;

class WebRequest {
  #listeners = new Map();

  constructor(session) {
    this.session = session;
  }

  // Electron keeps one listener per event: registering again replaces it (and its filter); null removes it.
  #set(event, filterOrListener, maybeListener) {
    const listener = typeof filterOrListener === 'function' ? filterOrListener : maybeListener;
    const filter = typeof filterOrListener === 'function' ? {} : (filterOrListener ?? {});
    if (listener) this.#listeners.set(event, { filter, listener });
    else this.#listeners.delete(event);
    record(`session.webRequest.${event}`, this.session.partition, filter);
  }

  onBeforeRequest(filter, listener) {
    this.#set('onBeforeRequest', filter, listener);
  }

  onBeforeSendHeaders(filter, listener) {
    this.#set('onBeforeSendHeaders', filter, listener);
  }

  onHeadersReceived(filter, listener) {
    this.#set('onHeadersReceived', filter, listener);
  }

  onCompleted(filter, listener) {
    this.#set('onCompleted', filter, listener);
  }

  onErrorOccurred(filter, listener) {
    this.#set('onErrorOccurred', filter, listener);
  }

  /** The registered onBeforeRequest listener when its filter takes this request. */
  _beforeRequestListener(url, resourceType) {
    const entry = this.#listeners.get('onBeforeRequest');
    if (!entry) return undefined;
    const { urls = [], types = [] } = entry.filter;
    if (urls.length > 0 && !urls.some((pattern) => matchesPattern(pattern, url))) return undefined;
    if (types.length > 0 && !types.includes(resourceType)) return undefined;
    return entry.listener;
  }
}

function toElectronCookie(cookie) {
  const session = cookie.expires === -1;
  return {
    name: cookie.name,
    value: cookie.value,
    domain: cookie.domain,
    hostOnly: !cookie.domain.startsWith('.'),
    path: cookie.path,
    secure: cookie.secure,
    httpOnly: cookie.httpOnly,
    session,
    ...(session ? {} : { expirationDate: cookie.expires }),
    sameSite: { Strict: 'strict', Lax: 'lax', None: 'no_restriction' }[cookie.sameSite] ?? 'unspecified',
  };
}

class Cookies extends EventEmitter {
  constructor(session) {
    super();
    this.session = session;
  }

  async get(filter = {}) {
    const context = await this.session._context();
    const cookies = (await context.cookies(filter.url ? [filter.url] : undefined)).map(toElectronCookie);
    return cookies.filter(
      (c) =>
        (filter.name === undefined || c.name === filter.name) &&
        (filter.domain === undefined || c.domain === filter.domain || c.domain === `.${filter.domain}` || c.domain.endsWith(`.${filter.domain}`)) &&
        (filter.path === undefined || c.path === filter.path) &&
        (filter.secure === undefined || c.secure === filter.secure) &&
        (filter.session === undefined || c.session === filter.session) &&
        (filter.httpOnly === undefined || c.httpOnly === filter.httpOnly),
    );
  }

  async set(details) {
    if (!details.url) throw new Error('Failed to set cookie - The cookie was set with an invalid URL');
    const context = await this.session._context();
    const url = new URL(details.url);
    // Electron normalises a given domain with a leading dot (a domain cookie), except an IP address, whose
    // cookies Chromium keeps host-only; without a domain the cookie is host-only.
    const bare = details.domain?.replace(/^\./, '');
    const where = bare
      ? { domain: isIP(bare) ? bare : `.${bare}`, path: details.path ?? '/' }
      : details.path
        ? { domain: url.hostname, path: details.path }
        : { url: details.url };
    await context.addCookies([
      {
        name: details.name ?? '',
        value: details.value ?? '',
        ...where,
        secure: details.secure ?? false,
        httpOnly: details.httpOnly ?? false,
        ...(details.expirationDate !== undefined ? { expires: details.expirationDate } : {}),
        sameSite: { strict: 'Strict', lax: 'Lax', no_restriction: 'None' }[details.sameSite] ?? 'Lax',
      },
    ]);
  }

  async remove(url, name) {
    const context = await this.session._context();
    for (const cookie of await this.get({ url, name })) await context.clearCookies({ name, domain: cookie.domain, path: cookie.path });
  }

  async flushStore() {
    record('session.cookies.flushStore', this.session.partition);
  }
}

export class Session extends EventEmitter {
  #context;
  #origins = new Set();
  #userAgent;
  permissionRequestHandler = null;
  permissionCheckHandler = null;

  constructor(partition, storagePath) {
    super();
    this.partition = partition;
    this.storagePath = storagePath;
    this.webRequest = new WebRequest(this);
    this.cookies = new Cookies(this);
  }

  isPersistent() {
    return this.storagePath !== null;
  }

  /** The Chromium profile, launched on first use, with the session's request interception in place. */
  _context() {
    this.#context ??= launchProfile(this.storagePath ?? undefined).then(async (context) => {
      await context.route(() => true, (route, request) => this.#intercept(route, request));
      return context;
    });
    return this.#context;
  }

  async #intercept(route, request) {
    const url = request.url();
    if (/^https?:/.test(url)) this.#origins.add(new URL(url).origin);
    const frame = safely(() => request.frame());
    const contents = frame ? webContentsOfPage(frame.page()) : undefined;
    const mainFrame = frame !== undefined && frame.parentFrame() === null;
    if (request.isNavigationRequest() && mainFrame && contents && !contents._willNavigate(url)) {
      await route.abort('aborted');
      return;
    }
    const resourceType = request.resourceType() === 'document' && !mainFrame ? 'subFrame' : (NET_RESOURCE_TYPES[request.resourceType()] ?? 'other');
    const listener = this.webRequest._beforeRequestListener(url, resourceType);
    if (!listener) {
      await route.continue();
      return;
    }
    const body = request.postDataBuffer();
    const details = {
      id: nextRequestId++,
      url,
      method: request.method(),
      webContentsId: contents?.id,
      webContents: contents,
      frame: contents && mainFrame ? contents.mainFrame : null,
      resourceType,
      referrer: request.headers().referer ?? '',
      timestamp: Date.now(),
      ...(body ? { uploadData: [{ type: 'rawData', bytes: body }] } : {}),
    };
    const response = await new Promise((resolve) => listener(details, resolve));
    interceptions.push({ partition: this.partition, url, method: details.method, webContentsId: details.webContentsId, cancel: Boolean(response?.cancel) });
    if (response?.cancel) await route.abort('blockedbyclient');
    else await route.continue();
  }

  setPermissionRequestHandler(handler) {
    record('session.setPermissionRequestHandler', this.partition, handler === null ? null : 'handler');
    this.permissionRequestHandler = handler;
  }

  setPermissionCheckHandler(handler) {
    record('session.setPermissionCheckHandler', this.partition, handler === null ? null : 'handler');
    this.permissionCheckHandler = handler;
  }

  setUserAgent(userAgent, acceptLanguages) {
    record('session.setUserAgent', this.partition, userAgent, acceptLanguages);
    this.#userAgent = userAgent;
    this.emit('-user-agent-changed', userAgent);
  }

  /** Electron's default until one is set: Chromium's, with the app and Electron named and no "Headless". */
  getUserAgent() {
    return this.#userAgent ?? electronUserAgent();
  }

  async clearData(options) {
    record('session.clearData', this.partition, options);
    await this.#clearEverything();
  }

  async clearStorageData(options) {
    record('session.clearStorageData', this.partition, options);
    await this.#clearEverything();
  }

  async clearCache() {
    const context = await this._context();
    const cdp = await context.newCDPSession(context.pages()[0] ?? (await context.newPage()));
    await cdp.send('Network.clearBrowserCache');
    await cdp.detach();
  }

  async #clearEverything() {
    const context = await this._context();
    await context.clearCookies();
    const cdp = await context.newCDPSession(context.pages()[0] ?? (await context.newPage()));
    await cdp.send('Network.clearBrowserCache');
    // Storage is per origin in Chromium: every origin this session has talked to.
    for (const origin of this.#origins) await cdp.send('Storage.clearDataForOrigin', { origin, storageTypes: 'all' });
    await cdp.detach();
  }

  async getBlobData(identifier) {
    throw new Error(`The Electron stand-in cannot read blob ${identifier}: Chromium's blob registry is not reachable here`);
  }

  async flushStorageData() {
    record('session.flushStorageData', this.partition);
  }
}

/** What onBeforeRequest decided, for the test: `{ partition, url, method, webContentsId, cancel }`. */
export const interceptions = [];

const pages = new WeakMap();

export function bindPage(page, contents) {
  pages.set(page, contents);
}

function webContentsOfPage(page) {
  return pages.get(page);
}

function safely(read) {
  try {
    return read();
  } catch {
    return undefined;
  }
}

const sessions = new Map();
let defaultSession;

export const session = {
  get defaultSession() {
    defaultSession ??= new Session('', app.getPath('userData'));
    return defaultSession;
  },
  fromPartition(partition) {
    if (partition === '') return session.defaultSession;
    let existing = sessions.get(partition);
    if (!existing) {
      const persistent = partition.startsWith('persist:');
      existing = new Session(partition, persistent ? join(app.getPath('userData'), 'Partitions', encodeURIComponent(partition.slice('persist:'.length))) : null);
      sessions.set(partition, existing);
    }
    return existing;
  },
  _all() {
    return [...(defaultSession ? [defaultSession] : []), ...sessions.values()];
  },
};
