import { describe, expect, it } from 'vitest';
import { encodeMessage, MAX_FROM_BROWSER_BYTES, MAX_TO_BROWSER_BYTES, messageReader, type FramingError } from '../../../main/extension/framing.js';
import { callerOfHost } from '../../../main/extension/identity.js';

function reader() {
  const messages: unknown[] = [];
  const errors: string[] = [];
  return { messages, errors, read: messageReader((m) => messages.push(m), (e: FramingError) => errors.push(e.code)) };
}

describe('native messaging framing', () => {
  it('frames as a 32-bit little-endian length and UTF-8 JSON', () => {
    expect([...encodeMessage({ a: 'é' })]).toEqual([10, 0, 0, 0, ...Buffer.from('{"a":"é"}')]);
  });

  it('reads messages split and joined across chunks, in order', () => {
    const { messages, errors, read } = reader();
    const stream = Buffer.concat([encodeMessage({ n: 1 }), encodeMessage({ n: 2 }), encodeMessage({ n: 3 })]);
    for (let i = 0; i < stream.length; i += 5) read(stream.subarray(i, i + 5));
    expect(messages).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(errors).toEqual([]);
  });

  it('refuses more than 1 MiB toward the browser', () => {
    expect(() => encodeMessage({ s: 'x'.repeat(MAX_TO_BROWSER_BYTES) })).toThrow(/at most 1048576 bytes/);
  });

  it('stops at an oversized or non-JSON frame and reads nothing after it', () => {
    const big = reader();
    const header = Buffer.alloc(4);
    header.writeUInt32LE(MAX_FROM_BROWSER_BYTES + 1);
    big.read(Buffer.concat([header, encodeMessage({ after: true })]));
    expect(big).toMatchObject({ messages: [], errors: ['NATIVE_MESSAGE_TOO_LARGE'] });
    const junk = reader();
    const body = Buffer.from('not json');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(body.length);
    junk.read(Buffer.concat([length, body, encodeMessage({ after: true })]));
    expect(junk).toMatchObject({ messages: [], errors: ['NATIVE_MESSAGE_MALFORMED'] });
  });

  it('knows its callers by the arguments the browsers pass', () => {
    expect(callerOfHost(['chrome-extension://ehfgpegdpneilholpjojbhmbgaiacago/', '--parent-window=0'])).toBe('chrome');
    expect(callerOfHost(['/home/ana/.mozilla/native-messaging-hosts/com.cloudtoken.native_host.json', '{818cc67f-9a73-4103-830b-8c9f625491dc}'])).toBe('firefox');
    expect(callerOfHost(['chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/'])).toBeUndefined();
    expect(callerOfHost([])).toBeUndefined();
  });
});
