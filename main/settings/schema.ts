/**
 * The settings of the tray app and the CLI (one file format for both): the type, its defaults, the one
 * validator (whose messages a user can act on) every reader and writer uses, and the migrations.
 *
 * Nothing here is secret and nothing here may ever be: credentials, tokens and cookies live elsewhere.
 * This module is pure (no Node or DOM imports) so the settings window can validate as the user types with
 * exactly the rules main enforces on save.
 */
import { checkServiceUrl, MAX_URL_LENGTH } from '../security/service-url.js';

export type ImdsMode = 'alias' | 'loopback';

export interface IdpProfile {
  /** Stable random id: keys the login partition, the cookie jar and the per-profile maps below. */
  id: string;
  name: string;
  /** The IdP-initiated sign-in URL (https; plain http only to a loopback host, for local test IdPs). */
  signInUrl: string;
  /** Overrides the global region for this profile's STS calls. */
  region?: string;
  /** Signs in through this sign-in-source plugin (its `name` in `plugins`) instead of a built-in path. */
  signInPlugin?: string;
}

export type PluginKind = 'sign-in-source' | 'credential-handler';

/**
 * A plugin the user trusts to run (docs/plugins.md): naming it here is what allows it. Exactly one form:
 * `module`, an ES module or package in `<state folder>/plugins/`, or `command`, any program.
 */
export interface PluginSetting {
  name: string;
  kind: PluginKind;
  /** Relative to `<state folder>/plugins/`: a .js/.mjs file, or a package's folder. */
  module?: string;
  /** The program (an absolute path) and its arguments. */
  command?: string[];
  /** A handler hears only these profiles' sessions (ids); every profile's when absent. */
  profiles?: string[];
  /** How long one call may take before the plugin counts as hung (default 30 s for sign-in, 10 s for handlers). */
  timeoutSeconds?: number;
  /** Passed to the plugin as they are: nothing secret belongs here. */
  options?: Record<string, string>;
}

export interface Settings {
  idpProfiles: IdpProfile[];
  activeProfileId?: string;
  region: string;
  /** Asked of STS; an assertion's SessionDuration attribute wins over it. */
  sessionDurationSeconds: number;
  refreshIntervalMinutes: number;
  imdsMode: ImdsMode;
  /** The loopback port (loopback mode) or the high port port 80 is redirected to (alias mode). */
  imdsPort: number;
  /** IMDSv2 only: refuse token-less (IMDSv1) reads. */
  tokensRequired: boolean;
  /** accountId (12 digits) → a name people recognise. */
  accountLabels: Record<string, string>;
  startAtLogin: boolean;
  notifications: boolean;
  revertAliasOnQuit: boolean;
  /** profileId → the role last served at the metadata address, chosen again after the next sign-in. */
  lastRoleArnByProfile: Record<string, string>;
  /** profileId → roles kept active besides the metadata role. */
  keptActiveRoleArnsByProfile: Record<string, string[]>;
  stsEndpointOverride?: string;
  /** Also write kept-active roles as profiles in ~/.aws/credentials. */
  writeCredentialsFileProfiles: boolean;
  /** The plugins allowed to run; nothing else is ever loaded. */
  plugins: PluginSetting[];
}

/** The version of the settings format; electron-store's `projectVersion` and the CLI record it in the file. */
export const SETTINGS_VERSION = '0.1.0';

export const LIMITS = {
  sessionDurationSeconds: { min: 900, max: 43_200 },
  refreshIntervalMinutes: { min: 5, max: 720 },
  imdsPort: { min: 1024, max: 65_535 },
  profileName: { max: 64 },
  accountLabel: { max: 64 },
  url: { max: MAX_URL_LENGTH },
  pluginTimeoutSeconds: { min: 1, max: 600 },
  pluginArguments: { max: 64 },
  pluginText: { max: 4096 },
  /** How long an interactive system-browser sign-in may take (`--timeout`). */
  signInTimeoutSeconds: { min: 1, max: 86_400 },
} as const;

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  idpProfiles: [],
  region: 'us-east-1',
  sessionDurationSeconds: 3600,
  refreshIntervalMinutes: 45,
  imdsMode: 'alias',
  imdsPort: 9911,
  tokensRequired: true,
  accountLabels: {},
  startAtLogin: false,
  notifications: true,
  revertAliasOnQuit: false,
  lastRoleArnByProfile: {},
  keptActiveRoleArnsByProfile: {},
  writeCredentialsFileProfiles: false,
  plugins: [],
});

/** A fresh, fully independent copy of the defaults. */
export function defaultSettings(): Settings {
  return structuredClone(DEFAULT_SETTINGS) as Settings;
}

export const PROFILE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
/**
 * An AWS region by its shape: a partition's area prefix (us, eu, ap, … and eusc, the European Sovereign
 * Cloud), then words (us-gov-west, cn-north, us-isob-east), then a number. A shape, not a list: new regions pass.
 */
export const REGION_PATTERN = /^(?:us|eu|ap|sa|ca|me|af|il|mx|cn|eusc)(?:-[a-z]+)+-\d{1,2}$/;
export const PLUGIN_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const ROLE_ARN_PATTERN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
// Labels and names are shown in menus and titles: no control characters, no line breaks.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** A stable random id for a new IdP profile (Node ≥ 19 and secure browser contexts have randomUUID). */
export function newProfileId(): string {
  return `idp-${globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

export interface FieldError {
  /** Dotted path of the offending value: `imdsPort`, `idpProfiles.1.signInUrl`, `accountLabels.123456789012`. */
  field: string;
  message: string;
}

export type SettingsValidation = { ok: true; settings: Settings } | { ok: false; errors: FieldError[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkInteger(value: unknown, range: { min: number; max: number }, what: string, unit: string, hint = ''): string | undefined {
  const of = unit ? ` of ${unit}` : '';
  if (typeof value !== 'number' || !Number.isFinite(value)) return `Enter the ${what} as a whole number${of}.`;
  if (!Number.isInteger(value)) return `The ${what} must be a whole number${of}.`;
  if (value < range.min || value > range.max) {
    return `The ${what} must be between ${range.min} and ${range.max}${unit ? ` ${unit}` : ''}.${hint}`;
  }
  return undefined;
}

function checkName(value: unknown, what: string, max: number): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return `Enter a ${what}.`;
  if (value.length > max) return `The ${what} must be at most ${max} characters.`;
  if (CONTROL_CHARACTERS.test(value)) return `The ${what} must not contain line breaks or control characters.`;
  return undefined;
}

function checkRegion(value: unknown): string | undefined {
  return typeof value === 'string' && REGION_PATTERN.test(value)
    ? undefined
    : 'Enter an AWS region such as us-east-1 or eu-west-2.';
}

function checkBoolean(value: unknown): string | undefined {
  return typeof value === 'boolean' ? undefined : 'Choose on or off.';
}

/** Each field's own rules; the cross-field ones (unique ids, existing active profile) are below. */
type FieldCheck = (value: unknown) => string | undefined;
const SCALAR_CHECKS: Record<Exclude<keyof Settings, 'idpProfiles' | 'activeProfileId' | 'accountLabels' | 'lastRoleArnByProfile' | 'keptActiveRoleArnsByProfile' | 'stsEndpointOverride' | 'plugins'>, FieldCheck> = {
  region: checkRegion,
  sessionDurationSeconds: (v) => checkInteger(v, LIMITS.sessionDurationSeconds, 'session duration', 'seconds'),
  refreshIntervalMinutes: (v) => checkInteger(v, LIMITS.refreshIntervalMinutes, 'refresh interval', 'minutes'),
  imdsMode: (v) => (v === 'alias' || v === 'loopback' ? undefined : 'Choose the link-local address or loopback.'),
  imdsPort: (v) => checkInteger(v, LIMITS.imdsPort, 'metadata service port', '', ' Ports below 1024 would need administrator rights.'),
  tokensRequired: checkBoolean,
  startAtLogin: checkBoolean,
  notifications: checkBoolean,
  revertAliasOnQuit: checkBoolean,
  writeCredentialsFileProfiles: checkBoolean,
};

function validateProfiles(raw: unknown, errors: FieldError[]): IdpProfile[] {
  if (!Array.isArray(raw)) {
    errors.push({ field: 'idpProfiles', message: 'The identity provider list is damaged: expected a list.' });
    return [];
  }
  const seen = new Set<string>();
  return raw.map((entry, index): IdpProfile => {
    const at = `idpProfiles.${index}`;
    if (!isRecord(entry)) {
      errors.push({ field: at, message: 'This identity provider entry is damaged.' });
      return { id: '', name: '', signInUrl: '' };
    }
    const { id, name, signInUrl, region, signInPlugin } = entry;
    if (typeof id !== 'string' || !PROFILE_ID_PATTERN.test(id)) {
      errors.push({ field: `${at}.id`, message: 'This identity provider has no valid id; remove it and add it again.' });
    } else if (seen.has(id)) {
      errors.push({ field: `${at}.id`, message: 'Two identity providers share one id; remove one and add it again.' });
    } else seen.add(id);
    const nameError = checkName(name, 'name for this identity provider', LIMITS.profileName.max);
    if (nameError) errors.push({ field: `${at}.name`, message: nameError });
    const urlError = typeof signInUrl === 'string' ? checkServiceUrl(signInUrl, 'sign-in URL') : 'Enter the sign-in URL.';
    if (urlError) errors.push({ field: `${at}.signInUrl`, message: urlError });
    if (region !== undefined) {
      const regionError = checkRegion(region);
      if (regionError) errors.push({ field: `${at}.region`, message: regionError });
    }
    if (signInPlugin !== undefined && (typeof signInPlugin !== 'string' || !PLUGIN_NAME_PATTERN.test(signInPlugin))) {
      errors.push({ field: `${at}.signInPlugin`, message: 'Name a sign-in plugin from the plugins list.' });
    }
    const profile: IdpProfile = { id: String(id), name: String(name ?? '').trim(), signInUrl: String(signInUrl ?? '').trim() };
    if (typeof region === 'string') profile.region = region;
    if (typeof signInPlugin === 'string') profile.signInPlugin = signInPlugin;
    return profile;
  });
}

const isAbsolutePath = (path: string) => path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path);
const checkPluginText = (value: unknown) =>
  typeof value === 'string' && value.length <= LIMITS.pluginText.max && !value.includes('\0') ? undefined : `Expected text of at most ${LIMITS.pluginText.max} characters.`;

function checkPluginForm(entry: Record<string, unknown>): { field: string; message: string } | undefined {
  const { module, command } = entry;
  if ((module === undefined) === (command === undefined)) {
    return { field: 'module', message: 'Give the plugin either a "module" (in the plugins folder) or a "command", not both or neither.' };
  }
  if (module !== undefined) {
    if (typeof module !== 'string' || module.trim() === '' || checkPluginText(module)) return { field: 'module', message: 'Name the module as a path inside the plugins folder.' };
    const parts = module.split(/[\\/]/);
    if (isAbsolutePath(module) || parts.includes('..')) {
      return { field: 'module', message: `The module "${module}" must be a path inside the plugins folder (relative, without ".."); plugins are loaded from there only.` };
    }
    return undefined;
  }
  if (!Array.isArray(command) || command.length === 0 || command.length > LIMITS.pluginArguments.max || command.some((arg) => checkPluginText(arg))) {
    return { field: 'command', message: `Give the command as a list: the program, then at most ${LIMITS.pluginArguments.max - 1} arguments.` };
  }
  if (!isAbsolutePath(command[0] as string)) {
    return { field: 'command', message: `The program "${String(command[0])}" must be an absolute path (for example /usr/local/bin/${String(command[0])}), so no other program on the PATH can stand in for it.` };
  }
  return undefined;
}

function validatePlugins(raw: unknown, errors: FieldError[]): void {
  if (!Array.isArray(raw)) {
    errors.push({ field: 'plugins', message: 'The plugin list is damaged: expected a list.' });
    return;
  }
  const seen = new Set<string>();
  raw.forEach((entry, index) => {
    const at = `plugins.${index}`;
    if (!isRecord(entry)) {
      errors.push({ field: at, message: 'This plugin entry is damaged: expected an object.' });
      return;
    }
    const { name, kind, profiles, timeoutSeconds, options } = entry;
    if (typeof name !== 'string' || !PLUGIN_NAME_PATTERN.test(name)) {
      errors.push({ field: `${at}.name`, message: 'Give the plugin a name of letters, digits, ".", "_" or "-" (at most 64).' });
    } else if (seen.has(name)) {
      errors.push({ field: `${at}.name`, message: `Two plugins are named "${name}"; names must be unique.` });
    } else seen.add(name);
    if (kind !== 'sign-in-source' && kind !== 'credential-handler') {
      errors.push({ field: `${at}.kind`, message: 'The kind must be "sign-in-source" or "credential-handler".' });
    }
    const form = checkPluginForm(entry);
    if (form) errors.push({ field: `${at}.${form.field}`, message: form.message });
    if (profiles !== undefined && (!Array.isArray(profiles) || profiles.some((id) => typeof id !== 'string' || !PROFILE_ID_PATTERN.test(id)))) {
      errors.push({ field: `${at}.profiles`, message: 'Expected a list of identity provider ids.' });
    }
    if (timeoutSeconds !== undefined) {
      const message = checkInteger(timeoutSeconds, LIMITS.pluginTimeoutSeconds, 'plugin time limit', 'seconds');
      if (message) errors.push({ field: `${at}.timeoutSeconds`, message });
    }
    if (options !== undefined) validateStringMap(options, `${at}.options`, (key) => (PLUGIN_NAME_PATTERN.test(key) ? undefined : `“${key}” is not an option name.`), checkPluginText, errors);
  });
}

function checkSignInPlugins(profiles: IdpProfile[], plugins: unknown, errors: FieldError[]): void {
  const sources = new Set(Array.isArray(plugins) ? plugins.filter((p) => isRecord(p) && p.kind === 'sign-in-source').map((p) => (p as Record<string, unknown>).name) : []);
  profiles.forEach((profile, index) => {
    if (profile.signInPlugin !== undefined && !sources.has(profile.signInPlugin)) {
      errors.push({ field: `idpProfiles.${index}.signInPlugin`, message: `No sign-in-source plugin named "${profile.signInPlugin}" is in the plugins list.` });
    }
  });
}

function validateStringMap(
  raw: unknown,
  field: string,
  checkKey: (key: string) => string | undefined,
  checkValue: (value: unknown) => string | undefined,
  errors: FieldError[],
): void {
  if (!isRecord(raw)) {
    errors.push({ field, message: 'This list is damaged: expected an object.' });
    return;
  }
  for (const [key, value] of Object.entries(raw)) {
    const message = checkKey(key) ?? checkValue(value);
    if (message) errors.push({ field: `${field}.${key}`, message });
  }
}

const checkProfileKey = (key: string) => (PROFILE_ID_PATTERN.test(key) ? undefined : `“${key}” is not an identity provider id.`);
const checkRoleArn = (value: unknown) =>
  typeof value === 'string' && ROLE_ARN_PATTERN.test(value) ? undefined : 'Expected an IAM role ARN (arn:aws:iam::123456789012:role/Name).';

/**
 * Check a complete settings object (as the settings window submits it, or as read from disk after
 * migration). Every problem is reported with the field it belongs to, not just the first.
 */
export function validateSettings(raw: unknown): SettingsValidation {
  const errors: FieldError[] = [];
  if (!isRecord(raw)) return { ok: false, errors: [{ field: '', message: 'The settings are damaged: expected an object.' }] };
  const idpProfiles = validateProfiles(raw.idpProfiles, errors);
  for (const [key, check] of Object.entries(SCALAR_CHECKS)) {
    const message = check(raw[key]);
    if (message) errors.push({ field: key, message });
  }
  if (raw.activeProfileId !== undefined && !idpProfiles.some((p) => p.id === raw.activeProfileId)) {
    errors.push({ field: 'activeProfileId', message: 'The selected identity provider no longer exists; choose another one.' });
  }
  validateStringMap(
    raw.accountLabels,
    'accountLabels',
    (key) => (ACCOUNT_ID_PATTERN.test(key) ? undefined : `“${key}” is not an AWS account id: account ids are 12 digits.`),
    (value) => checkName(value, 'label for this account', LIMITS.accountLabel.max),
    errors,
  );
  validateStringMap(raw.lastRoleArnByProfile, 'lastRoleArnByProfile', checkProfileKey, checkRoleArn, errors);
  validateStringMap(
    raw.keptActiveRoleArnsByProfile,
    'keptActiveRoleArnsByProfile',
    checkProfileKey,
    (value) => (Array.isArray(value) ? value.map(checkRoleArn).find(Boolean) : 'Expected a list of role ARNs.'),
    errors,
  );
  if (raw.stsEndpointOverride !== undefined) {
    const message =
      typeof raw.stsEndpointOverride === 'string' ? checkServiceUrl(raw.stsEndpointOverride, 'STS endpoint') : 'Enter the STS endpoint URL.';
    if (message) errors.push({ field: 'stsEndpointOverride', message });
  }
  validatePlugins(raw.plugins, errors);
  checkSignInPlugins(idpProfiles, raw.plugins, errors);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, settings: pickSettings(raw, idpProfiles) };
}

/** Keep exactly the known keys (a file may also hold electron-store's bookkeeping, which is not a setting). */
function pickSettings(raw: Record<string, unknown>, idpProfiles: IdpProfile[]): Settings {
  const settings = { idpProfiles } as Settings;
  for (const key of Object.keys(DEFAULT_SETTINGS) as Array<keyof Settings>) {
    if (key !== 'idpProfiles') (settings as unknown as Record<string, unknown>)[key] = structuredClone(raw[key]);
  }
  if (typeof raw.activeProfileId === 'string') settings.activeProfileId = raw.activeProfileId;
  if (typeof raw.stsEndpointOverride === 'string') settings.stsEndpointOverride = raw.stsEndpointOverride.trim();
  return settings;
}

/** Missing keys take their defaults; present keys are kept as they are (and validated afterwards). */
export function withDefaults(raw: Record<string, unknown>): Record<string, unknown> {
  return { ...defaultSettings(), ...raw };
}

// ---------------------------------------------------------------------------------------------------------
// Migrations. Each step is a pure function of the stored object, so the CLI (plain JSON file) and the tray
// (electron-store) run the very same code, and tests need neither.
// ---------------------------------------------------------------------------------------------------------

export type SettingsData = Record<string, unknown>;
export type MigrationStep = (data: SettingsData) => SettingsData;

/**
 * 0.1.0: the first format with IdP profiles. A file written by hand (or by the 0.0.x previews) names one
 * sign-in URL at the top level (`signInUrl`, optionally `name`); it becomes the first profile and is selected.
 */
function migrateSingleUrlToProfiles(data: SettingsData): SettingsData {
  const { signInUrl, name, ...rest } = data;
  if (typeof signInUrl !== 'string') return data;
  const profiles = Array.isArray(rest.idpProfiles) ? rest.idpProfiles : [];
  if (profiles.some((p) => isRecord(p) && p.signInUrl === signInUrl)) return rest;
  const id = newProfileId();
  let host = 'Identity provider';
  try {
    host = new URL(signInUrl).host || host;
  } catch {
    // validation reports the bad URL against the profile it now belongs to
  }
  return {
    ...rest,
    idpProfiles: [...profiles, { id, name: typeof name === 'string' && name.trim() ? name.trim() : host, signInUrl }],
    activeProfileId: typeof rest.activeProfileId === 'string' ? rest.activeProfileId : id,
  };
}

export const SETTINGS_MIGRATIONS: Readonly<Record<string, MigrationStep>> = {
  '0.1.0': migrateSingleUrlToProfiles,
};

/** Numeric comparison of full x.y.z versions (pre-release tags are not used by the settings format). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/).slice(0, 3).map(Number);
  const pb = b.split(/[.+-]/).slice(0, 3).map(Number);
  for (let i = 0; i < 3; i += 1) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/**
 * Run every step newer than `fromVersion` up to `toVersion`, oldest first. `fromVersion` undefined means a
 * file that records no version, which every step applies to (steps are written to be idempotent).
 */
export function migrateSettings(raw: SettingsData, fromVersion: string | undefined, toVersion = SETTINGS_VERSION): SettingsData {
  return Object.keys(SETTINGS_MIGRATIONS)
    .filter((version) => (fromVersion === undefined || compareVersions(version, fromVersion) > 0) && compareVersions(version, toVersion) <= 0)
    .sort(compareVersions)
    .reduce((data, version) => SETTINGS_MIGRATIONS[version]!(data), raw);
}

/** The minimal store surface a migration needs; electron-store and conf both provide it. */
export interface MigratableStore {
  store: SettingsData;
}

/** The `migrations` option of electron-store: the same steps, applied to the store's whole object. */
export function storeMigrations(): Record<string, (store: MigratableStore) => void> {
  return Object.fromEntries(
    Object.entries(SETTINGS_MIGRATIONS).map(([version, step]) => [
      version,
      (store: MigratableStore) => {
        store.store = step({ ...store.store });
      },
    ]),
  );
}
