import { classifyAcsUrl } from '../saml/acs.js';
import type { FormField, HtmlForm, HtmlPage } from './html-forms.js';
import { isAutoSubmitForm, looksLikeUsername, usernameField, visibleInputs } from './html-forms.js';

/**
 * What a sign-in page asks of the browser, in the order a person would see it: the form that goes to AWS
 * (done), a password form, a user-name-only form (two-step sign-in), a form asking one more thing (a one-time
 * code), an intermediate form scripts submit on load, a meta refresh, or nothing Cloudtoken can do.
 */
export type PageAction =
  | { kind: 'aws'; form: HtmlForm }
  | { kind: 'password'; form: HtmlForm; password: FormField; username: FormField | undefined }
  | { kind: 'username'; form: HtmlForm; username: FormField }
  | { kind: 'ask'; form: HtmlForm; field: FormField }
  | { kind: 'auto-submit'; form: HtmlForm }
  | { kind: 'refresh'; url: string }
  | { kind: 'none' };

export function choosePageAction(page: HtmlPage): PageAction {
  const forms = page.forms;
  const toAws = forms.find((form) => classifyAcsUrl(form.action) !== undefined);
  if (toAws) return { kind: 'aws', form: toAws };

  for (const form of forms) {
    const password = form.fields.find((field) => field.visible && field.type === 'password');
    if (password) return { kind: 'password', form, password, username: usernameField(form) };
  }

  for (const form of forms) {
    const inputs = visibleInputs(form);
    const [only] = inputs;
    if (inputs.length !== 1 || only === undefined) continue;
    if (looksLikeUsername(only)) return { kind: 'username', form, username: only };
    if (only.value === '') return { kind: 'ask', form, field: only };
  }

  const auto = forms.find(isAutoSubmitForm);
  if (auto) return { kind: 'auto-submit', form: auto };
  if (page.refreshUrl) return { kind: 'refresh', url: page.refreshUrl };
  return { kind: 'none' };
}
