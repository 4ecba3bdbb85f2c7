import type { PluginStatus } from '../channel/protocol.js';
import type { PluginSetting } from '../settings/schema.js';
import { describeError } from '../support/errors.js';
import type { Logger } from '../support/logger.js';
import { oneAtATime } from '../support/one-at-a-time.js';
import { PLUGIN_API_VERSION, type CredentialEvent } from './api.js';
import { moduleEntry, pluginLocation } from './locate.js';
import { createModulePlugin, type ModulePlugin } from './module-plugin.js';
import { disablesPlugin } from './plugin-error.js';
import type { LaunchPluginProcess } from './plugin-process.js';
import { commandFailure, runPluginCommand } from './run-command.js';
import { checkCommandTrusted, checkModuleTrusted, type TrustRule } from './trust.js';

const DEFAULT_TIMEOUT_S = 10;

export interface HandlerDeps {
  pluginsDir: string;
  launch: LaunchPluginProcess;
  env: Record<string, string>;
  uid: number | undefined;
  /** A handler's text for the person: a desktop notification (tray) or a line on the terminal (CLI). */
  notify(plugin: string, text: string): void;
  /** A handler failed (it stays on) or was disabled (crash, hang, untrusted files): said where the user sees it. */
  onProblem(status: PluginStatus, message: string): void;
  logger: Logger;
}

export interface CredentialHandlers {
  /** Hands the events to every handler in turn on its own queue, and returns at once: serving never waits on a handler. */
  dispatch(events: readonly CredentialEvent[]): void;
  list(): PluginStatus[];
  /** Resolves when every queued event has been handled (or has failed): for tests and an orderly stop. */
  idle(): Promise<void>;
  close(): void;
}

interface Handler {
  setting: PluginSetting;
  status: PluginStatus;
  deliver(event: CredentialEvent): Promise<void>;
  queue: ReturnType<typeof oneAtATime>;
  close(): void;
}

function trustRule(setting: PluginSetting, uid: number | undefined): TrustRule {
  return { plugin: setting.name, uid, alsoOwnedBy: setting.command ? [0] : [] };
}

function commandDeliverer(setting: PluginSetting, deps: HandlerDeps): Handler['deliver'] {
  const command = setting.command ?? [];
  const timeoutMs = (setting.timeoutSeconds ?? DEFAULT_TIMEOUT_S) * 1000;
  return async (event) => {
    await checkCommandTrusted(trustRule(setting, deps.uid), command);
    const outcome = await runPluginCommand({ plugin: setting.name, command, input: `${JSON.stringify(event)}\n`, env: deps.env, cwd: deps.pluginsDir, timeoutMs, logger: deps.logger });
    const failure = commandFailure(setting.name, outcome);
    if (failure) throw failure;
  };
}

function moduleDeliverer(setting: PluginSetting, deps: HandlerDeps): { deliver: Handler['deliver']; close(): void } {
  const path = pluginLocation(setting, deps.pluginsDir);
  let plugin: Promise<ModulePlugin> | undefined;
  const load = async () => {
    await checkModuleTrusted(trustRule(setting, deps.uid), deps.pluginsDir, path);
    return createModulePlugin({
      name: setting.name,
      kind: 'credential-handler',
      entry: await moduleEntry(setting.name, path),
      launch: deps.launch,
      env: deps.env,
      cwd: deps.pluginsDir,
      timeoutMs: (setting.timeoutSeconds ?? DEFAULT_TIMEOUT_S) * 1000,
      logger: deps.logger,
    });
  };
  return {
    async deliver(event) {
      plugin ??= load();
      await (await plugin).call('handle', { event, options: setting.options ?? {} }, { notify: (text) => deps.notify(setting.name, text) });
    },
    close: () => void plugin?.then((p) => p.close(), () => undefined),
  };
}

/**
 * The credential handlers of one profile's session. Each has its own queue, so a slow one delays only
 * itself and events reach it in order; a failure is reported and the next event tried, while a crash, a hang
 * or untrusted files disable it for the session.
 */
export function createCredentialHandlers(settings: readonly PluginSetting[], deps: HandlerDeps): CredentialHandlers {
  const handlers: Handler[] = settings.map((setting) => {
    const status: PluginStatus = { name: setting.name, kind: setting.kind, form: setting.module !== undefined ? 'module' : 'command', path: pluginLocation(setting, deps.pluginsDir), state: 'active', problem: undefined };
    const form = setting.module !== undefined ? moduleDeliverer(setting, deps) : { deliver: commandDeliverer(setting, deps), close: () => undefined };
    return { setting, status, deliver: form.deliver, close: form.close, queue: oneAtATime() };
  });
  let pending = new Set<Promise<unknown>>();
  let closed = false;

  const run = (handler: Handler, event: CredentialEvent) => {
    if (handler.status.state === 'disabled') return;
    const task = handler
      .queue(async () => {
        if (handler.status.state === 'disabled' || closed) return;
        await handler.deliver(event);
      })
      .catch((error: unknown) => {
        if (closed) return;
        const disabled = disablesPlugin(error);
        if (disabled) handler.status.state = 'disabled';
        handler.status.problem = describeError(error);
        const message = disabled ? describeError(error) : `The credential handler "${handler.setting.name}" failed on the ${event.type} event: ${describeError(error)}`;
        deps.logger.warn(message, { plugin: handler.setting.name });
        deps.onProblem({ ...handler.status }, message);
      })
      .finally(() => pending.delete(task));
    pending.add(task);
  };

  return {
    dispatch(events) {
      if (closed) return;
      for (const event of events) {
        if (event.apiVersion !== PLUGIN_API_VERSION) continue;
        for (const handler of handlers) run(handler, event);
      }
    },
    list: () => handlers.map((h) => ({ ...h.status })),
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    close() {
      closed = true;
      pending = new Set();
      for (const handler of handlers) handler.close();
    },
  };
}
