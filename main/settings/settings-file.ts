import { readFile } from 'node:fs/promises';
import { CloudtokenError } from '../support/errors.js';
import { writeFileAtomic } from '../support/atomic-file.js';
import { SETTINGS_VERSION, compareVersions, defaultSettings, migrateSettings, validateSettings, withDefaults } from './schema.js';
import type { Settings, FieldError } from './schema.js';

/**
 * The settings document: what the file holds, how it is read (migrated, validated) and written. The tray app
 * reaches the same file through electron-store; both keep electron-store's bookkeeping key
 * (`__internal__.migrations.version`) so they agree on which migrations have run.
 */
export class SettingsFileError extends CloudtokenError {
  readonly errors: FieldError[];

  constructor(code: string, message: string, errors: FieldError[] = [], options?: { cause?: unknown }) {
    super(code, message, options);
    this.errors = errors;
  }
}

const INTERNAL_KEY = '__internal__';

function recordedVersion(data: Record<string, unknown>): string | undefined {
  const internal = data[INTERNAL_KEY] as { migrations?: { version?: unknown } } | undefined;
  const version = internal?.migrations?.version;
  return typeof version === 'string' && /^\d+\.\d+\.\d+/.test(version) ? version : undefined;
}

/** The stored object as a file holds it: settings plus, perhaps, electron-store's bookkeeping. */
export function parseSettingsText(text: string, path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SettingsFileError('SETTINGS_NOT_JSON', `The settings file ${path} is not valid JSON; fix or delete it (nothing was changed).`, [], { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SettingsFileError('SETTINGS_NOT_OBJECT', `The settings file ${path} does not hold a settings object; fix or delete it (nothing was changed).`);
  }
  return parsed as Record<string, unknown>;
}

/** Migrate and validate a stored object (bookkeeping included or not); every problem is reported by field. */
export function settingsFromStored(data: Record<string, unknown>, path: string): Settings {
  const version = recordedVersion(data);
  if (version !== undefined && compareVersions(version, SETTINGS_VERSION) > 0) {
    throw new SettingsFileError(
      'SETTINGS_TOO_NEW',
      `The settings file ${path} was written by a newer Cloudtoken (format ${version}); update this copy of Cloudtoken.`,
    );
  }
  const { [INTERNAL_KEY]: _bookkeeping, ...stored } = data;
  const result = validateSettings(withDefaults(migrateSettings(stored, version)));
  if (!result.ok) {
    const detail = result.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    throw new SettingsFileError('SETTINGS_INVALID', `The settings file ${path} has invalid values (${detail}).`, result.errors);
  }
  return result.settings;
}

/** Settings checked for writing: invalid ones throw with every field's message. */
export function checkedForSaving(settings: Settings): Settings {
  const result = validateSettings(settings);
  if (!result.ok) {
    const detail = result.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    throw new SettingsFileError('SETTINGS_INVALID', `These settings were not saved: ${detail}`, result.errors);
  }
  return result.settings;
}

/** Read, migrate and validate a settings file; a missing file gives the defaults. Never writes. */
export async function loadSettingsFile(path: string): Promise<Settings> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return defaultSettings();
    throw new SettingsFileError('SETTINGS_UNREADABLE', `Cloudtoken could not read its settings file ${path}: ${(error as Error).message}`, [], { cause: error });
  }
  return settingsFromStored(parseSettingsText(text, path), path);
}

/** Validate, then replace the file atomically (0600). Invalid settings throw and leave the file untouched. */
export async function saveSettingsFile(path: string, settings: Settings): Promise<void> {
  const document = { ...checkedForSaving(settings), [INTERNAL_KEY]: { migrations: { version: SETTINGS_VERSION } } };
  await writeFileAtomic(path, `${JSON.stringify(document, null, 2)}\n`);
}
