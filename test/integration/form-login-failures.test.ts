import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFormAuthenticator, FormLoginError } from '../../main/login/form.js';
import type { FormAuthenticatorOptions } from '../../main/login/form.js';

/**
 * The form driver against small local sites that misbehave in the ways real IdPs and networks do.
 * Each test serves its own pages on 127.0.0.1; nothing leaves the machine.
 */

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;

interface Site {
  url: string;
  /** Paths requested, in order. */
  hits: string[];
}

const servers: Server[] = [];

async function serve(handler: Handler, tls?: { key: string; cert: string }): Promise<Site> {
  const server: Server = tls ? createHttpsServer(tls) : createServer();
  const hits: string[] = [];
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      hits.push(`${request.method} ${request.url}`);
      handler(request, response, body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, hits };
}

const html = (response: ServerResponse, text: string, status = 200) =>
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(text);

const loginForm = (action: string) =>
  `<html><head><title>Sign in</title></head><body><form method="post" action="${action}">
   <input name="username"><input name="password" type="password"><button>Sign in</button></form></body></html>`;

const awsForm = (fields: Record<string, string>, action = 'https://signin.aws.amazon.com/saml') =>
  `<html><body onload="document.forms[0].submit()"><form method="post" action="${action}">${Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`)
    .join('')}<noscript><input type="submit" value="Continue"></noscript></form></body></html>`;

function authenticator(signInUrl: string, extra: Partial<FormAuthenticatorOptions> = {}) {
  const calls = { password: 0 };
  const auth = createFormAuthenticator({
    signInUrl,
    username: 'alice',
    password: async () => {
      calls.password++;
      return 'secret-pw';
    },
    ...extra,
  });
  return { auth, calls };
}

async function failure(promise: Promise<unknown>): Promise<FormLoginError> {
  const error = await promise.then(
    () => new Error('expected the sign-in to fail'),
    (e: unknown) => e,
  );
  if (!(error instanceof FormLoginError)) throw error;
  return error;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('form sign-in: pages that lead somewhere', () => {
  it('follows a meta refresh, fills a GET login form with a relative action, posts an intermediate hop, and captures RelayState', async () => {
    const site = await serve((request, response, body) => {
      const url = new URL(request.url ?? '/', 'http://x');
      if (url.pathname === '/start') return html(response, `<meta http-equiv="refresh" content="0; url='login/form'">`);
      if (url.pathname === '/login/form') {
        return html(response, `<title>Sign in</title><form action="check"><input type="hidden" name="ctx" value="7">
          <label>User <input name="user"></label><input type="password" name="pw"><input type="submit" name="go" value="Go"></form>`);
      }
      if (url.pathname === '/login/check') {
        const ok = url.searchParams.get('user') === 'alice' && url.searchParams.get('pw') === 'secret-pw' && url.searchParams.get('ctx') === '7';
        const go = url.searchParams.get('go') === 'Go';
        return ok && go
          ? html(response, `<form method="post" action="/hop"><input type="hidden" name="SAMLRequest" value="req"></form>`)
          : html(response, 'bad', 400);
      }
      if (url.pathname === '/hop' && request.method === 'POST' && new URLSearchParams(body).get('SAMLRequest') === 'req') {
        return html(response, awsForm({ SAMLResponse: 'PHNhbWw+', RelayState: 'https://console.aws.amazon.com/' }, 'https://us-west-2.signin.aws.amazon.com/saml'));
      }
      html(response, 'not found', 404);
    });
    const { auth, calls } = authenticator(`${site.url}/start`);
    await expect(auth.authenticate({ interactive: true })).resolves.toEqual({
      samlResponse: 'PHNhbWw+',
      relayState: 'https://console.aws.amazon.com/',
      acsUrl: 'https://us-west-2.signin.aws.amazon.com/saml',
    });
    expect(calls.password).toBe(1);
    expect(site.hits.map((hit) => hit.split('?')[0])).toEqual(['GET /start', 'GET /login/form', 'GET /login/check', 'POST /hop']);
  });

  it('fills a two-step sign-in: the user name first, then the password', async () => {
    const site = await serve((request, response, body) => {
      const form = new URLSearchParams(body);
      if (request.url === '/') return html(response, `<form method="post" action="/pw"><input type="email" name="identifier"><button>Next</button></form>`);
      if (request.url === '/pw' && form.get('identifier') === 'alice') {
        return html(response, `<form method="post" action="/done"><input type="password" name="secret"><input type="hidden" name="who" value="alice"></form>`);
      }
      if (request.url === '/done' && form.get('secret') === 'secret-pw' && form.get('who') === 'alice') {
        return html(response, awsForm({ SAMLResponse: 'QUJD' }));
      }
      html(response, 'no', 400);
    });
    const { auth } = authenticator(`${site.url}/`);
    expect((await auth.authenticate({ interactive: true })).samlResponse).toBe('QUJD');

    // Without a configured user name, it is asked for like any other field.
    const asked: string[] = [];
    const { auth: asking } = authenticator(`${site.url}/`, { username: '', askField: async ({ name }) => (asked.push(name), 'alice') });
    expect((await asking.authenticate({ interactive: true })).samlResponse).toBe('QUJD');
    expect(asked).toEqual(['identifier']);
  });

  it('asks for a masked one-time code that follows the password, and re-asks after a wrong one', async () => {
    const codePage = (error: string) =>
      `<title>Token</title>${error}<form method="post" action="/token"><label for="t">Token code</label><input id="t" type="password" name="token"></form>`;
    const site = await serve((request, response, body) => {
      const form = new URLSearchParams(body);
      if (request.url === '/') return html(response, loginForm('/login'));
      if (request.url === '/login') return form.get('password') === 'secret-pw' ? html(response, codePage('')) : html(response, loginForm('/login'));
      if (request.url === '/token' && form.get('token') === '987654') return html(response, awsForm({ SAMLResponse: 'WFla' }));
      html(response, codePage('<div class="error">Invalid token</div>'));
    });
    const asked: Array<{ label: string; type: string; message: string | undefined }> = [];
    const answers = ['111111', '987654'];
    const { auth, calls } = authenticator(`${site.url}/`, {
      askField: async ({ label, type, message }) => {
        asked.push({ label, type, message });
        return answers.shift() ?? '';
      },
    });
    expect((await auth.authenticate({ interactive: true })).samlResponse).toBe('WFla');
    expect(calls.password).toBe(1);
    expect(asked).toEqual([
      { label: 'Token code', type: 'password', message: undefined },
      { label: 'Token code', type: 'password', message: 'Invalid token' },
    ]);
  });
});

describe('form sign-in: typed failures', () => {
  let dir: string;
  let tls: { key: string; cert: string };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudtoken-form-failures-'));
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ]);
    tls = { key: await readFile(join(dir, 'key.pem'), 'utf8'), cert: await readFile(join(dir, 'cert.pem'), 'utf8') };
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stops a redirect loop after maxRedirects', async () => {
    const site = await serve((_request, response) => response.writeHead(302, { location: '/loop' }).end());
    const error = await failure(authenticator(`${site.url}/loop`, { maxRedirects: 5 }).auth.authenticate({ interactive: true }));
    expect(error.code).toBe('FORM_TOO_MANY_REDIRECTS');
    expect(error.message).toContain('5 redirects');
    expect(site.hits).toHaveLength(6);
  });

  it('stops after maxSteps pages that never reach AWS, naming the last page', async () => {
    const site = await serve((_request, response) =>
      html(response, `<title>Please wait</title><form method="post" action="/again"><input type="hidden" name="n" value="1"></form>`),
    );
    const error = await failure(authenticator(`${site.url}/`, { maxSteps: 4 }).auth.authenticate({ interactive: true }));
    expect(error.code).toBe('FORM_STEP_LIMIT');
    expect(error.message).toContain('"Please wait"');
    expect(site.hits).toHaveLength(5);
  });

  it('says what the page was when it has no form', async () => {
    const site = await serve((_request, response) => html(response, '<title>Down for maintenance</title><p>Back soon</p>'));
    const error = await failure(authenticator(`${site.url}/`).auth.authenticate({ interactive: true }));
    expect(error.code).toBe('FORM_NOT_FOUND');
    expect(error.message).toContain(`"Down for maintenance" at ${new URL(site.url).host}`);
  });

  it('reports an HTTP error page', async () => {
    const site = await serve((_request, response) => html(response, '<title>Internal error</title>', 503));
    const error = await failure(authenticator(`${site.url}/`).auth.authenticate({ interactive: true }));
    expect(error.code).toBe('FORM_HTTP_ERROR');
    expect(error.message).toContain('HTTP 503');
  });

  it('names the host whose TLS certificate is not trusted', async () => {
    const site = await serve((_request, response) => html(response, loginForm('/')), tls);
    expect(site.url.startsWith('https://')).toBe(true);
    const error = await failure(authenticator(`${site.url}/`).auth.authenticate({ interactive: true }));
    expect(error.code).toBe('FORM_TLS');
    expect(error.message).toContain(new URL(site.url).host);
    expect(error.message).toMatch(/SELF_SIGNED/);
  });

  it('reports an unreachable IdP as a network failure', async () => {
    const site = await serve(() => undefined);
    const closed = servers.pop()!;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(authenticator(`${site.url}/`).auth.authenticate({ interactive: true }));
    expect(error.code).toBe('FORM_NETWORK');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('times out a silent IdP, and passes a caller cancellation through as is', async () => {
    const site = await serve(() => undefined); // never answers
    const timedOut = await failure(authenticator(`${site.url}/`, { timeoutMs: 300 }).auth.authenticate({ interactive: true }));
    expect(timedOut.code).toBe('FORM_TIMEOUT');
    expect(timedOut.message).toContain(new URL(site.url).host);
    const controller = new AbortController();
    const reason = new Error('user closed the window');
    setTimeout(() => controller.abort(reason), 100);
    await expect(authenticator(`${site.url}/`).auth.authenticate({ interactive: true, signal: controller.signal })).rejects.toBe(reason);
  });

  it('does not count the time the user takes to type against the time limit', async () => {
    const site = await serve((request, response) =>
      request.method === 'POST' ? html(response, awsForm({ SAMLResponse: 'QUJD' })) : html(response, loginForm('/login')),
    );
    const slowTypist = authenticator(`${site.url}/`, {
      timeoutMs: 2_000,
      password: () => new Promise((resolve) => setTimeout(() => resolve('secret-pw'), 4_000)),
    });
    expect((await slowTypist.auth.authenticate({ interactive: true })).samlResponse).toBe('QUJD');
  });

  it('refuses to send the password over plain http off the machine, before asking for it', async () => {
    const site = await serve((_request, response) => html(response, loginForm('http://idp.example.invalid/login')));
    const { auth, calls } = authenticator(`${site.url}/`);
    const error = await failure(auth.authenticate({ interactive: true }));
    expect(error.code).toBe('FORM_INSECURE_TRANSPORT');
    expect(calls.password).toBe(0);
  });

  it('does not let a 307 carry the submitted password to another origin', async () => {
    const other = await serve((_request, response) => html(response, 'stolen'));
    const otherUrl = other.url.replace('127.0.0.1', 'localhost');
    const site = await serve((request, response) =>
      request.method === 'POST' ? response.writeHead(307, { location: `${otherUrl}/collect` }).end() : html(response, loginForm('/login')),
    );
    const error = await failure(authenticator(`${site.url}/`).auth.authenticate({ interactive: true }));
    expect(error.code).toBe('FORM_UNSAFE_REDIRECT');
    expect(other.hits).toEqual([]);
  });

  it('never requests AWS itself when the IdP redirects there without a form', async () => {
    const site = await serve((_request, response) => response.writeHead(302, { location: 'https://signin.aws.amazon.com/saml' }).end());
    const error = await failure(authenticator(`${site.url}/`).auth.authenticate({ interactive: true }));
    expect(error.code).toBe('FORM_AWS_WITHOUT_RESPONSE');
  });

  it('refuses an AWS form without a SAMLResponse', async () => {
    const site = await serve((_request, response) => html(response, awsForm({ RelayState: 'x' })));
    await expect(authenticator(`${site.url}/`).auth.authenticate({ interactive: true })).rejects.toMatchObject({ code: 'ACS_NO_SAML_RESPONSE' });
  });
});
