// @ts-check
/**
 * The process a module plugin runs in (child_process.fork from the CLI, Electron's utilityProcess from the
 * tray app): it imports the one module it is told to, runs its calls, and relays what the plugin asks of
 * Cloudtoken (HTTP, a prompt, a notification, a log line). The messages are those of host-protocol.ts.
 * Plain JavaScript with no imports but Node's, so it runs as it is from the sources and from the package.
 */
import { pathToFileURL } from 'node:url';

/** Electron's utilityProcess speaks through process.parentPort, a forked Node process through process.send. */
const parentPort = /** @type {any} */ (process).parentPort;
/** @param {object} message */
const send = (message) => (parentPort ? parentPort.postMessage(message) : process.send?.(message));
/** @param {(message: any) => void} listener */
const onMessage = (listener) => (parentPort ? parentPort.on('message', (/** @type {any} */ event) => listener(event.data)) : process.on('message', listener));

/** @type {any} */
let plugin;
let nextRequest = 0;
/** @type {Map<number, {resolve: (value: any) => void, reject: (error: Error) => void}>} */
const pending = new Map();

/** @param {unknown} error */
function describe(error) {
  const code = error && typeof error === 'object' && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  return { message: error instanceof Error ? error.message : String(error), ...(code ? { code } : {}) };
}

/** @param {number} callId @param {string} op @param {unknown} args */
function ask(callId, op, args) {
  const id = ++nextRequest;
  send({ type: 'request', id, callId, op, args });
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}

/** @param {number} callId @param {Record<string, string>} options */
function common(callId, options) {
  return {
    apiVersion: 1,
    options,
    log: (/** @type {unknown} */ message) => send({ type: 'log', callId, message: String(message) }),
  };
}

/** @param {any} message */
async function call(message) {
  const { id, op } = message;
  try {
    let value;
    if (op === 'signIn') {
      value = await plugin.signIn({
        ...message.context,
        ...common(id, message.context.options),
        http: { request: (/** @type {unknown} */ request) => ask(id, 'http', request) },
        prompt: (/** @type {unknown} */ question) => ask(id, 'prompt', question),
      });
    } else {
      await plugin.handle(message.event, { ...common(id, message.options), notify: (/** @type {unknown} */ text) => send({ type: 'notify', callId: id, text: String(text) }) });
      value = null;
    }
    send({ type: 'result', id, ok: true, value: value ?? null });
  } catch (error) {
    send({ type: 'result', id, ok: false, error: describe(error) });
  }
}

onMessage(async (/** @type {any} */ message) => {
  if (message?.type === 'load') {
    try {
      const loaded = await import(pathToFileURL(message.entry).href);
      plugin = loaded.default ?? loaded;
      send({ type: 'loaded', kind: plugin?.kind ?? null, apiVersion: plugin?.apiVersion ?? null });
    } catch (error) {
      send({ type: 'load-failed', error: describe(error) });
    }
  } else if (message?.type === 'call') {
    void call(message);
  } else if (message?.type === 'reply') {
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (!waiting) return;
    if (message.ok) waiting.resolve(message.value);
    else waiting.reject(Object.assign(new Error(message.error.message), message.error.code ? { code: message.error.code } : {}));
  }
});
