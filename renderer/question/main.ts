import type { QuestionView } from '../../preload/contract.js';
import { bridge } from '../lib/bridge.js';
import { announce, byId } from '../lib/dom.js';

/**
 * The question a sign-in plugin asks in the tray app (its `prompt`): one field, a password field for a
 * secret. The answer goes to main once and is cleared from the field; main closes the window.
 */

const api = bridge();
const input = byId<HTMLInputElement>('answer');
const submit = byId<HTMLButtonElement>('submit');
const message = byId('message');
let shown: QuestionView | undefined;

function render(view: QuestionView | null): void {
  shown = view ?? undefined;
  input.disabled = submit.disabled = view === null;
  if (!view) {
    byId('label').textContent = 'No question is waiting for an answer.';
    return;
  }
  byId('heading').textContent = `Signing in to ${view.profileName}`;
  byId('label').textContent = view.label;
  input.type = view.secret ? 'password' : 'text';
  input.focus();
}

function answer(): void {
  if (!shown) return;
  const value = input.value;
  input.value = '';
  input.disabled = submit.disabled = true;
  void api.invoke('cloudtoken:question:answer', { id: shown.id, answer: value }).then((result) => {
    if (result.ok) return;
    announce(message, result.message, 'error');
    render(null);
  });
}

function cancel(): void {
  input.value = '';
  if (shown) void api.invoke('cloudtoken:question:cancel', { id: shown.id });
}

byId<HTMLFormElement>('form').addEventListener('submit', (event) => {
  event.preventDefault();
  answer();
});
byId('cancel').addEventListener('click', cancel);
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') cancel();
});

void api.invoke('cloudtoken:question:get').then(render);
