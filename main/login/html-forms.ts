import { parse } from 'node-html-parser';
import type { HTMLElement } from 'node-html-parser';

/**
 * What a browser sees in an IdP's page: its forms (with the values it would submit), its title, the error
 * the IdP shows, and a meta-refresh redirect. Pure functions over HTML text; no network.
 */

export interface FormField {
  name: string;
  /** Lower-case input type; `select` and `textarea` for those elements. */
  type: string;
  value: string;
  /** Hidden fields and fields a person cannot see or edit are not `visible`. */
  visible: boolean;
  /** What a person would read next to the field: its label, aria-label, placeholder or name. */
  label: string;
}

export interface HtmlForm {
  /** Absolute URL the form submits to (the page URL when the form names none). */
  action: string;
  method: 'GET' | 'POST';
  enctype: 'application/x-www-form-urlencoded' | 'multipart/form-data' | 'text/plain';
  /** The fields a browser would submit, in document order (unchecked boxes, disabled and nameless fields excluded). */
  fields: FormField[];
  /** The submit button's name/value a click on the first submit button adds, when it has a name. */
  submitter: { name: string; value: string } | undefined;
}

export interface HtmlPage {
  url: string;
  title: string;
  forms: HtmlForm[];
  /** The first error or alert text the page shows, whitespace collapsed. */
  errorText: string | undefined;
  /** Target of `<meta http-equiv="refresh" content="0;url=…">`, absolute. */
  refreshUrl: string | undefined;
}

const TEXT_LIKE = new Set(['text', 'email', 'tel', 'number', 'search', 'url', '']);
const NOT_SUBMITTED = new Set(['submit', 'image', 'button', 'reset', 'file']);

export function parsePage(html: string, pageUrl: string): HtmlPage {
  const root = parse(html, { comment: false, blockTextElements: { script: false, style: false, noscript: true, pre: true } });
  const labels = labelsById(root);
  // Relative actions resolve against <base href> when the page has one, as in a browser.
  const baseUrl = resolveUrl(root.querySelector('base[href]')?.getAttribute('href'), pageUrl);
  return {
    url: pageUrl,
    title: collapse(root.querySelector('title')?.text ?? ''),
    forms: root.querySelectorAll('form').map((form) => readForm(form, baseUrl, labels)),
    errorText: findErrorText(root),
    refreshUrl: findRefreshUrl(root, baseUrl),
  };
}

function readForm(form: HTMLElement, pageUrl: string, labels: Map<string, string>): HtmlForm {
  const fields: FormField[] = [];
  let submitter: HtmlForm['submitter'];
  for (const element of form.querySelectorAll('input, select, textarea, button')) {
    const tag = element.tagName.toLowerCase();
    const name = element.getAttribute('name');
    if (element.hasAttribute('disabled')) continue;
    const type = tag === 'input' ? (element.getAttribute('type') ?? 'text').toLowerCase() : tag;
    if (tag === 'button' || type === 'submit' || type === 'image') {
      const buttonType = (element.getAttribute('type') ?? 'submit').toLowerCase();
      if (submitter === undefined && buttonType === 'submit' && name) {
        submitter = { name, value: element.getAttribute('value') ?? (tag === 'button' ? element.text : 'Submit') };
      }
      continue;
    }
    if (!name || NOT_SUBMITTED.has(type)) continue;
    if ((type === 'checkbox' || type === 'radio') && !element.hasAttribute('checked')) continue;
    fields.push({
      name,
      type,
      value: fieldValue(element, tag, type),
      visible: type !== 'hidden' && !element.hasAttribute('hidden') && !/display\s*:\s*none/i.test(element.getAttribute('style') ?? ''),
      label: labelOf(element, labels) ?? name,
    });
  }
  const method = (form.getAttribute('method') ?? 'get').toUpperCase() === 'POST' ? 'POST' : 'GET';
  const enctypeAttr = (form.getAttribute('enctype') ?? '').toLowerCase();
  const enctype = enctypeAttr === 'multipart/form-data' || enctypeAttr === 'text/plain' ? enctypeAttr : 'application/x-www-form-urlencoded';
  return { action: resolveUrl(form.getAttribute('action'), pageUrl), method, enctype, fields, submitter };
}

function fieldValue(element: HTMLElement, tag: string, type: string): string {
  if (tag === 'textarea') return element.text;
  if (tag === 'select') {
    const options = element.querySelectorAll('option');
    const chosen = options.find((option) => option.hasAttribute('selected')) ?? options[0];
    return chosen ? (chosen.getAttribute('value') ?? chosen.text.trim()) : '';
  }
  // A checked box without a value submits "on", as browsers do.
  return element.getAttribute('value') ?? (type === 'checkbox' || type === 'radio' ? 'on' : '');
}

function labelsById(root: HTMLElement): Map<string, string> {
  const labels = new Map<string, string>();
  for (const label of root.querySelectorAll('label[for]')) {
    const target = label.getAttribute('for');
    const text = collapse(label.text);
    if (target && text) labels.set(target, text);
  }
  return labels;
}

function labelOf(element: HTMLElement, labels: Map<string, string>): string | undefined {
  const id = element.getAttribute('id');
  const enclosing = element.closest('label');
  const candidates = [
    id ? labels.get(id) : undefined,
    enclosing ? collapse(enclosing.text) : undefined,
    element.getAttribute('aria-label'),
    element.getAttribute('placeholder'),
  ];
  return candidates.map((text) => text?.trim()).find((text) => text);
}

// Class names and roles IdPs put on the message shown after a failed attempt (SimpleSAMLphp, Keycloak,
// Shibboleth, ADFS and most CSS frameworks use one of these words).
const ERROR_MARK = /error|alert|danger|feedback|warning/i;

const FORM_CONTROLS = 'input, select, textarea, button';

function findErrorText(root: HTMLElement): string | undefined {
  for (const element of root.querySelectorAll('[class], [id], [role]')) {
    const marks = `${element.getAttribute('class') ?? ''} ${element.getAttribute('id') ?? ''} ${element.getAttribute('role') ?? ''}`;
    if (!ERROR_MARK.test(marks) || ['form', 'input', 'script', 'style'].includes(element.tagName.toLowerCase())) continue;
    const text = collapse(element.text) || besideText(element);
    if (text) return text.length > 300 ? `${text.slice(0, 297)}...` : text;
  }
  return undefined;
}

/**
 * An error icon carries the mark while the words sit beside it, in its parent. A parent that holds form
 * controls is the form itself, and its text is the form's labels (LemonLDAP::NG leaves its `#errormsg` empty
 * for a script to fill): saying nothing is better than quoting them as the IdP's complaint.
 */
function besideText(element: HTMLElement): string {
  const parent = element.parentNode;
  if (!parent || parent.querySelector(FORM_CONTROLS)) return '';
  return collapse(parent.text);
}

function findRefreshUrl(root: HTMLElement, pageUrl: string): string | undefined {
  const meta = root.querySelectorAll('meta').find((m) => (m.getAttribute('http-equiv') ?? '').toLowerCase() === 'refresh');
  const match = /^\s*\d+\s*[;,]\s*url\s*=\s*(['"]?)(.*?)\1\s*$/i.exec(meta?.getAttribute('content') ?? '');
  return match?.[2] ? resolveUrl(match[2], pageUrl) : undefined;
}

function resolveUrl(reference: string | undefined, base: string): string {
  if (reference === undefined || reference.trim() === '') return base;
  return new URL(reference.trim(), base).href;
}

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

/** Fields a person can type into (not hidden, not a box or a list). */
export function visibleInputs(form: HtmlForm): FormField[] {
  return form.fields.filter((field) => field.visible && (TEXT_LIKE.has(field.type) || field.type === 'password' || field.type === 'textarea'));
}

const USERNAME_HINT = /user|login|e-?mail|upn|uid/i;

export function looksLikeUsername(field: FormField): boolean {
  return USERNAME_HINT.test(field.name) || USERNAME_HINT.test(field.label) || field.type === 'email';
}

/** The field the user name goes into: the visible text-like field that says so, else the first one. */
export function usernameField(form: HtmlForm): FormField | undefined {
  const candidates = form.fields.filter((field) => field.visible && TEXT_LIKE.has(field.type));
  return candidates.find(looksLikeUsername) ?? candidates[0];
}

/** A form posts nothing a person must fill in or choose: IdP intermediate hops that scripts submit at load. */
export function isAutoSubmitForm(form: HtmlForm): boolean {
  return form.fields.length > 0 && form.fields.every((field) => !field.visible);
}

/** The fields with some values replaced, as the browser would then submit them. */
export function fillForm(form: HtmlForm, values: Readonly<Record<string, string>>): Array<[string, string]> {
  const entries: Array<[string, string]> = form.fields.map((field) => [field.name, values[field.name] ?? field.value]);
  if (form.submitter) entries.push([form.submitter.name, form.submitter.value]);
  return entries;
}

/** The request a browser makes for a submitted form: URL, method and (for POST) body and content type. */
export function formRequest(
  form: HtmlForm,
  entries: ReadonlyArray<[string, string]>,
): { url: string; method: 'GET' | 'POST'; body?: string | FormData; contentType?: string } {
  if (form.method === 'GET') {
    const url = new URL(form.action);
    url.search = new URLSearchParams(entries as Array<[string, string]>).toString();
    url.hash = '';
    return { url: url.href, method: 'GET' };
  }
  if (form.enctype === 'multipart/form-data') {
    const data = new FormData();
    for (const [name, value] of entries) data.append(name, value);
    // fetch writes the multipart boundary into the content type itself.
    return { url: form.action, method: 'POST', body: data };
  }
  if (form.enctype === 'text/plain') {
    return { url: form.action, method: 'POST', body: entries.map(([n, v]) => `${n}=${v}\r\n`).join(''), contentType: 'text/plain' };
  }
  return {
    url: form.action,
    method: 'POST',
    body: new URLSearchParams(entries as Array<[string, string]>).toString(),
    contentType: 'application/x-www-form-urlencoded',
  };
}
