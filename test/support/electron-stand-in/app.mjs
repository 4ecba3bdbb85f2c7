import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { setImmediate } from 'node:timers';
import { dirname, join } from 'node:path';
import { preventableEvent, record } from './record.mjs';

/**
 * `app`: lifecycle (ready, quit with before-quit / will-quit / quit, exit), paths, the single-instance lock,
 * login items. The Node process stands in for Electron's main process, so a timer keeps it alive the way
 * Electron's message loop does: a tray app with no window must not exit.
 */

/** The directory of the app's package.json, as `electron .` would have it: above the main script. */
function findAppPath() {
  let dir = dirname(process.argv[1] ?? process.cwd());
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

const appPath = findAppPath();
const manifest = JSON.parse(readFileSync(join(appPath, 'package.json'), 'utf8'));

class App extends EventEmitter {
  isPackaged = false;
  #paths = new Map();
  #ready = false;
  #readyPromise;
  #quitting = false;
  #loginItem = { openAtLogin: false };
  #shutdownSteps = [];
  #keepAlive = setInterval(() => {}, 1 << 30);

  constructor() {
    super();
    // Electron is ready once the main script has run: after its synchronous part.
    this.#readyPromise = new Promise((resolve) =>
      setImmediate(() => {
        this.#ready = true;
        this.emit('ready', preventableEvent(), {});
        resolve();
      }),
    );
  }

  whenReady() {
    return this.#readyPromise;
  }

  isReady() {
    return this.#ready;
  }

  getAppPath() {
    return appPath;
  }

  getName() {
    return manifest.productName ?? manifest.name;
  }

  getVersion() {
    return manifest.version;
  }

  getLocale() {
    return 'en-US';
  }

  getPath(name) {
    const set = this.#paths.get(name);
    if (set) return set;
    const appData = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
    switch (name) {
      case 'home':
        return homedir();
      case 'appData':
        return appData;
      case 'userData':
        return join(appData, this.getName());
      case 'sessionData':
        return this.getPath('userData');
      case 'temp':
        return tmpdir();
      case 'exe':
        return process.execPath;
      case 'logs':
        return join(this.getPath('userData'), 'logs');
      default:
        throw new Error(`Failed to get '${name}' path`);
    }
  }

  setPath(name, path) {
    record('app.setPath', name, path);
    this.#paths.set(name, path);
  }

  requestSingleInstanceLock(additionalData) {
    record('app.requestSingleInstanceLock', additionalData);
    return true;
  }

  hasSingleInstanceLock() {
    return true;
  }

  releaseSingleInstanceLock() {
    record('app.releaseSingleInstanceLock');
  }

  setAppUserModelId(id) {
    record('app.setAppUserModelId', id);
  }

  getLoginItemSettings(options) {
    record('app.getLoginItemSettings', options);
    return { ...this.#loginItem, openAsHidden: false, wasOpenedAtLogin: false, wasOpenedAsHidden: false, restoreState: false, executableWillLaunchAtLogin: this.#loginItem.openAtLogin, launchItems: [] };
  }

  setLoginItemSettings(settings) {
    record('app.setLoginItemSettings', settings);
    this.#loginItem = { openAtLogin: Boolean(settings.openAtLogin) };
  }

  focus() {
    record('app.focus');
  }

  /** Run at quit and exit, in order (pages close, then Chromium ends and writes its profile). */
  _onShutdown(step) {
    this.#shutdownSteps.push(step);
  }

  /** Set by windows.mjs: closes every window as a user would; false when one refused (its `close` prevented). */
  _closeWindows = () => true;

  quit() {
    if (this.#quitting) return;
    const beforeQuit = preventableEvent();
    this.emit('before-quit', beforeQuit);
    if (beforeQuit.defaultPrevented) return;
    this.#quitting = true;
    if (!this._closeWindows()) {
      this.#quitting = false;
      return;
    }
    const willQuit = preventableEvent();
    this.emit('will-quit', willQuit);
    if (willQuit.defaultPrevented) {
      this.#quitting = false;
      return;
    }
    void this.#shutdown(0);
  }

  /** No before-quit, no will-quit, no asking the windows. */
  exit(code = 0) {
    this.#quitting = true;
    void this.#shutdown(code);
  }

  async #shutdown(code) {
    for (const step of this.#shutdownSteps) {
      try {
        await step();
      } catch (error) {
        process.stderr.write(`[electron-stand-in] shutdown step failed: ${error}\n`);
      }
    }
    this.emit('quit', preventableEvent(), code);
    clearInterval(this.#keepAlive);
    process.exit(code);
  }

  _isQuitting() {
    return this.#quitting;
  }

  /** The last window closed: Electron quits unless someone listens for `window-all-closed`. */
  _allWindowsClosed() {
    if (this.#quitting) return;
    if (this.listenerCount('window-all-closed') > 0) this.emit('window-all-closed');
    else this.quit();
  }
}

export const app = new App();

// What Electron's main process adds to `process`.
process.type = 'browser';
process.resourcesPath = join(appPath, 'node_modules', 'electron', 'dist', 'resources');
