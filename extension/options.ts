import { api, HOST_STATE, LET_CONSOLE_THROUGH } from './api.js';

/** The extension's options: whether the console sign-in goes through, and which IdP origins it may see. */
interface HostState {
  connected?: boolean;
  reason?: string;
  sessions?: number;
  idpOrigins?: string[];
}

const checkbox = document.getElementById('let-through') as HTMLInputElement;
checkbox.addEventListener('change', () => void api.storage.local.set({ [LET_CONSOLE_THROUGH]: checkbox.checked }));

async function render(): Promise<void> {
  const items = await api.storage.local.get([LET_CONSOLE_THROUGH, HOST_STATE]);
  checkbox.checked = items[LET_CONSOLE_THROUGH] === true;
  const host = (items[HOST_STATE] ?? {}) as HostState;
  document.getElementById('host')!.textContent = host.connected
    ? `Connected to Cloudtoken (${host.sessions ?? 0} running session${host.sessions === 1 ? '' : 's'}).`
    : `Not connected to Cloudtoken: ${host.reason ?? 'install its browser connection with `cloudtoken extension install`.'}`;
  const list = document.getElementById('origins')!;
  list.replaceChildren();
  for (const origin of host.idpOrigins ?? []) {
    const item = document.createElement('li');
    const granted = await api.permissions.contains({ origins: [`${origin}/*`] });
    item.textContent = `${origin} `;
    if (granted) {
      item.append('(allowed)');
    } else {
      const button = document.createElement('button');
      button.textContent = 'Allow';
      // Asked only on this click: the browser shows its own prompt, naming the origin.
      button.addEventListener('click', () => void api.permissions.request({ origins: [`${origin}/*`] }).then(render));
      item.append(button);
    }
    list.append(item);
  }
}
api.storage.onChanged.addListener(() => void render());
void render();
