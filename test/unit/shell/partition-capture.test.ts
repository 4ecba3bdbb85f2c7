import { describe, expect, it } from 'vitest';
import type { CaptureRequest, CaptureResponse } from '../../../main/login/embedded-capture.js';
import { ACS_URL_PATTERNS } from '../../../main/saml/acs.js';
import { captureOnSession, type CaptureSession } from '../../../main/shell/partition-capture.js';
import { silentLogger } from '../../../main/support/logger.js';

type Listener = (details: CaptureRequest, callback: (response: CaptureResponse) => void) => void;

/** A partition session's webRequest as Electron has it: one listener per event, a new one replaces the old. */
class FakeSession implements CaptureSession {
  registrations: Array<{ urls: string[] }> = [];
  listener: Listener | undefined;
  webRequest = {
    onBeforeRequest: (filter: { urls: string[] }, listener: Listener) => {
      this.registrations.push(filter);
      this.listener = listener;
    },
  };
  async getBlobData(): Promise<Uint8Array> {
    throw new Error('no blobs here');
  }
  /** Like Chromium: the request waits for the callback. */
  request(details: CaptureRequest): Promise<CaptureResponse> {
    return new Promise((resolve) => this.listener?.(details, resolve));
  }
}

describe('captureOnSession', () => {
  it('registers once per session, with exactly the ACS patterns as its filter', () => {
    const session = new FakeSession();
    const first = captureOnSession(session, silentLogger);
    const second = captureOnSession(session, silentLogger);
    expect(second).toBe(first);
    expect(session.registrations).toEqual([{ urls: [...ACS_URL_PATTERNS] }]);
    captureOnSession(new FakeSession(), silentLogger);
    expect(session.registrations).toHaveLength(1);
  });

  it('always answers the callback: passes other requests, cancels an ACS post it captured', async () => {
    const session = new FakeSession();
    const dispatcher = captureOnSession(session, silentLogger);
    const captured: string[] = [];
    dispatcher.claim(7, { captured: (a) => captured.push(a.samlResponse), failed: () => {} });
    expect(await session.request({ url: 'https://idp.example.com/', method: 'GET', webContentsId: 7 })).toEqual({ cancel: false });
    const post = { url: 'https://signin.aws.amazon.com/saml', method: 'POST', webContentsId: 7 };
    expect(await session.request({ ...post, uploadData: [{ bytes: Buffer.from('SAMLResponse=QUJD') }] })).toEqual({ cancel: true });
    expect(captured).toEqual(['QUJD']);
    // A blob the session cannot read still gets an answer (blocked), and no assertion.
    expect(await session.request({ ...post, uploadData: [{ blobUUID: 'x' }] })).toEqual({ cancel: true });
    expect(captured).toEqual(['QUJD']);
  });
});
