import type { ActionResult, CopyTarget, StatusView } from '../../preload/contract.js';
import { accountName, formatClock, formatTimeLeft } from '../../main/tray/describe.js';
import { statusLine } from '../../main/tray/menu.js';
import { bridge } from '../lib/bridge.js';
import { announce, byId, el } from '../lib/dom.js';

/**
 * The status window: which credentials are held and until when, where AWS tools find them, and what in
 * the user's environment would keep tools from using them (warnings come from main as data).
 */

const api = bridge();
const message = byId('message');
const SIGNED_OUT_PHASES = new Set(['signed-out', 'expired', 'needs-sign-in']);

function expiryText(expiresAt: number | undefined, now: number): string {
  if (expiresAt === undefined) return 'No credentials';
  if (expiresAt <= now) return 'Expired';
  return `${formatClock(expiresAt)} (${formatTimeLeft(expiresAt - now)} left)`;
}

function render(view: StatusView): void {
  const { snapshot, accountLabels, now } = view;
  byId('summary').textContent = statusLine(snapshot, accountLabels, now);
  document.body.dataset.phase = snapshot.phase;
  const extension = byId('extension');
  extension.hidden = view.extension === undefined;
  extension.textContent = view.extension
    ? view.extension.connected > 0
      ? `Browser extension: connected (${view.extension.browsers.join(', ')}).`
      : 'Browser extension: not connected. Open the browser that has the Cloudtoken extension.'
    : '';

  const warnings = byId('warnings');
  warnings.replaceChildren(
    ...(view.warnings.length === 0
      ? [el('li', { className: 'ok', text: 'Nothing in your environment overrides the metadata service.' })]
      : view.warnings.map((warning) => el('li', { className: 'warn', attrs: { 'data-code': warning.code } }, [el('span', { text: warning.message })]))),
  );
  byId('warnings-card').dataset.state = view.warnings.length === 0 ? 'ok' : 'warn';

  const rows = [...snapshot.active].sort((a, b) => Number(b.metadata) - Number(a.metadata));
  byId('roles').replaceChildren(
    ...rows.map((status) =>
      el('tr', {}, [
        el('td', {}, [el('span', { className: 'role-name', text: status.role.roleName })]),
        el('td', { text: accountName(status.role.accountId, accountLabels) }),
        el('td', {}, [el('span', { className: `badge ${status.metadata ? 'accent' : 'ok'}`, text: status.metadata ? 'Metadata' : 'Kept active' })]),
        el('td', { className: status.expiresAt !== undefined && status.expiresAt <= now ? 'expired' : '', text: expiryText(status.expiresAt, now) }),
      ]),
    ),
  );
  byId('roles-table').hidden = rows.length === 0;
  const none = byId('no-roles');
  none.hidden = rows.length > 0;
  none.textContent = snapshot.phase === 'choosing-role' ? 'Signed in: choose a role from the tray menu.' : 'No credentials yet: sign in to get some.';

  byId('imds-address').textContent = view.imds.address;
  const state = byId('imds-state');
  state.textContent = view.imds.listening ? 'Listening' : 'Stopped';
  state.className = `badge ${view.imds.listening ? 'ok' : 'warn'}`;
  byId('imds-tokens').textContent = view.imds.tokensRequired ? 'Required (IMDSv2 only)' : 'Optional (IMDSv1 allowed)';

  byId('variables').textContent =
    view.containerVariables.length === 0
      ? 'Available once a role is active.'
      : view.containerVariables.map((variable) => `${variable.name}=${variable.value}`).join('\n');
  for (const id of ['copy-sh', 'copy-powershell']) byId<HTMLButtonElement>(id).disabled = view.containerVariables.length === 0;

  byId('sign-in').hidden = !SIGNED_OUT_PHASES.has(snapshot.phase);
  const refresh = byId<HTMLButtonElement>('refresh');
  refresh.disabled = snapshot.phase === 'refreshing' || snapshot.phase === 'signing-in' || snapshot.metadataRoleArn === undefined;
  refresh.textContent = snapshot.phase === 'refreshing' ? 'Refreshing…' : 'Refresh now';
}

function report(done: string): (result: ActionResult) => void {
  return (result) => (result.ok ? announce(message, done) : announce(message, result.message, 'error'));
}

function copy(target: CopyTarget, done: string): void {
  void api.invoke('cloudtoken:status:copy', { target }).then(report(done));
}

byId('copy-address').addEventListener('click', () => copy('imds-address', 'Address copied.'));
byId('copy-sh').addEventListener('click', () => copy('container-env-sh', 'Variables copied for sh, bash and zsh.'));
byId('copy-powershell').addEventListener('click', () => copy('container-env-powershell', 'Variables copied for PowerShell.'));
byId('refresh').addEventListener('click', () => void api.invoke('cloudtoken:session:refresh').then(report('Refreshing…')));
byId('sign-in').addEventListener('click', () => void api.invoke('cloudtoken:session:sign-in').then(report('Opening the sign-in window…')));
byId('close').addEventListener('click', () => void api.invoke('cloudtoken:window:close'));
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') void api.invoke('cloudtoken:window:close');
});

api.subscribe('cloudtoken:push:status', render);
void api.invoke('cloudtoken:status:get').then(render);
