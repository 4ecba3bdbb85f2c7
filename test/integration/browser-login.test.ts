import { existsSync, mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBrowserAuthenticator } from '../../main/login/browser.js';
import { browserSessionFile } from '../../main/login/browser-session.js';
import type { BrowserAuthenticatorOptions } from '../../main/login/browser.js';
import { parseSamlResponse } from '../../main/saml/assertion.js';
import { ALICE, BOB, startIdp } from '../support/idp/index.js';
import type { IdpUser, RunningIdp } from '../support/idp/index.js';

const CHROMIUM = '/usr/bin/chromium';
// Nothing but loopback resolves: a SAMLResponse that left the browser would fail instead of reaching AWS.
const LOOPBACK_ONLY = [
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-quic',
];

let idp: RunningIdp;
const root = mkdtempSync(path.join(os.tmpdir(), 'ct-browser-'));
let profileCounter = 0;

beforeAll(async () => {
  idp = await startIdp();
});

afterAll(async () => {
  await idp?.stop();
  await fs.rm(root, { recursive: true, force: true });
});

const newProfileDir = () => path.join(root, `profile-${(profileCounter += 1)}`);

function authenticator(profileDir: string, extra: Partial<BrowserAuthenticatorOptions> = {}) {
  return createBrowserAuthenticator({
    signInUrl: idp.signInUrl,
    profileDir,
    executablePath: CHROMIUM,
    headless: true,
    browserArgs: LOOPBACK_ONLY,
    timeoutMs: 20_000,
    ...extra,
  });
}

/** What the test saw of the ACS request: answered locally (our CSP header) or failed on the way out. */
interface AcsTrace {
  answered: Array<{ status: number; csp: string | undefined }>;
  failed: string[];
}

/** The test's hands at the keyboard: fills the SimpleSAMLphp login form whenever it appears. */
function typeCredentials(user: IdpUser, trace?: AcsTrace) {
  return (page: Page) => {
    if (trace) {
      page.on('response', (response) => {
        if (response.url().startsWith('https://signin.aws.amazon.com/')) trace.answered.push({ status: response.status(), csp: response.headers()['content-security-policy'] });
      });
      page.on('requestfailed', (request) => trace.failed.push(`${request.url()} ${request.failure()?.errorText ?? ''}`));
    }
    page.on('domcontentloaded', () => {
      void (async () => {
        const password = page.locator('input[name="password"]');
        if ((await password.count()) === 0) return;
        await page.locator('input[name="username"]').fill(user.username);
        await password.fill(user.password);
        await password.press('Enter');
      })().catch(() => undefined);
    });
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  return promise.then(
    () => {
      throw new Error('expected the sign-in to fail');
    },
    (error: Error & { code?: string }) => error,
  );
}

/** Process ids of the browser (not its helpers) running on a profile, from /proc. */
async function browserPids(profileDir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await fs.readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const args = cmdline.split('\0');
    if (args.includes(`--user-data-dir=${profileDir}`) && !args.some((arg) => arg.startsWith('--type='))) pids.push(Number(entry));
  }
  return pids;
}

// Browser launches take seconds each, more on a busy runner.
describe.skipIf(!existsSync(CHROMIUM))('system-browser sign-in against SimpleSAMLphp', { timeout: 90_000 }, () => {
  const shared = newProfileDir();

  afterEach(async () => {
    // Every sign-in closes its browser, whatever happened.
    expect(await browserPids(shared), 'browser left running').toEqual([]);
  });

  it('captures the SAMLResponse in the browser and answers it locally; it never leaves', async () => {
    const trace: AcsTrace = { answered: [], failed: [] };
    const captured = await authenticator(shared, { onPage: typeCredentials(ALICE, trace) }).authenticate({ interactive: true });
    expect(captured.acsUrl).toBe('https://signin.aws.amazon.com/saml');
    const parsed = parseSamlResponse(captured.samlResponse);
    expect(parsed.roles.map((role) => role.roleArn).sort()).toEqual(ALICE.roles.map((role) => role.roleArn).sort());
    expect(parsed.nameId).toBe('alice');
    expect(trace.answered).toEqual([{ status: 200, csp: "default-src 'none'; style-src 'unsafe-inline'" }]);
    // Had it gone out, name resolution would have failed (only loopback resolves); closing the browser at
    // once may abort the local page's loading, which is not leaving.
    expect(trace.failed.filter((failure) => failure.includes('amazon') && !failure.endsWith('net::ERR_ABORTED'))).toEqual([]);
    expect((await fs.stat(shared)).mode & 0o777).toBe(0o700);
    expect((await fs.stat(browserSessionFile(shared))).mode & 0o777).toBe(0o600);
  });

  it('signs in again silently with the persisted profile, with nobody at the keyboard', async () => {
    const browser = authenticator(shared);
    // Two refreshes asked at once take turns on the profile instead of colliding.
    const both = await Promise.all([browser.authenticate({ interactive: false }), browser.authenticate({ interactive: false })]);
    expect(both.map((captured) => parseSamlResponse(captured.samlResponse).nameId)).toEqual(['alice', 'alice']);
  });

  it('refuses a second browser on a profile that is in use, and stops when aborted', async () => {
    const profileDir = newProfileDir();
    const controller = new AbortController();
    const firstOutcome = rejection(authenticator(profileDir).authenticate({ interactive: true, signal: controller.signal }));
    for (let i = 0; i < 200 && !existsSync(path.join(profileDir, 'SingletonLock')); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await rejection(authenticator(profileDir).authenticate({ interactive: false }));
    expect(second.code).toBe('BROWSER_PROFILE_IN_USE');
    expect(second.message).toContain(profileDir);
    controller.abort(new Error('cancelled by the test'));
    expect((await firstOutcome).message).toBe('cancelled by the test');
    expect(await browserPids(profileDir)).toEqual([]);
  });

  it('signs out by forgetting the profile, after which a silent sign-in needs the user', async () => {
    const browser = authenticator(shared);
    await browser.signOut();
    expect(existsSync(shared)).toBe(false);
    const started = Date.now();
    const error = await rejection(browser.authenticate({ interactive: false }));
    expect(error.code).toBe('INTERACTION_REQUIRED');
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe.skipIf(!existsSync(CHROMIUM))('system-browser sign-in failures and automation', { timeout: 90_000 }, () => {
  it('fills the login form itself with --username/--password-stdin, asking for the password once', async () => {
    let asked = 0;
    const captured = await authenticator(newProfileDir(), {
      autofill: { username: BOB.username, password: async () => ((asked += 1), BOB.password) },
    }).authenticate({ interactive: true });
    expect(parseSamlResponse(captured.samlResponse).nameId).toBe('bob');
    expect(asked).toBe(1);
  });

  it('reports a rejected password instead of replaying it', async () => {
    let asked = 0;
    const error = await rejection(
      authenticator(newProfileDir(), { autofill: { username: BOB.username, password: async () => ((asked += 1), 'wrong') } }).authenticate({ interactive: true }),
    );
    expect(error.code).toBe('BROWSER_CREDENTIALS_REJECTED');
    expect(asked).toBe(1);
  });

  it('captures a response posted from a popup window too', async () => {
    const captured = await authenticator(newProfileDir(), {
      onPage: (page) => {
        page.once('domcontentloaded', () => {
          void page
            .evaluate(() => {
              const popup = window.open('', 'idp-popup');
              popup?.document.write('<form method="post" action="https://us-east-2.signin.aws.amazon.com/saml"><input name="SAMLResponse" value="cG9wdXA="><input name="RelayState" value="r s"></form>');
              popup?.document.forms[0]?.submit();
            })
            .catch(() => undefined);
        });
      },
    }).authenticate({ interactive: true });
    expect(captured).toEqual({ samlResponse: 'cG9wdXA=', relayState: 'r s', acsUrl: 'https://us-east-2.signin.aws.amazon.com/saml' });
  });

  it('a silent sign-in on a fresh profile meets the login page and asks for the user', async () => {
    const error = await rejection(authenticator(newProfileDir()).authenticate({ interactive: false }));
    expect(error.code).toBe('INTERACTION_REQUIRED');
  });

  it('times out with a typed error when nobody signs in', async () => {
    const error = await rejection(authenticator(newProfileDir(), { timeoutMs: 2_000 }).authenticate({ interactive: true }));
    expect(error.code).toBe('BROWSER_TIMEOUT');
  });

  it('the user closing the sign-in window is a typed error', async () => {
    const error = await rejection(
      authenticator(newProfileDir(), {
        onPage: (page) => {
          page.once('domcontentloaded', () => void page.close().catch(() => undefined));
        },
      }).authenticate({ interactive: true }),
    );
    expect(error.code).toBe('BROWSER_CLOSED');
  });

  it('the browser going away mid-sign-in is a typed error', async () => {
    const profileDir = newProfileDir();
    const error = await rejection(
      authenticator(profileDir, {
        onPage: (page) => {
          page.once('domcontentloaded', () => {
            void browserPids(profileDir).then((pids) => pids.forEach((pid) => process.kill(pid, 'SIGKILL')));
          });
        },
      }).authenticate({ interactive: true }),
    );
    expect(error.code).toBe('BROWSER_CLOSED');
  });

  it('names the missing browser and how to choose another', async () => {
    const error = await rejection(authenticator(newProfileDir(), { executablePath: path.join(root, 'no-such-chrome') }).authenticate({ interactive: true }));
    expect(error.code).toBe('BROWSER_NOT_FOUND');
    expect(error.message).toContain('no-such-chrome');
    expect(error.message).toContain('--browser PATH');
  });

  it('a program that is not a browser fails to launch with a typed error', async () => {
    const error = await rejection(authenticator(newProfileDir(), { executablePath: '/bin/false' }).authenticate({ interactive: true }));
    expect(error.code).toBe('BROWSER_LAUNCH_FAILED');
    expect(error.message).toContain('/bin/false (it stopped at once with exit code 1)');
  });

  it('an IdP that cannot be reached is a typed error', async () => {
    const error = await rejection(authenticator(newProfileDir(), { signInUrl: 'http://127.0.0.1:9/sso' }).authenticate({ interactive: true }));
    expect(error.code).toBe('BROWSER_NAVIGATION_FAILED');
    expect(error.message).toContain('127.0.0.1:9');
  });
});
