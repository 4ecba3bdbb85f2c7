import { dirname } from 'node:path';

/**
 * The renderer side of a window with a preload: the preload file runs in the page before the page's own
 * scripts, given `require('electron')` with `contextBridge` and `ipcRenderer`. `ipcRenderer` reaches main
 * through one Playwright binding (web-contents.mjs answers it); main's `webContents.send` calls PUSH.
 */

export const BINDING = '__electronStandInIpc';
export const PUSH = '__electronStandInPush';

/** The init script (a string, so the page's CSP — no eval — does not apply to it) running `preloadSource`. */
export function preloadInitScript(preloadSource, preloadPath) {
  return `(() => {
  // Electron runs a preload in the main frame only (nodeIntegrationInSubFrames is off).
  if (window.top !== window) return;
  const toMain = window[${JSON.stringify(BINDING)}];
  const listeners = new Map();
  const ipcRenderer = {
    invoke(channel, ...args) {
      return toMain({ kind: 'invoke', channel, args }).then((answer) => {
        if ('error' in answer) throw new Error(answer.error);
        return answer.value;
      });
    },
    send(channel, ...args) {
      void toMain({ kind: 'send', channel, args });
    },
    sendSync() {
      throw new Error('ipcRenderer.sendSync is not available in the Electron stand-in');
    },
    on(channel, listener) {
      if (!listeners.has(channel)) listeners.set(channel, []);
      listeners.get(channel).push(listener);
      return ipcRenderer;
    },
    once(channel, listener) {
      const once = (...args) => {
        ipcRenderer.removeListener(channel, once);
        listener(...args);
      };
      return ipcRenderer.on(channel, once);
    },
    removeListener(channel, listener) {
      const list = listeners.get(channel) ?? [];
      const index = list.indexOf(listener);
      if (index >= 0) list.splice(index, 1);
      return ipcRenderer;
    },
    off(channel, listener) {
      return ipcRenderer.removeListener(channel, listener);
    },
    removeAllListeners(channel) {
      if (channel === undefined) listeners.clear();
      else listeners.delete(channel);
      return ipcRenderer;
    },
  };
  Object.defineProperty(window, ${JSON.stringify(PUSH)}, {
    value: (channel, args) => {
      for (const listener of [...(listeners.get(channel) ?? [])]) listener({ sender: ipcRenderer, ports: [] }, ...args);
    },
  });
  const deepFreeze = (value) => {
    if (value && (typeof value === 'object' || typeof value === 'function') && !Object.isFrozen(value)) {
      Object.freeze(value);
      for (const key of Object.keys(value)) deepFreeze(value[key]);
    }
    return value;
  };
  const contextBridge = {
    exposeInMainWorld(key, api) {
      Object.defineProperty(window, key, { value: deepFreeze(api), enumerable: true });
    },
  };
  const sandboxedProcess = { type: 'renderer', platform: ${JSON.stringify(process.platform)}, versions: {}, env: {}, argv: [] };
  const require = (name) => {
    if (name === 'electron') return { contextBridge, ipcRenderer };
    throw new Error('module not found: ' + name);
  };
  const module = { exports: {} };
  (function (require, module, exports, __filename, __dirname, process) {
${preloadSource}
  })(require, module, module.exports, ${JSON.stringify(preloadPath)}, ${JSON.stringify(dirname(preloadPath))}, sandboxedProcess);
})();`;
}
