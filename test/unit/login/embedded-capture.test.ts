import { describe, expect, it } from 'vitest';
import type { CapturedAssertion } from '../../../main/login/capture.js';
import {
  EmbeddedLoginError,
  createCaptureDispatcher,
  loginPartition,
  readUploadData,
  type CaptureOwner,
  type UploadPart,
} from '../../../main/login/embedded-capture.js';
import { createLogger } from '../../../main/support/logger.js';

const ACS = 'https://signin.aws.amazon.com/saml';
const SAML = 'PHNhbWxwOlJlc3BvbnNlIHhtbG5zOnNhbWxwPSJ1cm46b2FzaXM6bmFtZXM6dGM6U0FNTDoyLjA6cHJvdG9jb2wiLz4+Pj4+Pz8/';
const FORM = `SAMLResponse=${encodeURIComponent(SAML)}&RelayState=https%3A%2F%2Fconsole.aws.amazon.com%2F`;
const VIEW = 42;

const bytes = (text: string) => new TextEncoder().encode(text);

/** Records what the dispatcher hands the pending sign-in. */
function recordingOwner() {
  const captured: CapturedAssertion[] = [];
  const failures: unknown[] = [];
  const owner: CaptureOwner = { captured: (a) => captured.push(a), failed: (e) => failures.push(e) };
  return { owner, captured, failures };
}

describe('createCaptureDispatcher', () => {
  it('cancels an ACS POST and hands the parsed SAMLResponse to the sign-in that owns the view', async () => {
    const dispatcher = createCaptureDispatcher();
    const { owner, captured, failures } = recordingOwner();
    dispatcher.claim(VIEW, owner);
    const response = await dispatcher.handle({ url: ACS, method: 'POST', uploadData: [{ type: 'rawData', bytes: bytes(FORM) }], webContentsId: VIEW });
    expect(response).toEqual({ cancel: true });
    expect(failures).toEqual([]);
    expect(captured).toEqual([{ samlResponse: SAML, relayState: 'https://console.aws.amazon.com/', acsUrl: ACS }]);
  });

  it.each([
    ['an IdP page', { url: 'https://idp.example.com/login?SAMLRequest=abc', method: 'POST' }],
    ['a GET of the ACS', { url: ACS, method: 'GET' }],
    ['a look-alike host', { url: 'https://signin.aws.amazon.com.evil.example/saml', method: 'POST' }],
    ['plain http to the ACS host', { url: 'http://signin.aws.amazon.com/saml', method: 'POST' }],
    ['another AWS sign-in path', { url: 'https://signin.aws.amazon.com/oauth', method: 'POST' }],
  ])('passes %s untouched and tells no one', async (_name, request) => {
    const dispatcher = createCaptureDispatcher();
    const { owner, captured, failures } = recordingOwner();
    dispatcher.claim(VIEW, owner);
    const response = await dispatcher.handle({ ...request, uploadData: [{ bytes: bytes(FORM) }], webContentsId: VIEW });
    expect(response).toEqual({ cancel: false });
    expect(captured).toEqual([]);
    expect(failures).toEqual([]);
  });

  it('joins a body Chromium split into several parts, even inside an escape sequence', async () => {
    const dispatcher = createCaptureDispatcher();
    const { owner, captured } = recordingOwner();
    dispatcher.claim(VIEW, owner);
    const whole = bytes(FORM);
    // Cut inside "%2B" (a "+" of the base64) and inside the field name.
    const cut1 = FORM.indexOf('%2B') + 1;
    expect(cut1).toBeGreaterThan(5);
    const parts: UploadPart[] = [{ bytes: whole.slice(0, 5) }, { bytes: whole.slice(5, cut1) }, { bytes: whole.slice(cut1) }];
    expect(await dispatcher.handle({ url: ACS, method: 'POST', uploadData: parts, webContentsId: VIEW })).toEqual({ cancel: true });
    expect(captured[0]?.samlResponse).toBe(SAML);
  });

  it('reads blob parts through the session’s getBlobData, in order with the byte parts', async () => {
    const blobs = new Map([['uuid-1', bytes(FORM.slice(10))]]);
    const asked: string[] = [];
    const dispatcher = createCaptureDispatcher({
      getBlobData: async (uuid) => {
        asked.push(uuid);
        const blob = blobs.get(uuid);
        if (!blob) throw new Error('no such blob');
        return blob;
      },
    });
    const { owner, captured } = recordingOwner();
    dispatcher.claim(VIEW, owner);
    await dispatcher.handle({ url: ACS, method: 'POST', uploadData: [{ bytes: bytes(FORM.slice(0, 10)) }, { type: 'blob', blobUUID: 'uuid-1' }], webContentsId: VIEW });
    expect(asked).toEqual(['uuid-1']);
    expect(captured[0]?.samlResponse).toBe(SAML);
  });

  it.each([
    ['no uploadData at all (a body-less POST)', undefined, 'LOGIN_FORM_EMPTY'],
    ['an empty uploadData', [], 'LOGIN_FORM_EMPTY'],
    ['a file part', [{ type: 'file', file: '/tmp/form.bin' }], 'LOGIN_FORM_UNREADABLE'],
    ['a stream part', [{ type: 'stream' }], 'LOGIN_FORM_UNREADABLE'],
    ['a blob without a reader', [{ type: 'blob', blobUUID: 'x' }], 'LOGIN_FORM_UNREADABLE'],
    ['a form without SAMLResponse', [{ bytes: bytes('RelayState=x') }], 'ACS_NO_SAML_RESPONSE'],
  ] as Array<[string, UploadPart[] | undefined, string]>)('blocks the request and reports a typed error for %s', async (_name, uploadData, code) => {
    const dispatcher = createCaptureDispatcher();
    const { owner, captured, failures } = recordingOwner();
    dispatcher.claim(VIEW, owner);
    expect(await dispatcher.handle({ url: ACS, method: 'POST', uploadData, webContentsId: VIEW })).toEqual({ cancel: true });
    expect(captured).toEqual([]);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ code });
  });

  it('blocks a blob that cannot be read with a typed error, not a crash', async () => {
    const dispatcher = createCaptureDispatcher({ getBlobData: () => Promise.reject(new Error('blob gone')) });
    const { owner, failures } = recordingOwner();
    dispatcher.claim(VIEW, owner);
    expect(await dispatcher.handle({ url: ACS, method: 'POST', uploadData: [{ blobUUID: 'gone' }], webContentsId: VIEW })).toEqual({ cancel: true });
    expect(failures[0]).toBeInstanceOf(EmbeddedLoginError);
    expect((failures[0] as EmbeddedLoginError).message).toContain('blob gone');
  });

  it('routes by webContentsId and blocks (without delivering) a post from a view nobody waits for', async () => {
    const lines: string[] = [];
    const dispatcher = createCaptureDispatcher({ logger: createLogger({ sink: (line) => lines.push(line) }) });
    const first = recordingOwner();
    const second = recordingOwner();
    dispatcher.claim(1, first.owner);
    const release = dispatcher.claim(2, second.owner);
    await dispatcher.handle({ url: ACS, method: 'POST', uploadData: [{ bytes: bytes(FORM) }], webContentsId: 2 });
    expect(first.captured).toEqual([]);
    expect(second.captured).toHaveLength(1);

    release();
    expect(await dispatcher.handle({ url: ACS, method: 'POST', uploadData: [{ bytes: bytes(FORM) }], webContentsId: 2 })).toEqual({ cancel: true });
    expect(await dispatcher.handle({ url: ACS, method: 'POST', uploadData: [{ bytes: bytes(FORM) }] })).toEqual({ cancel: true });
    expect(second.captured).toHaveLength(1);
    expect(lines.join('\n')).toContain('Blocked a SAML post');
    expect(lines.join('\n')).not.toContain(SAML.slice(0, 40));
  });

  it('a stale release does not drop the newer owner of the same view', async () => {
    const dispatcher = createCaptureDispatcher();
    const old = recordingOwner();
    const fresh = recordingOwner();
    const releaseOld = dispatcher.claim(VIEW, old.owner);
    dispatcher.claim(VIEW, fresh.owner);
    releaseOld();
    await dispatcher.handle({ url: 'https://eu-west-1.signin.aws.amazon.com/saml', method: 'POST', uploadData: [{ bytes: bytes(FORM) }], webContentsId: VIEW });
    expect(fresh.captured[0]?.acsUrl).toBe('https://eu-west-1.signin.aws.amazon.com/saml');
    expect(old.captured).toEqual([]);
  });
});

describe('readUploadData', () => {
  it('keeps every byte part in order', async () => {
    const chunks = await readUploadData([{ bytes: bytes('a=') }, { bytes: bytes('1') }], undefined);
    expect(chunks.map((c) => new TextDecoder().decode(c)).join('')).toBe('a=1');
  });
});

describe('loginPartition', () => {
  it('is a persistent partition keyed by the stable profile id', () => {
    expect(loginPartition('idp-0123456789abcdef')).toBe('persist:idp-idp-0123456789abcdef');
    expect(loginPartition('corp')).not.toBe(loginPartition('other'));
  });

  it.each(['', '../x', 'a b', 'x'.repeat(65)])('refuses %j as a profile id', (id) => {
    expect(() => loginPartition(id)).toThrow(EmbeddedLoginError);
  });
});
