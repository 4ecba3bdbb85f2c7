import type { SettingsView } from '../../preload/contract.js';
import { SIGN_IN_KINDS, type SignInKind } from '../../main/login/sign-in-kinds.js';
import { newProfileId, validateSettings } from '../../main/settings/schema.js';
import type { FieldError, IdpProfile, Settings } from '../../main/settings/schema.js';
import { bridge } from '../lib/bridge.js';
import { announce, byId, el } from '../lib/dom.js';

/**
 * The settings window. It validates with the very rules main applies on save (main/settings/schema.ts),
 * showing each message under its field as soon as the field was touched, and all of them on Save.
 */

const api = bridge();
const form = byId<HTMLFormElement>('form');
const message = byId('message');
const REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1',
  'eu-central-2', 'eu-north-1', 'eu-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-southeast-1', 'ap-southeast-2',
  'ap-south-1', 'sa-east-1', 'us-gov-west-1', 'us-gov-east-1', 'cn-north-1', 'cn-northwest-1',
];

interface AccountRow {
  accountId: string;
  label: string;
}

let draft: Settings | undefined;
let platform: SettingsView['platform'] = 'other';
let plugins: SettingsView['plugins'] = [];
let signInKinds: SettingsView['signInKinds'] = {};
let hostInstalledFor: string[] = [];
let accountRows: AccountRow[] = [];
let showEverything = false;
const touched = new Set<string>();

type ScalarField = 'region' | 'sessionDurationSeconds' | 'refreshIntervalMinutes' | 'imdsPort' | 'stsEndpointOverride';
type FlagField = 'tokensRequired' | 'revertAliasOnQuit' | 'startAtLogin' | 'notifications' | 'writeCredentialsFileProfiles';
const NUMBER_FIELDS: ScalarField[] = ['sessionDurationSeconds', 'refreshIntervalMinutes', 'imdsPort'];
const FLAG_FIELDS: FlagField[] = ['tokensRequired', 'revertAliasOnQuit', 'startAtLogin', 'notifications', 'writeCredentialsFileProfiles'];

function input(id: string): HTMLInputElement {
  return byId<HTMLInputElement>(id);
}

/** The object to validate and save: the draft with the account rows folded back into a map. */
function candidate(): Settings {
  const settings = structuredClone(draft!);
  settings.accountLabels = Object.fromEntries(accountRows.map((row) => [row.accountId.trim(), row.label]));
  return settings;
}

function localErrors(): FieldError[] {
  const result = validateSettings(candidate());
  const errors = result.ok ? [] : [...result.errors];
  // Two rows for one account would silently collapse into one entry; say so instead.
  const seen = new Set<string>();
  accountRows.forEach((row, index) => {
    const id = row.accountId.trim();
    if (seen.has(id)) errors.push({ field: `accountRows.${index}.accountId`, message: 'This account already has a name above.' });
    seen.add(id);
  });
  return errors.map((error) => ({ ...error, field: accountRowField(error.field) }));
}

/** Errors about `accountLabels.<id>` belong to the row showing that id: its id field when the id is bad. */
function accountRowField(field: string): string {
  const match = /^accountLabels\.(.*)$/.exec(field);
  if (!match) return field;
  const accountId = match[1] ?? '';
  const index = accountRows.findIndex((row) => row.accountId.trim() === accountId);
  if (index === -1) return field;
  return /^\d{12}$/.test(accountId) ? `accountRows.${index}.label` : `accountRows.${index}.accountId`;
}

function showErrors(errors: FieldError[]): void {
  for (const node of form.querySelectorAll<HTMLElement>('.error-text')) node.textContent = '';
  for (const node of form.querySelectorAll<HTMLElement>('[aria-invalid]')) node.removeAttribute('aria-invalid');
  const unplaced: string[] = [];
  for (const error of errors) {
    if (!showEverything && !touched.has(error.field)) continue;
    const slot = document.getElementById(`error-${error.field}`);
    if (!slot) {
      unplaced.push(error.message);
      continue;
    }
    slot.textContent = slot.textContent ? `${slot.textContent} ${error.message}` : error.message;
    form.querySelector<HTMLElement>(`[data-field="${CSS.escape(error.field)}"]`)?.setAttribute('aria-invalid', 'true');
  }
  if (unplaced.length > 0) announce(message, unplaced.join(' '), 'error');
}

function revalidate(): FieldError[] {
  const errors = localErrors();
  showErrors(errors);
  return errors;
}

function fieldInput(field: string, options: { label: string; value: string; type?: string; placeholder?: string; wide?: boolean }, onInput: (value: string) => void): HTMLElement {
  const id = `input-${field}`;
  const control = el('input', {
    attrs: { id, type: options.type ?? 'text', 'data-field': field, 'aria-describedby': `error-${field}`, placeholder: options.placeholder, spellcheck: 'false', autocomplete: 'off' },
    on: {
      input: (event) => {
        onInput((event.target as HTMLInputElement).value);
        revalidate();
      },
      change: () => {
        touched.add(field);
        revalidate();
      },
    },
  });
  control.value = options.value;
  return el('div', { className: `field${options.wide ? ' wide' : ''}` }, [
    el('label', { text: options.label, attrs: { for: id } }),
    control,
    el('p', { className: 'error-text', attrs: { id: `error-${field}` } }),
  ]);
}

const removeLabel = (what: string) => `Remove ${what}`;

function removeButton(label: string, onClick: () => void): HTMLButtonElement {
  return el('button', { className: 'icon danger remove', text: '×', attrs: { type: 'button', 'aria-label': label, title: 'Remove' }, on: { click: onClick } });
}

const SIGN_IN_LABELS: Record<SignInKind, string> = {
  window: 'Cloudtoken’s sign-in window',
  'system-browser': 'The system browser (Chrome, Edge, Chromium)',
  extension: 'Your browser, through the Cloudtoken extension',
};

/**
 * How a saved profile signs in; applied at once (it is kept beside the settings, not in them). "Your browser"
 * also offers to connect the extension to Cloudtoken when that is not done yet.
 */
function signInChoice(profile: IdpProfile, index: number): HTMLElement {
  const id = `sign-in-${index}`;
  const select = el('select', { attrs: { id } }, SIGN_IN_KINDS.map((kind) => el('option', { text: SIGN_IN_LABELS[kind], attrs: { value: kind } })));
  select.value = signInKinds[profile.id] ?? 'window';
  const note = el('p', { className: 'muted' });
  const install = el('button', { text: 'Connect the extension to Cloudtoken…', attrs: { type: 'button' } });
  const describeHost = () => {
    const extension = select.value === 'extension';
    note.hidden = !extension;
    install.hidden = !extension || hostInstalledFor.length > 0;
    note.textContent = hostInstalledFor.length > 0 ? `The extension can reach Cloudtoken from ${hostInstalledFor.join(', ')}.` : 'Install the extension in your browser, and let it reach Cloudtoken:';
  };
  select.addEventListener('change', () => {
    const kind = select.value as SignInKind;
    void api.invoke('cloudtoken:settings:sign-in-kind', { profileId: profile.id, kind }).then((result) => {
      if (result.ok) signInKinds = { ...signInKinds, [profile.id]: kind };
      else {
        select.value = signInKinds[profile.id] ?? 'window';
        announce(message, result.message, 'error');
      }
      describeHost();
    });
    describeHost();
  });
  install.addEventListener('click', () => {
    void api.invoke('cloudtoken:extension:install-host').then((result) => {
      if (!result.ok) announce(message, result.message, 'error');
    });
  });
  describeHost();
  return el('div', { className: 'field wide' }, [el('label', { text: 'Sign in with', attrs: { for: id } }), select, note, install]);
}

function profileRow(profile: IdpProfile, index: number, settings: Settings): HTMLElement {
  const at = `idpProfiles.${index}`;
  const describe = () => profile.name.trim() || 'this identity provider';
  const remove = removeButton(removeLabel(describe()), () => removeProfile(index));
  const active = el('input', {
    attrs: { type: 'radio', name: 'activeProfile', id: `active-${index}` },
    on: {
      change: () => {
        settings.activeProfileId = profile.id;
        for (const card of byId('profiles').querySelectorAll('.profile')) card.classList.toggle('active', card === row);
      },
    },
  });
  active.checked = settings.activeProfileId === profile.id;
  const row = el('div', { className: `profile${active.checked ? ' active' : ''}` }, [
    el('div', { className: 'profile-head' }, [
      el('label', { className: 'check', attrs: { for: `active-${index}` } }, [active, el('span', { text: 'Use for sign-in' })]),
      remove,
    ]),
    el('div', { className: 'profile-fields' }, [
      fieldInput(`${at}.name`, { label: 'Name', value: profile.name, placeholder: 'Corporate SSO' }, (value) => {
        profile.name = value;
        remove.setAttribute('aria-label', removeLabel(describe()));
      }),
      fieldInput(`${at}.region`, { label: 'Region (optional)', value: profile.region ?? '', placeholder: 'Default' }, (value) => {
        if (value.trim()) profile.region = value.trim();
        else delete profile.region;
      }),
      fieldInput(`${at}.signInUrl`, { label: 'Sign-in URL', value: profile.signInUrl, type: 'url', placeholder: 'https://sso.example.com/…', wide: true }, (value) => {
        profile.signInUrl = value;
      }),
      signInChoice(profile, index),
    ]),
  ]);
  return row;
}

function accountRow(row: AccountRow, index: number): HTMLElement {
  const describe = () => `the name of account ${row.accountId.trim() || index + 1}`;
  const remove = removeButton(removeLabel(describe()), () => {
    accountRows.splice(index, 1);
    renderLists();
  });
  return el('div', { className: 'account-row' }, [
    fieldInput(`accountRows.${index}.accountId`, { label: 'Account id', value: row.accountId, placeholder: '123456789012' }, (value) => {
      row.accountId = value;
      remove.setAttribute('aria-label', removeLabel(describe()));
    }),
    fieldInput(`accountRows.${index}.label`, { label: 'Name', value: row.label, placeholder: 'Production' }, (value) => {
      row.label = value;
    }),
    remove,
  ]);
}

function renderLists(): void {
  const settings = draft!;
  byId('profiles').replaceChildren(
    ...(settings.idpProfiles.length === 0
      ? [el('p', { className: 'muted empty-list', text: 'No identity provider yet. Add the sign-in page your company uses for AWS.' })]
      : settings.idpProfiles.map((profile, index) => profileRow(profile, index, settings))),
  );
  byId('accounts').replaceChildren(...accountRows.map(accountRow));
  revalidate();
}

function removeProfile(index: number): void {
  const settings = draft!;
  const [removed] = settings.idpProfiles.splice(index, 1);
  if (removed) {
    delete settings.lastRoleArnByProfile[removed.id];
    delete settings.keptActiveRoleArnsByProfile[removed.id];
    if (settings.activeProfileId === removed.id) {
      const next = settings.idpProfiles[0]?.id;
      if (next) settings.activeProfileId = next;
      else delete settings.activeProfileId;
    }
  }
  renderLists();
}

const KIND_NAMES: Record<SettingsView['plugins'][number]['kind'], string> = { 'sign-in-source': 'Sign-in source', 'credential-handler': 'Credential handler' };

/** Read-only: a plugin is added by naming it in the settings file, a deliberate step of its own. */
function renderPlugins(): void {
  const list = byId('plugins');
  if (plugins.length === 0) {
    list.replaceChildren(el('li', { className: 'muted', text: 'No plugin runs for this identity provider.' }));
    return;
  }
  list.replaceChildren(
    ...plugins.map((plugin) =>
      el('li', { className: 'plugin', attrs: { 'data-state': plugin.state } }, [
        el('strong', { text: plugin.name }),
        ` — ${KIND_NAMES[plugin.kind]} (${plugin.form})`,
        plugin.state === 'disabled' ? el('span', { className: 'error-text', text: ' Disabled' }) : undefined,
        el('code', { className: 'plugin-path', text: plugin.path }),
        plugin.problem ? el('span', { className: 'hint', text: plugin.problem }) : undefined,
      ]),
    ),
  );
}

function load(view: SettingsView): void {
  platform = view.platform;
  plugins = view.plugins;
  renderPlugins();
  signInKinds = view.signInKinds;
  hostInstalledFor = view.extensionHostInstalledFor;
  draft = structuredClone(view.settings);
  accountRows = Object.entries(draft.accountLabels).map(([accountId, label]) => ({ accountId, label }));
  touched.clear();
  showEverything = false;
  for (const field of NUMBER_FIELDS) input(field).value = String(draft[field] ?? '');
  input('region').value = draft.region;
  input('stsEndpointOverride').value = draft.stsEndpointOverride ?? '';
  for (const field of FLAG_FIELDS) input(field).checked = draft[field];
  input(`imdsMode-${draft.imdsMode}`).checked = true;
  byId('alias-note').textContent =
    platform === 'win32' ? 'Needs administrator approval once.' : 'Needs an administrator password once.';
  renderLists();
}

function bindStaticFields(): void {
  for (const field of [...NUMBER_FIELDS, 'region', 'stsEndpointOverride'] as ScalarField[]) {
    const control = input(field);
    control.addEventListener('input', () => {
      if (!draft) return;
      if (field === 'region') draft.region = control.value.trim();
      else if (field === 'stsEndpointOverride') {
        if (control.value.trim()) draft.stsEndpointOverride = control.value.trim();
        else delete draft.stsEndpointOverride;
      } else draft[field] = control.valueAsNumber;
      revalidate();
    });
    control.addEventListener('change', () => {
      touched.add(field);
      revalidate();
    });
  }
  for (const field of FLAG_FIELDS) {
    input(field).addEventListener('change', () => {
      if (draft) draft[field] = input(field).checked;
    });
  }
  for (const mode of ['alias', 'loopback'] as const) {
    input(`imdsMode-${mode}`).addEventListener('change', () => {
      if (draft) draft.imdsMode = mode;
    });
  }
}

async function save(): Promise<void> {
  if (!draft) return;
  showEverything = true;
  const errors = revalidate();
  if (errors.length > 0) {
    announce(message, errors.length === 1 ? 'One setting needs fixing before saving.' : `${errors.length} settings need fixing before saving.`, 'error');
    form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    return;
  }
  const result = await api.invoke('cloudtoken:settings:save', candidate());
  if (result.ok) {
    load({ settings: result.settings, platform, plugins, signInKinds, extensionHostInstalledFor: hostInstalledFor });
    announce(message, 'Settings saved.');
  } else {
    showErrors(result.errors.map((error) => ({ ...error, field: accountRowField(error.field) })));
    announce(message, 'Cloudtoken did not accept these settings; see the messages above.', 'error');
  }
}

byId('regions').replaceChildren(...REGIONS.map((region) => el('option', { attrs: { value: region } })));
bindStaticFields();
byId('add-profile').addEventListener('click', () => {
  if (!draft) return;
  const profile: IdpProfile = { id: newProfileId(), name: '', signInUrl: '' };
  draft.idpProfiles.push(profile);
  draft.activeProfileId ??= profile.id;
  renderLists();
  document.getElementById(`input-idpProfiles.${draft.idpProfiles.length - 1}.name`)?.focus();
});
byId('add-account').addEventListener('click', () => {
  accountRows.push({ accountId: '', label: '' });
  renderLists();
  document.getElementById(`input-accountRows.${accountRows.length - 1}.accountId`)?.focus();
});
form.addEventListener('submit', (event) => {
  event.preventDefault();
  void save();
});
byId('cancel').addEventListener('click', () => void api.invoke('cloudtoken:window:close'));
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') void api.invoke('cloudtoken:window:close');
});

// Main pushes when a setting changes elsewhere (the tray's Start at login): take it over unless the user
// is editing, in which case only that one checkbox follows.
api.subscribe('cloudtoken:push:settings', (view) => {
  plugins = view.plugins;
  renderPlugins();
  if (touched.size === 0 || !draft) load(view);
  else {
    draft.startAtLogin = view.settings.startAtLogin;
    input('startAtLogin').checked = view.settings.startAtLogin;
  }
});
void api.invoke('cloudtoken:settings:get').then(load);
