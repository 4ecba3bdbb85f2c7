import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InteractionRequiredError, type Authenticator } from '../../../main/login/capture.js';
import { createEmbeddedAuthenticator, type LoginSurface, type LoginSurfaceRequest } from '../../../main/login/embedded-authenticator.js';
import { createCaptureDispatcher, type CaptureDispatcher } from '../../../main/login/embedded-capture.js';
import { createCredentialSession } from '../../../main/session/session.js';
import { createStsExchange } from '../../../main/sts/assume-role.js';
import { FakeClock, settle } from '../../support/fake-clock.js';
import { buildSamlResponse, createSigningIdentity, DEFAULT_ISSUER } from '../../support/saml-fixtures.js';
import { startStsStandIn, type StsStandIn } from '../../support/sts/stand-in.js';

const SIGN_IN_URL = 'https://idp.example.com/sso/aws';
const ACS = 'https://signin.aws.amazon.com/saml';
const PROVIDER = 'arn:aws:iam::111111111111:saml-provider/Corp';
const ROLE = 'arn:aws:iam::111111111111:role/Deploy';
const identity = createSigningIdentity('embedded-login-test-idp');

/**
 * The login window as the authenticator sees it: a small typed fake standing in for the BrowserWindow and
 * WebContentsView main/shell/login-window.ts makes. `post` plays the IdP's auto-submitting form, sending
 * the body through the same dispatcher the shell's webRequest listener feeds.
 */
class FakeLoginWindow implements LoginSurface {
  static nextId = 100;
  readonly webContentsId = FakeLoginWindow.nextId++;
  readonly log: string[] = [];
  closed = false;

  constructor(readonly request: LoginSurfaceRequest, private readonly dispatcher: CaptureDispatcher) {
    this.log.push(request.visible ? 'open visible' : 'open hidden');
  }

  reveal({ focus, notice }: { focus: boolean; notice: string | undefined }): void {
    this.log.push(`reveal ${focus ? 'focused' : 'inactive'}${notice ? `: ${notice}` : ''}`);
  }

  showCaptured(): void {
    this.log.push('captured');
  }

  showFailure(message: string): void {
    this.log.push(`failure: ${message}`);
  }

  close(): void {
    this.closed = true;
    this.log.push('close');
  }

  post(body: string): Promise<{ cancel: boolean }> {
    return this.dispatcher.handle({ url: ACS, method: 'POST', uploadData: [{ type: 'rawData', bytes: Buffer.from(body) }], webContentsId: this.webContentsId });
  }
}

function setUp(extra: { systemBrowser?: Authenticator; preferSystemBrowser?: boolean; onPreferenceChange?: (systemBrowser: boolean) => void } = {}) {
  const clock = new FakeClock();
  const dispatcher = createCaptureDispatcher();
  const windows: FakeLoginWindow[] = [];
  let cleared = 0;
  const authenticator = createEmbeddedAuthenticator({
    signInUrl: SIGN_IN_URL,
    dispatcher,
    openSurface: (request) => {
      const window = new FakeLoginWindow(request, dispatcher);
      windows.push(window);
      return window;
    },
    clearPartition: async () => {
      cleared += 1;
    },
    timers: clock,
    ...extra,
  });
  return { clock, dispatcher, windows, authenticator, cleared: () => cleared };
}

const form = (samlResponse: string) => `SAMLResponse=${encodeURIComponent(samlResponse)}`;

describe('createEmbeddedAuthenticator', () => {
  it('interactive: opens the IdP page visible and resolves with the captured assertion', async () => {
    const { windows, authenticator, clock } = setUp();
    const pending = authenticator.authenticate({ interactive: true });
    const [window] = windows;
    expect(window?.request).toMatchObject({ url: SIGN_IN_URL, visible: true });
    expect(await window!.post(form('QUJD'))).toEqual({ cancel: true });
    await expect(pending).resolves.toEqual({ samlResponse: 'QUJD', relayState: undefined, acsUrl: ACS });
    // "Getting your credentials" stays a moment, then the window closes by itself.
    expect(window!.log).toEqual(['open visible', 'captured']);
    await clock.advance(1_500);
    expect(window!.closed).toBe(true);
  });

  it('silent: loads hidden and closes at once when the IdP session signs the user in', async () => {
    const { windows, authenticator, clock } = setUp();
    const pending = authenticator.authenticate({ interactive: false });
    await clock.advance(1_000);
    await windows[0]!.post(form('U0lMRU5U'));
    await expect(pending).resolves.toMatchObject({ samlResponse: 'U0lMRU5U' });
    expect(windows[0]!.log).toEqual(['open hidden', 'close']);
    expect(clock.pending()).toEqual([]);
  });

  it('silent: shows the window without focus when no assertion came within a few seconds, then still accepts one', async () => {
    const { windows, authenticator, clock } = setUp();
    const pending = authenticator.authenticate({ interactive: false });
    await clock.advance(3_999);
    expect(windows[0]!.log).toEqual(['open hidden']);
    await clock.advance(1);
    expect(windows[0]!.log).toEqual(['open hidden', 'reveal inactive: Your identity provider is asking you to sign in to continue.']);
    await windows[0]!.post(form('TEFURQ=='));
    await expect(pending).resolves.toMatchObject({ samlResponse: 'TEFURQ==' });
    expect(windows[0]!.log.at(-1)).toBe('captured');
  });

  it('silent: gives up with InteractionRequiredError when the user does not come, and closes the window', async () => {
    const { windows, authenticator, clock } = setUp();
    const pending = authenticator.authenticate({ interactive: false });
    const outcome = expect(pending).rejects.toBeInstanceOf(InteractionRequiredError);
    await clock.advance(120_000);
    await outcome;
    expect(windows[0]!.closed).toBe(true);
  });

  it('silent: a page that does not load fails at once with a typed error (the session retries later)', async () => {
    const { windows, authenticator } = setUp();
    const pending = authenticator.authenticate({ interactive: false });
    windows[0]!.request.onLoadFailed('idp.example.com could not be reached.');
    await expect(pending).rejects.toMatchObject({ code: 'LOGIN_LOAD_FAILED', message: 'idp.example.com could not be reached.' });
  });

  it('interactive: a load failure or an unusable post shows in the window and the sign-in keeps waiting', async () => {
    const { windows, authenticator } = setUp();
    const pending = authenticator.authenticate({ interactive: true });
    const window = windows[0]!;
    window.request.onLoadFailed('No network.');
    expect(await window.post('RelayState=only')).toEqual({ cancel: true });
    expect(window.log).toEqual(['open visible', 'failure: No network.', 'failure: The form your identity provider sent to AWS has no SAMLResponse field.']);
    await window.post(form('T0s='));
    await expect(pending).resolves.toMatchObject({ samlResponse: 'T0s=' });
  });

  it('timeouts and cancellation are typed errors', async () => {
    const { windows, authenticator, clock } = setUp();
    const timedOut = authenticator.authenticate({ interactive: true });
    const timeout = expect(timedOut).rejects.toMatchObject({ code: 'LOGIN_TIMEOUT' });
    await clock.advance(300_000);
    await timeout;

    const cancelled = authenticator.authenticate({ interactive: true });
    expect(authenticator.cancelPending()).toBe(true);
    await expect(cancelled).rejects.toMatchObject({ code: 'LOGIN_CANCELLED' });
    expect(authenticator.cancelPending()).toBe(false);

    const closed = authenticator.authenticate({ interactive: true });
    windows[2]!.request.onCancel();
    await expect(closed).rejects.toMatchObject({ code: 'LOGIN_CANCELLED' });

    const silentClosed = authenticator.authenticate({ interactive: false });
    windows[3]!.request.onCancel();
    await expect(silentClosed).rejects.toBeInstanceOf(InteractionRequiredError);

    const controller = new AbortController();
    const aborted = authenticator.authenticate({ interactive: true, signal: controller.signal });
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'LOGIN_CANCELLED' });
    expect(windows.every((w) => w.closed)).toBe(true);
    expect(clock.pending()).toEqual([]);
  });

  it('a post arriving after the attempt ended is blocked and goes nowhere', async () => {
    const { windows, authenticator } = setUp();
    const pending = authenticator.authenticate({ interactive: true });
    authenticator.cancelPending();
    await expect(pending).rejects.toMatchObject({ code: 'LOGIN_CANCELLED' });
    expect(await windows[0]!.post(form('TEFURQ=='))).toEqual({ cancel: true });
  });

  it('showPending brings a hidden attempt forward with focus; nothing to show without one', async () => {
    const { windows, authenticator } = setUp();
    expect(authenticator.showPending()).toBe(false);
    const pending = authenticator.authenticate({ interactive: false });
    expect(authenticator.showPending()).toBe(true);
    expect(windows[0]!.log.at(-1)).toBe('reveal focused');
    await windows[0]!.post(form('QQ=='));
    await pending;
  });

  it('“use the system browser” hands this and later sign-ins to the browser authenticator', async () => {
    const calls: boolean[] = [];
    let browserSignOuts = 0;
    const systemBrowser: Authenticator = {
      authenticate: async ({ interactive }) => {
        calls.push(interactive);
        return { samlResponse: 'QlJPV1NFUg==', relayState: undefined, acsUrl: ACS };
      },
      signOut: async () => {
        browserSignOuts += 1;
      },
    };
    const { windows, authenticator, cleared } = setUp({ systemBrowser });
    const pending = authenticator.authenticate({ interactive: true });
    expect(authenticator.useSystemBrowser()).toBe(true);
    await expect(pending).resolves.toMatchObject({ samlResponse: 'QlJPV1NFUg==' });
    expect(windows[0]!.closed).toBe(true);
    await authenticator.authenticate({ interactive: false });
    expect(calls).toEqual([true, false]);
    expect(windows).toHaveLength(1);

    // Signing out forgets both IdP sessions and the preference.
    await authenticator.signOut();
    expect(cleared()).toBe(1);
    expect(browserSignOuts).toBe(1);
    const again = authenticator.authenticate({ interactive: true });
    expect(windows).toHaveLength(2);
    authenticator.cancelPending();
    await expect(again).rejects.toMatchObject({ code: 'LOGIN_CANCELLED' });
  });

  it('tells each change of the preference, and starts in the system browser when it was left there', async () => {
    const browserSignIns: boolean[] = [];
    const systemBrowser: Authenticator = {
      authenticate: async ({ interactive }) => {
        browserSignIns.push(interactive);
        return { samlResponse: 'QlJPV1NFUg==', relayState: undefined, acsUrl: ACS };
      },
      signOut: async () => undefined,
    };
    const changes: boolean[] = [];
    const first = setUp({ systemBrowser, onPreferenceChange: (choice) => changes.push(choice) });
    const pending = first.authenticator.authenticate({ interactive: true });
    first.authenticator.useSystemBrowser();
    await pending;
    await first.authenticator.authenticate({ interactive: false });
    expect(changes).toEqual([true]);
    await first.authenticator.signOut();
    expect(changes).toEqual([true, false]);

    // The next run of the app, with the choice kept: no window at all.
    const next = setUp({ systemBrowser, preferSystemBrowser: true, onPreferenceChange: (choice) => changes.push(choice) });
    await expect(next.authenticator.authenticate({ interactive: false })).resolves.toMatchObject({ samlResponse: 'QlJPV1NFUg==' });
    expect(next.windows).toHaveLength(0);
    expect(browserSignIns).toEqual([true, false, false]);
    expect(changes).toEqual([true, false]);
  });

  it('without a system browser there is nothing to switch to', async () => {
    const { authenticator } = setUp();
    const pending = authenticator.authenticate({ interactive: true });
    expect(authenticator.useSystemBrowser()).toBe(false);
    authenticator.cancelPending();
    await expect(pending).rejects.toMatchObject({ code: 'LOGIN_CANCELLED' });
  });

  it('signOut cancels a pending sign-in and clears the partition', async () => {
    const { authenticator, cleared, windows } = setUp();
    const pending = authenticator.authenticate({ interactive: true });
    const outcome = expect(pending).rejects.toMatchObject({ code: 'LOGIN_CANCELLED' });
    await authenticator.signOut();
    await outcome;
    expect(cleared()).toBe(1);
    expect(windows[0]!.closed).toBe(true);
  });

  it('a new sign-in replaces one still pending: one login window at a time', async () => {
    const { authenticator, windows } = setUp();
    const first = authenticator.authenticate({ interactive: false });
    const second = authenticator.authenticate({ interactive: true });
    await expect(first).rejects.toMatchObject({ code: 'LOGIN_CANCELLED' });
    expect(windows[0]!.closed).toBe(true);
    await windows[1]!.post(form('Mg=='));
    await expect(second).resolves.toMatchObject({ samlResponse: 'Mg==' });
  });
});

describe('the capture handler gives the session the assertion', () => {
  let standIn: StsStandIn;
  beforeAll(async () => {
    standIn = await startStsStandIn({ providers: [{ arn: PROVIDER, issuer: DEFAULT_ISSUER, certificates: [identity.certificatePem] }] });
  });
  afterAll(async () => {
    await standIn.close();
  });

  it('a synthetic uploadData, split in two, reaching the capture handler signs the session in and serves the role', async () => {
    const { windows, authenticator, dispatcher } = setUp();
    const sts = createStsExchange({ endpointOverride: standIn.url, sleep: async () => {}, maxAttempts: 1 });
    const session = createCredentialSession({ profileId: 'corp', authenticator, sts });
    try {
      const signingIn = session.signIn({ interactive: true });
      await settle();
      const samlResponse = buildSamlResponse({ identity, roles: [`${ROLE},${PROVIDER}`], sessionName: 'alice@example.com' });
      const body = Buffer.from(form(samlResponse));
      const window = windows[0]!;
      const response = await dispatcher.handle({
        url: ACS,
        method: 'POST',
        uploadData: [{ type: 'rawData', bytes: body.subarray(0, 100) }, { type: 'rawData', bytes: body.subarray(100) }],
        webContentsId: window.webContentsId,
      });
      expect(response).toEqual({ cancel: true });
      const snapshot = await signingIn;
      expect(snapshot.phase).toBe('active');
      expect(session.metadataCredentials()?.assumedRoleArn).toBe('arn:aws:sts::111111111111:assumed-role/Deploy/alice@example.com');
      expect(standIn.issued.at(-1)?.accessKeyId).toBe(session.metadataCredentials()?.credentials.accessKeyId);
    } finally {
      session.dispose();
      sts.close();
    }
  });
});
