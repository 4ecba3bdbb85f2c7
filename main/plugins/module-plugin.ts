import type { Logger } from '../support/logger.js';
import { PLUGIN_API_VERSION } from './api.js';
import { readHostMessage, type WireError } from './host-protocol.js';
import { PluginError } from './plugin-error.js';
import { pluginHostScript, type LaunchPluginProcess, type PluginProcess } from './plugin-process.js';

/** What Cloudtoken does for a plugin during one call: only what its kind is given. */
export interface HostServices {
  http?(request: unknown): Promise<unknown>;
  prompt?(question: unknown): Promise<string>;
  notify?(text: string): void;
}

export interface ModulePlugin {
  /** One call into the plugin; its own work (not the time Cloudtoken spends on its requests) is timed. */
  call(op: 'signIn' | 'handle', payload: Record<string, unknown>, services: HostServices): Promise<unknown>;
  close(): void;
}

export interface ModulePluginOptions {
  name: string;
  kind: 'sign-in-source' | 'credential-handler';
  /** The module file to import (a package's entry already resolved). */
  entry: string;
  launch: LaunchPluginProcess;
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
  logger: Logger;
}

/** Lines of output a plugin process may log before the rest is dropped. */
const MAX_OUTPUT_LINES = 200;

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  services: HostServices;
  timer: NodeJS.Timeout | undefined;
}

/**
 * One module plugin in its own process, started at its first call. A crash or a hang ends the process and
 * every call after it fails with PLUGIN_DISABLED naming the first reason: the plugin is out for the session.
 */
export function createModulePlugin(options: ModulePluginOptions): ModulePlugin {
  const { name, logger, timeoutMs } = options;
  let child: PluginProcess | undefined;
  let ready: Promise<void> | undefined;
  let dead: PluginError | undefined;
  let nextId = 0;
  const pending = new Map<number, Pending>();
  let loadWaiter: { resolve(): void; reject(error: unknown): void } | undefined;

  const die = (error: PluginError) => {
    if (dead) return;
    dead = error;
    logger.error(error.message, { plugin: name, code: error.code });
    child?.kill();
    loadWaiter?.reject(error);
    for (const call of pending.values()) {
      clearTimeout(call.timer);
      call.reject(error);
    }
    pending.clear();
  };
  const hung = (what: string) => new PluginError('PLUGIN_TIMEOUT', `The plugin "${name}" ${what} within ${timeoutMs / 1000} s; it was stopped and is disabled until Cloudtoken restarts.`);
  const time = (call: Pending) => {
    clearTimeout(call.timer);
    call.timer = setTimeout(() => die(hung('did not answer')), timeoutMs);
  };

  const failed = (error: WireError) => new PluginError('PLUGIN_FAILED', `The plugin "${name}" failed: ${error.message}`, { cause: error });

  const onMessage = (raw: unknown) => {
    const message = readHostMessage(raw);
    if (!message) return logger.warn(`Plugin ${name} sent a message Cloudtoken does not know; ignored.`);
    switch (message.type) {
      case 'loaded': {
        const { kind, apiVersion } = message;
        if (kind !== options.kind || apiVersion !== PLUGIN_API_VERSION) {
          return die(
            new PluginError(
              'PLUGIN_INCOMPATIBLE',
              `The plugin "${name}" is not a ${options.kind} for plugin API version ${PLUGIN_API_VERSION}: its module exports kind ${JSON.stringify(kind)}, apiVersion ${JSON.stringify(apiVersion)}.`,
            ),
          );
        }
        loadWaiter?.resolve();
        return;
      }
      case 'load-failed':
        return die(new PluginError('PLUGIN_INCOMPATIBLE', `The plugin "${name}" could not be loaded: ${message.error.message}`));
      case 'result': {
        const call = pending.get(message.id);
        if (!call) return;
        pending.delete(message.id);
        clearTimeout(call.timer);
        if (message.ok) call.resolve(message.value);
        else call.reject(failed(message.error));
        return;
      }
      case 'request': {
        const call = pending.get(message.callId);
        const service = call?.services[message.op];
        if (!call) return;
        // While Cloudtoken works for it (an IdP request, a person typing), the plugin is not the one hanging.
        clearTimeout(call.timer);
        const answer = service
          ? Promise.resolve().then(() => service(message.args))
          : Promise.reject(new Error(`A ${options.kind} cannot ask for ${message.op}.`));
        answer.then(
          (value) => child?.send({ type: 'reply', id: message.id, ok: true, value }),
          (error: unknown) => {
            const code = (error as { code?: unknown }).code;
            child?.send({ type: 'reply', id: message.id, ok: false, error: { message: error instanceof Error ? error.message : String(error), ...(typeof code === 'string' ? { code } : {}) } });
          },
        ).finally(() => pending.has(message.callId) && time(call));
        return;
      }
      case 'notify':
        pending.get(message.callId)?.services.notify?.(message.text);
        return;
      case 'log':
        logger.info(`Plugin ${name}: ${message.message}`);
        return;
    }
  };

  const start = (): Promise<void> => {
    let lines = 0;
    const launched = options.launch({ script: pluginHostScript(), env: options.env, cwd: options.cwd, name });
    child = launched;
    launched.onMessage(onMessage);
    launched.onOutput((line) => {
      if (line.trim() && lines++ < MAX_OUTPUT_LINES) logger.warn(`Plugin ${name}: ${line}`);
    });
    launched.onExit((detail) => die(new PluginError('PLUGIN_CRASHED', `The plugin "${name}" stopped (${detail}); it is disabled until Cloudtoken restarts.`)));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => die(hung('did not load')), timeoutMs);
      loadWaiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      launched.send({ type: 'load', entry: options.entry });
    });
  };

  return {
    async call(op, payload, services) {
      if (dead) throw new PluginError('PLUGIN_DISABLED', `The plugin "${name}" is disabled for this session: ${dead.message}`);
      ready ??= start();
      await ready;
      const id = ++nextId;
      return new Promise((resolve, reject) => {
        const call: Pending = { resolve, reject, services, timer: undefined };
        pending.set(id, call);
        time(call);
        child?.send({ type: 'call', id, op, ...payload });
      });
    },
    close() {
      dead ??= new PluginError('PLUGIN_DISABLED', `The plugin "${name}" was stopped.`);
      child?.kill();
      for (const call of pending.values()) {
        clearTimeout(call.timer);
        call.reject(dead);
      }
      pending.clear();
    },
  };
}
