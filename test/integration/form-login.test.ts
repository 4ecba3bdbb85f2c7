import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InteractionRequiredError } from '../../main/login/capture.js';
import type { CookieJarWarning } from '../../main/login/cookie-jar.js';
import { createFormAuthenticator, FormLoginError } from '../../main/login/form.js';
import type { AskedField, FormAuthenticatorOptions } from '../../main/login/form.js';
import { parseSamlResponse } from '../../main/saml/assertion.js';
import { createLogger } from '../../main/support/logger.js';
import { ALICE, AWS_ACS_URL, BOB, startIdp } from '../support/idp/index.js';
import type { IdpUser, RunningIdp } from '../support/idp/index.js';

/** The sign-in of one user with a password callback that counts its calls. */
function authenticatorFor(idp: RunningIdp, user: IdpUser, extra: Partial<FormAuthenticatorOptions> = {}) {
  const calls = { password: 0 };
  const authenticator = createFormAuthenticator({
    signInUrl: idp.signInUrl,
    username: user.username,
    password: async () => {
      calls.password++;
      return user.password;
    },
    ...extra,
  });
  return { authenticator, calls };
}

const rolePairs = (user: IdpUser) => user.roles.map(({ roleArn, principalArn }) => ({ roleArn, principalArn }));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('form sign-in at a real SimpleSAMLphp', () => {
  let idp: RunningIdp;
  let shortIdp: RunningIdp;
  let dir: string;
  beforeAll(async () => {
    [idp, shortIdp, dir] = await Promise.all([
      startIdp(),
      startIdp({ sessionDuration: 2 }),
      mkdtemp(join(tmpdir(), 'cloudtoken-form-login-')),
    ]);
  });
  afterAll(async () => {
    await Promise.all([idp?.stop(), shortIdp?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('signs alice in and hands over the SAMLResponse bound for AWS with all her roles', async () => {
    const { authenticator, calls } = authenticatorFor(idp, ALICE);
    const captured = await authenticator.authenticate({ interactive: true });
    expect(captured.acsUrl).toBe(AWS_ACS_URL);
    expect(captured.relayState).toBeUndefined();
    expect(calls.password).toBe(1);
    const parsed = parseSamlResponse(captured.samlResponse);
    expect(parsed.roles.map(({ roleArn, principalArn }) => ({ roleArn, principalArn }))).toEqual(rolePairs(ALICE));
    expect(parsed.roles.map((role) => role.accountId)).toEqual(['111111111111', '111111111111', '222222222222', '222222222222']);
    expect(parsed.roles[1]?.roleName).toBe('Deploy');
    expect(parsed.roleSessionName).toBe(ALICE.roleSessionName);
    expect(parsed.sessionDuration).toBe(28800);
  });

  it('signs bob in with his single role and no SessionDuration', async () => {
    const parsed = parseSamlResponse((await authenticatorFor(idp, BOB).authenticator.authenticate({ interactive: true })).samlResponse);
    expect(parsed.roles.map(({ roleArn, principalArn }) => ({ roleArn, principalArn }))).toEqual(rolePairs(BOB));
    expect(parsed.sessionDuration).toBeUndefined();
  });

  it('reports a wrong password with the IdP message, never logging or showing the password', async () => {
    const lines: string[] = [];
    const wrong = 'not-alices-Password-42';
    const authenticator = createFormAuthenticator({
      signInUrl: idp.signInUrl,
      username: ALICE.username,
      password: async () => wrong,
      logger: createLogger({ level: 'debug', sink: (line) => lines.push(line) }),
      cookieJarPath: join(dir, 'wrong-password', 'jar.json'),
    });
    const error = await authenticator.authenticate({ interactive: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FormLoginError);
    expect((error as FormLoginError).code).toBe('FORM_CREDENTIALS_REJECTED');
    expect((error as FormLoginError).message).toMatch(/Incorrect username or password/);
    expect(lines.length).toBeGreaterThan(0);
    const everything = `${lines.join('\n')}\n${(error as Error).message}\n${await readJar(join(dir, 'wrong-password', 'jar.json'))}`;
    expect(everything).not.toContain(wrong);
  });

  it('signs in silently with the saved cookie jar, without asking for the password', async () => {
    const jarPath = join(dir, 'silent', 'cookies.json');
    await authenticatorFor(idp, ALICE, { cookieJarPath: jarPath }).authenticator.authenticate({ interactive: true });
    expect((await stat(jarPath)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'silent'))).mode & 0o777).toBe(0o700);
    expect((await readdir(join(dir, 'silent'))).filter((name) => name !== 'cookies.json')).toEqual([]);

    // A new authenticator (a new process, later) with the same jar file.
    const later = authenticatorFor(idp, ALICE, { cookieJarPath: jarPath });
    const captured = await later.authenticator.authenticate({ interactive: false });
    expect(later.calls.password).toBe(0);
    expect(parseSamlResponse(captured.samlResponse).roles).toHaveLength(ALICE.roles.length);

    // Signing out forgets the IdP session: the next silent attempt needs the user.
    await later.authenticator.signOut();
    await expect(stat(jarPath)).rejects.toThrow();
    await expect(later.authenticator.authenticate({ interactive: false })).rejects.toBeInstanceOf(InteractionRequiredError);
    expect(later.calls.password).toBe(0);
  });

  it('picks up an IdP session another process saved into the same jar (a daemon after `cloudtoken login`)', async () => {
    const jarPath = join(dir, 'shared', 'jar.json');
    const daemon = authenticatorFor(idp, ALICE, { cookieJarPath: jarPath });
    await expect(daemon.authenticator.authenticate({ interactive: false })).rejects.toBeInstanceOf(InteractionRequiredError);
    await authenticatorFor(idp, ALICE, { cookieJarPath: jarPath }).authenticator.authenticate({ interactive: true });
    const captured = await daemon.authenticator.authenticate({ interactive: false });
    expect(parseSamlResponse(captured.samlResponse).roles).toHaveLength(ALICE.roles.length);
    expect(daemon.calls.password).toBe(0);
  });

  it('needs interaction when there is no IdP session', async () => {
    const { authenticator, calls } = authenticatorFor(idp, ALICE, { cookieJarPath: join(dir, 'none', 'jar.json') });
    await expect(authenticator.authenticate({ interactive: false })).rejects.toBeInstanceOf(InteractionRequiredError);
    expect(calls.password).toBe(0);
  });

  it('needs interaction once the IdP session has expired', async () => {
    const jarPath = join(dir, 'expiry', 'jar.json');
    await authenticatorFor(shortIdp, ALICE, { cookieJarPath: jarPath }).authenticator.authenticate({ interactive: true });
    const later = authenticatorFor(shortIdp, ALICE, { cookieJarPath: jarPath });
    // Still within the 2 s IdP session: silent works, so what fails below is the expiry.
    await later.authenticator.authenticate({ interactive: false });
    await sleep(3000);
    await expect(later.authenticator.authenticate({ interactive: false })).rejects.toBeInstanceOf(InteractionRequiredError);
    expect(later.calls.password).toBe(0);
    // …and signs in again when the user is there.
    await later.authenticator.authenticate({ interactive: true });
    expect(later.calls.password).toBe(1);
  });

  it('keeps a damaged jar aside with a typed warning and signs in from scratch', async () => {
    const jarDir = join(dir, 'damaged');
    const jarPath = join(jarDir, 'jar.json');
    await authenticatorFor(idp, ALICE, { cookieJarPath: jarPath }).authenticator.authenticate({ interactive: true });
    await writeFile(jarPath, '{"format":"cloudtoken-cookie-jar","version":1,"jar":');
    const warnings: CookieJarWarning[] = [];
    const { authenticator, calls } = authenticatorFor(idp, ALICE, { cookieJarPath: jarPath, onCookieJarWarning: (w) => warnings.push(w) });
    await expect(authenticator.authenticate({ interactive: false })).rejects.toBeInstanceOf(InteractionRequiredError);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.code).toBe('COOKIE_JAR_UNREADABLE');
    expect((await readdir(jarDir)).some((name) => name.startsWith('jar.json.unreadable-'))).toBe(true);
    await authenticator.authenticate({ interactive: true });
    expect(calls.password).toBe(1);
  });

  describe('with a one-time-code page in front of the IdP', () => {
    let gate: Server;
    let gateUrl: string;
    beforeAll(async () => {
      gate = otpGate(() => idp.signInUrl);
      await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
      const address = gate.address();
      gateUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/start`;
    });
    afterAll(async () => {
      gate?.closeAllConnections();
      await new Promise((resolve) => gate?.close(resolve));
    });

    it('asks for the code through askField, re-asks with the page message after a wrong one', async () => {
      const asked: AskedField[] = [];
      const answers = ['000000', OTP];
      const authenticator = createFormAuthenticator({
        signInUrl: gateUrl,
        username: ALICE.username,
        password: async () => ALICE.password,
        askField: async (field) => {
          asked.push(field);
          return answers.shift() ?? '';
        },
      });
      const captured = await authenticator.authenticate({ interactive: true });
      expect(parseSamlResponse(captured.samlResponse).roles).toHaveLength(ALICE.roles.length);
      expect(asked.map(({ name, label, type }) => ({ name, label, type }))).toEqual([
        { name: 'otp', label: 'One-time code', type: 'text' },
        { name: 'otp', label: 'One-time code', type: 'text' },
      ]);
      expect(asked[0]?.message).toBeUndefined();
      expect(asked[1]?.message).toBe('That code was not right.');
    });

    it('gives up after three wrong codes, and never asks during a silent attempt', async () => {
      const wrongCodes = createFormAuthenticator({
        signInUrl: gateUrl,
        username: ALICE.username,
        password: async () => ALICE.password,
        askField: async () => '123',
      });
      await expect(wrongCodes.authenticate({ interactive: true })).rejects.toMatchObject({ code: 'FORM_CODE_REJECTED' });
      let asks = 0;
      const silent = createFormAuthenticator({
        signInUrl: gateUrl,
        username: ALICE.username,
        password: async () => ALICE.password,
        askField: async () => String(++asks),
      });
      await expect(silent.authenticate({ interactive: false })).rejects.toBeInstanceOf(InteractionRequiredError);
      expect(asks).toBe(0);
    });
  });
});

const readJar = (path: string) => readFile(path, 'utf8').catch(() => '');

const OTP = '424242';

/** A second factor page in front of the IdP, as some companies put one: a form with one code field. */
function otpGate(next: () => string): Server {
  const page = (error: string) => `<!doctype html><html><head><title>Second factor</title></head><body>
    ${error ? `<p class="alert">${error}</p>` : ''}
    <form method="post" action="verify"><input type="hidden" name="ctx" value="abc">
    <label for="otp">One-time code</label><input id="otp" name="otp" type="text" autocomplete="one-time-code">
    <button type="submit">Verify</button></form></body></html>`;
  return createServer((request, response) => {
    if (request.method === 'POST' && request.url === '/verify') {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const form = new URLSearchParams(body);
        if (form.get('otp') === OTP && form.get('ctx') === 'abc') {
          response.writeHead(302, { location: next() }).end();
        } else {
          response.writeHead(200, { 'content-type': 'text/html' }).end(page('That code was not right.'));
        }
      });
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(''));
  });
}
