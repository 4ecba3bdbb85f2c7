import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  defaultSettings,
  migrateSettings,
  newProfileId,
  validateSettings,
} from '../../../main/settings/schema.js';
import type { Settings } from '../../../main/settings/schema.js';

function validSettings(): Settings {
  const settings = defaultSettings();
  settings.idpProfiles = [
    { id: 'idp-aaaa', name: 'Corp SSO', signInUrl: 'https://sso.example.com/idp/profile/SAML2/Unsolicited/SSO?providerId=urn:amazon:webservices' },
    { id: 'idp-bbbb', name: 'Local test IdP', signInUrl: 'http://127.0.0.1:8080/simplesaml/saml2/idp/SSOService.php', region: 'eu-west-1' },
  ];
  settings.activeProfileId = 'idp-aaaa';
  settings.accountLabels = { '123456789012': 'Production' };
  settings.lastRoleArnByProfile = { 'idp-aaaa': 'arn:aws:iam::123456789012:role/Admin' };
  settings.keptActiveRoleArnsByProfile = { 'idp-aaaa': ['arn:aws:iam::123456789012:role/path/ReadOnly'] };
  return settings;
}

function fieldsOf(raw: unknown): string[] {
  const result = validateSettings(raw);
  return result.ok ? [] : result.errors.map((e) => e.field);
}


describe('defaults', () => {
  it('are valid, and match the documented values', () => {
    expect(validateSettings(defaultSettings())).toEqual({ ok: true, settings: defaultSettings() });
    expect(DEFAULT_SETTINGS).toMatchObject({
      region: 'us-east-1', sessionDurationSeconds: 3600, refreshIntervalMinutes: 45, imdsMode: 'alias', imdsPort: 9911,
      tokensRequired: true, startAtLogin: false, notifications: true, revertAliasOnQuit: false, writeCredentialsFileProfiles: false,
    });
  });

  it('hands out independent copies', () => {
    const a = defaultSettings();
    a.accountLabels['123456789012'] = 'x';
    expect(defaultSettings().accountLabels).toEqual({});
  });
});

describe('validateSettings', () => {
  it('accepts a complete valid object and drops unknown keys such as the store bookkeeping', () => {
    const result = validateSettings({ ...validSettings(), __internal__: { migrations: { version: '0.1.0' } } });
    expect(result).toEqual({ ok: true, settings: validSettings() });
  });

  it.each([
    ['imdsPort', 80, 'between 1024 and 65535'],
    ['imdsPort', 70000, 'between 1024 and 65535'],
    ['imdsPort', 9911.5, 'whole number'],
    ['imdsPort', '9911', 'whole number'],
    ['sessionDurationSeconds', 899, 'between 900 and 43200 seconds'],
    ['sessionDurationSeconds', 43201, 'between 900 and 43200 seconds'],
    ['refreshIntervalMinutes', 4, 'between 5 and 720 minutes'],
    ['refreshIntervalMinutes', 721, 'between 5 and 720 minutes'],
    ['region', 'mars-1', 'AWS region'],
    ['imdsMode', 'bridge', 'link-local'],
    ['tokensRequired', 'yes', 'on or off'],
    ['stsEndpointOverride', 'http://sts.example.com', 'https://'],
  ])('rejects %s = %j with a message that explains', (field, value, text) => {
    const result = validateSettings({ ...validSettings(), [field]: value });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.field).toBe(field);
    expect(result.errors[0]!.message).toContain(text);
  });

  it.each([
    ['ftp://sso.example.com/', 'must start with https://'],
    ['http://sso.example.com/', 'plain http is only allowed'],
    ['https://user:pw@sso.example.com/', 'user name or password'],
    ['sso.example.com', 'not a complete URL'],
    ['', 'Enter the sign-in URL'],
    [`https://sso.example.com/${'a'.repeat(2100)}`, 'longer than'],
  ])('rejects the sign-in URL %s', (url, text) => {
    const settings = validSettings();
    settings.idpProfiles[1]!.signInUrl = url;
    const result = validateSettings(settings);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toEqual([{ field: 'idpProfiles.1.signInUrl', message: expect.stringContaining(text) }]);
  });

  it.each(['http://localhost:8080/sso', 'http://127.0.0.2/x', 'http://[::1]:9000/', 'https://idp.example.com'])('accepts the sign-in URL %s', (url) => {
    const settings = validSettings();
    settings.idpProfiles[1]!.signInUrl = url;
    expect(validateSettings(settings)).toMatchObject({ ok: true });
  });

  it('reports every problem at once, each against its field', () => {
    const settings = validSettings() as unknown as Record<string, unknown>;
    settings.imdsPort = 1;
    settings.accountLabels = { '12345': 'Short id', '210987654321': '' };
    settings.idpProfiles = [
      { id: 'idp-aaaa', name: 'A', signInUrl: 'https://a.example' },
      { id: 'idp-aaaa', name: 'Line\nbreak', signInUrl: 'https://b.example' },
    ];
    settings.activeProfileId = 'idp-gone';
    expect(fieldsOf(settings).sort()).toEqual([
      'accountLabels.12345', 'accountLabels.210987654321', 'activeProfileId', 'idpProfiles.1.id', 'idpProfiles.1.name', 'imdsPort',
    ]);
  });

  it('refuses damaged shapes without throwing', () => {
    expect(fieldsOf(null)).toEqual(['']);
    expect(fieldsOf({ ...validSettings(), idpProfiles: 'x' })).toEqual(['idpProfiles', 'activeProfileId']);
    expect(fieldsOf({ ...validSettings(), activeProfileId: undefined, idpProfiles: [7] })).toEqual(['idpProfiles.0']);
    expect(fieldsOf({ ...validSettings(), keptActiveRoleArnsByProfile: { 'idp-aaaa': ['not-an-arn'] } })).toEqual(['keptActiveRoleArnsByProfile.idp-aaaa']);
    expect(fieldsOf({ ...validSettings(), lastRoleArnByProfile: [] })).toEqual(['lastRoleArnByProfile']);
  });

  it('makes profile ids that it accepts and that differ', () => {
    const ids = new Set(Array.from({ length: 50 }, newProfileId));
    expect(ids.size).toBe(50);
    const settings = defaultSettings();
    settings.idpProfiles = [...ids].map((id) => ({ id, name: id, signInUrl: 'https://idp.example.com' }));
    expect(validateSettings(settings).ok).toBe(true);
  });
});

describe('the one set of rules', () => {
  it.each([
    { imdsPort: 80 },
    { sessionDurationSeconds: 60 },
    { refreshIntervalMinutes: 1000 },
    { imdsMode: 'bridge' },
    { region: 'nowhere' },
    { accountLabels: { '12': 'x' } },
    { idpProfiles: [{ id: 'idp-a', name: 'A', signInUrl: 'http://sso.example.com' }] },
    // Hosts that only start like loopback, and user-info, which a pattern-based schema once let through.
    { idpProfiles: [{ id: 'idp-a', name: 'A', signInUrl: 'http://localhost.evil.example/sso' }] },
    { idpProfiles: [{ id: 'idp-a', name: 'A', signInUrl: 'http://127.evil.example/' }] },
    { idpProfiles: [{ id: 'idp-a', name: 'A', signInUrl: 'https://user:pw@sso.example.com/' }] },
    { stsEndpointOverride: 'ftp://x' },
  ])('rejects %j', (patch) => {
    expect(validateSettings({ ...validSettings(), ...patch }).ok).toBe(false);
  });
});

describe('migrateSettings', () => {
  it('turns a single top-level sign-in URL into a selected profile', () => {
    const migrated = migrateSettings({ signInUrl: 'https://sso.example.com/start', region: 'eu-west-1' }, undefined);
    expect(migrated).toEqual({
      region: 'eu-west-1',
      idpProfiles: [{ id: expect.stringMatching(/^idp-/), name: 'sso.example.com', signInUrl: 'https://sso.example.com/start' }],
      activeProfileId: (migrated.idpProfiles as Array<{ id: string }>)[0]!.id,
    });
  });

  it('is idempotent and skips files already at 0.1.0', () => {
    const once = migrateSettings({ signInUrl: 'https://sso.example.com/start', name: 'Corp' }, '0.0.9');
    expect(migrateSettings({ ...once, signInUrl: 'https://sso.example.com/start' }, undefined).idpProfiles).toHaveLength(1);
    const current = { signInUrl: 'https://x.example' };
    expect(migrateSettings(current, '0.1.0')).toBe(current);
  });

  it('does not run steps newer than the target version', () => {
    const data = { signInUrl: 'https://sso.example.com' };
    expect(migrateSettings(data, undefined, '0.0.5')).toBe(data);
  });
});

describe('plugins in the settings', () => {
  const withPlugins = (plugins: unknown, signInPlugin?: string) => {
    const settings = validSettings() as unknown as Record<string, unknown>;
    settings.plugins = plugins;
    if (signInPlugin) (settings.idpProfiles as Array<Record<string, unknown>>)[0]!.signInPlugin = signInPlugin;
    return settings;
  };
  const messages = (raw: unknown) => {
    const result = validateSettings(raw);
    return result.ok ? [] : result.errors.map((e) => `${e.field}: ${e.message}`);
  };

  it('accepts a module sign-in source a profile names, and a command handler scoped to profiles, with options', () => {
    const plugins = [
      { name: 'corp-idp', kind: 'sign-in-source', module: 'corp-idp' },
      { name: 'json-file', kind: 'credential-handler', command: ['/usr/bin/node', '/home/me/write.mjs', 'out.json'], profiles: ['idp-aaaa'], timeoutSeconds: 5, options: { format: 'json' } },
    ];
    const result = validateSettings(withPlugins(plugins, 'corp-idp'));
    expect(result.ok && result.settings.plugins).toEqual(plugins);
    expect(result.ok && result.settings.idpProfiles[0]?.signInPlugin).toBe('corp-idp');
  });

  it.each([
    [[{ name: 'x', kind: 'credential-handler' }], 'plugins.0.module: Give the plugin either a "module" (in the plugins folder) or a "command", not both or neither.'],
    [[{ name: 'x', kind: 'credential-handler', module: 'a.mjs', command: ['/bin/true'] }], 'plugins.0.module: Give the plugin either'],
    [[{ name: 'x', kind: 'credential-handler', module: '../elsewhere/a.mjs' }], 'plugins.0.module: The module "../elsewhere/a.mjs" must be a path inside the plugins folder'],
    [[{ name: 'x', kind: 'credential-handler', module: '/opt/a.mjs' }], 'must be a path inside the plugins folder'],
    [[{ name: 'x', kind: 'credential-handler', command: ['handler.sh'] }], 'plugins.0.command: The program "handler.sh" must be an absolute path'],
    [[{ name: 'x', kind: 'credential-handler', command: [] }], 'plugins.0.command: Give the command as a list'],
    [[{ name: 'x', kind: 'handler', module: 'a.mjs' }], 'plugins.0.kind: The kind must be "sign-in-source" or "credential-handler".'],
    [[{ name: 'has space', kind: 'credential-handler', module: 'a.mjs' }], 'plugins.0.name: Give the plugin a name'],
    [[{ name: 'x', kind: 'credential-handler', module: 'a.mjs' }, { name: 'x', kind: 'credential-handler', module: 'b.mjs' }], 'plugins.1.name: Two plugins are named "x"'],
    [[{ name: 'x', kind: 'credential-handler', module: 'a.mjs', timeoutSeconds: 0 }], 'plugins.0.timeoutSeconds: The plugin time limit must be between 1 and 600 seconds.'],
    [[{ name: 'x', kind: 'credential-handler', module: 'a.mjs', options: { n: 1 } }], 'plugins.0.options.n: Expected text'],
    ['not a list', 'plugins: The plugin list is damaged: expected a list.'],
  ])('refuses %j: %s', (plugins, expected) => {
    expect(messages(withPlugins(plugins)).join('\n')).toContain(expected);
  });

  it('refuses a profile that names a sign-in plugin the list lacks, or a handler as one', () => {
    expect(messages(withPlugins([], 'missing'))).toEqual(['idpProfiles.0.signInPlugin: No sign-in-source plugin named "missing" is in the plugins list.']);
    expect(messages(withPlugins([{ name: 'h', kind: 'credential-handler', module: 'h.mjs' }], 'h'))).toEqual([
      'idpProfiles.0.signInPlugin: No sign-in-source plugin named "h" is in the plugins list.',
    ]);
  });
});
