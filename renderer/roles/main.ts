import type { SessionView } from '../../preload/contract.js';
import type { SamlRole } from '../../main/saml/types.js';
import { formatTimeLeft, groupRolesByAccount } from '../../main/tray/describe.js';
import { bridge } from '../lib/bridge.js';
import { announce, byId, el } from '../lib/dom.js';

/**
 * The role picker: every role the IdP offers, grouped by account, searchable, usable from the keyboard
 * alone. Focus stays in the search box (a combobox); arrows move the highlighted option.
 */

const api = bridge();
const search = byId<HTMLInputElement>('search');
const list = byId('roles');
const message = byId('message');
const empty = byId('empty');

let view: SessionView | undefined;
let visible: SamlRole[] = [];
let highlighted: string | undefined;

function optionId(role: SamlRole): string {
  return `role-${role.roleArn.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

function matches(role: SamlRole, accountName: string, words: string[]): boolean {
  const haystack = `${role.roleName} ${role.roleArn} ${accountName}`.toLowerCase();
  return words.every((word) => haystack.includes(word));
}

function roleOption(role: SamlRole, current: SessionView): HTMLElement {
  const status = current.snapshot.active.find((entry) => entry.role.roleArn === role.roleArn);
  const isMetadata = role.roleArn === current.snapshot.metadataRoleArn;
  const kept = status?.keptActive === true && !isMetadata;
  const path = role.roleArn.split(':role/')[1] ?? role.roleName;
  const left = status?.expiresAt !== undefined && status.expiresAt > current.now ? `${formatTimeLeft(status.expiresAt - current.now)} left` : undefined;
  const keepToggle = el('span', {
    className: `keep${kept ? ' on' : ''}`,
    text: kept ? 'Kept active' : 'Keep active',
    attrs: { 'aria-hidden': 'true', title: kept ? 'Stop keeping this role active' : 'Keep this role signed in too' },
    on: {
      click: (event) => {
        event.stopPropagation();
        void toggleKeep(role);
      },
    },
  });
  return el(
    'div',
    {
      className: 'option',
      attrs: { id: optionId(role), role: 'option', 'aria-selected': String(isMetadata), 'data-arn': role.roleArn },
      on: { click: () => void choose(role), mousemove: () => highlight(role.roleArn, false) },
    },
    [
      el('span', { className: 'radio', attrs: { 'aria-hidden': 'true' } }),
      el('span', { className: 'names' }, [
        el('span', { className: 'role-name', text: role.roleName }),
        path !== role.roleName && el('span', { className: 'role-path small muted', text: path }),
      ]),
      isMetadata && el('span', { className: 'badge accent', text: left ? `Metadata · ${left}` : 'Metadata role' }),
      kept && left && el('span', { className: 'badge ok', text: left }),
      el('span', { className: 'visually-hidden', text: kept ? ', kept active' : '' }),
      // Keeping roles active only means something beside a metadata role.
      !isMetadata && current.snapshot.metadataRoleArn !== undefined && keepToggle,
    ],
  );
}

function render(): void {
  if (!view) return;
  const current = view;
  const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
  const groups = groupRolesByAccount(current.snapshot.roles, current.accountLabels)
    .map((group) => ({ ...group, roles: group.roles.filter((role) => matches(role, group.name, words)) }))
    .filter((group) => group.roles.length > 0);
  visible = groups.flatMap((group) => group.roles);
  list.replaceChildren(
    ...groups.map((group) =>
      el('div', { className: 'group', attrs: { role: 'group', 'aria-labelledby': `account-${group.accountId}` } }, [
        el('div', { className: 'account', attrs: { id: `account-${group.accountId}`, role: 'presentation' }, text: group.name }),
        ...group.roles.map((role) => roleOption(role, current)),
      ]),
    ),
  );
  list.hidden = visible.length === 0;
  empty.hidden = visible.length > 0;
  empty.textContent = current.snapshot.roles.length === 0 ? 'No roles yet: sign in first.' : `No role or account matches “${search.value}”.`;
  if (!visible.some((role) => role.roleArn === highlighted)) {
    highlighted = (visible.find((role) => role.roleArn === current.snapshot.metadataRoleArn) ?? visible[0])?.roleArn;
  }
  highlight(highlighted, true);
}

function highlight(roleArn: string | undefined, scroll: boolean): void {
  highlighted = roleArn;
  for (const option of list.querySelectorAll<HTMLElement>('[role="option"]')) {
    const on = option.dataset.arn === roleArn;
    option.classList.toggle('highlighted', on);
    if (on && scroll) option.scrollIntoView({ block: 'nearest' });
  }
  const role = visible.find((entry) => entry.roleArn === roleArn);
  if (role) search.setAttribute('aria-activedescendant', optionId(role));
  else search.removeAttribute('aria-activedescendant');
}

function move(step: number): void {
  if (visible.length === 0) return;
  const index = visible.findIndex((role) => role.roleArn === highlighted);
  const next = Math.min(visible.length - 1, Math.max(0, index === -1 ? 0 : index + step));
  highlight(visible[next]!.roleArn, true);
}

async function choose(role: SamlRole): Promise<void> {
  const result = await api.invoke('cloudtoken:roles:choose', { roleArn: role.roleArn });
  if (result.ok) announce(message, `${role.roleName} is now served at the metadata address.`);
  else announce(message, result.message, 'error');
}

async function toggleKeep(role: SamlRole): Promise<void> {
  if (!view || role.roleArn === view.snapshot.metadataRoleArn) return;
  const keep = !view.snapshot.active.some((entry) => entry.role.roleArn === role.roleArn && entry.keptActive);
  const result = await api.invoke('cloudtoken:roles:keep-active', { roleArn: role.roleArn, keep });
  if (result.ok) announce(message, keep ? `${role.roleName} is kept active.` : `${role.roleName} is no longer kept active.`);
  else announce(message, result.message, 'error');
}

search.addEventListener('input', () => render());
search.addEventListener('keydown', (event) => {
  const role = visible.find((entry) => entry.roleArn === highlighted);
  if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    event.preventDefault();
    move(event.key === 'ArrowDown' ? 1 : -1);
  } else if (event.key === 'PageDown' || event.key === 'PageUp') {
    event.preventDefault();
    move(event.key === 'PageDown' ? 10 : -10);
  } else if (event.key === 'Enter' && role) {
    event.preventDefault();
    void (event.shiftKey ? toggleKeep(role) : choose(role));
  }
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') {
    event.preventDefault();
    if (search.value) {
      search.value = '';
      render();
    } else void api.invoke('cloudtoken:window:close');
    return;
  }
  // Type to search from anywhere in the window.
  if (document.activeElement !== search && event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
    search.focus();
  }
});
byId('close').addEventListener('click', () => void api.invoke('cloudtoken:window:close'));

function update(next: SessionView): void {
  view = next;
  render();
}
api.subscribe('cloudtoken:push:session', update);
void api.invoke('cloudtoken:roles:get').then(update);
search.focus();
