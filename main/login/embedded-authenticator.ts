import { describeError } from '../support/errors.js';
import { silentLogger, type Logger } from '../support/logger.js';
import { systemTimers, type TimerHandle, type Timers } from '../support/timers.js';
import { InteractionRequiredError, type AuthenticateOptions, type Authenticator, type CapturedAssertion } from './capture.js';
import { EmbeddedLoginError, type CaptureDispatcher } from './embedded-capture.js';

/**
 * The tray app's Authenticator: the IdP's real page in a login window (main/shell/login-window.ts opens it),
 * the assertion taken from the capture dispatcher. A silent refresh loads the page hidden and shows the
 * window, without taking focus, only when no assertion has come after a few seconds (the IdP wants the user);
 * an interactive sign-in shows it at once.
 */

/** What the shell is asked to open: one login window for one attempt. */
export interface LoginSurfaceRequest {
  url: string;
  /** False: load hidden (silent attempt); it may be revealed later. */
  visible: boolean;
  /** Why the window shows, for its strip; undefined for a sign-in the user asked for. */
  notice: string | undefined;
  /** The user closed the window or pressed Cancel. */
  onCancel(): void;
  /** The IdP page did not load (network, TLS, DNS): `message` says why in the user's words. */
  onLoadFailed(message: string): void;
}

/** One open login window, as the shell drives it. */
export interface LoginSurface {
  /** `webContents.id` of the view showing the IdP: the capture dispatcher routes by it. */
  readonly webContentsId: number;
  /** focus false: `showInactive()`, never stealing focus from what the user is doing. */
  reveal(options: { focus: boolean; notice: string | undefined }): void;
  /** The assertion came: say so while AWS is asked for credentials. */
  showCaptured(): void;
  /** The IdP posted something unusable: keep the window open with the message (retry or system browser). */
  showFailure(message: string): void;
  close(): void;
}

export interface EmbeddedAuthenticatorOptions {
  signInUrl: string;
  dispatcher: Pick<CaptureDispatcher, 'claim'>;
  openSurface(request: LoginSurfaceRequest): LoginSurface;
  /** Forget the IdP session: clears the profile's partition (cookies, storage). */
  clearPartition(): Promise<void>;
  /** "Use the system browser instead": the sign-in continues there (main/login/browser.ts). */
  systemBrowser?: Authenticator;
  /** The choice as it was left last time (sign-in-preferences.ts): sign-ins start in the system browser. */
  preferSystemBrowser?: boolean;
  /** The user chose the system browser, or signing out went back to the window: told so it can be kept. */
  onPreferenceChange?(systemBrowser: boolean): void;
  timers?: Timers;
  /** A silent attempt shows its window when no assertion came within this long; default 4 s. */
  revealAfterMs?: number;
  /** A silent attempt gives up (the IdP wants the user) after this long; default 2 min. */
  silentTimeoutMs?: number;
  /** How long the user has to sign in; default 5 min. */
  interactiveTimeoutMs?: number;
  /** How long "getting your AWS credentials" stays on a visible window before it closes; default 1.5 s. */
  closeDelayMs?: number;
  logger?: Logger;
}

export interface EmbeddedAuthenticator extends Authenticator {
  /** Bring the pending sign-in's window to the front (tray "Show sign-in window", a notification click). */
  showPending(): boolean;
  /** The login window's Cancel. */
  cancelPending(): boolean;
  /** The login window's "Use the system browser instead": this and later sign-ins go there. */
  useSystemBrowser(): boolean;
}

const DEFAULTS = { revealAfterMs: 4_000, silentTimeoutMs: 120_000, interactiveTimeoutMs: 300_000, closeDelayMs: 1_500 };
/** Shown for a first sign-in as for a session the IdP ended, which the window cannot tell apart. */
const SIGN_IN_ASKED = 'Your identity provider is asking you to sign in to continue.';

interface Attempt {
  surface: LoginSurface;
  visible: boolean;
  settle(outcome: { assertion: CapturedAssertion } | { error: unknown }): void;
  /** The user said no: an interactive sign-in is cancelled, a silent one learns the IdP wants the user. */
  cancel(): void;
  switchToBrowser(): void;
}

export function createEmbeddedAuthenticator(options: EmbeddedAuthenticatorOptions): EmbeddedAuthenticator {
  const timers = options.timers ?? systemTimers;
  const logger = options.logger ?? silentLogger;
  const limits = {
    revealAfterMs: options.revealAfterMs ?? DEFAULTS.revealAfterMs,
    silentTimeoutMs: options.silentTimeoutMs ?? DEFAULTS.silentTimeoutMs,
    interactiveTimeoutMs: options.interactiveTimeoutMs ?? DEFAULTS.interactiveTimeoutMs,
    closeDelayMs: options.closeDelayMs ?? DEFAULTS.closeDelayMs,
  };
  let current: Attempt | undefined;
  let preferSystemBrowser = options.preferSystemBrowser ?? false;
  const prefer = (systemBrowser: boolean) => {
    if (preferSystemBrowser === systemBrowser) return;
    preferSystemBrowser = systemBrowser;
    options.onPreferenceChange?.(systemBrowser);
  };

  function embedded({ interactive, signal }: AuthenticateOptions): Promise<CapturedAssertion> {
    return new Promise<CapturedAssertion>((resolve, reject) => {
      const handles: TimerHandle[] = [];
      let release = () => {};
      let done = false;
      const stop = () => {
        done = true;
        for (const handle of handles) timers.clearTimeout(handle);
        release();
        signal?.removeEventListener('abort', aborted);
        if (current === attempt) current = undefined;
      };
      const settle = (outcome: { assertion: CapturedAssertion } | { error: unknown }) => {
        if (done) return;
        stop();
        if ('assertion' in outcome) {
          if (attempt.visible) {
            attempt.surface.showCaptured();
            timers.setTimeout(() => attempt.surface.close(), limits.closeDelayMs);
          } else attempt.surface.close();
          resolve(outcome.assertion);
        } else {
          attempt.surface.close();
          reject(outcome.error);
        }
      };
      const aborted = () => settle({ error: new EmbeddedLoginError('LOGIN_CANCELLED', 'The sign-in was cancelled.') });
      const cancel = () =>
        settle({
          error: interactive ? new EmbeddedLoginError('LOGIN_CANCELLED', 'The sign-in window was closed before you signed in.') : new InteractionRequiredError(),
        });

      const surface = options.openSurface({
        url: options.signInUrl,
        visible: interactive,
        notice: undefined,
        onCancel: () => cancel(),
        onLoadFailed: (message) => {
          // A silent attempt ends at once (the session retries later); a visible window shows it and waits.
          if (!attempt.visible) settle({ error: new EmbeddedLoginError('LOGIN_LOAD_FAILED', message) });
          else surface.showFailure(message);
        },
      });
      const attempt: Attempt = {
        surface,
        visible: interactive,
        settle,
        cancel,
        switchToBrowser: () => {
          const browser = options.systemBrowser;
          if (!browser || done) return;
          prefer(true);
          stop();
          surface.close();
          browser.authenticate({ interactive: true, ...(signal ? { signal } : {}) }).then(resolve, reject);
        },
      };
      current = attempt;
      release = options.dispatcher.claim(surface.webContentsId, {
        captured: (assertion) => settle({ assertion }),
        failed: (error) => {
          if (!attempt.visible) settle({ error });
          else surface.showFailure(describeError(error));
        },
      });
      if (signal?.aborted) return aborted();
      signal?.addEventListener('abort', aborted, { once: true });

      if (interactive) {
        handles.push(
          timers.setTimeout(
            () => settle({ error: new EmbeddedLoginError('LOGIN_TIMEOUT', `No sign-in arrived within ${Math.round(limits.interactiveTimeoutMs / 60_000)} minutes; try again.`) }),
            limits.interactiveTimeoutMs,
          ),
        );
        return;
      }
      handles.push(
        timers.setTimeout(() => {
          logger.info('Silent sign-in is waiting for the user; showing the sign-in window without focus');
          attempt.visible = true;
          surface.reveal({ focus: false, notice: SIGN_IN_ASKED });
        }, limits.revealAfterMs),
        timers.setTimeout(() => settle({ error: new InteractionRequiredError() }), limits.silentTimeoutMs),
      );
    });
  }

  return {
    authenticate(request) {
      if (preferSystemBrowser && options.systemBrowser) return options.systemBrowser.authenticate(request);
      // One window at a time: a new attempt replaces one still pending.
      current?.settle({ error: new EmbeddedLoginError('LOGIN_CANCELLED', 'A newer sign-in replaced this one.') });
      return embedded(request);
    },
    async signOut() {
      current?.settle({ error: new EmbeddedLoginError('LOGIN_CANCELLED', 'You signed out.') });
      prefer(false);
      await Promise.all([options.clearPartition(), options.systemBrowser?.signOut()]);
    },
    showPending() {
      if (!current) return false;
      current.visible = true;
      current.surface.reveal({ focus: true, notice: undefined });
      return true;
    },
    cancelPending() {
      if (!current) return false;
      current.cancel();
      return true;
    },
    useSystemBrowser() {
      if (!current || !options.systemBrowser) return false;
      current.switchToBrowser();
      return true;
    },
  };
}
