import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillForm, formRequest, isAutoSubmitForm, parsePage, usernameField, visibleInputs } from '../../../main/login/html-forms.js';
import { ALICE, startIdp } from '../../support/idp/index.js';
import type { RunningIdp } from '../../support/idp/index.js';

/** Real SimpleSAMLphp pages, fetched fresh rather than saved: the login form, its error page, the POST to AWS. */
interface CapturedPages {
  loginUrl: string;
  login: string;
  wrongPassword: string;
  postToAws: string;
}

async function capturePages(idp: RunningIdp): Promise<CapturedPages> {
  const first = await fetch(idp.signInUrl, { redirect: 'manual' });
  const cookie = first.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const loginUrl = first.headers.get('location')!;
  const login = await (await fetch(loginUrl, { headers: { cookie } })).text();
  const authState = /name="AuthState" value="([^"]+)"/.exec(login)?.[1]?.replace(/&amp;/g, '&') ?? '';
  const post = (password: string) =>
    fetch(loginUrl.split('?')[0]!, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: ALICE.username, password, AuthState: authState }).toString(),
    }).then((r) => r.text());
  const wrongPassword = await post('wrong');
  return { loginUrl, login, wrongPassword, postToAws: await post(ALICE.password) };
}

describe('html forms in real SimpleSAMLphp pages', () => {
  let idp: RunningIdp;
  let pages: CapturedPages;
  beforeAll(async () => {
    idp = await startIdp();
    pages = await capturePages(idp);
  });
  afterAll(async () => idp?.stop());

  it('finds the login form: user name, password, hidden AuthState, action resolved against the page', () => {
    const page = parsePage(pages.login, pages.loginUrl);
    const login = page.forms.find((form) => form.fields.some((field) => field.type === 'password'));
    expect(login).toBeDefined();
    expect(login!.method).toBe('POST');
    expect(new URL(login!.action).origin).toBe(idp.baseUrl);
    expect(login!.action).toContain('/simplesaml/module.php/core/loginuserpass.php');
    expect(usernameField(login!)?.name).toBe('username');
    expect(login!.fields.find((field) => field.name === 'AuthState')).toMatchObject({ type: 'hidden', visible: false });
    expect(page.errorText).toBeUndefined();
  });

  it('reads the error SimpleSAMLphp shows after a wrong password', () => {
    expect(parsePage(pages.wrongPassword, pages.loginUrl).errorText).toMatch(/Incorrect username or password/);
  });

  it('reads the auto-submitting form to AWS as the browser would post it', () => {
    const page = parsePage(pages.postToAws, pages.loginUrl);
    expect(page.title).toBe('POST data');
    const [form] = page.forms;
    expect(form?.action).toBe('https://signin.aws.amazon.com/saml');
    expect(isAutoSubmitForm(form!)).toBe(true);
    const posted = new URLSearchParams(fillForm(form!, {}));
    expect([...posted.keys()]).toEqual(['SAMLResponse']);
    expect(Buffer.from(posted.get('SAMLResponse')!, 'base64').toString('utf8')).toContain('<samlp:Response');
  });
});

describe('html forms: what browsers submit', () => {
  const base = 'https://idp.example.com/auth/login?x=1';

  it('submits checked boxes only, selected options, textareas, and skips disabled and nameless fields', () => {
    const page = parsePage(
      `<form method="POST" action="../go">
        <input name="a" value="1"><input value="nameless"><input name="off" value="x" disabled>
        <input type="checkbox" name="remember"><input type="checkbox" name="agree" checked>
        <input type="radio" name="r" value="one"><input type="radio" name="r" value="two" checked>
        <select name="s"><option value="p">P</option><option value="q" selected>Q</option></select>
        <textarea name="t">hello</textarea><input type="file" name="f"><input type="reset" name="reset">
      </form>`,
      base,
    );
    const [form] = page.forms;
    expect(form?.action).toBe('https://idp.example.com/go');
    expect(fillForm(form!, {})).toEqual([['a', '1'], ['agree', 'on'], ['r', 'two'], ['s', 'q'], ['t', 'hello']]);
  });

  it('adds the clicked submit button and labels fields from <label for>, enclosing labels, aria-label and placeholder', () => {
    const [form] = parsePage(
      `<form><label for="c">Security code</label><input id="c" name="code">
        <label>Phone <input name="phone" type="tel"></label><input name="x" aria-label="Extra">
        <input name="y" placeholder="Why"><button name="action" value="verify">Verify</button></form>`,
      base,
    ).forms;
    expect(form!.fields.map((field) => field.label)).toEqual(['Security code', 'Phone', 'Extra', 'Why']);
    expect(form!.submitter).toEqual({ name: 'action', value: 'verify' });
    expect(fillForm(form!, { code: '123' }).at(-1)).toEqual(['action', 'verify']);
    expect(visibleInputs(form!)).toHaveLength(4);
  });

  it('encodes GET forms into the query, replacing the action query, and POST forms by their enctype', async () => {
    const page = parsePage(
      `<form action="/search?old=1#frag"><input name="q" value="a b&c"></form>
       <form method="post" enctype="multipart/form-data" action="/up"><input name="m" value="1"></form>
       <form method="post"><input name="p" value="é"></form>`,
      base,
    );
    const [get, multipart, urlencoded] = page.forms;
    expect(formRequest(get!, fillForm(get!, {}))).toEqual({ url: 'https://idp.example.com/search?q=a+b%26c', method: 'GET' });
    const multi = formRequest(multipart!, fillForm(multipart!, {}));
    expect(multi.body).toBeInstanceOf(FormData);
    expect((multi.body as FormData).get('m')).toBe('1');
    expect(multi.contentType).toBeUndefined();
    expect(formRequest(urlencoded!, fillForm(urlencoded!, {}))).toEqual({
      url: base,
      method: 'POST',
      body: 'p=%C3%A9',
      contentType: 'application/x-www-form-urlencoded',
    });
  });

  it('tells hidden-only forms from forms a person fills in', () => {
    const [hiddenOnly, withSelect, withStyleHidden] = parsePage(
      `<form><input type="hidden" name="SAMLRequest" value="x"><input type="submit"></form>
       <form><input type="hidden" name="h" value="1"><select name="lang"><option>en</option></select></form>
       <form><input name="trap" style="display: none"><input type="hidden" name="h" value="1"></form>`,
      base,
    ).forms;
    expect(isAutoSubmitForm(hiddenOnly!)).toBe(true);
    expect(isAutoSubmitForm(withSelect!)).toBe(false);
    expect(isAutoSubmitForm(withStyleHidden!)).toBe(true);
  });

  it('reads a meta refresh, the title and an alert, with whitespace collapsed', () => {
    const page = parsePage(
      `<html><head><title>  Wait\n please </title><meta http-equiv="Refresh" content="0;URL='next?a=1'"></head>
       <body><div role="alert">  Your code
       has expired.</div></body></html>`,
      base,
    );
    expect(page.title).toBe('Wait please');
    expect(page.refreshUrl).toBe('https://idp.example.com/auth/next?a=1');
    expect(page.errorText).toBe('Your code has expired.');
  });

  it('quotes the words beside an error icon, but never a form’s labels as its error (LemonLDAP::NG fills #errormsg by script)', () => {
    const lemonLdap = parsePage(
      `<html><head><title>Authentication portal</title></head><body>
       <form action="/" method="post" class="login" role="form"><div class="form">
         <div id="errormsg"><div class="message message-negative alert"><span trmsg="5"></span></div></div>
         <input name="user" placeholder="Login" class="form-control"><input type="password" name="password" placeholder="Password">
         <div class="checkbox"><label><input type="checkbox" name="checkLogins" value="1">Check my last logins</label></div>
         <button type="submit" class="btn btn-success">Connect</button>
       </div></form></body></html>`,
      base,
    );
    expect(lemonLdap.forms[0]?.fields.map((field) => field.name)).toEqual(['user', 'password']);
    expect(lemonLdap.errorText).toBeUndefined();
    const icon = parsePage(`<form><input name="u"></form><p><span class="icon-error"></span> Wrong password. </p>`, base);
    expect(icon.errorText).toBe('Wrong password.');
  });

  it('resolves actions against <base href>', () => {
    const [form] = parsePage(`<head><base href="/idp/"></head><form action="step2"><input name="a"></form>`, base).forms;
    expect(form?.action).toBe('https://idp.example.com/idp/step2');
  });

  it('survives markup that is not HTML at all', () => {
    const page = parsePage('{"json": true} <<<>>> <form', base);
    expect(page.forms.length).toBeLessThanOrEqual(1);
    expect(page.refreshUrl).toBeUndefined();
  });
});
