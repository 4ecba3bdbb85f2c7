import type { StatePaths } from '../settings/paths.js';
import { electronStoreLocation } from '../settings/paths.js';
import { SETTINGS_VERSION, storeMigrations, type Settings } from '../settings/schema.js';
import { SettingsFileError, checkedForSaving, settingsFromStored } from '../settings/settings-file.js';
import type { SettingsBackend } from '../settings/settings-store.js';

/**
 * electron-store as the tray app's way to the settings file the CLI reads (settings/paths.ts), migrated by
 * the same steps as the CLI's loader. It is only the backend: reads are validated, and writes merged under
 * the lock, by settings/settings-store.ts, so the rules are the CLI's. The store class is passed in (app.ts
 * passes electron-store, which only loads inside Electron; tests pass `conf`, the library electron-store
 * extends with the same options).
 */

/** What the tray needs of an electron-store (or conf) instance. */
export interface ElectronStoreInstance {
  store: Record<string, unknown>;
}

export type ElectronStoreClass<B extends ElectronStoreInstance> = new (options: ReturnType<typeof electronStoreOptions>) => B;

/** electron-store options: the file shared with the CLI, the migrations, the format's version. */
export function electronStoreOptions(paths: StatePaths) {
  const { cwd, name } = electronStoreLocation(paths);
  return {
    cwd,
    name,
    // conf's own name for `name` (electron-store maps one onto the other).
    configName: name,
    migrations: storeMigrations(),
    projectVersion: SETTINGS_VERSION,
    // Other processes write the file: every read goes to it.
    cache: false,
    // A file that cannot be read is reported, never silently emptied: it may hold a user's profiles.
    clearInvalidConfig: false,
  };
}

export function electronStoreBackend<B extends ElectronStoreInstance>(StoreClass: ElectronStoreClass<B>, paths: StatePaths): SettingsBackend {
  let instance: B;
  try {
    instance = new StoreClass(electronStoreOptions(paths));
  } catch (error) {
    throw new SettingsFileError(
      'SETTINGS_UNREADABLE',
      `Cloudtoken could not open its settings file in ${paths.home} (${(error as Error).message}); fix or delete it.`,
      [],
      { cause: error },
    );
  }
  return {
    load: async () => settingsFromStored(instance.store, paths.settingsFile),
    save: async (settings: Settings) => {
      // JSON drops absent optional values, which electron-store would refuse as `undefined`.
      instance.store = JSON.parse(JSON.stringify(checkedForSaving(settings))) as Record<string, unknown>;
    },
  };
}
