import { CloudtokenError } from '../support/errors.js';

export type PluginErrorCode =
  /** A file of the plugin is not the user's own, or others may change it. */
  | 'PLUGIN_UNTRUSTED'
  | 'PLUGIN_NOT_FOUND'
  /** The module does not export a plugin of the kind and API version the settings name. */
  | 'PLUGIN_INCOMPATIBLE'
  /** Its process died, or a command could not be started. */
  | 'PLUGIN_CRASHED'
  | 'PLUGIN_TIMEOUT'
  /** It threw, or a command exited with an error. */
  | 'PLUGIN_FAILED'
  /** What it answered is not what its kind must answer. */
  | 'PLUGIN_BAD_OUTPUT'
  /** It crashed or hung earlier in this session and is not run again until the session restarts. */
  | 'PLUGIN_DISABLED';

/** Every plugin failure: the message names the plugin and what to do, as the CLI, the tray and the log show it. */
export class PluginError extends CloudtokenError<PluginErrorCode> {}

/** Crashes and hangs take a plugin out of the session; its ordinary failures do not. */
export function disablesPlugin(error: unknown): boolean {
  return error instanceof PluginError && ['PLUGIN_CRASHED', 'PLUGIN_TIMEOUT', 'PLUGIN_UNTRUSTED', 'PLUGIN_NOT_FOUND', 'PLUGIN_INCOMPATIBLE'].includes(error.code);
}
