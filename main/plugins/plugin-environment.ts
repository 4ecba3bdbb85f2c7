import { PLUGIN_API_VERSION } from './api.js';

/**
 * What a plugin's process inherits of Cloudtoken's environment: enough to find programs, a home and the
 * locale, and nothing else. Cloudtoken's own variables (AWS_* endpoints and keys a user exported,
 * CLOUDTOKEN_HOME, proxies with passwords in them, NODE_OPTIONS) stay behind.
 */
const PASSED = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'SYSTEMROOT', 'SystemRoot', 'WINDIR', 'TEMP', 'TMP', 'USERPROFILE', 'APPDATA', 'LOCALAPPDATA', 'DISPLAY', 'WAYLAND_DISPLAY', 'DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR'];

export function pluginEnvironment(env: Readonly<Record<string, string | undefined>>, extra: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PASSED) {
    const value = env[name];
    if (value !== undefined) out[name] = value;
  }
  return { ...out, CLOUDTOKEN_PLUGIN_API: String(PLUGIN_API_VERSION), ...extra };
}
