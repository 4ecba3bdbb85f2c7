import { parseAcsPost } from '../saml/acs.js';
import type { Logger } from '../support/logger.js';
import { silentLogger } from '../support/logger.js';
import type { AuthenticateOptions, Authenticator, CapturedAssertion } from './capture.js';
import { InteractionRequiredError } from './capture.js';
import type { CookieJarWarning, PersistentCookieJar } from './cookie-jar.js';
import { openCookieJar } from './cookie-jar.js';
import { FormLoginError } from './form-errors.js';
import type { FetchedPage, PageFetcher, PageRequest } from './form-http.js';
import { createPageFetcher, hostOf } from './form-http.js';
import { choosePageAction } from './form-page.js';
import type { FormField, HtmlForm, HtmlPage } from './html-forms.js';
import { fillForm, formRequest, parsePage } from './html-forms.js';

export { FormLoginError } from './form-errors.js';
export type { FormLoginErrorCode } from './form-errors.js';

/** A field the IdP asks for after the password (a one-time code), put to the user by the caller. */
export interface AskedField {
  name: string;
  label: string;
  type: string;
  /** The page's title, for context. */
  pageTitle: string;
  /** The error the IdP shows with the form (e.g. after a wrong code), if any. */
  message: string | undefined;
}

export interface FormAuthenticatorOptions {
  /** The IdP's sign-in URL for AWS (IdP-initiated SSO). */
  signInUrl: string;
  /** Filled into the IdP's user-name field; when empty, the user name is asked through askField. */
  username: string;
  /** Asked only when the IdP shows its password form; the answer is used for that request and dropped. */
  password: () => Promise<string>;
  askField?: (field: AskedField) => Promise<string>;
  /** Where the IdP session cookies persist (0600); without it they live in memory only. */
  cookieJarPath?: string;
  /** Pages (not counting redirects) before giving up; default 15. */
  maxSteps?: number;
  /** Redirects in a row before giving up; default 20. */
  maxRedirects?: number;
  /** Each request to the IdP (not the time the user takes to answer), default 30 s. */
  timeoutMs?: number;
  logger?: Logger;
  onCookieJarWarning?: (warning: CookieJarWarning) => void;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
}

const ASKS_PER_FIELD = 3;

export function createFormAuthenticator(options: FormAuthenticatorOptions): Authenticator {
  const logger = options.logger ?? silentLogger;
  // Read the jar afresh for every sign-in: the file is shared with other Cloudtoken processes (a daemon picks up
  // the session a `cloudtoken login` in another terminal renewed), and sign-ins are minutes apart.
  const openJar = (): Promise<PersistentCookieJar> =>
    openCookieJar({ path: options.cookieJarPath, logger, onWarning: options.onCookieJarWarning });

  return {
    async authenticate(request) {
      const cookies = await openJar();
      const fetcher = createPageFetcher({
        jar: cookies,
        fetch: options.fetch ?? fetch,
        maxRedirects: options.maxRedirects ?? 20,
        timeoutMs: options.timeoutMs ?? 30_000,
        signal: request.signal,
        logger,
      });
      try {
        return await signIn(fetcher, options, request, logger);
      } finally {
        await cookies.save().catch((error: unknown) => logger.warn('could not save the sign-in session', { error }));
      }
    },
    async signOut() {
      await (await openJar()).clear();
    },
  };
}

/** The steps of one sign-in: page after page, doing what each asks, until a form goes to AWS. */
async function signIn(
  fetcher: PageFetcher,
  options: FormAuthenticatorOptions,
  { interactive }: AuthenticateOptions,
  logger: Logger,
): Promise<CapturedAssertion> {
  const maxSteps = options.maxSteps ?? 15;
  /** The password field's name once the password went out: a different masked field after it is a code. */
  let passwordSentAs: string | undefined;
  let usernameSent = false;
  const asks = new Map<string, number>();
  // Without a configured user name, the user is asked (once) like for any other field the IdP wants.
  let typedUsername: string | undefined;
  const username = async (field: FormField, page: HtmlPage) =>
    options.username || (typedUsername ??= await ask(options, field, page, asks));
  let fetched = await fetcher.open({ url: options.signInUrl, method: 'GET' });

  for (let step = 0; step < maxSteps; step++) {
    const page = readPage(fetched);
    const action = choosePageAction(page);
    logger.debug('form sign-in: step', { step, host: hostOf(page.url), action: action.kind });
    let next: PageRequest;
    switch (action.kind) {
      case 'aws':
        return capture(action.form);
      case 'password': {
        if (!interactive) throw interactionRequired(page);
        assertSafeForSecrets(page, action.form);
        if (passwordSentAs !== undefined && action.username === undefined && action.password.name !== passwordSentAs) {
          next = submit(page, action.form, { [action.password.name]: await ask(options, action.password, page, asks) });
          break;
        }
        if (passwordSentAs !== undefined) throw rejected(page, 'FORM_CREDENTIALS_REJECTED', 'your user name or password');
        const values: Record<string, string> = {};
        if (action.username) values[action.username.name] = await username(action.username, page);
        values[action.password.name] = await options.password();
        next = submit(page, action.form, values);
        passwordSentAs = action.password.name;
        break;
      }
      case 'username':
        if (!interactive) throw interactionRequired(page);
        if (usernameSent) throw rejected(page, 'FORM_CREDENTIALS_REJECTED', 'your user name');
        assertSafeForSecrets(page, action.form);
        next = submit(page, action.form, { [action.username.name]: await username(action.username, page) });
        usernameSent = true;
        break;
      case 'ask': {
        if (!interactive) throw interactionRequired(page);
        assertSafeForSecrets(page, action.form);
        next = submit(page, action.form, { [action.field.name]: await ask(options, action.field, page, asks) });
        break;
      }
      case 'auto-submit':
        next = submit(page, action.form, {});
        break;
      case 'refresh':
        next = { url: action.url, method: 'GET' };
        break;
      case 'none':
        throw nothingToDo(page, fetched);
    }
    fetched = await fetcher.open(next);
  }
  throw new FormLoginError(
    'FORM_STEP_LIMIT',
    `Signing in at ${hostOf(options.signInUrl)} went through ${maxSteps} pages without reaching AWS (last: ${describePage(readPage(fetched))}). Check that the sign-in URL is your identity provider's AWS application.`,
  );
}

function readPage(fetched: FetchedPage): HtmlPage {
  const html = /html|xml/i.test(fetched.contentType) || fetched.contentType === '' ? fetched.text : '';
  return parsePage(html, fetched.url);
}

function capture(form: HtmlForm): CapturedAssertion {
  // Read the fields exactly as the browser would post them, then parse them as the ACS would.
  const posted = new URLSearchParams(fillForm(form, {})).toString();
  const { samlResponse, relayState } = parseAcsPost([posted]);
  return { samlResponse, relayState, acsUrl: form.action };
}

function submit(page: HtmlPage, form: HtmlForm, values: Record<string, string>): PageRequest {
  return { ...formRequest(form, fillForm(form, values)), fromUrl: page.url };
}

/** What a person types goes only to the form's own action, and never in clear text across a network. */
function assertSafeForSecrets(page: HtmlPage, form: HtmlForm): void {
  if (isSafeForSecrets(form.action)) return;
  throw new FormLoginError(
    'FORM_INSECURE_TRANSPORT',
    `The sign-in form at ${hostOf(page.url)} would send what you type to ${form.action.split('?')[0]} without encryption (plain http). Cloudtoken refused; use the identity provider's https address.`,
  );
}

function isSafeForSecrets(action: string): boolean {
  const url = new URL(action);
  if (url.protocol === 'https:') return true;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return url.protocol === 'http:' && (host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host));
}

async function ask(options: FormAuthenticatorOptions, field: FormField, page: HtmlPage, asks: Map<string, number>): Promise<string> {
  const count = asks.get(field.name) ?? 0;
  if (count >= ASKS_PER_FIELD) throw rejected(page, 'FORM_CODE_REJECTED', `the "${field.label}" you entered`);
  asks.set(field.name, count + 1);
  if (!options.askField) {
    throw new FormLoginError(
      'FORM_FIELD_UNANSWERED',
      `The identity provider at ${hostOf(page.url)} asks for "${field.label}", and this sign-in has no way to ask you for it.`,
    );
  }
  return options.askField({ name: field.name, label: field.label, type: field.type, pageTitle: page.title, message: page.errorText });
}

function interactionRequired(page: HtmlPage): InteractionRequiredError {
  return new InteractionRequiredError(`Your identity provider (${hostOf(page.url)}) wants you to sign in again.`);
}

function rejected(page: HtmlPage, code: 'FORM_CREDENTIALS_REJECTED' | 'FORM_CODE_REJECTED', what: string): FormLoginError {
  const said = page.errorText ? ` It says: "${page.errorText}"` : '';
  return new FormLoginError(code, `The identity provider at ${hostOf(page.url)} did not accept ${what}.${said}`);
}

function nothingToDo(page: HtmlPage, fetched: FetchedPage): FormLoginError {
  if (fetched.status >= 400) {
    return new FormLoginError('FORM_HTTP_ERROR', `The identity provider answered HTTP ${fetched.status} (${describePage(page)}).`, {
      httpStatus: fetched.status,
    });
  }
  return new FormLoginError(
    'FORM_NOT_FOUND',
    `Cloudtoken found no sign-in form to fill on ${describePage(page)}, and the page does not lead to AWS.${page.errorText ? ` The page says: "${page.errorText}"` : ''}`,
  );
}

function describePage(page: HtmlPage): string {
  return page.title ? `"${page.title}" at ${hostOf(page.url)}` : `the page at ${hostOf(page.url)}`;
}
