import { readFile } from 'node:fs/promises';
import { CloudtokenError } from '../support/errors.js';
import { writeFileAtomic } from './atomic-file.js';
import { SETTINGS_VERSION, compareVersions, defaultSettings, migrateSettings, validateSettings, withDefaults } from './schema.js';
import type { Settings, FieldError } from './schema.js';

/**
 * The settings file as the CLI reads and writes it. The tray app uses electron-store on the same file; this
 * module keeps electron-store's bookkeeping key (`__internal__.migrations.version`) so the two agree on which
 * migrations have run.
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

/** Read, migrate and validate a settings file; a missing file gives the defaults. Never writes. */
export async function loadSettingsFile(path: string): Promise<Settings> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return defaultSettings();
    throw new SettingsFileError('SETTINGS_UNREADABLE', `Cloudtoken could not read its settings file ${path}: ${(error as Error).message}`, [], { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SettingsFileError('SETTINGS_NOT_JSON', `The settings file ${path} is not valid JSON; fix or delete it (nothing was changed).`, [], { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SettingsFileError('SETTINGS_NOT_OBJECT', `The settings file ${path} does not hold a settings object; fix or delete it (nothing was changed).`);
  }
  const data = parsed as Record<string, unknown>;
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

/** Validate, then replace the file atomically (0600). Invalid settings throw and leave the file untouched. */
export async function saveSettingsFile(path: string, settings: Settings): Promise<void> {
  const result = validateSettings(settings);
  if (!result.ok) {
    const detail = result.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    throw new SettingsFileError('SETTINGS_INVALID', `These settings were not saved: ${detail}`, result.errors);
  }
  const document = { ...result.settings, [INTERNAL_KEY]: { migrations: { version: SETTINGS_VERSION } } };
  await writeFileAtomic(path, `${JSON.stringify(document, null, 2)}\n`);
}
