import type { StatePaths } from '../settings/paths.js';
import { electronStoreLocation } from '../settings/paths.js';
import {
  SETTINGS_STORE_SCHEMA,
  SETTINGS_VERSION,
  storeMigrations,
  validateSettings,
  withDefaults,
  type FieldError,
  type Settings,
} from '../settings/schema.js';
import { CloudtokenError } from '../support/errors.js';

/**
 * The tray app's settings: electron-store on the very file the CLI reads (settings/paths.ts), checked by the
 * JSON schema of settings/schema.ts and migrated by the same steps as the CLI's loader. The store class is
 * passed in (app.ts passes electron-store, which only loads inside Electron; tests pass `conf`, the library
 * electron-store extends with the same options).
 */

/** What the tray needs of an electron-store (or conf) instance. */
export interface SettingsStoreBackend {
  readonly store: Record<string, unknown>;
  set(values: Record<string, unknown>): void;
  delete(key: string): void;
}

export type SettingsStoreClass<B extends SettingsStoreBackend> = new (options: ReturnType<typeof settingsStoreOptions>) => B;

export class SettingsStoreError extends CloudtokenError {
  readonly errors: FieldError[];

  constructor(code: string, message: string, errors: FieldError[] = [], options?: { cause?: unknown }) {
    super(code, message, options);
    this.errors = errors;
  }
}

// electron-store's own bookkeeping lives beside the settings; it is not a setting.
const INTERNAL_KEY = '__internal__';
const OPTIONAL_KEYS = ['activeProfileId', 'stsEndpointOverride'] as const;

/** electron-store options: file location shared with the CLI, schema, migrations, the format's version. */
export function settingsStoreOptions(paths: StatePaths) {
  const { cwd, name } = electronStoreLocation(paths);
  return {
    cwd,
    name,
    // conf's own name for `name` (electron-store maps one onto the other).
    configName: name,
    schema: SETTINGS_STORE_SCHEMA as unknown as Record<string, object>,
    migrations: storeMigrations(),
    projectVersion: SETTINGS_VERSION,
    // A file the schema refuses is reported, never silently emptied: it may hold a user's profiles.
    clearInvalidConfig: false,
  };
}

export interface SettingsStore {
  read(): Settings;
  /** Validate, then write; invalid settings throw with every field's message and leave the file alone. */
  write(settings: Settings): Settings;
}

export function createSettingsStore<B extends SettingsStoreBackend>(StoreClass: SettingsStoreClass<B>, paths: StatePaths): SettingsStore {
  let backend: B;
  try {
    backend = new StoreClass(settingsStoreOptions(paths));
  } catch (error) {
    throw new SettingsStoreError(
      'SETTINGS_UNREADABLE',
      `Cloudtoken could not open its settings file in ${paths.home} (${(error as Error).message}); fix or delete it.`,
      [],
      { cause: error },
    );
  }
  return {
    read() {
      const { [INTERNAL_KEY]: _bookkeeping, ...stored } = backend.store;
      const result = validateSettings(withDefaults(stored));
      if (!result.ok) {
        throw new SettingsStoreError('SETTINGS_INVALID', `The settings file has invalid values (${result.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}).`, result.errors);
      }
      return result.settings;
    },
    write(settings) {
      const result = validateSettings(settings);
      if (!result.ok) throw new SettingsStoreError('SETTINGS_INVALID', 'These settings were not saved.', result.errors);
      const { activeProfileId: _active, stsEndpointOverride: _sts, ...required } = result.settings;
      const values: Record<string, unknown> = { ...required };
      for (const key of OPTIONAL_KEYS) {
        // electron-store refuses `set(key, undefined)`: an absent optional value is deleted instead.
        if (result.settings[key] === undefined) backend.delete(key);
        else values[key] = result.settings[key];
      }
      backend.set(values);
      return result.settings;
    },
  };
}
