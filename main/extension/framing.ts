import { CloudtokenError } from '../support/errors.js';

/**
 * Native messaging's framing on the host's standard input and output: each message is a 32-bit length in the
 * machine's byte order (little-endian on every platform Cloudtoken runs on) and that many bytes of UTF-8 JSON.
 * Chrome refuses a message from the host above 1 MiB; toward the host it allows 64 MiB, of which we take at
 * most what an assertion needs.
 */
export const MAX_TO_BROWSER_BYTES = 1024 * 1024;
export const MAX_FROM_BROWSER_BYTES = 4 * 1024 * 1024;

export class FramingError extends CloudtokenError {}

export function encodeMessage(value: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  if (body.length > MAX_TO_BROWSER_BYTES) throw new FramingError('NATIVE_MESSAGE_TOO_LARGE', `A message to the browser may be at most ${MAX_TO_BROWSER_BYTES} bytes; this one was ${body.length}.`);
  const header = Buffer.alloc(4);
  header.writeUInt32LE(body.length, 0);
  return Buffer.concat([header, body]);
}

/**
 * Feeds chunks of the browser's stream; calls `onMessage` with each parsed message in order. A frame that is
 * too large or not JSON ends the stream with `onError` (nothing after it can be trusted to start a frame).
 */
export function messageReader(onMessage: (value: unknown) => void, onError: (error: FramingError) => void): (chunk: Buffer) => void {
  let buffered: Buffer = Buffer.alloc(0);
  let broken = false;
  return (chunk) => {
    if (broken) return;
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4) {
      const size = buffered.readUInt32LE(0);
      if (size > MAX_FROM_BROWSER_BYTES) {
        broken = true;
        onError(new FramingError('NATIVE_MESSAGE_TOO_LARGE', `The browser sent a message of ${size} bytes; at most ${MAX_FROM_BROWSER_BYTES} are read.`));
        return;
      }
      if (buffered.length < 4 + size) return;
      const body = buffered.subarray(4, 4 + size).toString('utf8');
      buffered = buffered.subarray(4 + size);
      let value: unknown;
      try {
        value = JSON.parse(body);
      } catch {
        broken = true;
        onError(new FramingError('NATIVE_MESSAGE_MALFORMED', 'The browser sent a message that is not JSON.'));
        return;
      }
      onMessage(value);
    }
  };
}
