import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Cookie, Page, Request, Route } from 'playwright-core';
import { classifyAcsUrl, parseAcsPost } from '../saml/acs.js';
import { CloudtokenError } from '../support/errors.js';
import { silentLogger } from '../support/logger.js';
import type { Logger } from '../support/logger.js';
import { findBrowser } from './browser-discovery.js';
import type { Environment } from './browser-discovery.js';
import { InteractionRequiredError } from './capture.js';
import type { AuthenticateOptions, Authenticator, CapturedAssertion } from './capture.js';
import { fillLoginForm } from './browser-autofill.js';
import type { BrowserAutofill } from './browser-autofill.js';
import { SIGNED_IN_PAGE } from './browser-pages.js';
import { browserSessionFile } from './browser-session.js';
import { writeFileAtomic } from '../support/atomic-file.js';
import { oneAtATime } from '../support/one-at-a-time.js';
import { processExists } from '../support/process.js';

export { BrowserNotFoundError, findBrowser, findBrowserCandidates } from './browser-discovery.js';
export type { BrowserAutofill } from './browser-autofill.js';

/**
 * Sign-in in the user's own Chrome, Edge or Chromium: real IdP page, any MFA the browser supports (passkeys,
 * security keys), driven over the DevTools protocol with a dedicated, persistent profile of Cloudtoken's. The
 * POST of the SAMLResponse to an AWS sign-in endpoint is intercepted in the browser before it leaves (on every
 * tab and popup) and answered with a local "signed in" page.
 *
 * Chromium forgets session cookies when it exits, and most IdPs keep their session in one; Cloudtoken saves
 * them in the profile directory (mode 0600, like the browser's own cookie store) and restores them on the
 * next launch, so a later silent sign-in finds the IdP session again.
 */
export type BrowserLoginErrorCode =
  | 'BROWSER_LAUNCH_FAILED'
  | 'BROWSER_PROFILE_IN_USE'
  | 'BROWSER_CLOSED'
  | 'BROWSER_TIMEOUT'
  | 'BROWSER_CREDENTIALS_REJECTED'
  | 'BROWSER_NAVIGATION_FAILED';

export class BrowserLoginError extends CloudtokenError<BrowserLoginErrorCode> {}

export interface BrowserAuthenticatorOptions {
  signInUrl: string;
  /** Cloudtoken's own browser profile for this IdP (created 0700). */
  profileDir: string;
  /** `--browser PATH`; otherwise Chrome, Edge or Chromium is looked for where they install. */
  executablePath?: string | undefined;
  /** Hide the browser during interactive sign-in too (automation, tests). Silent sign-ins are always hidden. */
  headless?: boolean | undefined;
  /** How long the user has to sign in; default 5 minutes. */
  timeoutMs?: number;
  /** A silent attempt gives up after this long in any case; default 30 s. */
  silentTimeoutMs?: number;
  /** A silent attempt gives up when a page sits this long without leading to AWS; default 5 s. */
  loginPageGraceMs?: number;
  /** How long the "signed in" page stays on screen before the browser closes; default 2 s. */
  closeDelayMs?: number;
  /** Fill in the IdP's login form (`--username` / `--password-stdin`); only in interactive sign-ins. */
  autofill?: BrowserAutofill;
  /**
   * Automation hook: called with every page (tab or popup) of an interactive sign-in, the first one before it
   * opens the sign-in URL. Tests drive the IdP through it; nothing else in this module knows about tests.
   */
  onPage?: (page: Page) => void | Promise<void>;
  /** Further Chromium switches (e.g. `--host-resolver-rules=…`). */
  browserArgs?: readonly string[];
  platform?: NodeJS.Platform;
  env?: Environment;
  logger?: Logger;
}

const MAX_USERNAME_STEPS = 3;
const DEFAULTS = { timeoutMs: 5 * 60_000, silentTimeoutMs: 30_000, loginPageGraceMs: 5_000, closeDelayMs: 2_000 };


const isAcsRequest = (url: URL) => classifyAcsUrl(url.href) !== undefined;

/** URLs in logs lose their query: it may carry a SAMLRequest or one-time codes. */
const withoutQuery = (url: string) => url.replace(/[?#].*$/, '');

function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * Chromium marks a profile in use with a `SingletonLock` symlink to `<host>-<pid>` (Linux, macOS). A second
 * browser on the same profile would hand the window to the first and exit, so check before launching.
 */
async function profileHolder(profileDir: string): Promise<number | undefined> {
  let target: string;
  try {
    target = await fs.readlink(path.join(profileDir, 'SingletonLock'));
  } catch {
    return undefined;
  }
  const separator = target.lastIndexOf('-');
  const pid = Number(target.slice(separator + 1));
  if (target.slice(0, separator) !== hostname() || !Number.isInteger(pid)) return undefined;
  return processExists(pid) ? pid : undefined;
}

function profileInUse(profileDir: string, pid?: number): BrowserLoginError {
  return new BrowserLoginError(
    'BROWSER_PROFILE_IN_USE',
    `Cloudtoken's browser profile ${profileDir} is open in another browser window${pid ? ` (process ${pid})` : ''}. ` +
      'Finish or close that sign-in window and try again.',
  );
}

async function readSessionCookies(profileDir: string, logger: Logger): Promise<Cookie[]> {
  try {
    const parsed: unknown = JSON.parse(await fs.readFile(browserSessionFile(profileDir), 'utf8'));
    return Array.isArray(parsed) ? (parsed as Cookie[]) : [];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn('Ignoring unreadable saved session cookies', { error });
    return [];
  }
}

async function saveSessionCookies(context: BrowserContext, profileDir: string): Promise<void> {
  const sessionCookies = (await context.cookies()).filter((cookie) => cookie.expires === -1);
  await writeFileAtomic(browserSessionFile(profileDir), JSON.stringify(sessionCookies));
}

function launchFailed(executable: string, error: unknown): BrowserLoginError {
  const message = error instanceof Error ? error.message : String(error);
  if (/ProcessSingleton|SingletonLock|profile (?:appears to be )?in use/i.test(message)) return profileInUse('');
  // Playwright's call log says how the process ended; its first line only says the connection closed.
  const exit = /process did exit: exitCode=(\w+), signal=(\w+)/.exec(message);
  const detail = exit
    ? `it stopped at once${exit[1] !== 'null' ? ` with exit code ${exit[1]}` : ''}${exit[2] !== 'null' ? ` on signal ${exit[2]}` : ''}`
    : (message.split('\n').find((line) => line.trim() !== '') ?? '').replace(/^[\w.]+: /, '').slice(0, 300);
  return new BrowserLoginError(
    'BROWSER_LAUNCH_FAILED',
    `Could not start the browser ${executable} (${detail}). Check that it is Chrome, Edge or Chromium, or pass another one with --browser PATH.`,
    { cause: error },
  );
}

interface Attempt {
  context: BrowserContext;
  interactive: boolean;
  signal: AbortSignal | undefined;
}

export function createBrowserAuthenticator(options: BrowserAuthenticatorOptions): Authenticator {
  const logger = options.logger ?? silentLogger;
  const settings = { ...DEFAULTS, ...definedOnly(options) };
  // One browser at a time on the profile: a sign-in waits for the previous one's window to close.
  let idle: Promise<void> = Promise.resolve();

  async function launch(interactive: boolean): Promise<BrowserContext> {
    const executable = await findBrowser({
      platform: options.platform ?? process.platform,
      env: options.env ?? process.env,
      override: options.executablePath,
    });
    await fs.mkdir(options.profileDir, { recursive: true, mode: 0o700 });
    const holder = await profileHolder(options.profileDir);
    if (holder !== undefined) throw profileInUse(options.profileDir, holder);
    const headless = !interactive || options.headless === true;
    logger.info('Starting the browser for sign-in', { executable, headless });
    try {
      return await chromium.launchPersistentContext(options.profileDir, {
        executablePath: executable,
        headless,
        // The sandbox protects the user from the pages they visit; Chromium refuses it only to root.
        chromiumSandbox: !runningAsRoot(),
        args: ['--no-first-run', '--no-default-browser-check', '--disable-sync', ...(options.browserArgs ?? [])],
        // No "controlled by automated test software" bar on the user's sign-in window.
        ignoreDefaultArgs: ['--enable-automation'],
        viewport: headless ? { width: 1024, height: 768 } : null,
        acceptDownloads: false,
        // The CLI decides what Ctrl-C means (the daemon must revert its network changes); Playwright still
        // kills the browser when this process exits.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      });
    } catch (error) {
      throw launchFailed(executable, error);
    }
  }

  function capture({ context, interactive, signal }: Attempt): Promise<CapturedAssertion> {
    return new Promise<CapturedAssertion>((resolve, reject) => {
      let settled = false;
      const timers = new Set<NodeJS.Timeout>();
      const after = (ms: number, action: () => void) => {
        const timer = setTimeout(action, ms);
        timers.add(timer);
        return timer;
      };
      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        for (const timer of timers) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        outcome();
      };
      const fail = (error: unknown) => finish(() => reject(error));
      const onAbort = () => fail(signal?.reason);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort);

      after(interactive ? settings.timeoutMs : settings.silentTimeoutMs, () =>
        fail(
          interactive
            ? new BrowserLoginError('BROWSER_TIMEOUT', `The sign-in was not completed within ${Math.round(settings.timeoutMs / 60_000) || 1} minute(s); the browser was closed. Run the sign-in again when you are ready.`)
            : new InteractionRequiredError(),
        ),
      );

      const onAcs = async (route: Route, request: Request) => {
        if (request.method() !== 'POST') return route.continue();
        try {
          const post = parseAcsPost([request.postDataBuffer() ?? Buffer.alloc(0)]);
          await route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: SIGNED_IN_PAGE, headers: { 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'" } });
          logger.info('Captured the SAML response in the browser', { acs: withoutQuery(request.url()) });
          finish(() => resolve({ samlResponse: post.samlResponse, relayState: post.relayState, acsUrl: request.url() }));
        } catch (error) {
          await route.abort().catch(() => undefined);
          fail(error);
        }
      };
      const routed = context.route(isAcsRequest, onAcs);

      context.on('close', () => fail(new BrowserLoginError('BROWSER_CLOSED', 'The browser was closed before the sign-in finished.')));

      let passwordFilled = false;
      let usernameSubmissions = 0;
      let graceTimer: NodeJS.Timeout | undefined;
      const watch = (page: Page) => {
        page.on('close', () => {
          if (context.pages().length === 0) fail(new BrowserLoginError('BROWSER_CLOSED', 'The sign-in window was closed before the sign-in finished.'));
        });
        page.on('framenavigated', (frame) => {
          if (frame !== page.mainFrame()) return;
          logger.debug('Sign-in page', { url: withoutQuery(frame.url()) });
          if (!interactive) {
            if (graceTimer) clearTimeout(graceTimer);
            graceTimer = after(settings.loginPageGraceMs, () => fail(new InteractionRequiredError()));
          }
        });
        page.on('domcontentloaded', () => {
          if (settled) return;
          inspect(page).catch((error: unknown) => logger.debug('Could not inspect the sign-in page', { error }));
        });
      };
      const inspect = async (page: Page) => {
        const asksPassword = (await page.locator('input[type="password"]:visible').count()) > 0;
        if (!interactive) {
          if (asksPassword) fail(new InteractionRequiredError());
          return;
        }
        if (!options.autofill) return;
        if (asksPassword && passwordFilled && options.headless) {
          fail(new BrowserLoginError('BROWSER_CREDENTIALS_REJECTED', 'Your identity provider showed its login form again after the user name and password were filled in: they were probably not accepted.'));
          return;
        }
        // One password attempt per sign-in (a wrong one is not replayed); a few user-name-only steps at most.
        if ((asksPassword && passwordFilled) || (!asksPassword && usernameSubmissions >= MAX_USERNAME_STEPS)) return;
        if (asksPassword) passwordFilled = true;
        const step = await fillLoginForm(page, options.autofill, { password: asksPassword });
        if (step === 'username') usernameSubmissions += 1;
      };

      context.on('page', (page) => {
        watch(page);
        if (interactive && options.onPage) Promise.resolve(options.onPage(page)).catch(fail);
      });

      void (async () => {
        // Nothing may be requested before the ACS interception is in place.
        await routed;
        const page = context.pages()[0] ?? (await context.newPage());
        watch(page);
        if (interactive && options.onPage) await options.onPage(page);
        return page;
      })().then(
        (page) =>
          page.goto(options.signInUrl, { waitUntil: 'commit' }).catch((error: unknown) => {
            if (settled) return;
            const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
            fail(new BrowserLoginError('BROWSER_NAVIGATION_FAILED', `Could not open the sign-in page ${withoutQuery(options.signInUrl)}: ${detail}`, { cause: error }));
          }),
        fail,
      );
    });
  }

  async function authenticateNow({ interactive, signal }: AuthenticateOptions): Promise<CapturedAssertion> {
    await idle;
    const context = await launch(interactive);
    let captured = false;
    try {
      for (const cookie of await readSessionCookies(options.profileDir, logger)) await context.addCookies([cookie]).catch(() => undefined);
      const assertion = await capture({ context, interactive, signal });
      captured = true;
      await saveSessionCookies(context, options.profileDir).catch((error: unknown) => logger.warn('Could not save the IdP session cookies', { error }));
      return assertion;
    } finally {
      const visible = interactive && options.headless !== true;
      const delay = captured && visible ? settings.closeDelayMs : 0;
      idle = new Promise<void>((resolve) => setTimeout(resolve, delay)).then(() => context.close().catch(() => undefined));
      if (delay === 0) await idle;
    }
  }

  // Sign-ins and sign-outs on one profile run one after the other.
  const serially = oneAtATime();

  return {
    authenticate: (request) => serially(() => authenticateNow(request)),
    signOut: () => serially(async () => {
      await idle;
      const holder = await profileHolder(options.profileDir);
      if (holder !== undefined) throw profileInUse(options.profileDir, holder);
      await fs.rm(options.profileDir, { recursive: true, force: true });
      logger.info('Forgot the browser profile', { profileDir: options.profileDir });
    }),
  };
}

/** Options given as `undefined` fall back to the defaults instead of overriding them. */
function definedOnly(options: BrowserAuthenticatorOptions): Partial<typeof DEFAULTS> {
  const out: Partial<typeof DEFAULTS> = {};
  for (const key of Object.keys(DEFAULTS) as Array<keyof typeof DEFAULTS>) {
    const value = options[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
