import type { LoginWindowState } from '../../preload/contract.js';
import { bridge } from '../lib/bridge.js';
import { byId, el } from '../lib/dom.js';

/**
 * The login window's own chrome: a toolbar above the IdP's page (which the shell shows in an isolated
 * WebContentsView below this strip) and the messages around the sign-in. No IdP content ever runs here.
 */

const api = bridge();
const back = byId<HTMLButtonElement>('back');
const reload = byId<HTMLButtonElement>('reload');

function describeAddress(url: string | undefined): { host: string; secure: boolean | undefined } {
  if (!url) return { host: 'Connecting…', secure: undefined };
  try {
    const parsed = new URL(url);
    return { host: parsed.host || parsed.protocol, secure: parsed.protocol === 'https:' };
  } catch {
    return { host: 'Unknown address', secure: false };
  }
}

function stripText(state: LoginWindowState): string {
  switch (state.phase) {
    case 'loading':
      return state.notice ?? `Loading ${state.profileName}…`;
    case 'waiting':
      return state.notice ?? `Sign in to ${state.profileName} to get your AWS credentials.`;
    case 'captured':
      return 'Signed in — getting your AWS credentials…';
    case 'failed':
      return state.message ?? 'Sign-in did not complete.';
  }
}

function stageActions(): HTMLElement[] {
  return [
    el('button', { text: 'Try again', className: 'primary', attrs: { type: 'button' }, on: { click: () => void api.invoke('cloudtoken:login:navigate', { action: 'reload' }) } }),
    el('button', { text: 'Use the system browser instead', attrs: { type: 'button' }, on: { click: () => void api.invoke('cloudtoken:login:use-system-browser') } }),
  ];
}

function render(state: LoginWindowState): void {
  document.body.dataset.phase = state.phase;
  document.title = `Sign in to ${state.profileName} — Cloudtoken`;
  const { host, secure } = describeAddress(state.url);
  byId('host').textContent = host;
  const address = byId('address');
  address.dataset.secure = secure === undefined ? 'unknown' : String(secure);
  byId('security').textContent = secure === undefined ? '' : secure ? 'Secure connection (https)' : 'Not secure: this page is not using https';
  back.disabled = !state.canGoBack || state.phase === 'captured';
  reload.disabled = state.url === undefined || state.phase === 'captured';

  const strip = byId('strip');
  strip.dataset.kind = state.phase === 'failed' ? 'error' : state.notice && state.phase === 'waiting' ? 'notice' : 'info';
  byId('strip-text').textContent = stripText(state);
  byId('spinner').hidden = state.phase !== 'loading' && state.phase !== 'captured';

  const message = byId('stage-message');
  message.hidden = state.phase !== 'captured' && state.phase !== 'failed';
  byId('stage-title').textContent = state.phase === 'failed' ? 'Sign-in did not complete' : 'Almost there';
  byId('stage-detail').textContent =
    state.phase === 'failed'
      ? (state.message ?? 'The identity provider did not send a sign-in for AWS.')
      : 'Your identity provider signed you in. Cloudtoken is now asking AWS for credentials.';
  byId('stage-actions').replaceChildren(...(state.phase === 'failed' ? stageActions() : []));
}

back.addEventListener('click', () => void api.invoke('cloudtoken:login:navigate', { action: 'back' }));
reload.addEventListener('click', () => void api.invoke('cloudtoken:login:navigate', { action: 'reload' }));
byId('cancel').addEventListener('click', () => void api.invoke('cloudtoken:login:cancel'));
byId('system-browser').addEventListener('click', () => void api.invoke('cloudtoken:login:use-system-browser'));
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') void api.invoke('cloudtoken:login:cancel');
});

api.subscribe('cloudtoken:push:login', render);
void api.invoke('cloudtoken:login:get').then(render);
