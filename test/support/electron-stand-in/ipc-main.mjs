import { EventEmitter } from 'node:events';

/** `ipcMain`: handle/handleOnce/removeHandler for invoke, EventEmitter `on` for send (electron-store uses it). */
class IpcMain extends EventEmitter {
  #handlers = new Map();

  handle(channel, handler) {
    if (this.#handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.#handlers.set(channel, handler);
  }

  handleOnce(channel, handler) {
    this.handle(channel, (...args) => {
      this.removeHandler(channel);
      return handler(...args);
    });
  }

  removeHandler(channel) {
    this.#handlers.delete(channel);
  }

  /** A renderer's `ipcRenderer.invoke`; rejects like Electron when nothing handles the channel. */
  async _invoke(channel, event, args) {
    const handler = this.#handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(event, ...args);
  }

  _channels() {
    return [...this.#handlers.keys()];
  }
}

export const ipcMain = new IpcMain();
