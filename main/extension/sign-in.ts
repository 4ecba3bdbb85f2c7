import { randomBytes } from 'node:crypto';
import type { AssertionClaim, OfferedAssertion, SessionStatus, SignInTask } from '../channel/protocol.js';
import { InteractionRequiredError, type AuthenticateOptions, type Authenticator, type CapturedAssertion } from '../login/capture.js';
import { classifyAcsUrl } from '../saml/acs.js';
import { parseSamlResponse } from '../saml/assertion.js';
import { CloudtokenError, describeError } from '../support/errors.js';
import { silentLogger, type Logger } from '../support/logger.js';
import { systemTimers, type TimerHandle, type Timers } from '../support/timers.js';

/**
 * The "your browser" sign-in: the IdP's page opens in the browser the user already uses, where the
 * Cloudtoken extension takes the SAMLResponse and its native messaging host relays it over this session's
 * channel. A silent sign-in asks a connected extension to load the sign-in URL in a background tab that
 * closes itself; when the IdP wants the user, that tab comes to the front and the attempt reports so.
 *
 * An assertion is accepted only while a sign-in waits for one, or once the IdP has wanted the user (the
 * session is waiting for them; the sign-in then starts from it). Any other is refused and changes nothing.
 */
export type ExtensionStatus = NonNullable<SessionStatus['extension']>;

export class ExtensionSignInError extends CloudtokenError {}

export interface ExtensionSignInOptions {
  signInUrl: string;
  /** Opens the URL in the user's default browser (main/cli/open-url.ts, Electron's shell); false when it cannot. */
  openInBrowser(url: string): Promise<boolean>;
  /** Tells the person at the terminal or tray what to do while the sign-in waits for the browser. */
  announce?: (text: string) => void;
  /** How long the user has to sign in; default 5 min. */
  interactiveTimeoutMs?: number;
  /** A silent attempt gives up after this long; default 60 s. */
  silentTimeoutMs?: number;
  /**
   * How long a sign-in waits for an extension to connect before it opens the default browser (interactive)
   * or gives up (silent): the host finds a new session within a second or two. Default 5 s.
   */
  connectGraceMs?: number;
  timers?: Timers;
  logger?: Logger;
}

export interface ExtensionSignIn extends Authenticator {
  readonly idpOrigin: string;
  status(): ExtensionStatus;
  /** The channel's side: an extension host waits for tasks on connection `hostId` (again and again). */
  hostConnected(hostId: string, browser: string): void;
  hostGone(hostId: string): void;
  /** The next task for this host, or null after `waitMs` with nothing to do (the host asks again). */
  nextTask(hostId: string, waitMs: number): Promise<SignInTask | null>;
  /** Throws ExtensionSignInError (NO_SIGN_IN_PENDING, ASSERTION_INVALID) for an assertion it does not take. */
  offer(assertion: OfferedAssertion, claim: AssertionClaim): void;
  taskUpdate(taskId: string, state: 'needs-user' | 'closed'): void;
  /** An assertion came while the session waited for its user: whoever runs the session signs in with it. */
  onUnsolicited(listener: () => void): () => void;
  /** An extension connected after a silent sign-in found none (the browser was closed): the session may retry now. */
  onReturned(listener: () => void): () => void;
  /** The user cancelled (the tray's Cancel sign-in, signing out): the waiting sign-in ends; false when none waited. */
  cancelPending(): boolean;
}

const DEFAULTS = { interactiveTimeoutMs: 5 * 60_000, silentTimeoutMs: 60_000, connectGraceMs: 5_000 };
/** An assertion held for a sign-in that starts from it is used at once or not at all. */
const HELD_FOR_MS = 60_000;

interface Pending {
  task: SignInTask;
  /** Sent to an extension, or opened in the default browser: it needs no tab from a host that connects later. */
  underway: boolean;
  settle(outcome: { assertion: CapturedAssertion } | { error: unknown }): void;
}

function checked(assertion: OfferedAssertion): CapturedAssertion {
  if (classifyAcsUrl(assertion.acsUrl) === undefined) throw new ExtensionSignInError('ASSERTION_INVALID', `${assertion.acsUrl.slice(0, 200)} is not an AWS sign-in endpoint; the assertion was refused.`);
  try {
    parseSamlResponse(assertion.samlResponse);
  } catch (error) {
    throw new ExtensionSignInError('ASSERTION_INVALID', `The assertion the browser sent is not usable: ${describeError(error)}`);
  }
  return { samlResponse: assertion.samlResponse, relayState: assertion.relayState, acsUrl: assertion.acsUrl };
}

export function createExtensionSignIn(options: ExtensionSignInOptions): ExtensionSignIn {
  const settings = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([key, value]) => key in DEFAULTS && value !== undefined)) };
  const timers = options.timers ?? systemTimers;
  const logger = options.logger ?? silentLogger;
  const idpOrigin = new URL(options.signInUrl).origin;
  const hosts = new Map<string, string>();
  const queue: SignInTask[] = [];
  const waiting = new Map<string, (task: SignInTask | null) => void>();
  const connectWaiters = new Set<() => void>();
  const unsolicited = new Set<() => void>();
  let pending: Pending | undefined;
  let held: { assertion: CapturedAssertion; until: number } | undefined;
  /** The last silent attempt found that the IdP wants the user: their sign-in, whenever it comes, is welcome. */
  let awaitingUser = false;
  /** The last silent attempt found no extension connected: one that connects may sign in silently. */
  let awaitingBrowser = false;
  const returned = new Set<() => void>();

  function dispatch(task: SignInTask): void {
    const [hostId, deliver] = waiting.entries().next().value ?? [];
    if (hostId === undefined || deliver === undefined) {
      queue.push(task);
      return;
    }
    waiting.delete(hostId);
    deliver(task);
  }

  function withdraw(taskId: string): void {
    const index = queue.findIndex((t) => t.taskId === taskId);
    if (index >= 0) queue.splice(index, 1);
  }

  function waitForHost(ms: number): Promise<boolean> {
    if (hosts.size > 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        timers.clearTimeout(timer);
        connectWaiters.delete(done);
        resolve(hosts.size > 0);
      };
      const timer = timers.setTimeout(done, ms);
      connectWaiters.add(done);
    });
  }

  async function authenticate({ interactive, signal }: AuthenticateOptions): Promise<CapturedAssertion> {
    if (held && held.until > Date.now()) {
      const { assertion } = held;
      held = undefined;
      awaitingUser = false;
      return assertion;
    }
    held = undefined;
    const task: SignInTask = { taskId: randomBytes(8).toString('hex'), url: options.signInUrl, interactive };
    const connected = await waitForHost(settings.connectGraceMs);
    if (!connected && !interactive) {
      awaitingUser = true;
      awaitingBrowser = true;
      throw new InteractionRequiredError('Your browser with the Cloudtoken extension is not running (or the extension is not connected): open it, and sign in there if your identity provider asks.');
    }
    return new Promise<CapturedAssertion>((resolve, reject) => {
      const onAbort = () => attempt.settle({ error: signal?.reason });
      const attempt: Pending = {
        task,
        underway: connected,
        settle(outcome) {
          if (pending !== attempt) return;
          pending = undefined;
          timers.clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          withdraw(task.taskId);
          if ('assertion' in outcome) {
            awaitingUser = false;
            awaitingBrowser = false;
            resolve(outcome.assertion);
          } else {
            if (outcome.error instanceof InteractionRequiredError) awaitingUser = true;
            reject(outcome.error);
          }
        },
      };
      pending?.settle({ error: new ExtensionSignInError('SIGN_IN_REPLACED', 'A newer sign-in took over.') });
      pending = attempt;
      const timer: TimerHandle = timers.setTimeout(
        () =>
          attempt.settle({
            error: interactive
              ? new ExtensionSignInError('EXTENSION_TIMEOUT', `The sign-in in your browser was not completed within ${Math.round(settings.interactiveTimeoutMs / 60_000) || 1} minute(s). Run the sign-in again when you are ready.`)
              : new InteractionRequiredError(),
          }),
        interactive ? settings.interactiveTimeoutMs : settings.silentTimeoutMs,
      );
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort);
      if (connected) {
        dispatch(task);
        if (interactive) options.announce?.(`Your browser opened the sign-in at ${idpOrigin} in a new tab: sign in there if it asks.`);
        return;
      }
      // No extension yet: the default browser opens the page, and its extension connects when it starts.
      void options.openInBrowser(options.signInUrl).then((opened) => {
        attempt.underway ||= opened;
        if (!opened && hosts.size > 0 && pending === attempt) {
          attempt.underway = true;
          dispatch(task);
          return;
        }
        options.announce?.(
          opened
            ? `Your browser opened ${idpOrigin}: sign in there. Waiting for the Cloudtoken extension…`
            : `Open ${options.signInUrl} in the browser that has the Cloudtoken extension, and sign in. Waiting…`,
        );
      });
    });
  }

  return {
    idpOrigin,
    authenticate,
    async signOut() {
      // The IdP session lives in the user's browser, which Cloudtoken never touches: nothing of ours to forget.
      held = undefined;
      awaitingUser = false;
    },
    status: () => ({ connected: hosts.size, browsers: [...new Set(hosts.values())] }),
    hostConnected(hostId, browser) {
      if (hosts.has(hostId)) return;
      hosts.set(hostId, browser);
      logger.info('The browser extension connected', { browser });
      // A sign-in that no browser has opened yet opens in the extension's browser now.
      if (pending && !pending.underway) {
        pending.underway = true;
        dispatch(pending.task);
      } else if (!pending && awaitingBrowser) {
        awaitingBrowser = false;
        for (const listener of [...returned]) listener();
      }
      for (const done of [...connectWaiters]) done();
    },
    hostGone(hostId) {
      if (!hosts.delete(hostId)) return;
      waiting.get(hostId)?.(null);
      waiting.delete(hostId);
      logger.info('The browser extension disconnected');
    },
    nextTask(hostId, waitMs) {
      const next = queue.shift();
      if (next) return Promise.resolve(next);
      waiting.get(hostId)?.(null);
      return new Promise((resolve) => {
        const timer = timers.setTimeout(() => {
          if (waiting.get(hostId) === deliver) waiting.delete(hostId);
          resolve(null);
        }, waitMs);
        const deliver = (task: SignInTask | null) => {
          timers.clearTimeout(timer);
          resolve(task);
        };
        waiting.set(hostId, deliver);
      });
    },
    offer(offered, claim) {
      const accepts = pending !== undefined || (claim === 'due' && awaitingUser);
      if (!accepts) throw new ExtensionSignInError('NO_SIGN_IN_PENDING', 'This session is not waiting for a sign-in; the assertion was refused and nothing changed.');
      const assertion = checked(offered);
      logger.info('Took the SAML response from the browser extension');
      if (pending) {
        pending.settle({ assertion });
        return;
      }
      held = { assertion, until: Date.now() + HELD_FOR_MS };
      for (const listener of [...unsolicited]) listener();
    },
    taskUpdate(taskId, state) {
      if (pending?.task.taskId !== taskId) return;
      if (pending.task.interactive) {
        if (state === 'closed') pending.settle({ error: new ExtensionSignInError('EXTENSION_TAB_CLOSED', 'The sign-in tab was closed before the sign-in finished.') });
        return;
      }
      pending.settle({
        error: new InteractionRequiredError(
          state === 'needs-user' ? 'Your identity provider wants you to sign in again: its page is in front in your browser.' : 'The sign-in tab was closed before the identity provider answered.',
        ),
      });
    },
    cancelPending() {
      if (!pending) return false;
      pending.settle({ error: new ExtensionSignInError('SIGN_IN_CANCELLED', 'The sign-in was cancelled.') });
      return true;
    },
    onUnsolicited(listener) {
      unsolicited.add(listener);
      return () => unsolicited.delete(listener);
    },
    onReturned(listener) {
      returned.add(listener);
      return () => returned.delete(listener);
    },
  };
}
