import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { PluginSetting } from '../settings/schema.js';
import { PluginError } from './plugin-error.js';

/** `<state folder>/plugins`: the one place module plugins are loaded from. */
export function pluginsFolder(home: string): string {
  return join(home, 'plugins');
}

/** Where the settings say the plugin is: the module's path in the plugins folder, or the command line. */
export function pluginLocation(setting: PluginSetting, pluginsDir: string): string {
  return setting.module !== undefined ? resolve(pluginsDir, setting.module) : (setting.command ?? []).join(' ');
}

/** The `.` export of a package.json: a string, or the `import`/`default` condition. */
function packageEntry(manifest: Record<string, unknown>): string | undefined {
  const exported = manifest.exports;
  const dot = typeof exported === 'object' && exported !== null && '.' in exported ? (exported as Record<string, unknown>)['.'] : exported;
  if (typeof dot === 'string') return dot;
  if (typeof dot === 'object' && dot !== null) {
    const conditions = dot as Record<string, unknown>;
    for (const key of ['import', 'node', 'default']) if (typeof conditions[key] === 'string') return conditions[key] as string;
  }
  return typeof manifest.main === 'string' ? manifest.main : undefined;
}

/** The file to import for a module plugin: the file itself, or a package folder's entry (package.json, else index.js). */
export async function moduleEntry(name: string, path: string): Promise<string> {
  const stats = await stat(path).catch(() => undefined);
  if (!stats) throw new PluginError('PLUGIN_NOT_FOUND', `The plugin "${name}" was not run: ${path} does not exist.`);
  if (!stats.isDirectory()) return path;
  let manifest: Record<string, unknown> = {};
  try {
    manifest = JSON.parse(await readFile(join(path, 'package.json'), 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new PluginError('PLUGIN_INCOMPATIBLE', `The plugin "${name}" has a package.json Cloudtoken cannot read (${(error as Error).message}).`);
    }
  }
  const entry = resolve(path, packageEntry(manifest) ?? 'index.js');
  if (!entry.startsWith(resolve(path))) throw new PluginError('PLUGIN_UNTRUSTED', `The plugin "${name}" names an entry outside its own folder (${entry}).`);
  return entry;
}
