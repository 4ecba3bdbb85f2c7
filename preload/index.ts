/**
 * The preload of every Cloudtoken window (never of the IdP view). It runs sandboxed, so scripts/build.mjs
 * bundles it with the contract into one CommonJS file. It exposes two functions, not ipcRenderer: a page can
 * only call the channels of the contract, and gets payloads, never Electron's event objects.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { isPushChannel, isRequestChannel } from './contract.js';
import type { CloudtokenBridge } from './contract.js';

const bridge: CloudtokenBridge = {
  invoke(channel, ...request) {
    if (!isRequestChannel(channel)) return Promise.reject(new Error(`Unknown Cloudtoken request: ${String(channel)}`));
    return ipcRenderer.invoke(channel, ...request);
  },
  subscribe(channel, listener) {
    if (!isPushChannel(channel)) throw new Error(`Unknown Cloudtoken update: ${String(channel)}`);
    const forward = (_event: Electron.IpcRendererEvent, payload: unknown) => listener(payload as never);
    ipcRenderer.on(channel, forward);
    return () => {
      ipcRenderer.removeListener(channel, forward);
    };
  },
};

contextBridge.exposeInMainWorld('cloudtoken', bridge);
