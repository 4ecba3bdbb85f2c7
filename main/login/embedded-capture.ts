import { classifyAcsUrl, parseAcsPost } from '../saml/acs.js';
import { PROFILE_ID_PATTERN } from '../settings/schema.js';
import { CloudtokenError, describeError } from '../support/errors.js';
import { silentLogger, type Logger } from '../support/logger.js';
import type { CapturedAssertion } from './capture.js';

/**
 * The tray app's sign-in capture, without Electron: the shell registers one `webRequest.onBeforeRequest`
 * listener per login session (a second registration would replace the first) and hands every request to
 * `handle`; the pending sign-in that owns the requesting view receives the assertion. Electron's request
 * objects are described structurally so tests can pass plain data.
 */

/** One element of Electron's `details.uploadData`: raw bytes, a blob to fetch, or a file/stream (no bytes). */
export interface UploadPart {
  type?: string;
  bytes?: Uint8Array;
  blobUUID?: string;
  file?: string;
  filePath?: string;
}

/** What the capture needs of `OnBeforeRequestListenerDetails`. */
export interface CaptureRequest {
  url: string;
  method: string;
  /** Undefined at run time when the request has no body, whatever electron.d.ts says. */
  uploadData?: readonly UploadPart[] | undefined;
  webContentsId?: number | undefined;
}

/** The answer for Electron's callback: `cancel: true` keeps the assertion from ever reaching AWS. */
export interface CaptureResponse {
  cancel: boolean;
}

export type EmbeddedLoginErrorCode =
  | 'LOGIN_FORM_EMPTY'
  | 'LOGIN_FORM_UNREADABLE'
  | 'LOGIN_CANCELLED'
  | 'LOGIN_TIMEOUT'
  | 'LOGIN_LOAD_FAILED'
  | 'LOGIN_BAD_PROFILE';

export class EmbeddedLoginError extends CloudtokenError<EmbeddedLoginErrorCode> {}

/** `ses.getBlobData(uuid)` of the session the request belongs to. */
export type BlobReader = (blobUUID: string) => Promise<Uint8Array>;

/**
 * The form body as byte chunks, in order: every `bytes` part counts (Chromium may split a body), blob parts
 * are read through `getBlobData`. A part that is only a file or a stream cannot hold a form Cloudtoken can
 * read, and a request without any body part holds no assertion: both are typed errors.
 */
export async function readUploadData(parts: readonly UploadPart[] | undefined, getBlobData: BlobReader | undefined): Promise<Uint8Array[]> {
  if (!parts || parts.length === 0) {
    throw new EmbeddedLoginError('LOGIN_FORM_EMPTY', 'Your identity provider sent an empty form to AWS: there was no SAML response in it.');
  }
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    if (part.bytes !== undefined) chunks.push(part.bytes);
    else if (part.blobUUID !== undefined && getBlobData) {
      try {
        chunks.push(await getBlobData(part.blobUUID));
      } catch (error) {
        throw new EmbeddedLoginError('LOGIN_FORM_UNREADABLE', `The sign-in form sent to AWS could not be read (${describeError(error)}).`, { cause: error });
      }
    } else {
      throw new EmbeddedLoginError(
        'LOGIN_FORM_UNREADABLE',
        'Your identity provider sent AWS a form Cloudtoken cannot read (a file or stream instead of form fields). Try “Use the system browser instead”.',
      );
    }
  }
  return chunks;
}

/** The pending sign-in waiting for the assertion posted by one view. */
export interface CaptureOwner {
  captured(assertion: CapturedAssertion): void;
  /** The view posted to AWS, but what it posted holds no usable assertion. */
  failed(error: unknown): void;
}

export interface CaptureDispatcher {
  /** The decision for one request: pass anything that is not an ACS POST; cancel and capture one that is. */
  handle(request: CaptureRequest): Promise<CaptureResponse>;
  /** Route what the view `webContentsId` posts to `owner`; returns the function that ends it. */
  claim(webContentsId: number, owner: CaptureOwner): () => void;
}

export interface CaptureDispatcherOptions {
  getBlobData?: BlobReader;
  logger?: Logger;
}

const PASS: CaptureResponse = { cancel: false };
const BLOCK: CaptureResponse = { cancel: true };

export function createCaptureDispatcher(options: CaptureDispatcherOptions = {}): CaptureDispatcher {
  const logger = options.logger ?? silentLogger;
  const owners = new Map<number, CaptureOwner>();

  return {
    async handle(request) {
      if (request.method.toUpperCase() !== 'POST' || classifyAcsUrl(request.url) === undefined) return PASS;
      // From here on the request is blocked whatever happens: an assertion never leaves for AWS from here.
      const owner = request.webContentsId === undefined ? undefined : owners.get(request.webContentsId);
      if (!owner) {
        logger.warn('Blocked a SAML post from a view no sign-in is waiting for', { webContentsId: request.webContentsId });
        return BLOCK;
      }
      try {
        const form = parseAcsPost(await readUploadData(request.uploadData, options.getBlobData));
        owner.captured({ samlResponse: form.samlResponse, relayState: form.relayState, acsUrl: request.url });
      } catch (error) {
        owner.failed(error);
      }
      return BLOCK;
    },
    claim(webContentsId, owner) {
      owners.set(webContentsId, owner);
      return () => {
        if (owners.get(webContentsId) === owner) owners.delete(webContentsId);
      };
    },
  };
}

/** The persistent Electron partition of one IdP profile: its cookies survive restarts, other profiles never see them. */
export function loginPartition(profileId: string): string {
  if (!PROFILE_ID_PATTERN.test(profileId)) {
    throw new EmbeddedLoginError('LOGIN_BAD_PROFILE', `“${profileId}” is not an identity provider id; remove the profile in Settings and add it again.`);
  }
  return `persist:idp-${profileId}`;
}
