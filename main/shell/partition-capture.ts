import { ACS_URL_PATTERNS } from '../saml/acs.js';
import { createCaptureDispatcher, type CaptureDispatcher, type CaptureRequest, type CaptureResponse } from '../login/embedded-capture.js';
import type { Logger } from '../support/logger.js';

/**
 * The one `webRequest.onBeforeRequest` registration of a login session. Electron keeps one listener per event
 * per session (a second call replaces the first and its filter), so each session is registered once and the
 * dispatcher routes requests to the sign-in owning the requesting view.
 */
export interface CaptureSession {
  webRequest: {
    onBeforeRequest(filter: { urls: string[] }, listener: (details: CaptureRequest, callback: (response: CaptureResponse) => void) => void): void;
  };
  getBlobData(identifier: string): Promise<Uint8Array>;
}

const dispatchers = new WeakMap<CaptureSession, CaptureDispatcher>();

export function captureOnSession(session: CaptureSession, logger: Logger): CaptureDispatcher {
  const existing = dispatchers.get(session);
  if (existing) return existing;
  const dispatcher = createCaptureDispatcher({ getBlobData: (uuid) => session.getBlobData(uuid), logger });
  session.webRequest.onBeforeRequest({ urls: [...ACS_URL_PATTERNS] }, (details, callback) => {
    // The request waits until the callback runs, so it runs on every path; a failure blocks rather than sends.
    dispatcher.handle(details).then(callback, (error: unknown) => {
      logger.error('SAML capture failed; the request was blocked', { error });
      callback({ cancel: true });
    });
  });
  dispatchers.set(session, dispatcher);
  return dispatcher;
}
